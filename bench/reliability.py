#!/usr/bin/env python3
"""Load and fault proof (issue #7): a production set-up of Samen on its own PostgreSQL under a
mixed load from concurrent clients, then the same load while processes and the database fail.

Set-up, all thrown away at the end: a PostgreSQL 15 cluster of its own (initdb in /tmp, its
own port; the shared server on 5432 is never touched), migrated with the demo loaded;
gunicorn (sync workers, as in the README's deploy section), `samen db_worker` and
`samen schedule --loop`, both supervised like systemd's Restart=always (back after 1 s); a
local iCalendar feed for the scheduled feed refresh. Production settings: DEBUG off,
two-factor login for caseworkers, the database task queue; only HTTPS (no TLS proxy here)
and the rate limits (every client is 127.0.0.1) are off.

The clients (threads, one HTTP session each, CSRF honoured):
  residents     search the agenda (page and API), open activity pages, subscribe (iCal)
  reporters     file concern reports through the API (201 + reference) and the web form
                (302 to the status page), and look up the status of earlier reports
  sign-ups      organisations join the hub (meedoen), young people register for MDT
  caseworker    with an API token: the queue, a case, a status change with a note
  caseworker    in the browser, logged in with password and TOTP code: queue, case, note
  coordinator   staff home, dashboards, partner longlist; queues an e-mail to the shortlist
                now and then (delivered by the db_worker)
Every acknowledged write is recorded with its reference, token or marker and looked up in
the database at the end: nothing may be missing.

Phases: `--minutes` of plain load (no 5xx, no failed request at all), then `--fault-seconds`
of the same load while: a gunicorn worker gets SIGKILL; the db_worker gets SIGKILL and is
started again a few seconds later (tasks queued meanwhile must be done after); PostgreSQL
restarts in fast mode and, later, in immediate mode (crash recovery). While the database is
down, requests must fail cleanly (503, problem+json for the API) and quickly; after it is
back the app must serve again by itself within --recovery-limit seconds.

    .venv/bin/python bench/reliability.py --minutes 5       # the full proof (make reliability)
    .venv/bin/python bench/reliability.py --quick           # ~60 s, for development

Exit status 0 when every check passes, 1 when one fails (or the set-up fails), 2 when
interrupted.
"""

from __future__ import annotations

import argparse
import collections
import contextlib
import datetime as dt
import functools
import hashlib
import html.parser
import http.server
import json
import os
import pwd
import random
import re
import secrets
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import psycopg
import requests
from concerns_intake import children_of, free_port, log, machine, venv_bin
from django_otp.oath import totp

ROOT = Path(__file__).resolve().parent.parent
SLUG = "samenstad"
PG_BIN = Path(os.environ.get("PG_BIN", "/usr/lib/postgresql/15/bin"))
PASSWORD = "samen-demo"
TIMEOUT = 20.0  # a client gives up on a request after this: counted as a hang
TOTP_KEY = secrets.token_hex(20)
MARK = f"rel{secrets.token_hex(3)}"  # in every text this run writes


# --- the throwaway PostgreSQL cluster ----------------------------------------------------------


class Cluster:
    """A PostgreSQL cluster of our own in /tmp, on its own port, run as the postgres user."""

    def __init__(self, port: int):
        self.port = port
        self.dir = Path(tempfile.mkdtemp(prefix="samen-rel-pg-"))
        self.data = self.dir / "data"
        self.logfile = self.dir / "postgres.log"
        self.url = f"postgres://postgres@127.0.0.1:{port}/samen"
        self.as_postgres = os.geteuid() == 0  # PostgreSQL refuses to run as root
        if self.as_postgres:
            user = pwd.getpwnam("postgres")
            os.chown(self.dir, user.pw_uid, user.pw_gid)

    def _pg(self, tool: str, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        cmd = [str(PG_BIN / tool), *args]
        if self.as_postgres:
            cmd = ["runuser", "-u", "postgres", "--", *cmd]
        return subprocess.run(cmd, check=check, capture_output=True, text=True, cwd=self.dir)

    def create(self) -> None:
        self._pg("initdb", "-D", str(self.data), "-U", "postgres", "--auth=trust", "-E", "UTF8")
        self.start()
        with psycopg.connect(self.url.replace("/samen", "/postgres"), autocommit=True) as conn:
            conn.execute("CREATE DATABASE samen")

    def start(self) -> float:
        options = f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1"
        self._pg("pg_ctl", "-D", str(self.data), "-o", options, "-l", str(self.logfile), "-w",
                 "start")  # fmt: skip
        return time.monotonic()

    def stop(self, mode: str) -> None:
        self._pg("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "stop", check=False)

    def remove(self) -> None:
        self.stop("immediate")
        shutil.rmtree(self.dir, ignore_errors=True)

    def query(self, sql: str, *params) -> list[tuple]:
        with psycopg.connect(self.url, autocommit=True) as conn:
            return conn.execute(sql, params).fetchall()


# --- processes: gunicorn, and the supervised worker and scheduler -----------------------------


def spawn(cmd: list[str], env: dict, logfile: Path) -> subprocess.Popen:
    with logfile.open("a") as out:
        return subprocess.Popen(cmd, env=env, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL)  # fmt: skip


class Supervised:
    """A long-running command restarted one second after it exits, like systemd's
    Restart=always. `kill()` sends a signal; `pause()` keeps it down until `resume()`."""

    def __init__(self, name: str, cmd: list[str], env: dict, logfile: Path):
        self.name, self.cmd, self.env, self.logfile = name, cmd, env, logfile
        self.proc: subprocess.Popen | None = None
        self.exits: list[int] = []  # exit codes of every end, killed or crashed
        self.down = threading.Event()  # set: do not restart
        self.stopped = threading.Event()
        self._spawn()
        threading.Thread(target=self._watch, daemon=True).start()

    def _spawn(self) -> None:
        self.proc = spawn(self.cmd, self.env, self.logfile)

    def _watch(self) -> None:
        while not self.stopped.is_set():
            code = self.proc.wait()
            if self.stopped.is_set():
                return
            self.exits.append(code)
            time.sleep(1)
            while self.down.is_set() and not self.stopped.is_set():
                time.sleep(0.1)
            if not self.stopped.is_set():
                self._spawn()

    def kill(self, sig: int = signal.SIGKILL) -> int:
        pid = self.proc.pid
        os.kill(pid, sig)
        return pid

    def pause(self) -> None:
        self.down.set()

    def resume(self) -> None:
        self.down.clear()

    def stop(self) -> None:
        self.stopped.set()
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()

    def errors(self) -> list[str]:
        """The exceptions in its log (the last line of each traceback), counted."""
        text = self.logfile.read_text(errors="replace")
        found = re.findall(r"^([\w.]+(?:Error|Shutdown|Exception)\b.*)$", text, re.M)
        return [f"{n}x {line[:120]}" for line, n in collections.Counter(found).most_common(3)]


class Gunicorn:
    def __init__(self, env: dict, workdir: Path, workers: int):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.workers = workers
        self.logfile = workdir / "gunicorn.log"
        cmd = [venv_bin("gunicorn"), "samen.wsgi:application", "--bind", f"127.0.0.1:{self.port}",
               "--workers", str(workers), "--timeout", "30", "--log-level", "warning"]  # fmt: skip
        self.proc = spawn(cmd, env, self.logfile)
        end = time.monotonic() + 180  # a busy shared machine starts Django slowly
        while time.monotonic() < end:
            with contextlib.suppress(requests.RequestException):
                if requests.get(f"{self.url}/healthz", timeout=2).ok and self.worker_pids():
                    if len(self.worker_pids()) >= workers:
                        return
            if self.proc.poll() is not None:
                raise SystemExit(f"gunicorn exited; see {self.logfile}")
            time.sleep(0.3)
        raise SystemExit(f"gunicorn did not start; see {self.logfile}")

    def worker_pids(self) -> list[int]:
        return children_of(self.proc.pid)

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(15)
        except subprocess.TimeoutExpired:
            self.proc.kill()


def serve_feed(directory: Path) -> str:
    """A local web server for the iCalendar feed the scheduled refresh reads."""
    handler = functools.partial(QuietHandler, directory=str(directory))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{server.server_address[1]}"


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:
        pass


# --- what the clients saw ------------------------------------------------------------------------


@dataclass
class Event:
    kind: str
    start: float
    seconds: float
    status: int | str  # HTTP status, or "timeout" / "connection"
    phase: str
    clean: bool = True  # a 5xx with a proper body (problem+json under /api/, an HTML page)


@dataclass
class Recorder:
    phase: str = "setup"
    events: list[Event] = field(default_factory=list)
    acked: dict[str, list[str]] = field(default_factory=lambda: collections.defaultdict(list))
    samples: dict[str, str] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, event: Event) -> None:
        with self.lock:
            self.events.append(event)

    def ack(self, kind: str, key: str) -> None:
        with self.lock:
            self.acked[kind].append(key)

    def sample(self, key: str, text: str) -> None:
        with self.lock:
            self.samples.setdefault(key, text[:300])


class FormFields(html.parser.HTMLParser):
    """The fields of the forms on a page with their default values (what a browser sends)."""

    def __init__(self, text: str):
        super().__init__()
        self.fields: dict[str, str] = {}
        self._select: str | None = None
        self._textarea: str | None = None
        self.feed(text)

    def handle_starttag(self, tag: str, attrs: list) -> None:
        a = dict(attrs)
        name = a.get("name")
        if tag == "input" and name:
            if a.get("type") in ("checkbox", "radio"):
                if "checked" in a:
                    self.fields[name] = a.get("value", "on")
            elif a.get("type") not in ("submit", "button"):
                self.fields.setdefault(name, a.get("value") or "")
        elif tag == "textarea" and name:
            self._textarea = name
            self.fields.setdefault(name, "")
        elif tag == "select" and name:
            self._select = name
        elif tag == "option" and self._select:
            if "selected" in a or self._select not in self.fields:
                self.fields[self._select] = a.get("value", "")

    def handle_data(self, data: str) -> None:
        if self._textarea:
            self.fields[self._textarea] += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None


class Client(threading.Thread):
    """One simulated person with their own HTTP session, acting until `stop` is set."""

    think = 0.1

    def __init__(self, name: str, base: str, rec: Recorder, stop: threading.Event, seed: int):
        super().__init__(name=name, daemon=True)
        self.base, self.rec, self.stop = base, rec, stop
        self.rng = random.Random(seed)
        self.http = requests.Session()
        self.n = 0

    def run(self) -> None:
        while not self.stop.is_set():
            try:
                self.step()
            except Exception as exc:  # a bug in the client itself: show it, keep going
                self.rec.sample(f"client error {self.name}", f"{type(exc).__name__}: {exc}")
                time.sleep(0.5)
            self.stop.wait(self.rng.uniform(0, 2 * self.think))

    def step(self) -> None:
        raise NotImplementedError

    def call(self, kind: str, method: str, path: str, **kwargs) -> requests.Response | None:
        start = time.monotonic()
        phase = self.rec.phase
        try:
            r = self.http.request(method, self.base + path, timeout=TIMEOUT,
                                  allow_redirects=False, **kwargs)  # fmt: skip
        except requests.Timeout:
            self.rec.add(Event(kind, start, time.monotonic() - start, "timeout", phase, False))
            self.rec.sample(f"timeout {kind}", f"{phase} phase, {method} {path}")
            return None
        except requests.ConnectionError as exc:
            self.rec.add(Event(kind, start, time.monotonic() - start, "connection", phase, False))
            self.rec.sample(f"connection {kind}", str(exc))
            return None
        seconds = time.monotonic() - start
        clean = True
        if r.status_code >= 500:
            ctype = r.headers.get("Content-Type", "")
            api = path.startswith("/api/")
            clean = r.status_code == 503 and (
                ctype.startswith("application/problem+json") if api else "text/html" in ctype
            )
            self.rec.sample(f"{r.status_code} {kind}", r.text)
        self.rec.add(Event(kind, start, seconds, r.status_code, phase, clean))
        return r

    def form(self, kind: str, path: str) -> dict[str, str] | None:
        """GET a page with a form: its fields with their defaults, the CSRF token included."""
        r = self.call(kind, "GET", path)
        if r is None or r.status_code != 200:
            return None
        return FormFields(r.text).fields

    def post_form(self, kind: str, path: str, data: dict) -> requests.Response | None:
        return self.call(kind, "POST", path, data=data, headers={"Referer": self.base + path})

    def login(self, username: str) -> bool:
        fields = self.form("login", "/inloggen/")
        if fields is None:
            return False
        fields.update(username=username, password=PASSWORD)
        r = self.post_form("login", "/inloggen/", fields)
        return r is not None and r.status_code == 302

    def unique(self) -> str:
        self.n += 1
        return f"{MARK}-{self.name}-{self.n}"


def random_postcode(rng: random.Random) -> tuple[str, str]:
    letters = "ABCDEFGHJKLMNPRSTUVWXZ"
    return f"{rng.randint(1000, 9999)}{rng.choice(letters)}{rng.choice(letters)}", str(
        rng.randint(1, 300)
    )


class Resident(Client):
    CATEGORIES = ["", "meeting", "eating", "exercise", "walking", "culture", "games"]
    NEAR = ["9501AB", "9502", "9503EF", "9501GH", ""]

    def __init__(self, *args):
        super().__init__(*args)
        self.activities: list[int] = []

    def step(self) -> None:
        roll = self.rng.random()
        params = {
            "near": self.rng.choice(self.NEAR),
            "category": self.rng.choice(self.CATEGORIES),
            "free": self.rng.choice(["", "1"]),
        }
        params = {k: v for k, v in params.items() if v}
        if roll < 0.35:
            when = self.rng.choice(["week", "weekend", "month"])
            self.call("agenda page", "GET", f"/{SLUG}/agenda/", params={**params, "when": when})
        elif roll < 0.7:
            r = self.call("agenda API", "GET", "/api/v1/activities",
                          params={**params, "municipality": SLUG})  # fmt: skip
            if r is not None and r.status_code == 200:
                ids = [item["activity_id"] for item in r.json()["results"]]
                self.activities = (ids + self.activities)[:50]
        elif roll < 0.93 and self.activities:
            pk = self.rng.choice(self.activities)
            self.call("activity page", "GET", f"/{SLUG}/activiteiten/{pk}/")
        else:
            self.call("agenda iCal", "GET", f"/{SLUG}/agenda.ics", params=params)


class Reporter(Client):
    """Shop staff, parcel deliverers, neighbours: report a concern, check on it later."""

    def __init__(self, *args):
        super().__init__(*args)
        self.tokens: list[str] = []

    def step(self) -> None:
        roll = self.rng.random()
        if roll < 0.45:
            self.report_api()
        elif roll < 0.85:
            self.report_web()
        elif self.tokens:
            token = self.rng.choice(self.tokens)
            self.call("report status API", "GET", f"/api/v1/concerns/status/{token}")

    def _report(self) -> dict:
        postcode, number = random_postcode(self.rng)
        return {
            "description": f"Gordijnen al dagen dicht ({self.unique()})",
            "postcode": postcode,
            "house_number": number,
            "signs": ["curtains_closed"],
            "reporter_type": self.rng.choice(["shop", "delivery", "neighbour", "pharmacy"]),
        }

    def report_api(self) -> None:
        path = f"/api/v1/municipalities/{SLUG}/concerns"
        r = self.call("report API", "POST", path, json=self._report())
        if r is not None and r.status_code == 201:
            body = r.json()
            self.rec.ack("report API", body["reference"])
            self.tokens.append(body["status_token"])

    def report_web(self) -> None:
        path = f"/{SLUG}/signaal/"
        fields = self.form("report form", path)
        if fields is None:
            return
        data = self._report()
        fields.update({k: v for k, v in data.items() if k != "signs"}, signs=data["signs"])
        r = self.post_form("report form", path, fields)
        if r is not None and r.status_code == 302:
            token = r.headers["Location"].rstrip("/").split("?")[0].rstrip("/").split("/")[-1]
            self.rec.ack("report form", token)
            self.tokens.append(token)


class SignUp(Client):
    """An organisation joins the activity hub; a young person registers for MDT."""

    think = 0.5

    def step(self) -> None:
        if self.rng.random() < 0.5:
            path = f"/{SLUG}/meedoen/"
            fields = self.form("join hub", path)
            if fields is None:
                return
            name = f"Buurtvereniging {self.unique()}"
            fields.update(name=name, email=f"{self.n}.{self.name}@{MARK}.example")
            r = self.post_form("join hub", path, fields)
            if r is not None and r.status_code == 200 and fields["email"] in r.text:
                self.rec.ack("join hub", name)
        else:
            path = f"/{SLUG}/vrijwilligers/aanmelden/"
            fields = self.form("MDT sign-up", path)
            if fields is None:
                return
            email = f"{self.unique()}@{MARK}.example"
            born = dt.date.today().replace(year=dt.date.today().year - 19, day=1)
            fields.update(first_name="Sam", last_name="Jansen", email=email, postcode="9501AB",
                          date_of_birth=born.isoformat(), availability="sat_am")  # fmt: skip
            r = self.post_form("MDT sign-up", path, fields)
            if r is not None and r.status_code == 200 and "/vrijwilligers/mijn/" in r.text:
                self.rec.ack("MDT sign-up", email)


class CaseworkerApi(Client):
    """A caseworker's app with an API token: the queue, a case, the next step with a note."""

    think = 0.3

    def __init__(self, *args, token: str):
        super().__init__(*args)
        self.http.headers["Authorization"] = f"Bearer {token}"

    def step(self) -> None:
        status = self.rng.choice(["new", "contact_attempt"])
        r = self.call("cases API", "GET", f"/api/v1/municipalities/{SLUG}/cases",
                      params={"status": status})  # fmt: skip
        if r is None or r.status_code != 200 or not r.json():
            return
        case = self.rng.choice(r.json()[:20])
        path = f"/api/v1/municipalities/{SLUG}/cases/{case['id']}"
        if self.call("case API", "GET", path) is None:
            return
        note = f"Gebeld, geen gehoor ({self.unique()})"
        payload = {"to_status": "contact_attempt", "note": note}
        if case["status"] == "contact_attempt" and self.rng.random() < 0.3:
            payload.update(to_status="closed", outcome="no_concern")
        r = self.call("case step API", "POST", f"{path}/transitions", json=payload)
        if r is not None and r.status_code == 200:
            self.rec.ack("case step API", note)


class CaseworkerWeb(Client):
    """A caseworker in the browser, logged in with password and authenticator code."""

    think = 0.5

    def __init__(self, *args):
        super().__init__(*args)
        self.logged_in = False
        self.cases: list[str] = []

    def sign_in(self) -> None:
        if not self.login("caseworker"):
            return
        fields = self.form("login", "/account/code/")
        if fields is None:
            return
        fields["token"] = f"{totp(bytes.fromhex(TOTP_KEY)):06d}"
        r = self.post_form("login", "/account/code/", fields)
        self.logged_in = r is not None and r.status_code == 302

    def step(self) -> None:
        if not self.logged_in:
            self.sign_in()
            return
        r = self.call("queue page", "GET", f"/{SLUG}/beheer/signalen/")
        if r is not None and r.status_code == 200:
            self.cases = re.findall(rf"/{SLUG}/beheer/signalen/(\d+)/", r.text)[:30] or self.cases
        if not self.cases:
            return
        path = f"/{SLUG}/beheer/signalen/{self.rng.choice(self.cases)}/"
        r = self.call("case page", "GET", path)
        if r is None or r.status_code != 200:
            return
        token = FormFields(r.text).fields.get("csrfmiddlewaretoken", "")
        note = f"Buurvrouw gesproken ({self.unique()})"
        data = {"csrfmiddlewaretoken": token, "action": "note", "note": note}
        r = self.post_form("case note page", path, data)
        if r is not None and r.status_code == 302:
            self.rec.ack("case note page", note)


class Coordinator(Client):
    """The coordinator: dashboards and partner work; now and then an e-mail to the shortlist."""

    think = 0.5
    PAGES = ["/beheer/", "/beheer/impact/", "/beheer/signalen/cijfers/", "/beheer/partners/",
             "/beheer/partners/niet-gesproken/", "/samenwerkingen/"]  # fmt: skip

    def __init__(self, *args, mail_every: float):
        super().__init__(*args)
        self.logged_in = False
        self.mail_every = mail_every
        self.next_mail = time.monotonic() + 5

    def step(self) -> None:
        if not self.logged_in:
            self.logged_in = self.login("coordinator")
            return
        if time.monotonic() >= self.next_mail:
            self.next_mail = time.monotonic() + self.mail_every
            self.send_mail()
            return
        self.call("coordinator pages", "GET", f"/{SLUG}{self.rng.choice(self.PAGES)}")

    def send_mail(self) -> None:
        path = f"/{SLUG}/beheer/partners/e-mail/versturen/"
        fields = self.form("e-mail to partners", path)
        if fields is None:
            return
        fields.update(selection="shortlist", default_request=f"Doet u mee? ({self.unique()})")
        r = self.post_form("e-mail to partners", path, fields)  # the preview
        if r is None or r.status_code != 200:
            return
        fields["confirm"] = "1"
        r = self.post_form("e-mail to partners", path, fields)
        if r is not None and r.status_code == 302:
            self.rec.ack("e-mail to partners", r.headers["Location"].rstrip("/").split("/")[-1])


class Probe(Client):
    """One cheap API request after another: shows when the app serves again."""

    think = 0.1

    def step(self) -> None:
        self.call("probe", "GET", "/api/v1/activities", params={"municipality": SLUG})


# --- set-up ----------------------------------------------------------------------------------------


def app_env(cluster: Cluster, workdir: Path) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_", "SAMEN_"))}
    env.update(
        DJANGO_SETTINGS_MODULE="samen.settings",
        DATABASE_URL=cluster.url,
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="127.0.0.1,localhost",
        SAMEN_HTTPS="0",  # no TLS-terminating proxy in front here
        SAMEN_RATELIMIT="0",  # all clients come from 127.0.0.1
        SAMEN_TASKS_BACKEND="database",
        SAMEN_CACHE_DIR=str(workdir / "cache"),
        STATIC_ROOT=str(workdir / "static"),
        DEBUG="0",
        LOG_LEVEL="WARNING",
        PYTHONUNBUFFERED="1",
        PYTHONWARNINGS="ignore:No directory at:UserWarning",
    )
    return env


SETUP_SHELL = """
from django_otp.plugins.otp_totp.models import TOTPDevice
from samen.core.models import User
user = User.objects.get(username="caseworker")
TOTPDevice.objects.filter(user=user).delete()
TOTPDevice.objects.create(user=user, name="bench", key="{key}", confirmed=True)
"""


def prepare(cluster: Cluster, env: dict, feed_url: str) -> str:
    """Migrate, load the demo, give the caseworker an authenticator and an API token,
    register a local feed; return the token."""
    samen = venv_bin("samen")

    def run(*args: str) -> str:
        out = subprocess.run([samen, *args], env=env, cwd=ROOT, check=True,
                             capture_output=True, text=True)  # fmt: skip
        return out.stdout

    run("migrate", "--noinput", "-v0")
    run("collectstatic", "--noinput", "-v0")
    run("demo")
    run("shell", "-c", SETUP_SHELL.format(key=TOTP_KEY))
    run("import-feed", "--municipality", SLUG, "--organisation", "bibliotheek-samenstad",
        f"{feed_url}/bibliotheek-samenstad.ics")  # fmt: skip
    return run("token", "caseworker").strip().splitlines()[-1]


def start_clients(base: str, rec: Recorder, stop: threading.Event, token: str,
                  args: argparse.Namespace) -> list[Client]:  # fmt: skip
    clients: list[Client] = []
    seed = args.seed

    def add(cls, name: str, **kwargs) -> None:
        nonlocal seed
        seed += 1
        clients.append(cls(name, base, rec, stop, seed, **kwargs))

    for i in range(args.residents):
        add(Resident, f"resident{i}")
    for i in range(args.reporters):
        add(Reporter, f"reporter{i}")
    add(SignUp, "signup")
    add(CaseworkerApi, "caseworker-api", token=token)
    add(CaseworkerWeb, "caseworker-web")
    add(Coordinator, "coordinator", mail_every=args.mail_every)
    add(Probe, "probe")
    for client in clients:
        client.start()
    return clients


# --- the fault phase ------------------------------------------------------------------------------


@dataclass
class Faults:
    gunicorn_killed: int | None = None
    gunicorn_respawned: bool = False
    tasks_waiting: list[str] = field(default_factory=list)  # READY at the kill or queued while down
    tasks_running_at_kill: list[str] = field(default_factory=list)
    restarts: list[dict] = field(default_factory=list)


def task_ids(cluster: Cluster, status: str) -> list[str]:
    rows = cluster.query("SELECT id::text FROM django_tasks_database_dbtaskresult WHERE status = %s",
                         status)  # fmt: skip
    return [row[0] for row in rows]


def run_faults(cluster: Cluster, web: Gunicorn, worker: Supervised, seconds: float,
               down: float, coordinator: Coordinator) -> Faults:  # fmt: skip
    """The fault timeline, as fractions of the phase."""
    faults = Faults()
    begin = time.monotonic()

    def at(fraction: float) -> None:
        time.sleep(max(0.0, begin + fraction * seconds - time.monotonic()))

    at(0.05)
    pids = web.worker_pids()
    faults.gunicorn_killed = pids[0]
    os.kill(pids[0], signal.SIGKILL)
    log(f"  SIGKILL to gunicorn worker {pids[0]}")
    time.sleep(3)
    now = web.worker_pids()
    faults.gunicorn_respawned = len(now) >= web.workers and pids[0] not in now
    log(f"  gunicorn workers {now}: {'respawned' if faults.gunicorn_respawned else 'NOT back'}")

    at(0.15)
    worker.pause()
    faults.tasks_running_at_kill = task_ids(cluster, "RUNNING")
    pid = worker.kill()
    before = task_ids(cluster, "READY")
    log(f"  SIGKILL to db_worker {pid}: {len(before)} tasks waiting, "
        f"{len(faults.tasks_running_at_kill)} running")  # fmt: skip
    coordinator.next_mail = 0  # e-mails queued while no worker runs
    time.sleep(max(8.0, 0.05 * seconds))
    faults.tasks_waiting = task_ids(cluster, "READY")
    worker.resume()
    log(f"  db_worker started again: {len(faults.tasks_waiting)} tasks waiting for it")

    for fraction, mode in ((0.35, "fast"), (0.65, "immediate")):
        at(fraction)
        stopped = time.monotonic()
        cluster.stop(mode)
        down_at = time.monotonic()
        log(f"  PostgreSQL stopped ({mode}, {down_at - stopped:.1f} s); down for {down:g} s")
        time.sleep(down)
        ready = cluster.start()
        log(f"  PostgreSQL accepting connections again ({ready - down_at:.1f} s after the stop)")
        faults.restarts.append({"mode": mode, "stop": stopped, "ready": ready})
    at(1.0)
    return faults


def recovery(rec: Recorder, restart: dict, until: float) -> dict:
    """After PostgreSQL is back: the first success of the probe, and the last failed request
    that was sent after it was back (how long the app took to serve everyone again)."""
    ready = restart["ready"]
    window = [e for e in rec.events if restart["stop"] - 1 <= e.start <= until]
    probe_ok = [e.start + e.seconds for e in window if e.kind == "probe" and e.status == 200
                and e.start >= ready]  # fmt: skip
    # Failed requests sent after it was back and answered before the next fault began.
    after = [e for e in window if e.start >= ready and e.start + e.seconds < until
             and not (isinstance(e.status, int) and e.status < 500)]  # fmt: skip
    failed_after = [e.start + e.seconds for e in after]
    during = [e for e in window if e.start < ready and e.start >= restart["stop"]]
    failures = [e for e in during if not (isinstance(e.status, int) and e.status < 500)]
    return {
        "mode": restart["mode"],
        "down_s": ready - restart["stop"],
        "first_probe_ok_s": (min(probe_ok) - ready) if probe_ok else None,
        "last_failure_after_s": (max(failed_after) - ready) if failed_after else 0.0,
        "failures_after": len(failed_after),
        "failures_after_detail": [(e.kind, e.status, round(e.start - ready, 2)) for e in after][:5],
        "requests_while_down": len(during),
        "failed_while_down": len(failures),
        "slowest_failure_s": max((e.seconds for e in failures), default=0.0),
    }


# --- the checks ----------------------------------------------------------------------------------


LOOKUPS = {
    # kind -> SQL returning the acknowledged keys that are stored
    "report API": "SELECT reference FROM concerns_report WHERE reference = ANY(%s)",
    "report form": "SELECT status_token_hash FROM concerns_report WHERE status_token_hash = ANY(%s)",
    "join hub": "SELECT name FROM core_organisation WHERE name = ANY(%s)",
    "MDT sign-up": "SELECT email FROM volunteering_volunteer WHERE email = ANY(%s)",
    "case step API": "SELECT note FROM concerns_caseevent WHERE note = ANY(%s)",
    "case note page": "SELECT note FROM concerns_caseevent WHERE note = ANY(%s)",
    "e-mail to partners": "SELECT id::text FROM partners_emailcampaign WHERE id::text = ANY(%s)",
}


def lost_writes(cluster: Cluster, rec: Recorder) -> dict[str, dict]:
    result = {}
    for kind, sql in LOOKUPS.items():
        keys = rec.acked.get(kind, [])
        if kind == "report form":  # the database keeps only the token's hash
            keys = [hashlib.sha256(k.encode()).hexdigest() for k in keys]
        stored = {row[0] for row in cluster.query(sql, keys)}
        result[kind] = {"acked": len(keys), "missing": sorted(set(keys) - stored)}
    reports = cluster.query("SELECT count(*) FROM concerns_report WHERE description LIKE %s",
                            f"%({MARK}-%")[0][0]  # fmt: skip
    acked = result["report API"]["acked"] + result["report form"]["acked"]
    result["report API"]["stored_unacknowledged"] = reports - acked
    return result


def wait_for_queue(cluster: Cluster, campaigns: list[str], limit: float) -> float:
    """Wait until no task is ready to run and every queued e-mail of the run is sent."""
    start = time.monotonic()
    while time.monotonic() - start < limit:
        ready = len(task_ids(cluster, "READY"))
        unsent = cluster.query(
            "SELECT count(*) FROM partners_emailsend WHERE campaign_id::text = ANY(%s) "
            "AND sent_at IS NULL AND error = ''",
            campaigns,
        )[0][0]
        if ready == 0 and unsent == 0:
            break
        time.sleep(1)
    return time.monotonic() - start


def mail_report(cluster: Cluster, campaigns: list[str], worker_log: Path) -> dict:
    rows = cluster.query(
        "SELECT count(*), count(sent_at), count(*) FILTER (WHERE error <> '') "
        "FROM partners_emailsend WHERE campaign_id::text = ANY(%s)",
        campaigns,
    )[0]
    ids = re.findall(r"^Message-ID: (<campaign-\d+\.partner-\d+@[^>]+>)",
                     worker_log.read_text(errors="replace"), re.M)  # fmt: skip
    counts = collections.Counter(ids)
    return {
        "queued": rows[0],
        "sent": rows[1],
        "failed": rows[2],
        "printed": len(ids),
        "duplicates": sum(n - 1 for n in counts.values() if n > 1),
    }


def task_report(cluster: Cluster, faults: Faults) -> dict:
    statuses = dict(cluster.query(
        "SELECT status, count(*) FROM django_tasks_database_dbtaskresult GROUP BY status"))  # fmt: skip
    waiting = cluster.query(
        "SELECT status, count(*) FROM django_tasks_database_dbtaskresult WHERE id::text = ANY(%s) "
        "GROUP BY status",
        faults.tasks_waiting,
    )
    stuck = cluster.query(
        "SELECT task_path, status FROM django_tasks_database_dbtaskresult WHERE id::text = ANY(%s)",
        faults.tasks_running_at_kill,
    )
    return {"all": statuses, "waiting_at_kill": dict(waiting), "running_at_kill": stuck}


def internal_errors(logfile: Path) -> dict[str, int]:
    """The 500s the server logged (Django's "Internal Server Error", gunicorn's "Error
    handling request"), counted by the last line of their traceback."""
    records = re.split(r"^(?=Internal Server Error|Service Unavailable|\[\d{4}-)",
                       logfile.read_text(errors="replace"), flags=re.M)  # fmt: skip
    causes: collections.Counter = collections.Counter()
    for record in records:
        if record.startswith("Internal Server Error") or "Error handling request" in record[:80]:
            lines = re.findall(r"^[\w.]+(?:Error|Exception)\b.*$", record, re.M)
            causes[lines[-1][:100] if lines else record[:100]] += 1
    return dict(causes.most_common(5))


def percentiles(values: list[float]) -> tuple[float, float, float]:
    """p50, p95, p99 (milliseconds)."""
    if len(values) < 2:
        return (values[0],) * 3 if values else (0.0, 0.0, 0.0)
    cuts = statistics.quantiles(values, n=100, method="inclusive")
    return cuts[49], cuts[94], cuts[98]


def table(rec: Recorder, phase: str, seconds: float) -> tuple[list[str], dict]:
    events = [e for e in rec.events if e.phase == phase]
    kinds = sorted({e.kind for e in events})
    lines = [f"{'request':22s} {'count':>6s} {'/s':>6s} {'p50 ms':>7s} {'p95 ms':>7s} "
             f"{'p99 ms':>7s} {'2xx/3xx':>7s} {'4xx':>5s} {'5xx':>5s} {'failed':>6s}"]  # fmt: skip
    summary = {}
    for kind in [*kinds, "all"]:
        chosen = events if kind == "all" else [e for e in events if e.kind == kind]
        ok = [e.seconds * 1000 for e in chosen if isinstance(e.status, int) and e.status < 400]
        p50, p95, p99 = percentiles(ok)
        row = {
            "count": len(chosen),
            "rps": len(chosen) / seconds,
            "p50": p50,
            "p95": p95,
            "p99": p99,
            "ok": len(ok),
            "4xx": sum(1 for e in chosen if isinstance(e.status, int) and 400 <= e.status < 500),
            "5xx": sum(1 for e in chosen if isinstance(e.status, int) and e.status >= 500),
            "failed": sum(1 for e in chosen if not isinstance(e.status, int)),
        }
        summary[kind] = row
        lines.append(
            f"{kind:22s} {row['count']:6d} {row['rps']:6.1f} {row['p50']:7.0f} {row['p95']:7.0f} "
            f"{row['p99']:7.0f} {row['ok']:7d} {row['4xx']:5d} {row['5xx']:5d} {row['failed']:6d}"
        )
    return lines, summary


def mark(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


def report_requests(rec: Recorder, args: argparse.Namespace, results: dict) -> bool:
    """Print what the clients saw, per phase, and the fault checks; True when all pass."""
    info, faults = results["info"], results["faults"]
    ok = True
    print()
    print(f"Samen load and fault proof, {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC, "
          f"{info['cpus']} CPUs ({info['cpu']}), load average {os.getloadavg()[0]:.2f}, "
          f"PostgreSQL {results['pg_version']}, Python {info['python']}, "
          f"gunicorn {args.workers} sync workers")  # fmt: skip
    for phase, seconds in (("load", results["load_seconds"]), ("faults", args.fault_seconds)):
        lines, summary = table(rec, phase, seconds)
        print(f"\n{phase}: {seconds:g} s")
        print("\n".join(lines))
        if phase == "load":
            plain = summary["all"]
            check = plain["5xx"] == 0 and plain["failed"] == 0
            print(f"  no 5xx and no failed request in the plain load: {mark(check)}")
            ok &= check
    fault_events = [e for e in rec.events if e.phase == "faults"]
    unclean = [e for e in fault_events if isinstance(e.status, int) and e.status >= 500
               and not e.clean]  # fmt: skip
    hangs = [e for e in rec.events if e.status == "timeout"]
    dropped = [e for e in fault_events if e.status == "connection"]
    print(f"\nfaults: 5xx other than a clean 503 (problem+json / page): {len(unclean)} "
          f"{mark(not unclean)}; requests that hung (> {TIMEOUT:g} s): {len(hangs)} "
          f"{mark(not hangs)}; connections dropped (the killed gunicorn worker's request): "
          f"{len(dropped)}")  # fmt: skip
    ok &= not unclean and not hangs
    print(f"gunicorn worker {faults.gunicorn_killed} killed: respawned "
          f"{mark(faults.gunicorn_respawned)}")  # fmt: skip
    ok &= faults.gunicorn_respawned
    for r in results["recoveries"]:
        first = r["first_probe_ok_s"]
        good = r["last_failure_after_s"] <= args.recovery_limit and first is not None
        ok &= good
        print(f"PostgreSQL restart ({r['mode']}): down {r['down_s']:.1f} s; "
              f"{r['failed_while_down']}/{r['requests_while_down']} requests failed meanwhile "
              f"(slowest {r['slowest_failure_s']:.2f} s); first success "
              f"{'never' if first is None else f'{first:.2f} s'} after it was back, last failure "
              f"{r['last_failure_after_s']:.2f} s after ({r['failures_after']} failures: "
              f"{r['failures_after_detail']}) {mark(good)}")  # fmt: skip
    print(f"500s in the gunicorn log, by exception: {results['server_errors'] or 'none'}")
    if rec.samples:
        print("samples:")
        for key, text in sorted(rec.samples.items()):
            print(f"  {key}: {text[:200]!r}")
    return ok


def report_data(results: dict) -> bool:
    """Print the checks against the database, the tasks and the e-mails; True when all pass."""
    lost, tasks, mail, faults = (
        results["lost"],
        results["tasks"],
        results["mail"],
        results["faults"],
    )
    ok = True
    print("\nacknowledged writes (201/200/302 with a reference), looked up in the database:")
    for kind, row in lost.items():
        good = not row["missing"]
        ok &= good
        print(f"  {kind:22s} {row['acked']:6d} acknowledged, {len(row['missing'])} missing "
              f"{mark(good)}{' e.g. ' + ', '.join(row['missing'][:3]) if row['missing'] else ''}")  # fmt: skip
    print(f"  (stored without a response seen by the client: "
          f"{lost['report API']['stored_unacknowledged']} concern reports)")  # fmt: skip
    waiting = tasks["waiting_at_kill"]
    good = sum(waiting.values()) == waiting.get("SUCCESSFUL", 0)
    ok &= good
    print(f"\ntasks waiting when the db_worker was killed or queued while it was down: "
          f"{len(faults.tasks_waiting)}; after the restart: {waiting} {mark(good)}")  # fmt: skip
    print(f"tasks running at the kill (left as they were): {tasks['running_at_kill']}")
    print(f"all tasks at the end: {tasks['all']}")
    good = mail["sent"] == mail["queued"] and tasks["all"].get("READY", 0) == 0
    ok &= good
    print(f"e-mails of {len(results['campaigns'])} acknowledged campaigns: {mail['queued']} "
          f"queued, {mail['sent']} sent, {mail['failed']} failed, {mail['duplicates']} sent "
          f"twice {mark(good)}")  # fmt: skip
    for service in results["services"]:
        print(f"{service.name} exits: {service.exits} (SIGKILL = {-signal.SIGKILL}), "
              f"restarted by the supervisor; errors in its log: {service.errors()}")  # fmt: skip
    return ok


def write_json(path: Path, rec: Recorder, args: argparse.Namespace, results: dict) -> None:
    worker, scheduler = results["services"]
    path.write_text(json.dumps({
        "when": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "machine": results["info"], "postgres": results["pg_version"],
        "args": {k: str(v) for k, v in vars(args).items()},
        "load": table(rec, "load", results["load_seconds"])[1],
        "faults": table(rec, "faults", args.fault_seconds)[1],
        **{k: results[k] for k in ("recoveries", "lost", "mail", "tasks")},
        "db_worker_exits": worker.exits, "schedule_exits": scheduler.exits,
    }, indent=2, default=str))  # fmt: skip


# --- main ----------------------------------------------------------------------------------------


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--minutes", type=float, default=5, help="plain load (default 5)")
    parser.add_argument("--fault-seconds", type=float, default=120, help="fault phase (120)")
    parser.add_argument("--quick", action="store_true", help="20 s plain + 40 s faults")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers (4)")
    parser.add_argument("--residents", type=int, default=4)
    parser.add_argument("--reporters", type=int, default=3)
    parser.add_argument("--mail-every", type=float, default=15, help="coordinator e-mails (s)")
    parser.add_argument("--down", type=float, default=3, help="seconds PostgreSQL stays down")
    parser.add_argument("--recovery-limit", type=float, default=10, help="seconds (10)")
    parser.add_argument("--pg-port", type=int, default=0, help="default: a free port")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--json", type=Path, help="also write the results to this file")
    parser.add_argument("--keep-logs", action="store_true", help="keep the server logs")
    args = parser.parse_args()
    if args.quick:
        args.minutes, args.fault_seconds = 20 / 60, 40

    signal.signal(signal.SIGTERM, lambda *_: (_ for _ in ()).throw(KeyboardInterrupt()))
    info = machine()
    log(f"machine: {info['cpus']} CPUs ({info['cpu']}), {info['memory']}, "
        f"Python {info['python']}, load {os.getloadavg()[0]:.2f}")  # fmt: skip
    cluster = Cluster(args.pg_port or free_port())
    workdir = Path(tempfile.mkdtemp(prefix="samen-rel-"))
    stop = threading.Event()
    rec = Recorder()
    started: list = []
    try:
        log(f"PostgreSQL cluster in {cluster.dir} on port {cluster.port}")
        cluster.create()
        env = app_env(cluster, workdir)
        feed = serve_feed(ROOT / "src" / "samen" / "activities" / "fixtures")
        token = prepare(cluster, env, feed)
        pg_version = cluster.query("SHOW server_version")[0][0]
        web = Gunicorn(env, workdir, args.workers)
        started.append(web)
        samen = venv_bin("samen")
        worker = Supervised("db_worker", [samen, "db_worker", "--interval", "0.5"], env,
                            workdir / "db_worker.log")  # fmt: skip
        scheduler = Supervised("schedule", [samen, "schedule", "--loop", "--every", "20"], env,
                               workdir / "schedule.log")  # fmt: skip
        started += [worker, scheduler]
        log(f"gunicorn ({args.workers} sync workers) on {web.url}, db_worker, schedule --loop")

        rec.phase = "load"
        clients = start_clients(web.url, rec, stop, token, args)
        load_seconds = args.minutes * 60
        log(f"plain load for {load_seconds:g} s with {len(clients)} clients")
        time.sleep(load_seconds)

        rec.phase = "faults"
        log(f"fault phase for {args.fault_seconds:g} s")
        coordinator = next(c for c in clients if isinstance(c, Coordinator))
        faults = run_faults(cluster, web, worker, args.fault_seconds, args.down, coordinator)
        rec.phase = "drain"
        stop.set()
        for client in clients:
            client.join(TIMEOUT + 5)
        campaigns = rec.acked.get("e-mail to partners", [])
        waited = wait_for_queue(cluster, campaigns, 180)
        log(f"clients stopped; queue drained {waited:.0f} s later")

        lost = lost_writes(cluster, rec)
        mail = mail_report(cluster, campaigns, workdir / "db_worker.log")
        tasks = task_report(cluster, faults)
        end = time.monotonic()
        recoveries = [
            recovery(rec, r, nxt["stop"] if nxt else end)
            for r, nxt in zip(faults.restarts, [*faults.restarts[1:], None], strict=True)
        ]
        server_errors = internal_errors(web.logfile)
    except KeyboardInterrupt:
        log(f"interrupted; logs in {workdir}")
        return 2
    except BaseException:
        log(f"failed; logs in {workdir}")
        raise
    finally:
        stop.set()
        for thing in reversed(started):
            thing.stop()
        cluster.remove()

    results = {
        "info": info, "pg_version": pg_version, "load_seconds": load_seconds, "faults": faults,
        "recoveries": recoveries, "lost": lost, "mail": mail, "tasks": tasks,
        "campaigns": campaigns, "services": [worker, scheduler], "server_errors": server_errors,
    }  # fmt: skip
    ok = report_requests(rec, args, results) & report_data(results)
    print(f"\nOverall: {mark(ok)}")
    if args.json:
        write_json(args.json, rec, args, results)
    if ok and not args.keep_logs:
        shutil.rmtree(workdir, ignore_errors=True)
    else:
        print(f"logs kept in {workdir}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
