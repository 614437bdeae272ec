"""Waiting for a real server (`assure serve` in a subprocess) that a test has started.

A loaded CI machine may take far longer than an idle one to import the app and open the
database, so the wait is long by default and can be made longer still:
ASSURE_TEST_SERVER_SECONDS (default 90).
"""

import os
import time
from collections.abc import Callable

import httpx

POLL = 0.1


def server_deadline() -> float:
    """How long a test waits for its server to answer, in seconds."""
    return float(os.environ.get("ASSURE_TEST_SERVER_SECONDS", "90"))


def wait_until_serving(url: str, *, gone: Callable[[], bool] = lambda: False,
                       why: Callable[[], str] = lambda: "") -> None:
    """Return once `url`/healthz answers 200; fail at once if the server has `gone` (its
    process ended), or after the deadline, saying `why` (e.g. the tail of its log)."""
    deadline = time.monotonic() + server_deadline()
    while time.monotonic() < deadline:
        if gone():
            raise RuntimeError(f"the server stopped before it answered:\n{why()}")
        try:
            if httpx.get(f"{url}/healthz", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(POLL)
    raise RuntimeError(f"the server did not answer within {server_deadline():.0f} s "
                       f"(ASSURE_TEST_SERVER_SECONDS):\n{why()}")
