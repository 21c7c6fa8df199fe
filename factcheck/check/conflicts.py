"""Deterministic conflict checks between a claim and one evidence sentence.

Each value in the claim (a quantity, a date or time, a person's title) is compared with the values
of the same sort in the evidence that it can sensibly be compared with: the same unit or counted
noun, the same clock zone, the same person, or shared words close around both. Among those, any
that agrees makes a match; otherwise the closest one makes a conflict. A value with nothing
comparable in the evidence gives no result: silence is not a contradiction.
"""

from __future__ import annotations

import bisect
import itertools
import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import TypeVar

from factcheck.check.quantities import NUMBER_WORDS, STOPWORDS, Moment, Quantity, lemma, moments, quantities
from factcheck.check.roles import Role, relate, roles
from factcheck.schema import Outcome, ValueCheck

V = TypeVar("V")
Judged = tuple[str, str, int]  # outcome, detail, closeness (shared context words)

NEAR = 3  # content words each side that must overlap for two dates to be about the same thing
NUMBER_NEAR = 4  # the same for numbers, within their clause
SINCE_NEAR = 6  # "the first summit on U.S. soil since 1988": the shared word may be further off
_MINUTE_SLACK = {"=": (0, 0), "~": (-15, 15), "<~": (-30, 0), ">~": (0, 30), "<": (-math.inf, 0),
                 ">": (0, math.inf), "since": (0, math.inf)}  # fmt: skip
_BOUND_WORDS = {"<": "before", "<~": "before", ">": "after", ">~": "after"}


def compare(claim: str, evidence: str) -> list[ValueCheck]:
    """Compare the numbers, dates/times and person roles in claim with those in evidence.

    Returns a ValueCheck (kind "number" | "date" | "role", outcome "conflict" | "match") for
    each value in the claim that has a comparable counterpart in the evidence; values with no
    counterpart give nothing.
    """
    pair = _Pair(claim, evidence)
    return [
        *_judge_all("number", pair, quantities(claim), quantities(evidence), _numbers),
        *_judge_all("date", pair, moments(claim), moments(evidence), _moments),
        *_judge_all("role", pair, roles(claim), roles(evidence), _roles),
    ]


@dataclass(frozen=True)
class _Pair:
    claim: str
    evidence: str

    def shared(self, c: Quantity | Moment, e: Quantity | Moment, k: int, clause=False) -> set:
        """Content words within k of both values (with clause, not past a comma)."""
        ours = _near(self.claim, c.start, c.end, k, clause)
        return ours & _near(self.evidence, e.start, e.end, k, clause)


def _judge_all(
    kind: str,
    pair: _Pair,
    ours: Sequence[V],
    theirs: Sequence[V],
    judge: Callable[[_Pair, V, V], Judged | None],
) -> list[ValueCheck]:
    results = []
    for value in ours:
        judged = [(e, j) for e in theirs if (j := judge(pair, value, e)) is not None]
        if not judged:
            continue
        matches = [(e, j) for e, j in judged if j[0] == "match"]
        other, (outcome, detail, _) = matches[0] if matches else max(judged, key=lambda p: p[1][2])
        results.append(ValueCheck(kind, Outcome(outcome), value.text, other.text, detail))
    return results


def _sole(value: V, values: Sequence[V], alike: Callable[[V, V], bool]) -> bool:
    return sum(alike(value, v) for v in values) == 1


# --- words around a value ----------------------------------------------------------------------

_TOKEN = re.compile(r"(?:[^\W\d_]\.){2,}|[^\W\d_][\w'’\-]*|[0-9][\w,.:]*|[!?;,]|\.(?=\s+[A-Z“\"‘']|\s*$)")
_BREAKS = frozenset("!?;.")
_NUMBER_WORD = "|".join(NUMBER_WORDS)
_NOT_CONTEXT = re.compile(  # numbers, number words and clock words say nothing about the topic
    rf"[0-9]|^(?i:[ap]\.m\.?|(?:{_NUMBER_WORD})(?:-(?:{_NUMBER_WORD}))*)$"
)


@lru_cache(maxsize=4096)
def _tokens(text: str) -> tuple[tuple[int, ...], tuple[str | None, ...]]:
    """Token starts, and for each its content lemma ("" for a stopword, number or name; None for
    a sentence break, which a window does not cross; "," for a comma)."""
    starts: list[int] = []
    words: list[str | None] = []
    for m in _TOKEN.finditer(text):
        tok = m.group()
        sentence_start = not words or words[-1] is None
        starts.append(m.start())
        if tok in _BREAKS:
            words.append(None)
        elif tok == ",":
            words.append(",")
        elif _NOT_CONTEXT.search(tok) or not (tok[0].islower() or sentence_start):
            words.append("")  # names and places say what a sentence is about, not which value
        else:
            w = lemma(tok)
            words.append("" if w in STOPWORDS or len(w) < 2 else w)
    return tuple(starts), tuple(words)


@lru_cache(maxsize=65536)
def _near(text: str, start: int, end: int, k: int, clause: bool) -> frozenset[str]:
    """Up to k content words on each side of text[start:end]."""
    starts, words = _tokens(text)
    before = reversed(words[: bisect.bisect_left(starts, start)])
    after = words[bisect.bisect_left(starts, end) :]
    return frozenset(_collect(before, k, clause) + _collect(after, k, clause))


def _collect(words, k: int, clause: bool) -> tuple[str, ...]:
    out: list[str] = []
    for w in words:
        if w is None or len(out) == k or (clause and w == ","):
            break
        if w and w != ",":
            out.append(w)
    return tuple(out)


# --- numbers -----------------------------------------------------------------------------------


def _numbers(pair: _Pair, c: Quantity, e: Quantity) -> Judged | None:
    """Comparable when the unit agrees, and so does the counted noun if both name one, and either
    they count the same noun ("31 goals" / "28 goals"), or share a word in their clauses and a
    unit ("%", "$"), or share two words there."""
    if c.unit != e.unit or (c.head and e.head and c.head != e.head):
        return None
    shared = pair.shared(c, e, NUMBER_NEAR, clause=True)
    if not (c.head and c.head == e.head or len(shared) >= (1 if c.unit else 2)):
        return None
    closeness = len(shared) + (c.head == e.head)
    if _overlaps(_number_range(c), _number_range(e)):
        exact = c.bound == e.bound == "="
        why = "same value" if exact else f"{c.text} is consistent with {e.text}"
        return "match", why, closeness
    noun = f" ({c.head or e.head})" if c.head or e.head else ""
    return "conflict", f"{c.text} vs {e.text}{noun}", closeness


def _number_range(q: Quantity) -> tuple[float, float]:
    v, slack = q.value, abs(q.value) * 0.1
    ranges = {"=": (v, v), "~": (v - slack, v + slack), "<~": (v - slack, v), ">": (v, math.inf), "<": (-math.inf, v)}
    return ranges[q.bound]


def _overlaps(a: tuple[float, float], b: tuple[float, float]) -> bool:
    eps = 1e-9 * max(1.0, abs(a[0]) if math.isfinite(a[0]) else abs(a[1]))
    return a[0] <= b[1] + eps and b[0] <= a[1] + eps


# --- dates and times ---------------------------------------------------------------------------


def _moments(pair: _Pair, c: Moment, e: Moment) -> Judged | None:
    """Times and weekdays: comparable in the same zone when they share a word nearby or are each
    the only one of their sort in their sentence."""
    if c.kind != e.kind:
        return None
    if c.kind == "date":
        return _dates(pair, c, e)
    alike = lambda a, b: a.kind == b.kind and a.zone == b.zone  # noqa: E731
    shared = pair.shared(c, e, NEAR)
    sole = _sole(c, moments(pair.claim), alike) and _sole(e, moments(pair.evidence), alike)
    if not alike(c, e) or not (shared or sole):
        return None
    if c.kind == "weekday":
        same = c.weekday == e.weekday
    else:
        same = _overlaps(_minute_range(c), _minute_range(e))
    if same:
        return "match", "same day" if c.kind == "weekday" else "same time", len(shared)
    return "conflict", f"{c.text} vs {e.text}", len(shared)


def _minute_range(m: Moment) -> tuple[float, float]:
    low, high = _MINUTE_SLACK.get(m.relation, (0, 0))
    return m.minute + low, m.minute + high


def _dates(pair: _Pair, c: Moment, e: Moment) -> Judged | None:
    """Compared on the fields both give (year, month, day), when they stand in the same relation
    to their sentence ("since 2015" with "since 1988"; "in 2026" with "early 2026") and share a
    word nearby."""
    common = [f for f in ("year", "month", "day") if getattr(c, f) and getattr(e, f)]
    if not common:
        return None
    if (c.relation == "since") != (e.relation == "since"):
        return None
    shared = pair.shared(c, e, SINCE_NEAR if c.relation == "since" else NEAR)
    if not shared:
        return None
    bounded = [m for m in (c, e) if m.relation in _BOUND_WORDS]
    if len(bounded) == 2:
        return None  # "before 2020" and "before 2022" do not contradict each other
    if bounded:
        return _date_bound(c, e, bounded[0], common, len(shared))
    if all(getattr(c, f) == getattr(e, f) for f in common):
        return "match", f"same {_granularity(common)}", len(shared)
    if "~" in (c.relation, e.relation):
        return None  # "around 2015" does not pin the year down
    return "conflict", f"{c.text} vs {e.text} ({_granularity(common)})", len(shared)


def _date_bound(c: Moment, e: Moment, bound: Moment, common, closeness: int) -> Judged | None:
    prefix = list(itertools.takewhile(lambda f: f in common, ("year", "month", "day")))
    if not prefix:
        return None
    other = e if bound is c else c
    key = lambda m: tuple(getattr(m, f) for f in prefix)  # noqa: E731
    before = _BOUND_WORDS[bound.relation] == "before"
    ok = key(other) <= key(bound) if before else key(other) >= key(bound)
    if ok:
        return "match", f"{c.text} is consistent with {e.text}", closeness
    return "conflict", f"{c.text} vs {e.text}", closeness


def _granularity(common: list[str]) -> str:
    return "day" if "day" in common else "month" if "month" in common else "year"


# --- roles -------------------------------------------------------------------------------------


def _roles(pair: _Pair, c: Role, e: Role) -> Judged | None:
    related = relate(c, e)
    return (*related, 1) if related else None
