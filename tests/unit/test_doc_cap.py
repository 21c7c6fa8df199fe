"""A bounded number of documents judged per claim (max_docs_per_claim): the best-scoring ones,
and besides them any document where a deterministic check fires, so the cap never hides a
contradiction that retrieval found; the report says how many were considered and judged."""

from __future__ import annotations

import json

from hypothesis import given
from hypothesis import strategies as st
from typer.testing import CliRunner

from factcheck.check.combine import Calibration
from factcheck.check.pipeline import Checker, ClaimInput, judged_documents
from factcheck.cli import app
from factcheck.config import Settings
from factcheck.retrieve import MAX_DOCS_PER_CLAIM, EvidenceIndex
from factcheck.schema import Stance, Verdict
from tests.fakes import FakeEmbedder, MemoryStore

CLAIM = "The New START treaty caps deployed strategic warheads at 1,550 on each side."
# Six copies of the claim rank first; the document that gives another number ranks just below.
CORPUS = {
    **{f"copy{i}": [[CLAIM, f"Copy {i} was filed from Geneva."]] for i in range(6)},
    "conflict": [["The New START treaty caps deployed strategic warheads at 1,000 on each side."]],
    "weather": [["Snow fell over the harbour while ferries kept their timetable."]],
}


def checker(cap: int, **options) -> Checker:
    index = EvidenceIndex(MemoryStore(CORPUS, FakeEmbedder()), FakeEmbedder())
    return Checker(index, [], Calibration(), max_docs=cap, **options)


@given(st.lists(st.integers(0, 40), unique=True), st.integers(0, 10), st.sets(st.integers(0, 40)))
def test_the_cap_keeps_the_best_documents_and_every_other_where_a_check_fires(ranked, cap, firing):
    judged = judged_documents(ranked, cap, lambda d: d in firing)
    assert judged[: min(cap, len(ranked))] == ranked[:cap]
    assert judged[cap:] == [d for d in ranked[cap:] if d in firing]
    assert len(judged) <= cap + len(firing)


def test_a_document_beyond_the_cap_whose_number_conflicts_is_judged_and_contradicts():
    result = checker(3).check(ClaimInput("c", CLAIM))
    by_doc = {s.doc_id: s for s in result.sources}
    assert "conflict" in by_doc and by_doc["conflict"].stance is Stance.REFUTES
    assert result.verdict is Verdict.CONTRADICTED
    assert len(by_doc) == 4  # three copies, and the conflicting document
    assert (result.documents_considered, result.documents_judged) == (len(CORPUS), 4)


def test_without_the_checks_the_cap_alone_decides():
    result = checker(3, deterministic_checks=False).check(ClaimInput("c", CLAIM))
    assert {s.doc_id for s in result.sources} <= {f"copy{i}" for i in range(6)}
    assert result.documents_judged == 3


def test_a_corpus_no_larger_than_the_cap_is_judged_whole():
    result = checker(len(CORPUS)).check(ClaimInput("c", CLAIM))
    assert {s.doc_id for s in result.sources} == set(CORPUS)
    assert result.documents_considered == result.documents_judged == len(CORPUS)


def test_excluded_documents_do_not_take_places_under_the_cap():
    excluded = tuple(f"copy{i}" for i in range(5))
    result = checker(2, deterministic_checks=False).check(ClaimInput("c", CLAIM, exclude=excluded))
    assert {s.doc_id for s in result.sources}.isdisjoint(excluded) and result.documents_judged == 2


def test_the_setting_defaults_to_retrievals_cap():
    assert Settings.model_fields["max_docs_per_claim"].default == MAX_DOCS_PER_CLAIM


def test_the_json_report_says_how_many_documents_were_considered_and_judged(fake_embedder, sample_corpus):
    runner = CliRunner()
    assert runner.invoke(app, ["ingest", str(sample_corpus)]).exit_code == 0
    result = runner.invoke(app, ["check", "--no-model", "The summit took place in Alaska.", "--format", "json"])
    assert result.exit_code == 0, result.output
    [claim] = json.loads(result.stdout)["claims"]
    assert claim["documents_considered"] == claim["documents_judged"] == len(claim["sources"]) == 5
