"""The smoke-test notice through the CLI: one wording, said once per command, carried by every
report format; and a table that cannot go into a file is refused before any work is done."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from factcheck.cli import app
from factcheck.notices import smoke_test_notice
from factcheck.schema import ModelInfo
from tests.cli.test_eval_cli import make_dataset
from tests.conftest import FAKE_EMBEDDER, FAKE_JUDGE

runner = CliRunner()
CLAIM = "Putin and Trump met at Joint Base Elmendorf-Richardson in Anchorage."
NOTICE = smoke_test_notice("tiny")


@pytest.fixture
def corpus(fake_embedder, sample_corpus, monkeypatch):
    monkeypatch.setenv("FACTCHECK_MODEL", "fake-llm")
    assert runner.invoke(app, ["ingest", str(sample_corpus)]).exit_code == 0
    FAKE_EMBEDDER.calls.clear()
    return sample_corpus


@pytest.fixture
def smoke_model(corpus, monkeypatch):
    """The fake judge, named as a smoke-test model the way a preset's flag would name it."""
    monkeypatch.setattr(
        "factcheck.check.selection.load_llm_judge", lambda settings: (FAKE_JUDGE, ModelInfo("tiny", None, True))
    )


def flat(text: str) -> str:
    """Terminal output as one line of words: the notice panel's borders and line breaks gone."""
    return " ".join(text.replace("│", " ").split())


def test_check_as_a_table_says_the_smoke_test_notice_exactly_once_on_stderr(smoke_model):
    result = runner.invoke(app, ["check", "--no-cache", "--judge-weight", "0.5", "--format", "table", CLAIM])
    assert result.exit_code == 0, result.output
    assert FAKE_JUDGE.history  # the smoke-test model judged: this is its notice, not "not consulted"
    assert flat(result.stderr).count(NOTICE) == 1
    assert "smoke-test" not in result.stdout and CLAIM.split()[0] in result.stdout


def test_every_report_format_carries_the_smoke_test_notice_and_stderr_says_it_once(smoke_model, tmp_path):
    result = runner.invoke(app, ["check", "--judge-weight", "0.5", "--format", "json", CLAIM])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["notices"] == [NOTICE]
    assert flat(result.stderr).count(NOTICE) == 1
    for suffix in (".md", ".html"):
        out = tmp_path / f"report{suffix}"
        result = runner.invoke(app, ["check", "--judge-weight", "0.5", CLAIM, "--out", str(out)])
        assert result.exit_code == 0, result.output
        assert NOTICE in out.read_text(encoding="utf-8")
        assert flat(result.stderr).count(NOTICE) == 1 and "smoke-test" not in result.stdout


@pytest.mark.parametrize("command", [["check", CLAIM], ["audit"]])
def test_a_table_into_a_file_is_refused_before_any_claim_is_checked(smoke_model, tmp_path, command):
    args = [*command, "--judge-weight", "0.5", "--no-cache", "--format", "table", "--out", str(tmp_path / "r.txt")]
    result = runner.invoke(app, args)
    assert result.exit_code == 2 and "a table is for the screen" in result.stderr
    assert FAKE_JUDGE.history == [] and FAKE_EMBEDDER.calls == []  # nothing asked, nothing embedded
    assert not (tmp_path / "r.txt").exists()


def test_an_eval_table_into_a_file_is_refused_before_anything_is_ingested(
    fake_embedder, isolated_home, tmp_path, monkeypatch
):
    monkeypatch.setenv("FACTCHECK_MODEL", "fake-llm")
    dataset = make_dataset(tmp_path / "tiny")
    result = runner.invoke(app, ["eval", str(dataset), "--format", "table", "--out", str(tmp_path / "eval.txt")])
    assert result.exit_code == 2 and "a table is for the screen" in result.stderr
    assert FAKE_JUDGE.history == [] and FAKE_EMBEDDER.calls == []
    assert not (isolated_home / "eval").exists()  # where each dataset's store would be


def test_ask_says_the_smoke_test_notice_once_and_its_json_answer_carries_it(smoke_model, monkeypatch):
    from factcheck.models.backend import BACKENDS
    from tests.fakes import FakeGenerator, registered

    with registered(BACKENDS, "fake-llm", lambda settings: FakeGenerator()):
        shown = runner.invoke(app, ["ask", "Where did Putin and Trump meet?"])
        answered = runner.invoke(app, ["ask", "--format", "json", "Where did Putin and Trump meet?"])
    assert shown.exit_code == 0, shown.output
    assert flat(shown.output).count(NOTICE) == 1
    assert answered.exit_code == 0, answered.output
    assert json.loads(answered.stdout)["notices"][0] == NOTICE
