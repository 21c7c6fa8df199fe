"""From the stance of each document to one verdict for the claim. Pure functions."""

from __future__ import annotations

from collections.abc import Sequence

from factcheck.schema import SourceStance, Stance, Verdict


def group_of(groups: Sequence[Sequence[str]]) -> dict[str, int]:
    """doc id -> index of its origin group. Documents in no group are their own origin."""
    return {doc_id: i for i, group in enumerate(groups) for doc_id in group}


def supporting_origins(stances: Sequence[SourceStance], groups: Sequence[Sequence[str]]) -> dict[object, float]:
    """Each independent origin that supports the claim -> the best confidence among its documents."""
    origin = group_of(groups)
    best: dict[object, float] = {}
    for source in stances:
        if source.stance is Stance.SUPPORTS:
            key = origin.get(source.doc_id, source.doc_id)
            best[key] = max(best.get(key, 0.0), source.confidence)
    return best


def aggregate(stances: Sequence[SourceStance], groups: Sequence[Sequence[str]]) -> tuple[Verdict, int, float]:
    """(verdict, independent supporting sources, confidence).

    contradicted: any document refutes (even if others support); confidence = the strongest refutation.
    supported: two or more independent origins support; confidence = the second strongest origin
      (the verdict needs two, so it is only as sure as the weaker of the best two).
    single-source: exactly one origin supports; confidence = its confidence.
    unverified: nothing supports or refutes; confidence = the least sure "not mentioned" (1.0 when
      there are no documents at all). Error stances count for nothing either way.
    """
    support = sorted(supporting_origins(stances, groups).values(), reverse=True)
    refuting = [s.confidence for s in stances if s.stance is Stance.REFUTES]
    if refuting:
        return Verdict.CONTRADICTED, len(support), max(refuting)
    if len(support) >= 2:
        return Verdict.SUPPORTED, len(support), support[1]
    if support:
        return Verdict.SINGLE_SOURCE, 1, support[0]
    silent = [s.confidence for s in stances if s.stance is Stance.NOT_MENTIONED]
    return Verdict.UNVERIFIED, 0, min(silent, default=1.0)
