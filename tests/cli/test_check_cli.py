"""`factcheck check` and `factcheck audit` through the CLI, with the fake embedder and judge."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from factcheck.cli import app
from factcheck.models.backend import BACKENDS, register_backend
from factcheck.schema import Judgement, Stance
from tests.conftest import FAKE_CHAT, FAKE_JUDGE
from tests.fakes import FakeBackend

runner = CliRunner()
CONTRACT_CLAIM_KEYS = {"id", "claim", "verdict", "confidence", "independent_sources", "sources", "model", "prompt_hash"}
CONTRACT_SOURCE_KEYS = {"doc_id", "stance", "quote", "chunk_id", "score", "checks"}


@pytest.fixture
def corpus(fake_embedder, sample_corpus, monkeypatch):
    monkeypatch.setenv("FACTCHECK_MODEL", "fake-llm")
    assert runner.invoke(app, ["ingest", str(sample_corpus)]).exit_code == 0
    return sample_corpus


def check_json(*args: str, input: str | None = None) -> tuple[int, dict, str]:
    result = runner.invoke(app, ["check", *args, "--format", "json"], input=input)
    data = json.loads(result.stdout) if result.stdout.strip().startswith("{") else {}
    return result.exit_code, data, result.stderr


def test_json_report_follows_the_contract(corpus):
    code, data, _ = check_json("The New START treaty caps deployed strategic warheads at 1,000.")
    assert code == 0
    [claim] = data["claims"]
    assert CONTRACT_CLAIM_KEYS <= set(claim)
    assert claim["verdict"] in {"supported", "contradicted", "single-source", "unverified"}
    assert {s["doc_id"] for s in claim["sources"]} == {p.stem for p in corpus.glob("*.txt")}
    assert all(CONTRACT_SOURCE_KEYS <= set(s) for s in claim["sources"])


def test_a_changed_number_is_contradicted_with_the_conflicting_quote(corpus):
    _, data, _ = check_json(
        "--no-model", "Both sides could exceed the current cap of 1,000 deployed strategic warheads."
    )
    [claim] = data["claims"]
    assert claim["verdict"] == "contradicted"
    refuting = [s for s in claim["sources"] if s["stance"] == "refutes"]
    assert refuting and "1,550" in refuting[0]["quote"]
    assert any(c["kind"] == "number" and c["outcome"] == "conflict" for c in refuting[0]["checks"])


def test_claims_file_in_jsonl_names_bad_lines_and_goes_on(corpus, tmp_path):
    path = tmp_path / "claims.jsonl"
    path.write_text(
        '{"id": "a", "claim": "Putin met Trump in Anchorage."}\n'
        "{not json}\n"
        '{"id": "a", "claim": "A duplicate id."}\n'
        '{"id": "b", "claim": "The summit took place in Alaska."}\n'
        '{"id": "c"}\n'
    )
    code, data, err = check_json("--claims", str(path))
    assert code == 1
    assert [c["id"] for c in data["claims"]] == ["a", "b"]
    for line in (2, 3, 5):
        assert f"claims.jsonl:{line}:" in err
    assert "duplicate id 'a'" in err


def test_plain_text_claims_come_from_stdin(corpus):
    code, data, _ = check_json(
        "--claims", "-", input="# a comment\nPutin met Trump in Anchorage.\n\nThe summit was in Alaska.\n"
    )
    assert code == 0
    assert [c["claim"] for c in data["claims"]] == ["Putin met Trump in Anchorage.", "The summit was in Alaska."]


def test_an_empty_claims_file_is_a_usage_error(corpus, tmp_path):
    (tmp_path / "empty.txt").write_text("\n\n")
    result = runner.invoke(app, ["check", "--claims", str(tmp_path / "empty.txt")])
    assert result.exit_code == 2
    assert "empty.txt" in result.stderr and "Traceback" not in result.output


def test_no_claims_at_all_says_how_to_give_them(corpus):
    result = runner.invoke(app, ["check"])
    assert result.exit_code == 2 and "--claims" in result.stderr


def test_an_empty_corpus_says_ingest_first(fake_embedder, monkeypatch):
    monkeypatch.setenv("FACTCHECK_MODEL", "fake-llm")
    result = runner.invoke(app, ["check", "Anything at all."])
    assert result.exit_code == 2
    assert "factcheck ingest" in result.stderr


def test_a_claim_of_thousands_of_characters_is_trimmed_with_a_notice(corpus):
    code, data, err = check_json("The summit was held in Alaska. " * 300)
    assert code == 0
    assert any("trimmed" in n for n in data["notices"])


def test_the_article_option_checks_its_sentences_against_the_other_documents(corpus):
    article = next(corpus.glob("003_*.txt"))
    code, data, _ = check_json("--article", str(article))
    assert code == 0 and data["claims"]
    assert all(article.stem not in {s["doc_id"] for s in c["sources"]} for c in data["claims"])


def test_the_judge_is_asked_per_document_with_the_claim_first(corpus, monkeypatch):
    monkeypatch.setenv("FACTCHECK_MODEL", "fake-llm")
    FAKE_JUDGE.history.clear()
    check_json("--no-cache", "Putin and Trump met at Joint Base Elmendorf-Richardson in Anchorage.")
    asked = [call["doc_id"] for call in FAKE_JUDGE.history]
    assert asked == sorted(asked) and len(set(asked)) == len(asked) >= 1
    assert all(call["claim"].startswith("Putin and Trump") for call in FAKE_JUDGE.history)


def test_a_trusted_model_can_overrule_similarity(corpus):
    claim = "Putin and Trump met at Joint Base Elmendorf-Richardson in Anchorage."
    refute = {"supports": 0.01, "refutes": 0.98, "not_mentioned": 0.01}
    FAKE_JUDGE.enqueue([Judgement(stance=Stance.REFUTES, probabilities=refute)] * 5)
    _, data, _ = check_json("--no-cache", "--judge-weight", "1", claim)
    assert data["claims"][0]["verdict"] == "contradicted"
    FAKE_JUDGE.queue.clear()


def test_reports_are_written_in_the_format_of_the_out_file(corpus, tmp_path):
    for suffix, marker in ((".md", "# "), (".html", "<!doctype html>"), (".json", '"claims"')):
        out = tmp_path / f"report{suffix}"
        result = runner.invoke(app, ["check", "Putin met Trump in Alaska.", "--out", str(out)])
        assert result.exit_code == 0, result.output
        assert marker in out.read_text(encoding="utf-8")


def test_audit_reports_conflicting_pairs_between_documents(corpus):
    result = runner.invoke(app, ["audit", "--no-model", "--format", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    pairs = {(c["doc_a"], c["doc_b"]) for c in data["contradictions"]}
    assert pairs and all(a != b for a, b in pairs)
    assert all(c["topic"] and c["quote_a"] and c["quote_b"] for c in data["contradictions"])


def test_audit_of_an_unknown_document_is_a_usage_error(corpus):
    result = runner.invoke(app, ["audit", "--doc", "nope", "--no-model"])
    assert result.exit_code == 2 and "nope" in result.stderr


def test_smoke_test_notice_appears_in_every_report(corpus, monkeypatch):
    monkeypatch.setattr(FAKE_JUDGE, "smoke_test", True, raising=False)
    monkeypatch.setattr(
        "factcheck.check.selection.load_llm_judge",
        lambda settings: (FAKE_JUDGE, __import__("factcheck.schema").schema.ModelInfo("tiny", None, True)),
    )
    code, data, err = check_json("Putin met Trump in Alaska.")
    assert any("smoke-test" in n for n in data["notices"])
    assert "smoke-test" in err


# --- a model whose weight is 0 is neither loaded nor asked ------------------------------------

NOT_CONSULTED = "model not consulted (weight 0)"
CLAIM = "Putin and Trump met at Joint Base Elmendorf-Richardson in Anchorage."


@pytest.fixture
def judge_loads(corpus, monkeypatch):
    """The fake judge under a name of its own whose factory counts how often it is loaded."""
    loads: list[str] = []
    register_backend("counted-llm")(lambda settings: loads.append(settings.model) or FakeBackend(judge=FAKE_JUDGE))
    monkeypatch.setenv("FACTCHECK_MODEL", "counted-llm")
    yield loads
    BACKENDS.remove("counted-llm")


def test_a_weight_0_model_is_not_loaded_nor_asked_and_the_report_says_so(judge_loads):
    code, data, err = check_json("--no-cache", "--judge-weight", "0", CLAIM)
    assert code == 0
    assert judge_loads == [] and FAKE_JUDGE.history == []
    assert [n for n in data["notices"] if NOT_CONSULTED in n] == [data["notices"][0]]  # once, first
    assert data["model"]["name"] == "counted-llm" and data["model"]["consulted"] is False
    assert data["claims"][0]["model"]["consulted"] is False and data["stats"]["judgements"] == 0
    assert NOT_CONSULTED in err


def test_a_model_whose_weight_counts_is_loaded_and_asked(judge_loads):
    code, data, _ = check_json("--no-cache", "--judge-weight", "0.5", CLAIM)
    assert code == 0
    assert judge_loads == ["counted-llm"] and FAKE_JUDGE.history
    assert data["model"]["consulted"] is True and not any(NOT_CONSULTED in n for n in data["notices"])


def test_every_report_format_says_the_model_was_not_consulted(judge_loads, tmp_path):
    for suffix in (".md", ".html"):
        out = tmp_path / f"report{suffix}"
        result = runner.invoke(app, ["check", "--judge-weight", "0", CLAIM, "--out", str(out)])
        assert result.exit_code == 0, result.output
        assert NOT_CONSULTED in out.read_text(encoding="utf-8")
    table = runner.invoke(app, ["check", "--judge-weight", "0", CLAIM])
    assert table.stderr.count(NOT_CONSULTED) == 1 and NOT_CONSULTED not in table.stdout  # once, on stderr
    assert FAKE_JUDGE.history == []


def test_weight_0_gives_exactly_the_verdicts_of_no_model(corpus):
    claims = [CLAIM, "Both sides could exceed the current cap of 1,000 deployed strategic warheads."]
    without = check_json("--no-cache", "--no-model", *claims)[1]["claims"]
    weightless = check_json("--no-cache", "--judge-weight", "0", *claims)[1]["claims"]
    drop = ("model", "prompt_hash")
    assert [{k: v for k, v in c.items() if k not in drop} for c in weightless] == [
        {k: v for k, v in c.items() if k not in drop} for c in without
    ]


def test_a_cached_result_of_a_trusted_model_is_not_served_at_weight_0(corpus):
    refute = {"supports": 0.01, "refutes": 0.98, "not_mentioned": 0.01}
    FAKE_JUDGE.enqueue([Judgement(stance=Stance.REFUTES, probabilities=refute)] * 5)
    trusted = check_json("--judge-weight", "1", CLAIM)[1]
    FAKE_JUDGE.history.clear()
    weightless = check_json("--judge-weight", "0", CLAIM)[1]
    assert trusted["claims"][0]["verdict"] == "contradicted"
    assert weightless["claims"][0]["verdict"] != "contradicted" and FAKE_JUDGE.history == []


def test_audit_with_weight_0_loads_no_judge(judge_loads):
    result = runner.invoke(app, ["audit", "--judge-weight", "0", "--no-cache", "--format", "json"])
    assert result.exit_code == 0, result.output
    assert judge_loads == [] and FAKE_JUDGE.history == []
    assert any(NOT_CONSULTED in n for n in json.loads(result.stdout)["notices"])


def test_audit_decompose_with_weight_0_still_uses_the_chat_model_to_decompose(corpus):
    doc_id = sorted(p.stem for p in corpus.glob("*.txt"))[0]
    args = ["audit", "--decompose", "--doc", doc_id, "--judge-weight", "0", "--no-cache", "--format", "json"]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    assert FAKE_CHAT.history and FAKE_JUDGE.history == []


def test_each_source_shows_its_coverage_and_without_coverage_it_is_not_measured(corpus):
    claim = "Trump and Putin met at Joint Base Elmendorf-Richardson."
    _, data, _ = check_json("--no-model", "--no-cache", claim)
    assert all(0.0 <= s["coverage"] <= 1.0 for s in data["claims"][0]["sources"])
    _, data, _ = check_json("--no-model", "--no-cache", "--without", "coverage", claim)
    assert all(s["coverage"] is None for s in data["claims"][0]["sources"])


def test_a_negated_claim_is_contradicted_by_the_sentence_that_states_it(corpus):
    """The negation signal: the sample articles say the two leaders met at the base."""
    claim = "Trump and Putin did not meet at Joint Base Elmendorf-Richardson in Anchorage."
    _, data, _ = check_json("--no-model", "--no-cache", claim)
    [result] = data["claims"]
    negations = [c for s in result["sources"] for c in s["checks"] if c["kind"] == "negation"]
    assert result["verdict"] == "contradicted" and negations
    _, data, _ = check_json("--no-model", "--no-cache", "--without", "negation", claim)
    assert not [c for s in data["claims"][0]["sources"] for c in s["checks"] if c["kind"] == "negation"]
