"""Where the passages behind an answer disagree, from two signals, both shown as two sides
(document A says …, document B says …) rather than one side picked:

- the deterministic checks (numbers, dates, roles: factcheck.check.conflicts.compare) between the
  on-topic best sentences of the top passages, taken from different documents;
- a claim of the answer that the checker finds contradicted by some document.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass

from factcheck.ask.citations import Citation
from factcheck.check.conflicts import compare
from factcheck.schema import ClaimResult, Outcome, Passage, Stance, ValueCheck, Verdict


@dataclass(frozen=True)
class Disagreement:
    about: str  # what differs: the values compared, or the answer's claim that is contradicted
    doc_a: str
    quote_a: str
    doc_b: str
    quote_b: str
    basis: str  # "passages": the checks found it between passages; "claim": the checker's verdict


def passage_disagreements(passages: Sequence[Passage], topic_similarity: float) -> list[Disagreement]:
    """Conflicting values between the best sentences of passages from different documents.
    Only sentences about the question are compared: the same figure means different things in
    different contexts (the checker applies the same rule)."""
    on_topic = [p for p in passages if p.similarity >= topic_similarity]
    found: list[Disagreement] = []
    seen: set[frozenset[str]] = set()
    for a, b in itertools.combinations(on_topic, 2):
        pair = frozenset((a.sentence, b.sentence))
        if a.doc_id == b.doc_id or pair in seen:
            continue
        conflicts = [c for c in compare(a.sentence, b.sentence) if c.outcome is Outcome.CONFLICT]
        if conflicts:
            seen.add(pair)
            about = "; ".join(_values(c) for c in conflicts)
            found.append(Disagreement(about, a.doc_id, a.sentence, b.doc_id, b.sentence, "passages"))
    return found


def distinct(disagreements: Sequence[Disagreement]) -> list[Disagreement]:
    """The first disagreement for each pair of sides (document and quote), whichever order they
    are in: the checks and the verdicts often find the same two sentences at odds."""
    seen: set[frozenset[tuple[str, str]]] = set()
    kept = []
    for d in disagreements:
        key = frozenset({(d.doc_a, " ".join(d.quote_a.split())), (d.doc_b, " ".join(d.quote_b.split()))})
        if key not in seen:
            seen.add(key)
            kept.append(d)
    return kept


def claim_disagreements(
    claims: Sequence[tuple[str, tuple[int, ...], ClaimResult]], citations: Sequence[Citation]
) -> list[Disagreement]:
    """For each contradicted claim of the answer (text, markers, result): the side that states it
    (the passage the answer cited for it, else a supporting document) against each refuting one."""
    by_marker = {c.marker: c for c in citations}
    found: list[Disagreement] = []
    for text, markers, result in claims:
        if result.verdict is not Verdict.CONTRADICTED:
            continue
        side_a = _stating_side(text, markers, result, by_marker)
        for source in result.sources:
            if source.stance is Stance.REFUTES and source.doc_id != side_a[0]:
                quote = source.quote or "(no quote)"
                found.append(Disagreement(text, side_a[0], side_a[1], source.doc_id, quote, "claim"))
    return found


def _stating_side(
    text: str, markers: tuple[int, ...], result: ClaimResult, by_marker: dict[int, Citation]
) -> tuple[str, str]:
    cited = [by_marker[m] for m in markers if m in by_marker]
    if cited:
        return cited[0].doc_id, cited[0].quote
    for source in result.sources:
        if source.stance is Stance.SUPPORTS and source.quote:
            return source.doc_id, source.quote
    return "the answer", text


def _values(check: ValueCheck) -> str:
    return f"{check.kind}: {check.claim_value} vs {check.evidence_value}"
