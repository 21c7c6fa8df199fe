"""A claim's sources in the order they were published: which came last, and, where they disagree,
which side the latest one is on. Pure: from the sources' stances and their documents' dates.

Verdicts do not use it (a conflict counts whenever it was published); it is for the reader, who
sees at a glance whether a later report corrected an earlier one.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from factcheck.schema import SourceStance, Stance

SIDES = (Stance.SUPPORTS, Stance.REFUTES)  # a source that mentions nothing (or failed) is on no side


@dataclass(frozen=True)
class Dated:
    """One source that took a side, with its document's publication date (None: not known)."""

    doc_id: str
    published: date | None
    stance: Stance


@dataclass(frozen=True)
class Timeline:
    """Sources that took a side: the dated ones oldest first (those of one day in the order given),
    then the undated ones, in the order given."""

    entries: tuple[Dated, ...]

    @property
    def dated(self) -> tuple[Dated, ...]:
        return tuple(e for e in self.entries if e.published is not None)

    @property
    def undated(self) -> tuple[Dated, ...]:
        return tuple(e for e in self.entries if e.published is None)

    @property
    def latest(self) -> tuple[Dated, ...]:
        """The sources of the latest date (several when published the same day); none if none is dated."""
        dated = self.dated
        return tuple(e for e in dated if e.published == dated[-1].published) if dated else ()

    @property
    def latest_stance(self) -> Stance | None:
        """The side the latest sources are on; None when there are none, or they are on both."""
        sides = {e.stance for e in self.latest}
        return sides.pop() if len(sides) == 1 else None

    @property
    def disagree(self) -> bool:
        """Some sources support the claim and some refute it."""
        return {e.stance for e in self.entries} >= set(SIDES)

    @property
    def worth_showing(self) -> bool:
        """Whether the order in time tells a reader something: two dated sources, or a dated one
        in a disagreement."""
        return len(self.dated) >= 2 or (self.disagree and bool(self.dated))


def timeline(sources: Sequence[SourceStance], published: Mapping[str, date | None]) -> Timeline:
    """The sources that took a side, ordered in time by their documents' dates (`published`, by
    doc id; a document not in it counts as undated)."""
    sided = [Dated(s.doc_id, published.get(s.doc_id), s.stance) for s in sources if s.stance in SIDES]
    dated = sorted((e for e in sided if e.published is not None), key=lambda e: e.published)  # stable
    return Timeline((*dated, *(e for e in sided if e.published is None)))
