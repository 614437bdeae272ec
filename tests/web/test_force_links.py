"""A force officer never sees a link to a page they may not open: every link on every page
they can reach from the meetings list leads somewhere their role may go."""

from html.parser import HTMLParser
from urllib.parse import urldefrag, urlsplit

import pytest

from tests.web.test_route_matrix import build_matrix, outcome, prepare

# Enough to walk every kind of page a force user reaches (meetings, agenda, record, actions,
# questions, inspections, findings, their account), without walking every page of the demo.
MOST_PAGES = 120


class _Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag, attrs):
        href = dict(attrs).get("href")
        if tag == "a" and href:
            self.hrefs.append(href)


def links_of(html: str) -> list[str]:
    parser = _Links()
    parser.feed(html)
    return parser.hrefs


@pytest.fixture
def matrix(session, qworld):
    """The route matrix's world: its force caller is the DCC, signed in in a browser."""
    return build_matrix(session, qworld)


def test_every_link_a_force_user_sees_leads_to_a_page_they_may_open(client, session, matrix):
    request = prepare(session, matrix, "GET", "/meetings", "force_own")
    cookie = request["headers"]
    seen: set[str] = set()
    # (a search, so that every result it links to is walked too)
    queue = ["/meetings", "/actions", "/my-actions", "/account",
             "/search?q=ANPR+OR+NAS+OR+roads+OR+review"]
    refused: dict[str, set[str]] = {}
    pages = 0
    while queue and pages < MOST_PAGES:
        path = queue.pop(0)
        if path in seen:
            continue
        seen.add(path)
        client.cookies.clear()
        response = client.get(path, headers=cookie, follow_redirects=False)
        pages += 1
        if not response.headers.get("content-type", "").startswith("text/html"):
            continue
        for href in links_of(response.text):
            target = urldefrag(href)[0]
            parts = urlsplit(target)
            if not target or parts.scheme or parts.netloc or not target.startswith("/"):
                continue  # another site, a mail link or a place on this page
            client.cookies.clear()
            answer = client.get(target, headers=cookie, follow_redirects=False)
            if outcome(answer) != "A":
                refused.setdefault(f"{target} ({outcome(answer)})", set()).add(path)
            elif target not in seen and not parts.path.startswith(("/api/", "/static/")):
                queue.append(target)
    assert pages > 10, "the walk stopped early"
    assert not refused, "\n".join(f"{link} linked from {sorted(on)[:3]}"
                                  for link, on in sorted(refused.items()))
