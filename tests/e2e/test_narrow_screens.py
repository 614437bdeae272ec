"""At 320 px wide (a phone, or a desktop zoomed to 400%) no page scrolls sideways: a wide
table scrolls inside its own box instead (WCAG 1.4.10 Reflow)."""

from tests.e2e.conftest import sign_in
from tests.e2e.test_accessibility import PAGES, PUBLIC_PAGES, PUBLISHED_PAGES

WIDTH = 320


def overflow(page) -> int:
    """How many pixels the page is wider than the window (0 when it fits)."""
    return page.evaluate("document.documentElement.scrollWidth") - WIDTH


def test_no_page_is_wider_than_a_320px_screen(demo_server, page):
    server, email, password = demo_server
    sign_in(page, server, email, password)
    assert_fit(page, server.url, PAGES)


def assert_fit(page, url: str, paths: list[str]) -> None:
    """Each page at 320 px wide is no wider than the window."""
    page.set_viewport_size({"width": WIDTH, "height": 640})
    wide = {}
    for path in paths:
        page.goto(f"{url}{path}")
        page.wait_for_load_state("networkidle")
        if (extra := overflow(page)) > 0:
            wide[path] = extra
    assert wide == {}, "\n".join(f"{p}: {n} px too wide" for p, n in wide.items())


def test_no_public_page_is_wider_than_a_320px_screen(demo_server, page, public_meeting):
    """Read by a member of the public, not signed in, JavaScript or not."""
    server, _, _ = demo_server
    page.set_viewport_size({"width": WIDTH, "height": 640})
    wide = {}
    for path in PUBLIC_PAGES:
        page.goto(f"{server.url}{path.format(next=public_meeting)}")
        page.wait_for_load_state("networkidle")
        if (extra := overflow(page)) > 0:
            wide[path] = extra
    assert wide == {}, "\n".join(f"{p}: {n} px too wide" for p, n in wide.items())


def test_no_page_of_published_minutes_is_wider_than_a_320px_screen(published_demo, page):
    """The public pages with published minutes on them, read by someone not signed in."""
    assert_fit(page, published_demo.url, PUBLISHED_PAGES)
