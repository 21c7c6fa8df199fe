"""`factcheck check --format table`: each claim's row carries its own verdict.

Supersedes test_check_cli.py::test_the_table_names_each_verdict, which looked for "contradicted"
anywhere in the output: the summary line names all four verdicts (with their counts, zeros too),
so that test could not fail. Here a tiny corpus is built so that four claims get the four
verdicts, and each verdict must be on its own claim's row."""

from __future__ import annotations

import re

import pytest
from typer.testing import CliRunner

from factcheck.cli import app
from factcheck.schema import Verdict

runner = CliRunner()
ARTICLES = {
    "ferry-a": "The ferry to Kodiak leaves at noon every Tuesday. The harbour master said the new terminal cost "
    "120 million dollars to build. Fishing boats crowded the docks before the storm reached the coast.",
    "ferry-b": "Tourists queued for tickets in the rain outside the small wooden office. The ferry to Kodiak "
    "leaves at noon every Tuesday. A local choir sang carols for the waiting passengers.",
    "museum": "The town museum opened a new whale exhibit on Saturday. Children pressed against the glass to "
    "see the skeleton of a grey whale.",
}
# Written down from the README's rule and the articles above, not from factcheck's output.
CLAIMS = {
    "twice": ("The ferry to Kodiak leaves at noon every Tuesday.", Verdict.SUPPORTED),  # two articles
    "once": ("The town museum opened a new whale exhibit on Saturday.", Verdict.SINGLE_SOURCE),
    "conflict": ("The harbour master said the new terminal cost 300 million dollars to build.", Verdict.CONTRADICTED),
    "nowhere": ("Penguins nest on the ice shelves of Antarctica.", Verdict.UNVERIFIED),
}


@pytest.fixture
def claims_file(fake_embedder, tmp_path, monkeypatch):
    monkeypatch.setenv("FACTCHECK_MODEL", "fake-llm")
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for doc_id, text in ARTICLES.items():
        (corpus / f"{doc_id}.txt").write_text(text, encoding="utf-8")
    assert runner.invoke(app, ["ingest", str(corpus)]).exit_code == 0
    path = tmp_path / "claims.jsonl"
    path.write_text("".join(f'{{"id": "{cid}", "claim": "{claim}"}}\n' for cid, (claim, _) in CLAIMS.items()))
    return path


@pytest.mark.parametrize("columns", ["200", "80"], ids=["wide", "narrow"])
def test_the_table_names_each_claims_own_verdict_on_its_row(claims_file, columns):
    result = runner.invoke(app, ["check", "--no-model", "--claims", str(claims_file)], env={"COLUMNS": columns})
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    names = [v.value for v in Verdict]
    for cid, (_, verdict) in CLAIMS.items():
        [row] = [line for line in lines if re.match(rf"\s*{cid}\s", line)]
        assert [name for name in names if re.search(rf"(?<![\w-]){name}(?![\w-])", row)] == [verdict.value], row
    summary = next(line for line in lines if re.match(r"\s*4 claims", line))
    assert all(re.search(rf"\b1 {v.value}", summary) for v in Verdict), summary
