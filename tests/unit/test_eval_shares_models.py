"""evaluate() over several datasets loads the embedder once and the judge once, and hands them to
every dataset's session (loading a real model per dataset costs seconds and memory each time)."""

from __future__ import annotations

from collections import Counter

import pytest

from factcheck.check.session import CheckOptions
from factcheck.config import Settings
from factcheck.evaluation import EvalOptions, evaluate, load_dataset
from factcheck.models.backend import BACKENDS, register_backend
from factcheck.models.embedding import EMBEDDERS, register_embedder
from tests.cli.test_eval_cli import make_dataset
from tests.conftest import FAKE_EMBEDDER, FAKE_JUDGE
from tests.fakes import FakeBackend

DATASETS = {
    "bridges": (
        {"bridge-news": "The Tanana river bridge opened to traffic in March 2021.",
         "bridge-blog": "Drivers crossed the new Tanana river bridge when it opened in March 2021."},
        [{"id": "b1", "claim": "The Tanana river bridge opened in March 2021.", "label": "supported",
          "evidence": ["bridge-news", "bridge-blog"]}],
    ),
    "mayors": (
        {"city-hall": "Jane Smith is the mayor of Fairbanks. Voters elected her in a close race."},
        [{"id": "m1", "claim": "Jane Smith is the mayor of Fairbanks.", "label": "single-source",
          "evidence": ["city-hall"]}],
    ),
}  # fmt: skip


@pytest.fixture
def loads():
    """The fake embedder and judge under names of their own, whose factories count their loads."""
    counted: Counter[str] = Counter()
    register_embedder("counted-embedder")(lambda settings: counted.update(["embedder"]) or FAKE_EMBEDDER)
    register_backend("counted-llm")(lambda settings: counted.update(["judge"]) or FakeBackend(judge=FAKE_JUDGE))
    yield counted
    EMBEDDERS.remove("counted-embedder")
    BACKENDS.remove("counted-llm")


def test_an_eval_over_two_datasets_loads_the_embedder_once_and_the_judge_once(tmp_path, loads):
    settings = Settings(home=tmp_path / "home", embedder="counted-embedder", model="counted-llm")
    datasets = [
        load_dataset(make_dataset(tmp_path / name, documents=documents, claims=claims))
        for name, (documents, claims) in DATASETS.items()
    ]
    options = EvalOptions(CheckOptions(judge_weight=0.5, use_cache=False))
    run = evaluate(settings, datasets, options)
    assert loads == {"embedder": 1, "judge": 1}
    assert [(d.dataset, d.n, d.model) for d in run.datasets] == [
        ("bridges", 1, "fake-judge"),
        ("mayors", 1, "fake-judge"),
    ]
    assert {h["doc_id"] for h in FAKE_JUDGE.history} == {"bridge-news", "bridge-blog", "city-hall"}  # both asked it
