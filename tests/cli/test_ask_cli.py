"""`factcheck ask` through the CLI, with the fake embedder, judge and answer generator."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from factcheck.ask.markers import MAX_QUESTION_CHARS
from factcheck.cli import app
from factcheck.models.backend import BACKENDS, register_backend
from tests.conftest import FAKE_JUDGE
from tests.fakes import FakeGenerator, registered

runner = CliRunner()
QUESTION = "Where did the summit take place?"
VERDICTS = ("supported", "contradicted", "single-source", "unverified")


@pytest.fixture
def generator() -> FakeGenerator:
    fake = FakeGenerator()
    with registered(BACKENDS, "fake-llm", lambda settings: fake):
        yield fake


@pytest.fixture
def corpus(fake_embedder, sample_corpus, generator, monkeypatch) -> Path:
    monkeypatch.setenv("FACTCHECK_MODEL", "fake-llm")
    assert runner.invoke(app, ["ingest", str(sample_corpus)]).exit_code == 0
    return sample_corpus


def chunk_texts() -> dict[str, str]:
    texts = {}
    for record in json.loads(runner.invoke(app, ["corpus", "list", "--format", "json"]).stdout):
        shown = json.loads(
            runner.invoke(app, ["corpus", "show", record["doc_id"], "--chunks", "--format", "json"]).stdout
        )
        texts.update({c["chunk_id"]: c["text"] for c in shown["chunk_list"]})
    return texts


def test_an_answer_shows_markers_sources_and_verdict_badges(corpus, generator):
    generator.enqueue(
        ["The summit took place in Alaska [1]. It was the first such summit on U.S. soil since 1988 [9]."]
    )
    result = runner.invoke(app, ["ask", QUESTION])
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "The summit took place in Alaska [1]." in out
    assert "[9] dropped: points to no passage" in out
    sources = out[out.index("sources") : out.index("claims")]
    assert "[1] " in sources and "“" in sources
    claims = out[out.index("claims") :]
    assert "The summit took place in Alaska." in claims and any(v in claims for v in VERDICTS)
    [request] = generator.history
    assert QUESTION in request["messages"][-1].content and '<passage n="1"' in request["messages"][-1].content


def test_json_answer_cites_verbatim_quotes_and_lists_claims(corpus, generator):
    generator.enqueue(["The summit took place in Alaska [1][2]."])
    result = runner.invoke(app, ["ask", "--format", "json", QUESTION])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["covered"] and data["answer"] == "The summit took place in Alaska [1][2]."
    assert [c["marker"] for c in data["citations"]] == [1, 2]
    texts = chunk_texts()
    for citation in data["citations"]:
        assert citation["quote"] in texts[citation["chunk_id"]]
        assert citation["chunk_id"] == data["passages"][citation["marker"] - 1]["chunk_id"]
    [claim] = data["claims"]
    assert claim["claim"] == "The summit took place in Alaska." and claim["verdict"] in VERDICTS
    assert data["timings"]["first_token_s"] is not None and data["timings"]["retrieval_s"] > 0


def test_without_a_model_the_answer_quotes_the_top_passages(corpus, generator):
    result = runner.invoke(app, ["ask", "--no-model", "--format", "json", QUESTION])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["extractive"] and data["answer"].startswith("The corpus says:")
    assert [c["marker"] for c in data["citations"]] == [1, 2, 3] and data["claims"]
    assert generator.history == []


def test_a_question_the_corpus_does_not_cover_is_said_so_without_the_model(corpus, generator):
    # The fake embedder hashes words into 64 buckets, so most questions share a bucket with some
    # sentence; this one is below the coverage bar (0.28 < 0.30) on the sample corpus.
    result = runner.invoke(app, ["ask", "Penguins?"])
    assert result.exit_code == 0
    assert "The corpus does not cover this" in result.stdout
    assert generator.history == []


def test_a_long_question_is_trimmed_with_a_notice(corpus, generator):
    generator.enqueue(["The summit took place in Alaska [1]."])
    result = runner.invoke(app, ["ask", "--format", "json", QUESTION + " and why" * 300])
    data = json.loads(result.stdout)
    assert len(data["question"]) <= MAX_QUESTION_CHARS
    assert any("trimmed" in n for n in data["notices"])


def test_the_prompt_reads_questions_and_commands_until_quit(corpus, generator):
    generator.enqueue(["The summit took place in Alaska [1]."])
    doc_id = sorted(p.stem for p in corpus.glob("*.txt"))[0]
    lines = [
        "",
        "/help",
        "/sources",
        f"/doc {doc_id}",
        "/doc ../../etc/passwd",
        "/check The summit took place in Alaska.",
        "/nonsense",
        QUESTION,
        "/quit",
        "never read",
    ]
    result = runner.invoke(app, ["ask"], input="\n".join(lines) + "\n")
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "/check CLAIM" in out and "/quit" in out  # help
    assert doc_id in out and "On Friday, former President Donald Trump" in out  # sources and /doc
    assert "no document '../../etc/passwd'" in out
    assert "1 claims" in out  # the check table's summary line
    assert "unknown command" in out
    assert "The summit took place in Alaska [1]." in out and "sources" in out
    assert len(generator.history) == 1


def test_the_prompt_ends_at_end_of_input(corpus, generator):
    result = runner.invoke(app, ["ask"], input="/help\n")
    assert result.exit_code == 0 and "/sources" in result.stdout


def test_an_empty_corpus_is_a_usage_error(fake_embedder, generator, monkeypatch):
    monkeypatch.setenv("FACTCHECK_MODEL", "fake-llm")
    result = runner.invoke(app, ["ask", QUESTION])
    assert result.exit_code == 2
    assert "the corpus is empty" in result.stderr and "factcheck ingest" in result.stderr


def test_a_missing_model_says_how_to_get_it(fake_embedder, sample_corpus, tmp_path, monkeypatch):
    assert runner.invoke(app, ["ingest", str(sample_corpus)]).exit_code == 0
    monkeypatch.setenv("FACTCHECK_MODELS_DIR", str(tmp_path / "no-models"))
    result = runner.invoke(app, ["--model", "smollm2-135m", "ask", QUESTION])
    assert result.exit_code == 3
    assert "factcheck models pull smollm2-135m" in result.stderr


@pytest.mark.parametrize("args", [["ask", "--format", "json"], ["ask", "   "]])
def test_json_without_a_question_or_an_empty_question_is_a_usage_error(corpus, args):
    result = runner.invoke(app, args)
    assert result.exit_code == 2 and "Traceback" not in result.output


def test_disagreeing_passages_are_shown_with_both_sides(corpus, generator):
    # On the sample corpus one article has the talks begin at 19:30 GMT, another shortly before 19:00.
    generator.enqueue(["The talks were set for 19:30 GMT [1], but another article says shortly before 19:00 GMT [2]."])
    result = runner.invoke(app, ["ask", "At what time GMT did the talks begin?"])
    assert result.exit_code == 0, result.output
    out = result.stdout[result.stdout.index("the articles disagree") :]
    assert "19:30 GMT" in out and "19:00 GMT" in out
    assert "001_976a07284dc4f461 says" in out and "004_62a568f4fab62d01 says" in out


class InterruptedOnce(FakeGenerator):
    """The first answer is interrupted (Ctrl-C) after its first word; later ones stream as queued."""

    def stream(self, messages, *, max_tokens):
        if not self.history:
            self.history.append({"messages": list(messages), "interrupted": True})
            yield "The"
            raise KeyboardInterrupt
        yield from super().stream(messages, max_tokens=max_tokens)


@pytest.fixture
def interrupted(corpus) -> InterruptedOnce:
    fake = InterruptedOnce()
    register_backend("fake-llm")(lambda settings: fake)  # the corpus fixture puts conftest's back
    return fake


def test_ctrl_c_cancels_the_answer_and_the_prompt_goes_on(interrupted):
    interrupted.enqueue(["The summit took place in Alaska [1]."])
    result = runner.invoke(app, ["ask"], input=f"{QUESTION}\n{QUESTION}\n")
    assert result.exit_code == 0, result.output
    assert "cancelled" in result.stdout
    assert result.stdout.index("cancelled") < result.stdout.index("The summit took place in Alaska [1].")


def test_ctrl_c_during_a_one_shot_answer_exits_130(interrupted):
    result = runner.invoke(app, ["ask", QUESTION])
    assert result.exit_code == 130


def test_with_weight_0_the_chat_model_still_writes_the_answer_but_judges_no_claim(corpus, generator, monkeypatch):
    # fake-llm is no preset: its weight is the unmeasured default, set to 0 here as for smollm2-135m.
    monkeypatch.setattr("factcheck.models.presets.UNMEASURED_JUDGE_WEIGHT", 0.0)
    generator.enqueue(["The summit took place in Alaska [1]."])
    result = runner.invoke(app, ["ask", "--format", "json", QUESTION])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert len(generator.history) == 1 and data["answer"] == "The summit took place in Alaska [1]."
    assert data["model"] == "fake-llm" and not data["extractive"]
    assert [c["verdict"] in VERDICTS for c in data["claims"]] == [True]
    assert FAKE_JUDGE.history == []
    assert any("model not consulted (weight 0)" in n for n in data["notices"])


def test_an_empty_answer_from_the_model_is_no_crash(corpus, generator):
    generator.enqueue([""])  # a small model may write nothing at all
    result = runner.invoke(app, ["ask", "--format", "json", QUESTION])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["citations"] == [] and data["claims"] == []
