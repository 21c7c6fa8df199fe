"""`factcheck eval` through the CLI, with the fake embedder and judge and tiny hand-made datasets."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from factcheck.cli import app

runner = CliRunner()
DATASET_KEYS = {
    "dataset", "n", "accuracy", "balanced_accuracy", "macro_f1", "per_label", "confusion", "evidence_recall",
    "error_rate", "seconds_per_claim", "tokens_per_claim", "model", "embedder", "cases",
}  # fmt: skip
CASE_KEYS = {"id", "gold", "predicted", "cited", "correct"}
LABELS = {"supported", "single-source", "contradicted", "unverified"}
DOCUMENTS = {
    "bridge-news": "The Tanana river bridge opened to traffic in March 2021. The Tanana river bridge cost 40 million dollars.",
    "bridge-blog": "Drivers crossed the new Tanana river bridge when it opened in March 2021, after two years of work.",
    "city-hall": "Jane Smith is the mayor of Fairbanks. Voters elected her in a close race.",
}
CLAIMS = [
    {"id": "c1", "claim": "The Tanana river bridge opened in March 2021.", "label": "supported",
     "evidence": ["bridge-news", "bridge-blog"]},
    {"id": "c2", "claim": "Jane Smith is the mayor of Fairbanks.", "label": "single-source", "evidence": ["city-hall"]},
    {"id": "c3", "claim": "The Tanana river bridge cost 90 million dollars.", "label": "contradicted",
     "evidence": ["bridge-news"]},
    {"id": "c4", "claim": "Penguins nest on the ice shelves of Antarctica.", "label": "unverified", "evidence": []},
]  # fmt: skip


def make_dataset(folder: Path, claims: list[dict] = CLAIMS, documents: dict[str, str] = DOCUMENTS) -> Path:
    (folder / "corpus").mkdir(parents=True)
    for doc_id, text in documents.items():
        (folder / "corpus" / f"{doc_id}.txt").write_text(text, encoding="utf-8")
    (folder / "claims.jsonl").write_text("".join(json.dumps(c) + "\n" for c in claims), encoding="utf-8")
    return folder


@pytest.fixture
def dataset(tmp_path, fake_embedder, monkeypatch) -> Path:
    monkeypatch.setenv("FACTCHECK_MODEL", "fake-llm")
    return make_dataset(tmp_path / "tiny")


def eval_json(*args: str) -> dict:
    result = runner.invoke(app, ["eval", *args, "--format", "json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_json_has_exactly_the_documented_keys_and_consistent_counts(dataset):
    data = eval_json(str(dataset))
    assert set(data) == {"datasets", "mode", "created"}
    [scores] = data["datasets"]
    assert set(scores) == DATASET_KEYS
    assert scores["dataset"] == "tiny" and scores["n"] == 4
    assert scores["model"] == "fake-judge" and scores["embedder"] == "fake-embedder"
    assert set(scores["per_label"]) == LABELS == set(scores["confusion"])
    assert all(set(row) == LABELS for row in scores["confusion"].values())
    assert sum(sum(row.values()) for row in scores["confusion"].values()) == 4
    assert sum(s["support"] for s in scores["per_label"].values()) == 4
    assert [set(c) for c in scores["cases"]] == [CASE_KEYS] * 4
    assert [c["id"] for c in scores["cases"]] == ["c1", "c2", "c3", "c4"]
    assert scores["accuracy"] == sum(c["correct"] for c in scores["cases"]) / 4


def test_oracle_stances_score_every_claim_right_where_retrieval_is_easy(dataset):
    data = eval_json(str(dataset), "--oracle-stances")
    [scores] = data["datasets"]
    assert scores["model"] == "oracle-stances" and data["mode"]["judge_weight"] == 1.0
    assert scores["accuracy"] == 1.0 and scores["evidence_recall"] == 1.0
    assert scores["cases"][2]["cited"] == {"bridge-news": "refutes"}


def test_without_checks_a_changed_number_is_no_longer_caught(dataset):
    with_checks = eval_json(str(dataset), "--no-model")["datasets"][0]["cases"][2]
    without = eval_json(str(dataset), "--no-model", "--no-checks")["datasets"][0]["cases"][2]
    assert with_checks["predicted"] == "contradicted"
    assert without["predicted"] != "contradicted"


def test_judge_weight_and_model_options_reach_the_checker(dataset, monkeypatch):
    monkeypatch.delenv("FACTCHECK_MODEL")
    data = eval_json(str(dataset), "--model", "fake-llm", "--judge-weight", "1")
    assert data["mode"]["judge_weight"] == 1.0 and data["datasets"][0]["model"] == "fake-judge"
    result = runner.invoke(app, ["--model", "no-such-model", "eval", str(dataset), "--model", "fake-llm"])
    assert result.exit_code == 0, result.output  # the eval's own --model wins over the root one


def test_each_dataset_gets_its_own_store_and_the_main_corpus_stays_empty(dataset, tmp_path, isolated_home):
    other = make_dataset(tmp_path / "other", CLAIMS[1:2], {"city-hall": DOCUMENTS["city-hall"]})
    data = eval_json(str(dataset), str(other), "--no-model")
    assert [d["dataset"] for d in data["datasets"]] == ["tiny", "other"]
    assert [d["n"] for d in data["datasets"]] == [4, 1]
    assert len(list((isolated_home / "eval").iterdir())) == 2
    eval_json(str(dataset), "--no-model")  # the same corpus again: the same store
    assert len(list((isolated_home / "eval").iterdir())) == 2
    listed = runner.invoke(app, ["corpus", "list", "--format", "json"])
    assert json.loads(listed.stdout) == []


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (lambda d: (d / "claims.jsonl").unlink(), "claims.jsonl: missing"),
        (lambda d: (d / "corpus" / "city-hall.txt").unlink(), "claims.jsonl:2: evidence 'city-hall' not in the corpus"),
        (lambda d: (d / "corpus" / "notes.docx").write_bytes(b"PK"), "notes.docx"),
        (lambda d: (d / "corpus" / "empty.txt").write_text(""), "empty.txt"),
    ],
    ids=["no claims file", "evidence not in corpus", "unsupported file", "empty document"],
)
def test_a_bad_dataset_is_exit_2_naming_the_file(dataset, change, expected):
    change(dataset)
    result = runner.invoke(app, ["eval", str(dataset), "--no-model"])
    assert result.exit_code == 2
    assert expected in result.stderr and "Traceback" not in result.output


def test_a_bad_label_is_reported_with_its_line_number(dataset):
    lines = (dataset / "claims.jsonl").read_text().splitlines()
    lines[2] = lines[2].replace('"contradicted"', '"false"')
    (dataset / "claims.jsonl").write_text("\n".join(lines) + "\n")
    result = runner.invoke(app, ["eval", str(dataset)])
    assert result.exit_code == 2
    assert "claims.jsonl:3: label 'false' is not one of" in result.stderr


def test_a_missing_folder_and_conflicting_options_are_usage_errors(dataset, tmp_path):
    assert runner.invoke(app, ["eval", str(tmp_path / "nowhere")]).exit_code == 2
    result = runner.invoke(app, ["eval", str(dataset), "--oracle-stances", "--no-model"])
    assert result.exit_code == 2 and "--oracle-stances" in result.stderr
    result = runner.invoke(app, ["eval", str(dataset), "--format", "table", "--out", str(tmp_path / "x.txt")])
    assert result.exit_code == 2


def test_compare_shows_flipped_cases_and_metric_deltas(dataset, tmp_path):
    previous = eval_json(str(dataset), "--oracle-stances")
    case = previous["datasets"][0]["cases"][0]
    case["predicted"], case["correct"] = "unverified", False  # as if c1 had been missed before
    previous["datasets"][0]["accuracy"] = 0.75
    saved = tmp_path / "previous.json"
    saved.write_text(json.dumps(previous))

    data = eval_json(str(dataset), "--oracle-stances", "--compare", str(saved))
    assert data["compare"]["flips"] == [
        {
            "dataset": "tiny",
            "id": "c1",
            "gold": "supported",
            "before": "unverified",
            "after": "supported",
            "correct": True,
        }
    ]
    assert {"metric": "accuracy", "before": 0.75, "after": 1.0} in [
        {k: d[k] for k in ("metric", "before", "after")} for d in data["compare"]["deltas"]
    ]
    table = runner.invoke(app, ["eval", str(dataset), "--oracle-stances", "--compare", str(saved)], terminal_width=150)
    assert table.exit_code == 0
    assert "unverified → supported" in table.stdout and "correct" in table.stdout and "+0.250" in table.stdout


def test_compare_refuses_a_file_that_is_not_a_saved_run(dataset, tmp_path):
    (tmp_path / "bad.json").write_text('{"claims": []}')
    result = runner.invoke(app, ["eval", str(dataset), "--compare", str(tmp_path / "bad.json")])
    assert result.exit_code == 2 and "not a saved eval run" in result.stderr


def test_markdown_and_html_draw_the_confusion_matrix_and_an_f1_chart(dataset, tmp_path):
    for suffix in (".md", ".html"):
        result = runner.invoke(app, ["eval", str(dataset), "--no-model", "--out", str(tmp_path / f"eval{suffix}")])
        assert result.exit_code == 0, result.output
    markdown = (tmp_path / "eval.md").read_text()
    assert "| gold \\ predicted | supported | single-source | contradicted | unverified |" in markdown
    assert "<svg" in markdown and "## tiny" in markdown
    page = (tmp_path / "eval.html").read_text()
    assert page.startswith("<!doctype html>") and "<svg" in page and 'class="confusion"' in page
    assert "Content-Security-Policy" in page and "<script" not in page
    assert "src=" not in page and 'href="http' not in page  # nothing fetched


def test_the_screen_table_shows_summary_per_label_and_confusion(dataset):
    result = runner.invoke(app, ["eval", str(dataset), "--no-model"], terminal_width=120)
    assert result.exit_code == 0, result.output
    for text in ("balanced acc.", "macro-F1", "evidence recall", "per label", "confusion", "single-source"):
        assert text in result.stdout


def test_a_label_neither_in_gold_nor_predicted_is_marked_not_drawn_as_zero(dataset, tmp_path):
    make_dataset(tmp_path / "no-supported", CLAIMS[1:])
    result = runner.invoke(app, ["eval", str(tmp_path / "no-supported"), "--oracle-stances", "--format", "md"])
    assert result.exit_code == 0, result.output
    assert "supported: neither in gold nor predicted" in result.stdout
    assert ">n/a</text>" in result.stdout


def test_eval_with_weight_0_asks_no_model_and_says_so(dataset):
    from tests.conftest import FAKE_JUDGE

    data = eval_json(str(dataset), "--judge-weight", "0")
    [scores] = data["datasets"]
    assert FAKE_JUDGE.history == [] and scores["tokens_per_claim"] == 0
    assert data["mode"]["judge_weight"] == 0.0 and data["mode"]["model_consulted"] is False
    table = runner.invoke(app, ["eval", str(dataset), "--judge-weight", "0"])
    assert "not consulted" in table.stdout


def test_split_scores_only_one_side_and_the_two_sides_make_the_whole(dataset):
    from factcheck.evaluation.split import Split, split_of

    sides = {}
    for split in ("train", "heldout"):
        data = eval_json(str(dataset), "--no-model", "--split", split)
        assert data["mode"]["split"] == split
        sides[split] = {case["id"] for case in data["datasets"][0]["cases"]}
        assert all(split_of(i) is Split(split) for i in sides[split])
    assert sides["train"] | sides["heldout"] == {c["id"] for c in CLAIMS}
    assert not sides["train"] & sides["heldout"]


def test_without_names_the_signals_that_counted_and_rejects_unknown_ones(dataset):
    data = eval_json(str(dataset), "--no-model", "--without", "coverage", "--without", "places")
    assert data["mode"]["signals"] == ["negation", "parts"]
    result = runner.invoke(app, ["eval", str(dataset), "--no-model", "--without", "moon-phase"])
    assert result.exit_code == 2 and "moon-phase" in result.output
