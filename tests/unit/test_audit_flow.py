"""The audit flow in the library (factcheck.check.audit): decomposition, failures reported,
unknown documents refused before any work."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from factcheck.check.audit import DECOMPOSE_CONTEXT_CHARS, decompose_claims, run_audit
from factcheck.check.decompose import Decomposition
from factcheck.check.pipeline import ClaimInput
from factcheck.errors import DocumentNotFound


class ScriptedDecomposer:
    """Splits on " and ", fails on sentences containing "garbled"; records the context it read."""

    def __init__(self) -> None:
        self.contexts: list[str] = []

    def decompose(self, sentence: str, context: str) -> Decomposition:
        self.contexts.append(context)
        if "garbled" in sentence:
            return Decomposition((sentence,), failed="answer is not the expected JSON")
        return Decomposition(tuple(part.strip() for part in sentence.split(" and ")))


def test_each_claim_becomes_its_parts_read_with_its_own_articles_opening_and_failures_are_listed():
    items = [
        ClaimInput("a#0", "Trump flew in and Putin arrived", exclude=("a",)),
        ClaimInput("b#3", "A garbled sentence", exclude=("b",)),
    ]
    decomposer = ScriptedDecomposer()
    out, failed = decompose_claims(items, decomposer, {"a": "Opening of A.", "b": "Opening of B."})
    assert [(c.id, c.claim, c.exclude) for c in out] == [
        ("a#0.1", "Trump flew in", ("a",)),
        ("a#0.2", "Putin arrived", ("a",)),
        ("b#3.1", "A garbled sentence", ("b",)),
    ]
    assert failed == [("b#3", "answer is not the expected JSON")]
    assert decomposer.contexts == ["Opening of A.", "Opening of B."]


def _session(doc_ids):
    sentences = [SimpleNamespace(doc_id=d, index=0, text=f"The cap in {d} is 1,550 warheads.") for d in doc_ids]
    index = SimpleNamespace(
        doc_ids=list(doc_ids),
        sentences=sentences,
        vectors=[None] * len(sentences),
        sentences_of=lambda d: [s for s in sentences if s.doc_id == d],
        embed=lambda texts: [],
    )
    asked: list = []
    return SimpleNamespace(index=index, check=lambda items: asked.extend(items) or []), asked


def test_an_unknown_document_is_refused_before_anything_is_checked():
    session, asked = _session(["a", "b"])
    with pytest.raises(DocumentNotFound, match="zz"):
        run_audit(session, ["a", "zz"])
    assert asked == []


def test_the_decomposer_reads_at_most_the_opening_of_the_article():
    session, asked = _session(["a", "b"])
    session.index.sentences.insert(1, SimpleNamespace(doc_id="a", index=1, text="More words follow here. " * 60))
    decomposer = ScriptedDecomposer()
    found = run_audit(session, ["a"], decomposer=decomposer)
    assert [len(c) for c in decomposer.contexts] == [DECOMPOSE_CONTEXT_CHARS]
    assert found.checked == len(asked) == 1 and found.failed_decompositions == []
