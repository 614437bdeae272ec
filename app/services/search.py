"""Find anything in the record (issue 18): "what did the force tell us about ANPR, and when?"

One service over both databases. The words are looked up in the index that
app/services/search_index.py keeps: FTS5 with porter stemming and bm25() on SQLite; a
tsvector ('english' stemming) with ts_rank_cd() on PostgreSQL. The query is written as on a
search engine (websearch_to_tsquery's syntax): words (all must be there), "a phrase", OR
between alternatives, -word to leave out; on SQLite it is translated to an FTS5 query of
quoted strings, so no input can be an FTS5 syntax error.

Results come best first (then by id), a page at a time by keyset on (score, id), with the
matching words marked in a snippet. Only what the reader may see is found or counted: the
condition comes from app/services/visibility.py and is part of the query itself.
"""

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import sqlalchemy as sa
from markupsafe import Markup, escape
from sqlmodel import Session

from app.models import Meeting, MeetingType
from app.services.dates import to_london
from app.services.errors import InvalidInput
from app.services.paging import (
    DEFAULT_LIMIT,
    check_limit,
    decode_cursor,
    encode_cursor,
    fingerprint,
)
from app.services.permissions import Actor
from app.services.search_index import DOC, Kind
from app.services.visibility import search_seen_where

MAX_QUERY = 200  # characters
MAX_TERMS = 16
CANDIDATES = 1000  # the most matches ranked and counted: the newest
START, STOP = "\ue000", "\ue001"  # where a snippet's match starts and stops, before escaping

KIND_NAMES = {
    Kind.paragraph: "Minutes",
    Kind.decision: "Decision",
    Kind.item: "Agenda item",
    Kind.paper: "Paper",
    Kind.question: "Question",
    Kind.answer: "Answer",
    Kind.action: "Action",
    Kind.update: "Action update",
    Kind.finding: "Inspection finding",
}


# --- the query ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Term:
    """A word or a phrase: its words."""

    words: tuple[str, ...]


@dataclass
class Query:
    """What was asked: every group must match (a group is alternatives joined by OR), and
    none of the left-out terms."""

    groups: list[list[Term]] = field(default_factory=list)
    without: list[Term] = field(default_factory=list)


_TOKEN = re.compile(r'(-?)"([^"]*)"?|(\S+)')
_WORD = re.compile(r"\w+", re.UNICODE)


def parse(text: str) -> Query:
    """The query in websearch_to_tsquery's syntax; InvalidInput when it asks for nothing."""
    text = (text or "").strip()
    if not text:
        raise InvalidInput({"q": "type the words to look for"})
    if len(text) > MAX_QUERY:
        raise InvalidInput({"q": f"the words to look for can be at most {MAX_QUERY} characters"})
    query = Query()
    pending_or = False
    for match in _TOKEN.finditer(text):
        negated, phrase, bare = match.group(1), match.group(2), match.group(3)
        if bare is not None and bare.upper() == "OR":
            pending_or = bool(query.groups)
            continue
        if bare is not None and bare.startswith("-") and len(bare) > 1:
            negated, bare = "-", bare[1:]
        words = tuple(_WORD.findall(phrase if phrase is not None else bare))
        if not words:
            continue
        term = Term(words)
        if negated:
            query.without.append(term)
        elif pending_or:
            query.groups[-1].append(term)
        else:
            query.groups.append([term])
        pending_or = False
    if len(query.groups) + len(query.without) > MAX_TERMS:
        raise InvalidInput({"q": f"look for at most {MAX_TERMS} words or phrases at once"})
    if not query.groups:
        raise InvalidInput({"q": "say what to look for, not only what to leave out"
                                 if query.without else "type the words to look for"})
    return query


def _fts5_string(term: Term) -> str:
    return '"' + " ".join(term.words).replace('"', '""') + '"'


def fts5_query(query: Query) -> str:
    """The query as FTS5 syntax, made only of quoted strings and operators."""
    def group(terms: list[Term]) -> str:
        inner = " OR ".join(_fts5_string(t) for t in terms)
        return f"({inner})" if len(terms) > 1 else inner

    wanted = " AND ".join(group(g) for g in query.groups)
    if query.without:
        left_out = " OR ".join(_fts5_string(t) for t in query.without)
        return f"({wanted}) NOT ({left_out})"
    return wanted


def websearch_text(query: Query) -> str:
    """The query written again for websearch_to_tsquery (the same meaning, no stray syntax)."""
    def term(t: Term) -> str:
        return '"' + " ".join(t.words) + '"' if len(t.words) > 1 else t.words[0]

    parts = [" or ".join(term(t) for t in g) for g in query.groups]
    parts += ["-" + term(t) for t in query.without]
    return " ".join(parts)


# --- the answer -----------------------------------------------------------------------------


@dataclass
class Result:
    kind: Kind
    id: int
    meeting_id: int | None
    title: str
    snippet: Markup
    url: str
    date: date | None
    kind_name: str = ""


@dataclass
class Group:
    """The results of one meeting on a page (meeting None: not from a meeting)."""

    meeting_id: int | None
    heading: str
    results: list[Result]


@dataclass
class SearchPage:
    results: list[Result]
    total: int
    next_cursor: str | None
    groups: list[Group]
    capped: bool = False  # more were found than are ranked and counted (CANDIDATES)


def _url(row: Any) -> str:
    kind = Kind(row.kind)
    if kind in (Kind.question,):
        return f"/questions/{row.object_id}"
    if kind == Kind.answer:
        return f"/questions/{row.question_id}"
    if kind in (Kind.action, Kind.update):
        return f"/actions/{row.action_id}"
    if kind == Kind.finding:
        return f"/findings/{row.object_id}"
    if kind in (Kind.item, Kind.paper) and row.meeting_id:
        return f"/meetings/{row.meeting_id}/agenda#item-{row.item_id}"
    if row.meeting_id:
        return f"/meetings/{row.meeting_id}"
    return "/"


def marked(raw: str) -> Markup:
    """A snippet as HTML: its text escaped, its matches in <mark>."""
    opened = False
    out: list[Markup] = []
    for piece in re.split(f"([{START}{STOP}])", raw):
        if piece == START:
            if not opened:
                out.append(Markup("<mark>"))
                opened = True
        elif piece == STOP:
            if opened:
                out.append(Markup("</mark>"))
                opened = False
        elif piece:
            out.append(escape(piece))
    if opened:
        out.append(Markup("</mark>"))
    return Markup("").join(out)


def _check(kinds: Sequence[str] | None, from_: date | None, to: date | None) -> list[Kind]:
    chosen = []
    for kind in kinds or []:
        try:
            chosen.append(Kind(kind))
        except ValueError:
            names = ", ".join(k.value for k in Kind)
            raise InvalidInput({"kind": f"{kind!r} is not a kind of result; one of {names}"}
                               ) from None
    if from_ is not None and to is not None and from_ > to:
        raise InvalidInput({"to": "the end date is before the start date"})
    return sorted(set(chosen), key=list(Kind).index)


def search(
    session: Session,
    *,
    by: Actor | None,
    q: str,
    kinds: Sequence[str] | None = None,
    series_id: int | None = None,
    from_: date | None = None,
    to: date | None = None,
    theme: str | None = None,
    person_id: int | None = None,
    limit: int = DEFAULT_LIMIT,
    cursor: str | None = None,
) -> SearchPage:
    """One page of what the reader may see that matches the words, best first."""
    query = parse(q)
    chosen = _check(kinds, from_, to)
    check_limit(limit)
    theme = (theme or "").strip() or None
    print_ = fingerprint("search", {"q": q.strip(), "kind": ",".join(chosen) or None,
                                    "series_id": series_id, "from": from_, "to": to,
                                    "theme": theme, "person_id": person_id})
    after = decode_cursor(cursor, print_, 2) if cursor else None
    if after is not None and not (isinstance(after[0], int | float)
                                  and isinstance(after[1], int)):
        raise InvalidInput({"cursor": "cursor is not one this list gave; start again "
                                      "without a cursor"})

    conditions = []
    if chosen:
        conditions.append(DOC.c.kind.in_([k.value for k in chosen]))
    if series_id is not None:
        conditions.append(DOC.c.series_id == series_id)
    if from_ is not None:
        conditions.append(DOC.c.on_date >= from_)
    if to is not None:
        conditions.append(DOC.c.on_date <= to)
    if theme is not None:
        conditions.append(sa.func.lower(DOC.c.theme) == theme.lower())
    if person_id is not None:
        conditions.append(DOC.c.person_ids.like(f"%,{int(person_id)},%"))
    seen = search_seen_where(by)
    if seen is not None:
        conditions.append(seen)

    # The newest CANDIDATES matches the reader may see (SQLite: the newest written, the
    # index's order; PostgreSQL: by their date), then ranked here: a word in every meeting's
    # minutes costs the same after ten years as after one, and what is counted stops at
    # CANDIDATES.
    sqlite = session.get_bind().dialect.name == "sqlite"
    found = (_sqlite_candidates(session, query, conditions) if sqlite
             else _postgres_candidates(session, query, conditions))
    found.sort(key=lambda pair: (-pair[1], pair[0]))
    total = len(found)
    if after is not None:
        found = [(i, score) for i, score in found
                 if score < after[0] or (score == after[0] and i > after[1])]
    rows, more = found[:limit], len(found) > limit
    next_cursor = encode_cursor([rows[-1][1], rows[-1][0]], print_) if more else None
    results = _results(session, [i for i, _ in rows], query, sqlite)
    return SearchPage(results=results, total=total, next_cursor=next_cursor,
                      groups=_groups(session, results), capped=total >= CANDIDATES)


def _sqlite_candidates(session: Session, query: Query, conditions: list) -> list[tuple[int, float]]:
    """The newest CANDIDATES matches and their scores: FTS5 walks its index newest first and
    stops there."""
    fts = sa.table("search_fts", sa.column("rowid"))
    score = -sa.func.bm25(sa.literal_column("search_fts"), 4.0, 1.0)
    return [(i, float(score)) for i, score in session.execute(
        sa.select(DOC.c.id, score)
        .select_from(DOC.join(fts, fts.c.rowid == DOC.c.id))
        .where(sa.literal_column("search_fts").op("MATCH")(fts5_query(query)), *conditions)
        .order_by(fts.c.rowid.desc()).limit(CANDIDATES))]


def _postgres_candidates(session: Session, query: Query,
                         conditions: list) -> list[tuple[int, float]]:
    """The newest CANDIDATES matches (by their date, then the order written) and their
    scores, in one statement that PostgreSQL plans by how common the words are: a common word
    is read along the date index, newest first, until CANDIDATES are found (as many documents
    read after ten years as after one); a rare word's few matches, however old, come from the
    GIN index and are sorted. Only those CANDIDATES are scored."""
    tsquery = _tsquery(query)
    tsv: Any = sa.literal_column("search_document.tsv")
    newest = (sa.select(DOC.c.id, tsv.label("tsv"))
              .where(tsv.op("@@")(tsquery), *conditions)
              .order_by(DOC.c.on_date.desc(), DOC.c.id.desc())
              .limit(CANDIDATES).subquery())
    score = sa.cast(sa.func.ts_rank_cd(newest.c.tsv, tsquery), sa.Float)
    return [(i, float(value)) for i, value in session.execute(sa.select(newest.c.id, score))]


def _tsquery(query: Query) -> Any:
    return sa.func.websearch_to_tsquery(sa.literal_column("'english'::regconfig"),
                                        websearch_text(query))


def _results(session: Session, ids: list[int], query: Query, sqlite: bool) -> list[Result]:
    """The page's documents with their snippets, in the order found."""
    if not ids:
        return []
    docs = {row.id: row for row in session.execute(sa.select(DOC).where(DOC.c.id.in_(ids)))}
    if sqlite:
        snippet = sa.func.snippet(sa.literal_column("search_fts"), -1, START, STOP, "…", 24)
        snippets = dict(session.execute(
            sa.select(sa.literal_column("rowid"), snippet)
            .select_from(sa.table("search_fts"))
            .where(sa.literal_column("search_fts").op("MATCH")(fts5_query(query)),
                   sa.literal_column("rowid").in_(ids))).all())
    else:
        tsquery = _tsquery(query)
        options = (f"StartSel={START}, StopSel={STOP}, MaxWords=35, MinWords=15, "
                   "MaxFragments=2, FragmentDelimiter=\" … \"")
        headline = sa.func.ts_headline(sa.literal_column("'english'::regconfig"),
                                       DOC.c.title + "\n" + DOC.c.body, tsquery, options)
        snippets = dict(session.execute(sa.select(DOC.c.id, headline)
                                        .where(DOC.c.id.in_(ids))).all())
    results = []
    for doc_id in ids:
        row = docs[doc_id]
        kind = Kind(row.kind)
        results.append(Result(kind=kind, id=row.object_id, meeting_id=row.meeting_id,
                              title=row.label or KIND_NAMES[kind],
                              snippet=marked(snippets.get(doc_id) or ""), url=_url(row),
                              date=row.on_date, kind_name=KIND_NAMES[kind]))
    return results


def _groups(session: Session, results: list[Result]) -> list[Group]:
    """The page's results by meeting, each meeting where its best result is."""
    meeting_ids = {r.meeting_id for r in results if r.meeting_id is not None}
    headings: dict[int | None, str] = {None: "Not from a meeting"}
    if meeting_ids:
        meeting, series = Meeting.__table__, MeetingType.__table__  # type: ignore[attr-defined]
        rows = session.execute(sa.select(meeting.c.id, meeting.c.starts_at, series.c.name)
                               .join(series, series.c.id == meeting.c.meeting_type_id)
                               .where(meeting.c.id.in_(meeting_ids)))
        for meeting_id, starts_at, name in rows:
            headings[meeting_id] = f"{name}, {to_london(starts_at):%-d %B %Y}"
    groups: dict[int | None, Group] = {}
    for result in results:
        key = result.meeting_id
        if key not in groups:
            groups[key] = Group(meeting_id=key, heading=headings.get(key, "A meeting"),
                                results=[])
        groups[key].results.append(result)
    return list(groups.values())


def kinds() -> list[tuple[str, str]]:
    """The kinds of result, with their names, for a filter."""
    return [(k.value, KIND_NAMES[k]) for k in Kind]
