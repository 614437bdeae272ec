"""Browser tests: a real server in its own process, driven by Debian's Chromium."""

import atexit
import json
import os
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy.engine import make_url

from tests.servers import wait_until_serving

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent


def pytest_collection_modifyitems(config, items):
    if CHROMIUM:
        return
    skip = pytest.mark.skip(reason="Chromium is not installed (apt-get install chromium); "
                                   ".ci/run installs it")
    for item in items:
        if "tests/e2e" in str(item.fspath):
            item.add_marker(skip)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


# A process that imports the app once, compiles its templates and reads its migrations, then
# forks a server for each "start <json: env, cwd, port>" line (answering its pid), the server
# running what `assure serve` runs, in the environment and folder given. "poll PID" answers
# "running" or the server's exit code. Starting `assure serve` afresh spent 3 to 5 s a server
# importing the same modules and compiling the same templates; nothing of the app's settings
# or database is read before the fork (the server reads its own, as a fresh one would).
FORKER = r"""
import json, os, signal, sys

import uvicorn.lifespan.on, uvicorn.loops.auto, uvicorn.protocols.http.auto  # noqa: F401
import uvicorn.protocols.websockets.auto  # noqa: F401
from alembic.runtime.migration import MigrationContext  # noqa: F401
import app.main
from app import cli
from app.migrations_config import head_revisions

head_revisions()
app.main.settle_memory()

children = {}
for line in sys.stdin:
    verb, _, rest = line.strip().partition(" ")
    if verb == "start":
        spec = json.loads(rest)
        sys.stdout.flush()
        sys.stderr.flush()
        pid = os.fork()
        if pid == 0:
            code = 1
            try:
                null = os.open(os.devnull, os.O_RDWR)
                for fd in (0, 1, 2):
                    os.dup2(null, fd)
                os.chdir(spec["cwd"])
                os.environ.clear()
                os.environ.update(spec["env"])
                code = cli.main(["serve", "--port", str(spec["port"])])
            finally:
                os._exit(code)
        children[pid] = None
        print(pid, flush=True)
    elif verb == "poll":
        pid = int(rest)
        if children.get(pid) is None:
            done, status = os.waitpid(pid, os.WNOHANG)
            if done:
                children[pid] = os.waitstatus_to_exitcode(status)
        print("running" if children[pid] is None else children[pid], flush=True)
for pid, code in children.items():
    if code is None:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
"""


class _Forker:
    """This test process's FORKER, started on first use and ended when the process exits."""

    def __init__(self) -> None:
        self.process: subprocess.Popen | None = None
        self.lock = threading.Lock()

    def ask(self, line: str) -> str:
        with self.lock:
            if self.process is None:
                self.process = subprocess.Popen(
                    [sys.executable, "-c", FORKER], cwd=ROOT, stdin=subprocess.PIPE,
                    stdout=subprocess.PIPE, text=True)
                atexit.register(self.close)
            assert self.process.stdin and self.process.stdout
            self.process.stdin.write(line + "\n")
            self.process.stdin.flush()
            answer = self.process.stdout.readline().strip()
        if not answer:
            raise RuntimeError("the server forker stopped answering")
        return answer

    def close(self) -> None:
        if self.process is not None:
            self.process.stdin.close()
            self.process.wait(timeout=30)
            self.process.stdout.close()
            self.process = None


_forker = _Forker()


class ForkedServer:
    """A server forked by FORKER, with what LiveServer uses of a subprocess.Popen."""

    def __init__(self, env: dict[str, str], cwd: Path, port: int) -> None:
        spec = json.dumps({"env": env, "cwd": str(cwd), "port": port})
        self.pid = int(_forker.ask(f"start {spec}"))
        self.returncode: int | None = None

    def poll(self) -> int | None:
        if self.returncode is None:
            answer = _forker.ask(f"poll {self.pid}")
            self.returncode = None if answer == "running" else int(answer)
        return self.returncode

    def wait(self, timeout: float) -> int:
        deadline = time.monotonic() + timeout
        while (code := self.poll()) is None:
            if time.monotonic() > deadline:
                raise subprocess.TimeoutExpired(f"server {self.pid}", timeout)
            time.sleep(0.02)
        return code

    def send_signal(self, sig: int) -> None:
        if self.poll() is None:
            os.kill(self.pid, sig)

    def terminate(self) -> None:
        self.send_signal(signal.SIGTERM)


class LiveServer:
    """`assure serve` on a fresh database (SQLite in `folder` unless `database_url` is given)
    with the demo loaded; `env` adds to its environment."""

    def __init__(self, folder: Path, database_url: str | None = None,
                 env: dict[str, str] | None = None) -> None:
        self.folder = folder
        self.env = {**os.environ,
                    "DATABASE_URL": database_url or f"sqlite:///{folder / 'assure.db'}",
                    "ASSURE_SECRET_KEY": "e2e-secret", "ASSURE_EXPORT_DIR": str(folder),
                    "ASSURE_HOME": str(folder),
                    **(env or {})}
        self.backend = make_url(self.env["DATABASE_URL"]).get_backend_name()
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen | ForkedServer | None = None
        # Forked from this process's FORKER (start_demo's servers), or `assure serve` started
        # afresh (a test reading the server process's own memory, say).
        self.forked = False
        # What the people signing in keep of their authenticator apps, by email.
        self.totp_secrets: dict[str, str] = {}
        self.totp_steps: dict[str, int] = {}
        self.recovery_codes: dict[str, list[str]] = {}

    def assure(self, *args: str) -> str:
        done = subprocess.run([str(BIN / "assure"), *args], env=self.env, cwd=self.folder,
                              capture_output=True, text=True, timeout=120, check=True)
        return done.stdout

    def start(self) -> None:
        if self.forked:
            self.process = ForkedServer(self.env, self.folder, self.port)
        else:
            self.process = subprocess.Popen(
                [str(BIN / "assure"), "serve", "--port", str(self.port)], env=self.env,
                cwd=self.folder, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        process = self.process
        wait_until_serving(self.url, gone=lambda: process.poll() is not None)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)

    def kill(self) -> None:
        """Kill the server as a power cut would: SIGKILL, no chance to tidy up."""
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=10)

    def api(self, token: str) -> httpx.Client:
        """An API client for this server with a bearer token."""
        return httpx.Client(base_url=self.url, headers={"Authorization": f"Bearer {token}"},
                            timeout=10)


def start_demo(folder: Path, database_url: str | None = None,
               env: dict[str, str] | None = None) -> LiveServer:
    """A served demo, with its admin's sign-in (printed by `assure demo load`) and an API token
    as the server's `email`, `password` and `token`, on SQLite in `folder` or on the database
    `database_url` names. The demo is made once per test process and database kind and copied
    for each server (the three commands that make it took 10 to 30 s a server on a loaded
    machine); with a secret of its own in `env` it is made afresh."""
    server = LiveServer(folder, database_url, env)
    server.forked = True
    if any(name.startswith("ASSURE_SECRET") for name in env or {}):
        _make_demo(server)
    elif database_url is None or make_url(database_url).get_backend_name() == "sqlite":
        made = _demo_template()
        into = folder / "assure.db" if database_url is None else make_url(database_url).database
        with sqlite3.connect(made.folder / "assure.db") as source, \
                sqlite3.connect(str(into)) as copy:
            source.backup(copy)
        server.email, server.password, server.token = made.email, made.password, made.token
    else:
        made = _copy_pg_demo(database_url)
        server.email, server.password, server.token = made.email, made.password, made.token
    server.start()
    return server


# `assure db upgrade`, `assure demo load` and `assure tokens create <the admin>`, run by one
# Python process in the server's environment: three processes spent two thirds of their time
# importing the app three times. Prints what `demo load` and `tokens create` printed, between
# the lines "--demo--", "--token--" and "--end--".
MAKE_DEMO = r"""
import contextlib, io, sys

from app import cli


def run(*args):
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        code = cli.main(list(args))
    if code:
        sys.exit(f"assure {' '.join(args)} exited with {code}:\n{printed.getvalue()}")
    return printed.getvalue()


run("db", "upgrade")
demo = run("demo", "load")
email = demo.split("Email:")[1].split()[0]
token = run("tokens", "create", email)
print(f"--demo--\n{demo}--token--\n{token}--end--")
"""


def _make_demo(server: LiveServer) -> None:
    done = subprocess.run([sys.executable, "-c", MAKE_DEMO], env=server.env, cwd=server.folder,
                          capture_output=True, text=True, timeout=180, check=False)
    assert done.returncode == 0, f"making the demo failed:\n{done.stdout}\n{done.stderr}"
    printed = done.stdout.split("--demo--\n")[1]
    demo, token = printed.split("--token--\n")
    server.email = demo.split("Email:")[1].split()[0]
    server.password = demo.split("Password:")[1].split()[0]
    server.token = token.split("--end--")[0].strip()


_template: list[LiveServer] = []


def _demo_template() -> LiveServer:
    """The demo this process copies for its SQLite servers, made on first use (never served)."""
    if not _template:
        folder = Path(tempfile.mkdtemp(prefix="assure-demo-"))
        atexit.register(shutil.rmtree, folder, ignore_errors=True)
        made = LiveServer(folder)
        _make_demo(made)
        _template.append(made)
    return _template[0]


_pg_template: list[LiveServer] = []


def _copy_pg_demo(database_url: str) -> LiveServer:
    """Make the PostgreSQL database `database_url` names a copy of this process's demo
    database (CREATE DATABASE ... TEMPLATE), made on first use; the demo the copy holds."""
    from sqlalchemy import text

    from tests.conftest import _admin, worker_pg_url

    target = make_url(database_url).database
    template = f"{make_url(worker_pg_url()).database}_demo"
    base, admin = _admin()
    try:
        with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            if not _pg_template:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{template}" WITH (FORCE)'))
                connection.execute(text(f'CREATE DATABASE "{template}"'))
                folder = Path(tempfile.mkdtemp(prefix="assure-demo-"))
                atexit.register(shutil.rmtree, folder, ignore_errors=True)
                made = LiveServer(folder, base.set(database=template).render_as_string(
                    hide_password=False))
                _make_demo(made)
                _pg_template.append(made)
            connection.execute(text(f'DROP DATABASE IF EXISTS "{target}" WITH (FORCE)'))
            connection.execute(text(f'CREATE DATABASE "{target}" TEMPLATE "{template}"'))
    finally:
        admin.dispose()
    return _pg_template[0]


def demo_on(backend: str, tmp_path_factory, name: str,
            env: dict[str, str] | None = None) -> Iterator[LiveServer]:
    """For a module's server fixture: a served demo of its own on `backend` ("sqlite" or
    "postgresql"), stopped and its database dropped after the module."""
    from tests.conftest import own_database

    folder = tmp_path_factory.mktemp(name)
    with own_database(backend, folder, name) as url:
        live = start_demo(folder, url, env)
        live.backend = backend
        try:
            yield live
        finally:
            live.stop()


@pytest.fixture
def api(server):
    """An API client of the module's `server`, with its admin's token."""
    with server.api(server.token) as client:
        yield client


def serious(page) -> list[str]:
    """What axe-core finds serious or critical on the page, one line each."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — " + "; ".join(
            n["target"][0] for n in v["nodes"][:3])
        for v in results.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def signed_in_page(browser, server: LiveServer, width: int = 1280, height: int = 900):
    """A page of its own browser context, `width` by `height`, signed in as the server's admin,
    and the list the page's script errors go to (which must stay empty)."""
    context = browser.new_context(locale="en-GB", timezone_id="Europe/London",
                                  viewport={"width": width, "height": height})
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    sign_in(page, server, server.email, server.password)
    return page, errors


@pytest.fixture(scope="session")
def demo_server(tmp_path_factory):
    """A served demo shared by the tests that only read it, and the admin's sign-in."""
    server = start_demo(tmp_path_factory.mktemp("live"))
    yield server, server.email, server.password
    server.stop()


@pytest.fixture(scope="session")
def published_demo(tmp_path_factory, browser):
    """A served demo whose approved minutes (the Accountability Board of March 2019) the admin
    has published from the public preview: the public pages have something to show. The
    version's web page is document 1 (made first, then its PDF and its Word file)."""
    server = start_demo(tmp_path_factory.mktemp("published"))
    context = browser.new_context()
    try:
        page = context.new_page()
        sign_in(page, server, server.email, server.password)
        page.goto(f"{server.url}/meetings/3/public-preview")
        page.get_by_role("button", name="Publish the public edition").click()
        page.wait_for_url("**/meetings/3/record**")
    finally:
        context.close()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run"],
        )
        yield launched
        launched.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(accept_downloads=True)
    page = context.new_page()
    yield page
    context.close()


def totp_code(server: LiveServer, email: str) -> str | None:
    """A code from the user's authenticator app that the server has not seen yet, or None when
    this time step's and the next one's are both used (the server refuses a code twice)."""
    import pyotp

    now = int(time.time() // 30)
    last = server.totp_steps.get(email)
    step = now if last is None or last < now else last + 1
    if step > now + 1:
        return None
    server.totp_steps[email] = step
    return pyotp.TOTP(server.totp_secrets[email]).at(step * 30)


def _keep_recovery_codes(page, server: LiveServer, email: str) -> None:
    server.recovery_codes[email] = [
        code.strip() for code in page.locator("#recovery-codes code").all_inner_texts()]


def second_step(page, server: LiveServer, email: str) -> None:
    """After the password: set up the authenticator app on the first sign-in (keeping its
    secret and recovery codes, as a person would), or give a code on later ones. Many sign-ins
    within one 30-second step use recovery codes, and make new ones when they run out."""
    page.wait_for_load_state()
    if "/account/two-factor" in page.url:
        server.totp_secrets[email] = page.locator("#totp-secret").get_attribute("data-secret")
        page.get_by_label("Code from your app").fill(totp_code(server, email))
        page.get_by_role("button", name="Turn on two-step verification").click()
        page.wait_for_load_state()
        _keep_recovery_codes(page, server, email)
        page.get_by_role("link", name="Continue").click()
        return
    if "/sign-in/code" not in page.url:
        return
    code = totp_code(server, email)
    codes = server.recovery_codes.get(email, [])
    if code is None:
        code = codes.pop(0) if codes else None
    if code is None:  # out of both: wait for the next time step
        time.sleep(30 - time.time() % 30 + 0.2)
        code = totp_code(server, email)
    page.get_by_label("Enter your code").fill(code)
    page.get_by_role("button", name="Continue").click()
    page.wait_for_load_state()
    if email in server.recovery_codes and not codes:
        # The last recovery code went: make new ones from the account page.
        target = page.url
        page.goto(f"{server.url}/account")
        page.get_by_role("button", name="Make new recovery codes").click()
        page.wait_for_load_state()
        _keep_recovery_codes(page, server, email)
        page.goto(target)


def sign_in(page, server: LiveServer, email: str, password: str) -> None:
    """Sign in through the form, as a person would, with the second step when asked."""
    page.goto(f"{server.url}/sign-in")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Sign in").click()
    second_step(page, server, email)
    page.wait_for_url(f"{server.url}/")


def make_public_meeting(server: LiveServer, *, days_ahead: int = 14) -> int:
    """A meeting to come on the server, its agenda issued: an open item with a commission and
    a paper, and an item considered in private (with a paper of its own, which the public must
    not get); its id. Made through the API, as the office's own tools would."""
    from datetime import date, timedelta

    from tests.factories import PDF_BYTES

    day = date.today() + timedelta(days=days_ahead)
    with server.api(server.token) as api:
        meeting = api.post("/api/v1/meetings", json={
            "meeting_type_id": 1, "starts_at": f"{day.isoformat()}T10:00:00",
            "venue": "Hindlip Hall, Worcester"})
        assert meeting.status_code == 201, meeting.text
        meeting_id = meeting.json()["id"]
        roads = api.post(f"/api/v1/meetings/{meeting_id}/items", json={
            "title": "Roads policing", "commission": "The Commissioner requires a report on "
            "the fatal and serious collisions on the county's rural roads."}).json()
        covert = api.post(f"/api/v1/meetings/{meeting_id}/items", json={
            "title": "Covert tactics", "kind": "other", "exempt": True,
            "exempt_reason": "section 31 of the Freedom of Information Act 2000"}).json()
        for item, name in ((roads, "Roads policing report.pdf"),
                           (covert, "Covert tactics briefing.pdf")):
            paper = api.post(f"/api/v1/items/{item['id']}/papers",
                             files={"file": (name, PDF_BYTES, "application/pdf")})
            assert paper.status_code == 201, paper.text
        issued = api.patch(f"/api/v1/meetings/{meeting_id}", json={"status": "agenda_issued"})
        assert issued.status_code == 200, issued.text
    return meeting_id


@pytest.fixture(scope="session")
def public_meeting(demo_server) -> int:
    """A meeting to come on the shared demo, with its public agenda (make_public_meeting)."""
    return make_public_meeting(demo_server[0])
