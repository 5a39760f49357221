"""`make run` serves the demo where e-mail links point: SITE_URL follows PORT (issue #15)."""

import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[4]


def _dry_run(*args: str) -> str:
    if not shutil.which("make"):
        pytest.skip("make is not installed")
    result = subprocess.run(
        ["make", "-n", "-C", str(ROOT), "run", *args],
        capture_output=True,
        text=True,
        check=True,
    )
    return next(line for line in result.stdout.splitlines() if "runserver" in line)


def test_the_demo_server_gets_a_site_url_on_its_own_port():
    line = _dry_run("PORT=8765")
    assert "SITE_URL=http://127.0.0.1:8765 " in line
    assert "runserver 127.0.0.1:8765" in line


def test_a_site_url_given_by_the_developer_is_kept():
    line = _dry_run("PORT=8765", "SITE_URL=https://samen.example.nl")
    assert "SITE_URL=https://samen.example.nl " in line
