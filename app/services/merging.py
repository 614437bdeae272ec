"""Three-way merge of a paragraph that two people changed from the same version.

Both changes are worked out word by word against the version they started from (the base),
with diff-match-patch. Changes to different words are both kept. Where the two changed the
same words (or both added words at the same place) and did not make the same change, the
merge is not clean: the caller shows both texts and the officer chooses. Even then a proposal
that loses nothing is offered: each clashing passage as one wrote it, followed by the other's.
"""

import re
from dataclasses import dataclass, field

from diff_match_patch import diff_match_patch

# Words, runs of spaces, and single other characters (punctuation): the units that are kept
# or changed. Whole words keep a merge from splicing half of one word onto half of another.
_TOKEN = re.compile(r"\w+|\s+|[^\w\s]", re.UNICODE)
# A merge of two long paragraphs gives up looking for the smallest diff after this long and
# takes a good one instead (diff-match-patch's deadline).
_DIFF_SECONDS = 0.5


@dataclass(frozen=True)
class _Hunk:
    """One side's change: base tokens [start, end) become `tokens`."""

    start: int
    end: int
    tokens: tuple[str, ...]
    side: str  # "mine" or "theirs"


@dataclass
class Clash:
    """A passage both changed differently: the base's words, and each side's."""

    base: str
    mine: str
    theirs: str


@dataclass
class TextMerge:
    """The merged text when clean; otherwise a proposal keeping both sides' passages."""

    text: str
    clashes: list[Clash] = field(default_factory=list)

    @property
    def clean(self) -> bool:
        return not self.clashes


def _tokens(text: str) -> list[str]:
    return _TOKEN.findall(text)


class _Codec:
    """Tokens as single characters, so that diff-match-patch diffs words, not letters."""

    def __init__(self) -> None:
        self.chars: dict[str, str] = {}
        self.tokens: list[str] = []

    def encode(self, tokens: list[str]) -> str:
        out = []
        for token in tokens:
            char = self.chars.get(token)
            if char is None:
                code = 0x100 + len(self.tokens)
                if code >= 0xD800:  # past the surrogates, which are not characters
                    code += 0x800
                char = chr(code)
                self.chars[token] = char
                self.tokens.append(token)
            out.append(char)
        return "".join(out)

    def decode(self, chars: str) -> tuple[str, ...]:
        return tuple(self.tokens[ord(c) - 0x100 - (0x800 if ord(c) >= 0xE000 else 0)]
                     for c in chars)


def _hunks(codec: _Codec, base: str, other: str, side: str) -> list[_Hunk]:
    """What `side` changed, as replacements of base token ranges, in order."""
    dmp = diff_match_patch()
    dmp.Diff_Timeout = _DIFF_SECONDS
    diffs = dmp.diff_main(base, other, False)
    hunks: list[_Hunk] = []
    at = 0
    start: int | None = None
    added: tuple[str, ...] = ()
    for op, chars in diffs:
        if op == dmp.DIFF_EQUAL:
            if start is not None:
                hunks.append(_Hunk(start, at, added, side))
                start, added = None, ()
            at += len(chars)
            continue
        if start is None:
            start = at
        if op == dmp.DIFF_DELETE:
            at += len(chars)
        else:
            added += codec.decode(chars)
    if start is not None:
        hunks.append(_Hunk(start, at, added, side))
    return hunks


def _touches(group: list[_Hunk], start: int, end: int, hunk: _Hunk) -> bool:
    """Whether a hunk clashes with a group of hunks covering base tokens [start, end)."""
    if hunk.start < end or hunk.start == start:
        return True
    # Two insertions at the same place clash (which goes first is a choice to make).
    return hunk.start == hunk.end == end and any(h.start == h.end == end for h in group)


def _apply(base: list[str], start: int, end: int, hunks: list[_Hunk]) -> str:
    """Base tokens [start, end) with one side's hunks applied."""
    out: list[str] = []
    at = start
    for hunk in hunks:
        out.extend(base[at:hunk.start])
        out.extend(hunk.tokens)
        at = hunk.end
    out.extend(base[at:end])
    return "".join(out)


def _both(mine: str, theirs: str) -> str:
    """Two versions of a passage, one after the other, as a reader would want them."""
    if not mine or not theirs:
        return mine or theirs
    if mine[-1].isspace() or theirs[0].isspace():
        return mine + theirs
    return f"{mine} {theirs}"


def merge_text(base: str, mine: str, theirs: str) -> TextMerge:
    """`mine` and `theirs` both made from `base`: one text with both changes, and the passages
    where they clash."""
    if mine == theirs or theirs == base:
        return TextMerge(mine)
    if mine == base:
        return TextMerge(theirs)
    codec = _Codec()
    base_tokens = _tokens(base)
    encoded = codec.encode(base_tokens)
    hunks = sorted(_hunks(codec, encoded, codec.encode(_tokens(mine)), "mine")
                   + _hunks(codec, encoded, codec.encode(_tokens(theirs)), "theirs"),
                   key=lambda h: (h.start, h.end))
    out: list[str] = []
    clashes: list[Clash] = []
    at = 0
    index = 0
    while index < len(hunks):
        group = [hunks[index]]
        start, end = group[0].start, group[0].end
        index += 1
        while index < len(hunks) and _touches(group, start, end, hunks[index]):
            group.append(hunks[index])
            end = max(end, hunks[index].end)
            index += 1
        out.append("".join(base_tokens[at:start]))
        at = end
        sides = {h.side for h in group}
        if len(sides) == 1:
            out.append(_apply(base_tokens, start, end, group))
            continue
        ours = _apply(base_tokens, start, end, [h for h in group if h.side == "mine"])
        other = _apply(base_tokens, start, end, [h for h in group if h.side == "theirs"])
        if ours == other:
            out.append(ours)
            continue
        clashes.append(Clash(base="".join(base_tokens[start:end]), mine=ours, theirs=other))
        out.append(_both(ours, other))
    out.append("".join(base_tokens[at:]))
    return TextMerge("".join(out), clashes)


def merge_value(base, mine, theirs) -> tuple[object, bool]:
    """One field (kind, speaker) changed on both sides: the value to keep, and whether the
    two changed it differently (then `mine` is kept until the officer chooses)."""
    if mine == theirs or mine == base:
        return theirs, False
    if theirs == base:
        return mine, False
    return mine, True
