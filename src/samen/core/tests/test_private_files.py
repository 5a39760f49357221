"""Files and secrets: the folder `var/`, the generated SECRET_KEY and the SQLite database are
readable by the account that runs Samen only (an attacker with another account on the same
machine reads no sessions, no key and no residents' reports)."""

import importlib.util
import sqlite3
import stat

import pytest


def mode(path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def load_settings(monkeypatch, var_dir):
    """settings.py evaluated as `make run` does on a laptop: SQLite, no SECRET_KEY given."""
    for name in ("DATABASE_URL", "SECRET_KEY", "STATIC_ROOT", "SAMEN_CACHE_DIR"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("SAMEN_VAR_DIR", str(var_dir))
    spec = importlib.util.spec_from_file_location(
        "samen_laptop_settings", importlib.util.find_spec("samen.settings").origin
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def loose_umask():
    import os

    old = os.umask(0o022)  # the usual umask: without care, files come out world-readable
    yield
    os.umask(old)


def test_var_the_secret_key_and_the_database_are_private(monkeypatch, tmp_path, loose_umask):
    var = tmp_path / "var"
    settings = load_settings(monkeypatch, var)
    assert mode(var) == 0o700
    assert mode(var / "secret_key") == 0o600
    database = settings.DATABASES["default"]["NAME"]
    assert str(database).startswith(str(var))
    assert mode(database) == 0o600
    # SQLite gives its WAL and shared-memory files the mode of the database file.
    connection = sqlite3.connect(database)
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("CREATE TABLE t (x)")
    connection.execute("INSERT INTO t VALUES (1)")
    connection.commit()
    for suffix in ("-wal", "-shm"):
        assert mode(database.with_name(database.name + suffix)) == 0o600
    connection.close()


def test_an_existing_checkout_is_tightened(monkeypatch, tmp_path, loose_umask):
    """A checkout made before this fix has var/ 0755 and files 0644: the next start fixes it."""
    var = tmp_path / "var"
    var.mkdir(mode=0o755)
    (var / "secret_key").write_text("an-old-key")
    (var / "samen.sqlite3").write_bytes(b"")
    for path in (var / "secret_key", var / "samen.sqlite3"):
        path.chmod(0o644)
    settings = load_settings(monkeypatch, var)
    assert settings.SECRET_KEY == "an-old-key"
    assert mode(var) == 0o700
    assert mode(var / "secret_key") == 0o600
    assert mode(var / "samen.sqlite3") == 0o600
