"""The check cache's key (CheckSession._cache_key): a cached verdict is served only for the same
claim checked against the same corpus, with the same calibration, options, model, prompt and
code. Sessions are built over a tiny store ingested with the fake embedder; the judge is the fake
one (FACTCHECK_MODEL=fake-llm, as in tests/cli) or one passed in, so no model is loaded."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from factcheck.check import selection
from factcheck.check import session as session_module
from factcheck.check.pipeline import ClaimInput
from factcheck.check.session import CheckOptions, CheckSession
from factcheck.config import Settings
from factcheck.corpus.ingest import ChunkingPolicy, Ingestor
from factcheck.models.embedding import load_embedder
from factcheck.models.resolve import store_key
from factcheck.schema import IngestSummary
from factcheck.store import CorpusStore
from tests.judge_fakes import FakeJudge

ARTICLES = {
    "summit.txt": "Putin and Trump met at Joint Base Elmendorf-Richardson in Anchorage on Friday. "
    "Reporters waited outside the gates all afternoon.",
    "treaty.txt": "The New START treaty caps deployed strategic warheads at 1,550 on each side. "
    "Both sides say they will keep to the limit until it expires.",
}
CLAIM = ClaimInput("c1", "Putin and Trump met in Anchorage.")
OPTIONS = CheckOptions(use_cache=False, judge_weight=0.5)


def ingest(settings: Settings, folder: Path) -> None:
    embedder = load_embedder(settings)
    store = CorpusStore(settings.store_dir, store_key(settings))
    policy = ChunkingPolicy.for_embedder(embedder, settings.chunk_tokens, settings.chunk_overlap_tokens)
    ingestor = Ingestor(store, embedder, policy, settings.max_file_bytes)
    files, rejected = ingestor.plan([folder])
    assert not rejected
    ingestor.run(files, IngestSummary())


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    folder = tmp_path / "articles"
    folder.mkdir()
    for name, text in ARTICLES.items():
        (folder / name).write_text(text, encoding="utf-8")
    chosen = Settings(home=tmp_path / "home", embedder="fake-embedder", model="fake-llm")
    ingest(chosen, folder)
    return chosen


def key(settings: Settings, options: CheckOptions = OPTIONS, item: ClaimInput = CLAIM, **session) -> str:
    return CheckSession(settings, options, **session)._cache_key(item)


def judge_named(name: str, prompt_hash: str = "0" * 64, smoke_test: bool = False) -> FakeJudge:
    judge = FakeJudge()
    judge.name, judge.prompt_hash, judge.smoke_test = name, prompt_hash, smoke_test
    return judge


def test_the_same_claim_against_the_same_everything_has_the_same_key(settings):
    first = CheckSession(settings, OPTIONS)
    assert first.judge is not None  # the fake judge is consulted: its identity is in play
    assert first._cache_key(CLAIM) == first._cache_key(ClaimInput("c1", "Putin and Trump met in Anchorage."))
    assert key(settings) == first._cache_key(CLAIM)  # another session, the same store
    assert key(settings, replace(OPTIONS)) == key(settings)


@pytest.mark.parametrize(
    "other",
    [
        ClaimInput("c1", "Putin and Trump met in Helsinki."),
        ClaimInput("c2", CLAIM.claim),
        ClaimInput("c1", CLAIM.claim, exclude=("summit",)),
    ],
    ids=["claim text", "claim id", "excluded documents"],
)
def test_another_claim_has_another_key(settings, other):
    session = CheckSession(settings, OPTIONS)
    assert session._cache_key(other) != session._cache_key(CLAIM)


def test_a_changed_corpus_has_another_key(settings, tmp_path):
    before = key(settings)
    extra = tmp_path / "extra"
    extra.mkdir()
    (extra / "weather.txt").write_text("Snow fell over the harbour while ferries kept their timetable.")
    ingest(settings, extra)
    added = key(settings)
    (tmp_path / "articles" / "treaty.txt").write_text(ARTICLES["treaty.txt"].replace("1,550", "1,600"))
    ingest(settings, tmp_path / "articles")
    edited = key(settings)
    assert len({before, added, edited}) == 3


@pytest.mark.parametrize(
    "options",
    [
        replace(OPTIONS, judge_weight=0.7),
        replace(OPTIONS, signals=OPTIONS.signals - {"coverage"}),
        replace(OPTIONS, deterministic_checks=False),
        replace(OPTIONS, per_doc=3),
        replace(OPTIONS, use_model=False),
    ],
    ids=["judge weight", "signals", "no checks", "per_doc", "no model"],
)
def test_other_options_have_another_key(settings, options):
    assert key(settings, options) != key(settings)


def test_a_calibration_changed_under_the_same_options_has_another_key(settings, monkeypatch):
    """The preset's measured weight is the weight in effect when --judge-weight is not given: a
    result judged at one weight is not served at another, though the options are the same."""
    options = replace(OPTIONS, judge_weight=None)
    given = judge_named("some-model")
    before = CheckSession(settings, options, judge=given)
    monkeypatch.setattr(selection, "preset_weight", lambda model: 0.9)
    after = CheckSession(settings, options, judge=given)
    assert (before.options, before.model) == (after.options, after.model)
    assert before.calibration.judge_weight != after.calibration.judge_weight
    assert after._cache_key(CLAIM) != before._cache_key(CLAIM)
    refitted = CheckSession(settings, options, judge=given)
    refitted.calibration = replace(refitted.calibration, support_similarity=0.5)
    assert refitted._cache_key(CLAIM) != before._cache_key(CLAIM)


def test_another_model_or_prompt_has_another_key(settings):
    base = key(settings, judge=judge_named("model-a"))
    assert key(settings, judge=judge_named("model-a")) == base
    assert key(settings, judge=judge_named("model-b")) != base
    assert key(settings, judge=judge_named("model-a", smoke_test=True)) != base
    assert key(settings, judge=judge_named("model-a", prompt_hash="1" * 64)) != base


def test_another_version_of_the_deciding_code_has_another_key(settings, monkeypatch):
    before = key(settings)
    monkeypatch.setattr(session_module, "code_version", lambda: "0123456789abcdef")
    assert key(settings) != before


def test_the_documents_judged_per_claim_are_in_the_key_and_reach_the_checker(settings):
    capped = settings.model_copy(update={"max_docs_per_claim": 1})
    assert key(capped) != key(settings)
    assert CheckSession(capped, OPTIONS).checker.max_docs == 1


def test_the_session_gives_the_signals_the_calibration_fit_reads(settings):
    signals = CheckSession(settings, OPTIONS).signals(CLAIM)
    assert {s.doc_id for s in signals} == {"summit", "treaty"}
    assert max(signals, key=lambda s: s.similarity).doc_id == "summit"
