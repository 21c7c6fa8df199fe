"""Auditing a corpus: every document's checkable sentences, checked against the other documents;
every refutation reported as a pair (document A says …, document B says …), grouped by topic."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from factcheck.check.claims import is_checkable
from factcheck.check.combine import Calibration
from factcheck.check.pipeline import ClaimInput
from factcheck.errors import DocumentNotFound
from factcheck.schema import ClaimResult, Contradiction, Outcome, Stance

if TYPE_CHECKING:
    from factcheck.check.decompose import Decomposer
    from factcheck.check.session import CheckSession
    from factcheck.retrieve import EvidenceIndex

TOPIC_GROUPING = Calibration().topic_grouping  # claims this similar share a topic (display only)
# The decomposer reads the start of the sentence's own article to resolve "he", "the talks" and
# the like: a news article's lead names who, where and when, and 600 characters (about four
# sentences) hold it while leaving the small model's context to the sentence and its answer.
DECOMPOSE_CONTEXT_CHARS = 600


@dataclass(frozen=True)
class Audit:
    """What an audit found: the results to show, the conflicting pairs grouped by topic, and the
    sentences the model could not rewrite (checked as they stand), with why."""

    results: list[ClaimResult]
    contradictions: list[Contradiction]
    checked: int  # claims checked in all
    failed_decompositions: list[tuple[str, str]]  # (claim id, reason)


def run_audit(
    session: CheckSession,
    doc_ids: Sequence[str] | None = None,
    *,
    decomposer: Decomposer | None = None,
    show_all: bool = False,
    check: Callable[[list[ClaimInput]], list[ClaimResult]] | None = None,
) -> Audit:
    """Check every checkable sentence of the corpus (or of doc_ids) against the other documents.
    DocumentNotFound names any of doc_ids the corpus does not have, before anything is checked.
    `check`: how the claims are checked (the CLI's shows a progress bar); session.check by default."""
    index = session.index  # the stored sentences, their vectors and the embedder that made them
    unknown = sorted(set(doc_ids or []) - set(index.doc_ids))
    if unknown:
        raise DocumentNotFound(f"not in the corpus: {', '.join(unknown)}; see: factcheck corpus list")
    items = audit_claims(index.sentences, index.vectors, doc_ids)
    failed: list[tuple[str, str]] = []
    if decomposer is not None:
        items, failed = decompose_claims(items, decomposer, _openings(index))
    results = (check or session.check)(items)
    pairs = group_by_topic(contradictions(results, items), index.embed)
    shown = results if show_all else [r for r in results if any(s.stance is Stance.REFUTES for s in r.sources)]
    return Audit(shown, pairs, len(items), failed)


def decompose_claims(
    items: Sequence[ClaimInput], decomposer: Decomposer, openings: dict[str, str]
) -> tuple[list[ClaimInput], list[tuple[str, str]]]:
    """Each claim rewritten into self-contained claims (ids `<id>.<k>`), read with the opening of
    its own article; a claim the model could not rewrite is kept as it is, and listed with why."""
    out: list[ClaimInput] = []
    failed: list[tuple[str, str]] = []
    for item in items:
        context = openings.get(item.exclude[0], "") if item.exclude else ""
        decomposition = decomposer.decompose(item.claim, context)
        if decomposition.failed:
            failed.append((item.id, decomposition.failed))
        out += [ClaimInput(f"{item.id}.{k}", part, item.exclude) for k, part in enumerate(decomposition.claims, 1)]
    return out, failed


def _openings(index: EvidenceIndex) -> dict[str, str]:
    """Each document's first DECOMPOSE_CONTEXT_CHARS characters of sentences."""
    return {
        doc_id: " ".join(s.text for s in index.sentences_of(doc_id))[:DECOMPOSE_CONTEXT_CHARS]
        for doc_id in index.doc_ids
    }


_WORD = re.compile(r"[a-z][a-z'-]{3,}")
# Words that say nothing about what a sentence is about; the topic label skips them.
_STOP = frozenset(
    "that this with from have said says will would could their there they been were which about "
    "after before than then also into more most some such only over under between both other "
    "while when where what including".split()
)


def audit_claims(sentences: Sequence[Any], vectors: Any, doc_ids: Sequence[str] | None = None) -> list[ClaimInput]:
    """Each checkable stored sentence as a claim against every document but its own."""
    wanted = set(doc_ids) if doc_ids else None
    return [
        ClaimInput(id=f"{s.doc_id}#{s.index}", claim=" ".join(s.text.split()), exclude=(s.doc_id,), vector=vectors[i])
        for i, s in enumerate(sentences)
        if (wanted is None or s.doc_id in wanted) and is_checkable(s.text)
    ]


def contradictions(results: Sequence[ClaimResult], claims: Sequence[ClaimInput]) -> list[Contradiction]:
    """Every (claim's document, refuting document) pair, each conflict once even when both
    sentences found each other."""
    own_doc = {c.id: c.exclude[0] for c in claims if c.exclude}
    found: dict[frozenset, Contradiction] = {}
    for result in results:
        doc_a = own_doc.get(result.id)
        for source in result.sources:
            if source.stance is not Stance.REFUTES or doc_a is None:
                continue
            quote_b = source.quote or ""
            key = frozenset({(doc_a, _norm(result.claim)), (source.doc_id, _norm(quote_b))})
            found.setdefault(
                key,
                Contradiction(
                    topic="",
                    claim=result.claim,
                    doc_a=doc_a,
                    quote_a=result.claim,
                    doc_b=source.doc_id,
                    quote_b=quote_b,
                    checks=tuple(c for c in source.checks if c.outcome is Outcome.CONFLICT),
                ),
            )
    return list(found.values())


def group_by_topic(pairs: Sequence[Contradiction], embed: Callable[[Sequence[str]], Any]) -> list[Contradiction]:
    """Give each contradiction a topic: pairs whose claims are similar share one, named by the
    content words their sentences have most in common. Sorted by topic."""
    if not pairs:
        return []
    vectors = embed([p.claim for p in pairs])
    clusters: list[list[int]] = []
    for i, vector in enumerate(vectors):
        home = next((c for c in clusters if float(vectors[c[0]] @ vector) >= TOPIC_GROUPING), None)
        if home is None:
            clusters.append([i])
        else:
            home.append(i)
    named = []
    for cluster in clusters:
        topic = _topic_name([pairs[i] for i in cluster])
        named.extend(_with_topic(pairs[i], topic) for i in cluster)
    return sorted(named, key=lambda p: (p.topic, p.doc_a, p.doc_b))


def _topic_name(pairs: Sequence[Contradiction]) -> str:
    """What the pairs disagree about: the deterministic conflict they share most (e.g. "role:
    former vs sitting president"), else the content words both sides share most often."""
    details = Counter(
        f"{c.kind}: {c.detail or c.claim_value + ' vs ' + c.evidence_value}" for p in pairs for c in p.checks
    )
    if details:
        return details.most_common(1)[0][0]
    shared: Counter[str] = Counter()
    either: Counter[str] = Counter()
    for pair in pairs:
        words_a = set(_WORD.findall(pair.quote_a.lower())) - _STOP
        words_b = set(_WORD.findall(pair.quote_b.lower())) - _STOP
        shared.update(words_a & words_b)
        either.update(words_a | words_b)
    ranked = [w for w, _ in shared.most_common(3)] or [w for w, _ in either.most_common(3)]
    return " / ".join(ranked) if ranked else "other"


def _with_topic(pair: Contradiction, topic: str) -> Contradiction:
    return Contradiction(topic, pair.claim, pair.doc_a, pair.quote_a, pair.doc_b, pair.quote_b, pair.checks)


def _norm(text: str) -> str:
    return " ".join(text.split()).lower()
