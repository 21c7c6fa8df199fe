"""Split a document's text into sentences, and pack sentences into chunks that fit the embedder.

Every offset points into the text it was computed from, so a chunk can always be shown in place.
Nothing is dropped: every non-whitespace character of the text lands in at least one chunk.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

import pysbd
from langchain_text_splitters import RecursiveCharacterTextSplitter

from factcheck.schema import ChunkSpan

CountTokens = Callable[[str], int]

_LINE = re.compile(r"[^\r\n]+")
_WORD_CHAR = re.compile(r"\w")


@dataclass(frozen=True)
class _Unit:
    """A sentence (or a piece of an over-long one): the smallest thing a chunk is built from."""

    start: int
    end: int
    cost: int  # tokens it adds to a chunk, not counting the tokenizer's fixed [CLS]/[SEP]


@lru_cache(maxsize=1)
def _segmenter() -> pysbd.Segmenter:
    # clean=False keeps pysbd from rewriting the text; we locate its sentences ourselves because
    # its char_span offsets can overlap or drop characters (e.g. around "..." and repeated text).
    return pysbd.Segmenter(language="en", clean=False)


def split_sentences(text: str) -> list[tuple[int, int]]:
    """Character spans (start, end) of sentences, never crossing a line break.

    Spans exclude surrounding whitespace and together cover every non-whitespace character of
    text exactly once, in order.
    """
    spans: list[tuple[int, int]] = []
    for line in _LINE.finditer(text):
        starts = _locate(line.group(), _segmenter().segment(line.group()))
        spans.extend(_spans_between(text, [line.start() + s for s in starts], line.end()))
    return spans


def _locate(whole: str, pieces: Iterable[str]) -> list[int]:
    """Where each piece begins in whole, searching forward; pieces not found are skipped, so their
    characters stay with the piece before."""
    starts = [0]
    cursor = 0
    for piece in pieces:
        needle = piece.strip()
        found = whole.find(needle, cursor) if needle else -1
        if found > starts[-1]:
            starts.append(found)
        if found >= cursor:
            cursor = found + len(needle)
    return starts


def _spans_between(text: str, starts: list[int], end: int) -> list[tuple[int, int]]:
    """Whitespace-trimmed spans between consecutive starts; a fragment with no letter or digit
    (a stray "." or quote mark that pysbd split off) joins the sentence before it."""
    spans: list[tuple[int, int]] = []
    for a, b in zip(starts, [*starts[1:], end]):
        a, b = _trim(text, a, b)
        if a == b:
            continue
        if spans and not _WORD_CHAR.search(text, a, b):
            spans[-1] = (spans[-1][0], b)
        else:
            spans.append((a, b))
    return spans


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def chunk_text(text: str, *, count_tokens: CountTokens, max_tokens: int, overlap_tokens: int) -> list[ChunkSpan]:
    """Pack whole sentences into chunks of at most max_tokens (count_tokens of the chunk text).

    Consecutive chunks share trailing sentences whose text counts at most overlap_tokens. A
    sentence longer than max_tokens is split at word boundaries, and a word still too long at
    characters. Each sentence is counted once, and each chunk once more to confirm it fits.
    """
    if max_tokens < 1 or not 0 <= overlap_tokens < max_tokens:
        raise ValueError("need max_tokens >= 1 and 0 <= overlap_tokens < max_tokens")
    overhead = count_tokens("")
    units = _units(text, count_tokens, overhead, max_tokens)
    bounds = _pack(text, units, count_tokens, overhead, max_tokens, overlap_tokens)
    return _spans(text, units, bounds)


def _units(text: str, count: CountTokens, overhead: int, max_tokens: int) -> list[_Unit]:
    units: list[_Unit] = []
    for start, end in split_sentences(text):
        n = count(text[start:end])
        if n <= max_tokens:
            units.append(_Unit(start, end, n - overhead))
        else:
            units.extend(_split_long(text, start, end, count, overhead, max_tokens))
    return units


def _split_long(text: str, start: int, end: int, count: CountTokens, overhead: int, max_tokens: int) -> list[_Unit]:
    """Cut an over-long sentence at whitespace, then cut any piece still too long at characters."""
    splitter = RecursiveCharacterTextSplitter(
        separators=[r"\s+", ""],
        is_separator_regex=True,
        keep_separator="start",  # merged pieces are then exact slices of the sentence
        chunk_size=max(max_tokens - overhead, 1),
        chunk_overlap=0,
        length_function=lambda s: count(s) - overhead,
    )
    sentence = text[start:end]
    piece_starts = [start + i for i in _locate(sentence, splitter.split_text(sentence))]
    units: list[_Unit] = []
    for a, b in zip(piece_starts, [*piece_starts[1:], end]):
        a, b = _trim(text, a, b)
        units.extend(_split_chars(text, a, b, count, overhead, max_tokens))
    return units


def _split_chars(text: str, start: int, end: int, count: CountTokens, overhead: int, max_tokens: int) -> list[_Unit]:
    """Longest prefixes that fit, found by bisection; a single character is always accepted."""
    units: list[_Unit] = []
    while start < end:
        n = count(text[start:end])
        if n <= max_tokens:
            units.append(_Unit(start, end, n - overhead))
            break
        lo, hi = start + 1, end - 1  # the answer lies in [lo, hi]
        while lo < hi:
            mid = (lo + hi + 1) // 2
            if count(text[start:mid]) <= max_tokens:
                lo = mid
            else:
                hi = mid - 1
        cut = _trim(text, start, lo)[1]
        units.append(_Unit(start, cut, count(text[start:cut]) - overhead))
        start = _trim(text, lo, end)[0]
    return units


def _pack(
    text: str,
    units: Sequence[_Unit],
    count: CountTokens,
    overhead: int,
    max_tokens: int,
    overlap_tokens: int,
) -> list[tuple[int, int, int]]:
    """Chunks as (first unit, end unit exclusive, token count)."""
    bounds: list[tuple[int, int, int]] = []
    first, fresh = 0, 0  # fresh: the first unit not yet in any chunk
    while fresh < len(units):
        first = _fit_overlap(units, first, fresh, overhead, max_tokens)
        stop, total = fresh, overhead + sum(u.cost for u in units[first:fresh])
        while stop < len(units) and (stop == fresh or total + units[stop].cost <= max_tokens):
            total += units[stop].cost
            stop += 1
        first, stop, n = _confirm(text, units, first, fresh, stop, count, max_tokens)
        bounds.append((first, stop, n))
        fresh = stop
        first = _overlap_start(units, first, stop, overhead, overlap_tokens)
    return bounds


def _fit_overlap(units: Sequence[_Unit], first: int, fresh: int, overhead: int, limit: int) -> int:
    """Drop overlap units from the front until the next fresh unit fits beside them."""
    total = overhead + sum(u.cost for u in units[first : fresh + 1])
    while first < fresh and total > limit:
        total -= units[first].cost
        first += 1
    return first


def _confirm(
    text: str,
    units: Sequence[_Unit],
    first: int,
    fresh: int,
    stop: int,
    count: CountTokens,
    max_tokens: int,
) -> tuple[int, int, int]:
    """Count the chunk for real; if the estimate was optimistic, shed units until it fits."""
    while True:
        n = count(text[units[first].start : units[stop - 1].end])
        if n <= max_tokens or stop - first == 1:
            return first, stop, n
        if stop - 1 > fresh:
            stop -= 1
        else:
            first += 1


def _overlap_start(units: Sequence[_Unit], first: int, stop: int, overhead: int, overlap_tokens: int) -> int:
    """The earliest unit of the chunk's tail worth at most overlap_tokens; never the whole chunk."""
    start, total = stop, overhead
    while start - 1 > first and total + units[start - 1].cost <= overlap_tokens:
        start -= 1
        total += units[start].cost
    return start


def _spans(text: str, units: Sequence[_Unit], bounds: Sequence[tuple[int, int, int]]) -> list[ChunkSpan]:
    chars = [(units[a].start, units[b - 1].end) for a, b, _ in bounds]
    to_byte = _byte_offsets(text, sorted({c for pair in chars for c in pair}))
    return [
        ChunkSpan(
            index=i,
            text=text[start:end],
            start_char=start,
            end_char=end,
            start_byte=to_byte[start],
            end_byte=to_byte[end],
            n_tokens=n,
        )
        for i, ((start, end), (_, _, n)) in enumerate(zip(chars, bounds))
    ]


def _byte_offsets(text: str, positions: Sequence[int]) -> dict[int, int]:
    """UTF-8 byte offset of each (sorted) character position, encoding each stretch once."""
    offsets: dict[int, int] = {}
    prev_char = prev_byte = 0
    for pos in positions:
        prev_byte += len(text[prev_char:pos].encode("utf-8", "surrogatepass"))
        offsets[pos] = prev_byte
        prev_char = pos
    return offsets
