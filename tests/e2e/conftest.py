"""Browser tests: a real server in its own process, driven by Debian's Chromium."""

import atexit
import os
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
import pytest

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
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen | None = None
        # What the people signing in keep of their authenticator apps, by email.
        self.totp_secrets: dict[str, str] = {}
        self.totp_steps: dict[str, int] = {}
        self.recovery_codes: dict[str, list[str]] = {}

    def assure(self, *args: str) -> str:
        done = subprocess.run([str(BIN / "assure"), *args], env=self.env, cwd=self.folder,
                              capture_output=True, text=True, timeout=120, check=True)
        return done.stdout

    def start(self) -> None:
        self.process = subprocess.Popen(
            [str(BIN / "assure"), "serve", "--port", str(self.port)],
            env=self.env, cwd=self.folder, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
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
    as the server's `email`, `password` and `token`. On SQLite the demo is made once per test
    process and copied for each server (the three commands that make it took 10 to 30 s a
    server on a loaded machine)."""
    server = LiveServer(folder, database_url, env)
    if database_url is None and not any(name.startswith("ASSURE_SECRET") for name in env or {}):
        made = _demo_template()
        with sqlite3.connect(made.folder / "assure.db") as source, \
                sqlite3.connect(folder / "assure.db") as copy:
            source.backup(copy)
        server.email, server.password, server.token = made.email, made.password, made.token
    else:
        _make_demo(server)
    server.start()
    return server


def _make_demo(server: LiveServer) -> None:
    server.assure("db", "upgrade")
    printed = server.assure("demo", "load")
    server.email = printed.split("Email:")[1].split()[0]
    server.password = printed.split("Password:")[1].split()[0]
    server.token = server.assure("tokens", "create", server.email).strip()


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


@pytest.fixture(scope="session")
def demo_server(tmp_path_factory):
    """A served demo shared by the tests that only read it, and the admin's sign-in."""
    server = start_demo(tmp_path_factory.mktemp("live"))
    yield server, server.email, server.password
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
