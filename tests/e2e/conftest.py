"""Browser tests: a real server in its own process, driven by Debian's Chromium."""

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

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
    """`assure serve` on a fresh SQLite database with the demo loaded."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.env = {**os.environ, "DATABASE_URL": f"sqlite:///{folder / 'assure.db'}",
                    "ASSURE_SECRET_KEY": "e2e-secret", "ASSURE_EXPORT_DIR": str(folder)}
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen | None = None

    def assure(self, *args: str) -> str:
        done = subprocess.run([str(BIN / "assure"), *args], env=self.env, cwd=self.folder,
                              capture_output=True, text=True, timeout=120, check=True)
        return done.stdout

    def start(self) -> None:
        self.process = subprocess.Popen(
            [str(BIN / "assure"), "serve", "--port", str(self.port)],
            env=self.env, cwd=self.folder, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{self.url}/healthz", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                time.sleep(0.1)
        raise RuntimeError("the server did not start")

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


def start_demo(folder: Path) -> LiveServer:
    """A served demo, with its admin's sign-in (printed by `assure demo load`) and an API token
    as the server's `email`, `password` and `token`."""
    server = LiveServer(folder)
    server.assure("db", "upgrade")
    printed = server.assure("demo", "load")
    server.email = printed.split("Email:")[1].split()[0]
    server.password = printed.split("Password:")[1].split()[0]
    server.token = server.assure("tokens", "create", server.email).strip()
    server.start()
    return server


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


def sign_in(page, server: LiveServer, email: str, password: str) -> None:
    """Sign in through the form, as a person would."""
    page.goto(f"{server.url}/sign-in")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{server.url}/meetings")
