"""What reaches the terminal: article text cannot drive it (no escape sequences), and an --out
that cannot be written is refused before any work, with one line and no traceback."""

from __future__ import annotations

import io
import json
import os
from pathlib import Path

import pytest
from rich.console import Console
from typer.testing import CliRunner

from factcheck.ask.answer import Answer, AnswerClaim
from factcheck.ask.citations import Citation, DroppedMarker
from factcheck.ask.disagree import Disagreement
from factcheck.ask.render import print_details
from factcheck.cli import app
from factcheck.report import print_table
from factcheck.schema import CheckReport, ClaimResult, Contradiction, ModelInfo, SourceStance, Stance, Verdict
from tests.conftest import FAKE_EMBEDDER

runner = CliRunner()
CLEAR = "\x1b[2J"
TITLE = "\x1b]0;pwned\x07"
HOSTILE_ARTICLE = (
    f"Warheads report{TITLE}\n\n"
    f"The treaty caps deployed strategic warheads at 1,550.{CLEAR} Officials in Anchorage confirmed the cap.\n"
    f"Negotiators met in Anchorage{TITLE} on Friday to discuss the warheads treaty.\n"
)
CLAIM = f"The treaty caps deployed strategic warheads at 1,000.{CLEAR}"


@pytest.fixture
def hostile(fake_embedder, tmp_path, monkeypatch) -> str:
    monkeypatch.setenv("FACTCHECK_MODEL", "fake-llm")
    folder = tmp_path / "articles"
    folder.mkdir()
    (folder / "hostile.txt").write_text(HOSTILE_ARTICLE, encoding="utf-8")
    result = runner.invoke(app, ["ingest", str(folder)])
    assert result.exit_code == 0, result.output
    return "hostile"


def shown(args: list[str], input: str | None = None) -> str:
    result = runner.invoke(app, args, input=input)
    assert result.exit_code == 0, result.output
    return result.stdout


# --- article text on the terminal --------------------------------------------------------------


def test_corpus_show_prints_no_escape_sequence(hostile):
    assert "\x1b" not in shown(["corpus", "show", hostile])
    assert "\x1b" not in shown(["corpus", "show", hostile, "--chunks"])
    assert "warheads at 1,550." in shown(["corpus", "show", hostile])


def test_corpus_search_prints_no_escape_sequence(hostile):
    out = shown(["corpus", "search", f"warheads treaty {TITLE}"])
    assert "\x1b" not in out and "1,550" in out


def test_check_table_prints_no_escape_sequence(hostile):
    out = shown(["check", "--no-model", CLAIM])
    assert "\x1b" not in out and "1,000" in out and "1,550" in out


def test_ask_answer_and_prompt_print_no_escape_sequence(hostile):
    assert "\x1b" not in shown(["ask", "--no-model", f"How many warheads does the treaty allow?{CLEAR}"])
    assert "\x1b" not in shown(["ask", "--no-model"], input=f"/sources\n/doc {hostile}\n/check {CLAIM}\n")


def test_markdown_and_html_reports_on_the_screen_or_in_a_file_carry_no_escape_sequence(hostile, tmp_path):
    for fmt in ("md", "html"):
        assert "\x1b" not in shown(["check", "--no-model", "--format", fmt, CLAIM])
    shown(["check", "--no-model", "--out", str(tmp_path / "r.md"), CLAIM])
    assert "\x1b" not in (tmp_path / "r.md").read_text(encoding="utf-8")


def test_json_output_keeps_the_data_as_it_is(hostile):
    result = runner.invoke(app, ["check", "--no-model", "--format", "json", CLAIM])
    assert json.loads(result.stdout)["claims"][0]["claim"] == CLAIM.strip()


def plain_console() -> Console:
    """No colours, so any ESC in what it wrote came from the data."""
    return Console(file=io.StringIO(), width=100, force_terminal=False, color_system=None)


def hostile_report() -> CheckReport:
    refutes = SourceStance("doc" + TITLE, Stance.REFUTES, 0.9, f"It says 1,550.{CLEAR}", "doc:0", 0.8)
    result = ClaimResult(f"c1{CLEAR}", CLAIM, Verdict.CONTRADICTED, 0.8, 0, (refutes,))
    contradiction = Contradiction(f"topic{TITLE}", CLAIM, "a", f"one{CLEAR}", "b", f"two{TITLE}")
    return CheckReport(
        (result,), ModelInfo("m", None), "e", "p", "now", (f"notice{CLEAR}",), contradictions=(contradiction,)
    )


def hostile_answer() -> Answer:
    result = ClaimResult("claim-1", CLAIM, Verdict.CONTRADICTED, 0.8, 0, ())
    return Answer(
        question=f"q{CLEAR}",
        text=f"not covered{TITLE}",
        covered=False,
        citations=(Citation(1, f"doc{TITLE}", "doc:0001", f"quote{CLEAR}", 0.9),),
        dropped=(DroppedMarker(2, f"reason{CLEAR}"),),
        claims=(AnswerClaim(CLAIM, (1,), result),),
        disagreements=(Disagreement(f"about{CLEAR}", "a", f"one{TITLE}", "b", f"two{CLEAR}", "passages"),),
        notices=(f"notice{TITLE}",),
    )


@pytest.mark.parametrize("width", [80, 160])
def test_the_report_table_prints_no_escape_sequence_from_its_data(width):
    console = plain_console()
    console.width = width
    print_table(hostile_report(), console)
    written = console.file.getvalue()
    assert "\x1b" not in written and "\x07" not in written and "It says 1,550." in written


def test_the_answer_details_print_no_escape_sequence_from_their_data():
    console = plain_console()
    print_details(hostile_answer(), console)
    written = console.file.getvalue()
    assert "\x1b" not in written and "\x07" not in written and "quote" in written


# --- an --out that cannot be written --------------------------------------------------------


@pytest.fixture
def corpus(fake_embedder, sample_corpus, monkeypatch) -> Path:
    monkeypatch.setenv("FACTCHECK_MODEL", "fake-llm")
    assert runner.invoke(app, ["ingest", str(sample_corpus)]).exit_code == 0
    FAKE_EMBEDDER.calls.clear()
    return sample_corpus


def refused(args: list[str]) -> str:
    """The command failed with a usage error, one line, no traceback, before embedding anything."""
    result = runner.invoke(app, args)
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert FAKE_EMBEDDER.calls == [], "the batch ran before the destination was checked"
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    return " ".join(result.stderr.split())


def test_a_check_into_a_missing_folder_is_refused_before_it_runs(corpus, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    message = refused(["check", "--no-model", "--out", "missing/dir/r.json", "Putin met Trump in Anchorage."])
    assert "cannot write the report to missing/dir/r.json: folder missing/dir does not exist" in message


def test_an_audit_into_a_missing_folder_is_refused_before_it_runs(corpus, tmp_path):
    out = tmp_path / "nowhere" / "audit.md"
    message = refused(["audit", "--no-model", "--out", str(out)])
    assert str(out) in message and "does not exist" in message


def test_an_out_whose_folder_is_a_file_is_refused(corpus, tmp_path):
    (tmp_path / "notes.txt").write_text("a file, not a folder")
    out = tmp_path / "notes.txt" / "r.html"
    message = refused(["check", "--no-model", "--out", str(out), "Putin met Trump in Anchorage."])
    assert str(out) in message and "is not a folder" in message


@pytest.mark.skipif(os.geteuid() == 0, reason="root may write a read-only file")
def test_a_read_only_out_file_is_refused(corpus, tmp_path):
    out = tmp_path / "r.json"
    out.write_text("{}")
    out.chmod(0o444)
    message = refused(["check", "--no-model", "--out", str(out), "Putin met Trump in Anchorage."])
    assert str(out) in message and "not writable" in message


def test_a_table_into_a_file_is_refused_before_it_runs(corpus, tmp_path):
    message = refused(["check", "--no-model", "--format", "table", "--out", str(tmp_path / "r.txt"), "A claim."])
    assert "a table is for the screen" in message


def test_an_eval_into_a_missing_folder_is_refused_before_it_runs(fake_embedder, tmp_path):
    dataset = tmp_path / "data"
    (dataset / "corpus").mkdir(parents=True)
    (dataset / "corpus" / "a.txt").write_text("Putin met Trump in Anchorage on Friday.\n")
    claim = {"id": "1", "claim": "Putin met Trump.", "label": "supported", "evidence": ["a"]}
    (dataset / "claims.jsonl").write_text(json.dumps(claim) + "\n")
    out = tmp_path / "missing" / "eval.json"
    message = refused(["eval", "--no-model", str(dataset), "--out", str(out)])
    assert str(out) in message and "does not exist" in message


def test_an_error_at_the_write_itself_is_one_line(corpus, tmp_path, monkeypatch):
    def no_space(self, *args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(Path, "write_text", no_space)
    out = tmp_path / "r.json"
    result = runner.invoke(app, ["check", "--no-model", "--out", str(out), "Putin met Trump in Anchorage."])
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert "cannot write the report to" in result.stderr and "No space left on device" in result.stderr
