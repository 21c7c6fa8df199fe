"""Publication dates through the CLI: reports name their sources and order them in time,
`--as-of` checks against what was published by a day, `corpus list` shows the dates, and a
quote from a paged document (a PDF) names its page. Fake embedder; no model."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from typer.testing import CliRunner

from factcheck.check.pipeline import ClaimInput
from factcheck.check.session import CheckOptions, CheckSession
from factcheck.cli import app
from factcheck.config import Settings
from factcheck.corpus.chunking import chunk_text, split_sentences
from factcheck.corpus.ingest import ChunkingPolicy
from factcheck.models.embedding import load_embedder
from factcheck.models.resolve import store_key
from factcheck.schema import SourceDocument
from factcheck.store import CorpusStore

runner = CliRunner()
CLAIM = "The talks between the two delegations began at 19:30 GMT in Anchorage."
ARTICLES = {
    "early.txt": "Talks begin in Anchorage\nPublished: 2025-08-14\n\nThe talks between the two delegations began at "
    "19:30 GMT in Anchorage on Thursday evening. Reporters waited outside the base for most of the night.\n",
    "late.txt": "Corrected schedule for the Anchorage talks\nPublished: 2025-08-15\n\nThe talks between the two "
    "delegations began at 19:00 GMT in Anchorage on Thursday evening. Officials gave no reason for the change.\n",
    "undated.txt": "Notes from the press pool\n\nFishing boats left the harbour early while the weather held.\n",
}


@pytest.fixture
def articles(fake_embedder, tmp_path: Path) -> Path:
    folder = tmp_path / "articles"
    folder.mkdir()
    for name, text in ARTICLES.items():
        (folder / name).write_text(text, encoding="utf-8")
    result = runner.invoke(app, ["ingest", str(folder)])
    assert result.exit_code == 0, result.output
    return folder


def run_json(*args: str) -> tuple[int, dict, str]:
    result = runner.invoke(app, [*args, "--no-model", "--format", "json"])
    data = json.loads(result.stdout) if result.stdout.strip().startswith("{") else {}
    return result.exit_code, data, result.stderr


def test_the_json_report_orders_conflicting_articles_in_time_and_names_the_latest(articles):
    code, data, _ = run_json("check", CLAIM)
    assert code == 0
    [claim] = data["claims"]
    assert claim["verdict"] == "contradicted"  # a later correction does not change the verdict rule
    assert [(e["doc_id"], e["published"], e["stance"]) for e in claim["timeline"]] == [
        ("early", "2025-08-14", "supports"),
        ("late", "2025-08-15", "refutes"),
    ]
    assert claim["latest"] == {"published": "2025-08-15", "doc_ids": ["late"], "stance": "refutes"}
    assert data["documents"]["late"]["title"] == "Corrected schedule for the Anchorage talks"
    assert data["documents"]["late"]["published"] == "2025-08-15"
    assert data["documents"]["late"]["source"] == str(articles / "late.txt")
    assert all(s["page"] is None for s in claim["sources"])  # text files are not paged


def test_the_table_and_markdown_show_the_timeline_and_the_sources_names(articles):
    table = runner.invoke(app, ["check", "--no-model", CLAIM], env={"COLUMNS": "140"})
    assert table.exit_code == 0, table.output
    flat = " ".join(table.stdout.split())
    assert "in time: 2025-08-14 early supports → 2025-08-15 late refutes" in flat
    assert "the latest, late (2025-08-15), refutes" in flat
    assert "Corrected schedule for the Anchorage talks" in flat
    markdown = runner.invoke(app, ["check", "--no-model", "--format", "md", CLAIM]).stdout
    assert "**Timeline:** 2025-08-14 early supports → 2025-08-15 late refutes." in markdown
    assert "**late** (Corrected schedule for the Anchorage talks · 2025-08-15) — refutes" in markdown


def test_as_of_between_the_dates_leaves_the_later_article_out_and_says_so(articles):
    code, data, err = run_json("check", "--as-of", "2025-08-14", CLAIM)
    assert code == 0
    [claim] = data["claims"]
    assert [s["doc_id"] for s in claim["sources"]] == ["early"]
    assert claim["verdict"] == "single-source"
    assert data["as_of"] == "2025-08-14" and set(data["documents"]) == {"early"}
    [notice] = [n for n in data["notices"] if n.startswith("as of 2025-08-14")]
    assert "left out 1 published later and 1 undated" in notice
    assert "left out 1 published later" in err  # the notice reaches the screen too


def test_audit_as_of_reads_only_the_earlier_article(articles):
    code, data, _ = run_json("audit", "--as-of", "2025-08-14")
    assert code == 0
    assert data["contradictions"] == [] and set(data["documents"]) <= {"early"}
    code, data, _ = run_json("audit", "--as-of", "2025-08-15")
    assert {(c["doc_a"], c["doc_b"]) for c in data["contradictions"]} <= {("early", "late"), ("late", "early")}
    assert data["contradictions"]


@pytest.mark.parametrize("command", [["check", CLAIM], ["audit"]])
def test_a_bad_as_of_date_is_a_usage_error_before_any_work(fake_embedder, command):
    # No corpus at all: the date is refused before the store is even opened.
    result = runner.invoke(app, [*command, "--as-of", "14/08/2025"])
    assert result.exit_code == 2
    assert "YYYY-MM-DD" in result.stderr and "ingest" not in result.stderr


def test_as_of_before_every_article_says_nothing_was_published_yet(articles):
    result = runner.invoke(app, ["check", "--no-model", "--as-of", "2025-08-01", CLAIM])
    assert result.exit_code == 2
    assert "no document was published on or before 2025-08-01" in result.stderr


def test_the_cache_key_includes_the_as_of_date(articles, isolated_home):
    settings = Settings(home=isolated_home, embedder="fake-embedder")
    item = ClaimInput("c1", CLAIM)

    def key(as_of: date | None) -> str:
        return CheckSession(settings, CheckOptions(use_model=False, as_of=as_of))._cache_key(item)

    # The 15th and the 20th keep the same two articles; the day itself still tells the results apart.
    keys = {key(None), key(date(2025, 8, 14)), key(date(2025, 8, 15)), key(date(2025, 8, 20))}
    assert len(keys) == 4


def test_corpus_list_json_has_dates_sites_authors_and_the_source_kind(articles):
    listed = json.loads(runner.invoke(app, ["corpus", "list", "--format", "json"]).stdout)
    by_id = {r["doc_id"]: r for r in listed}
    assert by_id["early"]["published"] == "2025-08-14" and by_id["undated"]["published"] is None
    assert all(r["site"] == "" and r["authors"] == [] and r["source_kind"] == "file" for r in listed)
    assert {"doc_id", "title", "chunks", "chars", "source_path", "sha256", "source_missing"} <= set(by_id["early"])


# --- a paged document (a PDF's text, put straight into the store) ------------------------------

PAGE_ONE = "Annex one lists the members of each delegation and their roles at the summit. "
PAGE_TWO = "The second annex records that the closing session ended at 22:00 GMT after six hours of talks."


def put_paged_document(home: Path) -> None:
    """A document of two pages, stored as ingest would store it (without reading any PDF)."""
    settings = Settings(home=home, embedder="fake-embedder")
    embedder = load_embedder(settings)
    policy = ChunkingPolicy.for_embedder(embedder, settings.chunk_tokens, settings.chunk_overlap_tokens)
    text = PAGE_ONE + PAGE_TWO
    doc = SourceDocument(
        doc_id="annex",
        path="https://example.org/annex.pdf",
        title="Summit annex",
        text=text,
        sha256="d" * 64,
        published=date(2025, 8, 16),
        site="Example Gov",
        pages=(0, len(PAGE_ONE)),
    )
    spans = chunk_text(text, count_tokens=embedder.count_tokens, max_tokens=policy.max_tokens, overlap_tokens=0)
    sentences = split_sentences(text)
    store = CorpusStore(settings.store_dir, store_key(settings))
    store.put_document(
        doc,
        spans,
        embedder.embed([s.text for s in spans]),
        sentences=sentences,
        sentence_embeddings=embedder.embed([text[a:b] for a, b in sentences]),
        chunking=policy.signature,
    )


def test_a_quote_from_a_paged_document_names_its_page(articles, isolated_home):
    put_paged_document(isolated_home)
    code, data, _ = run_json("check", "The closing session ended at 22:00 GMT after six hours of talks.")
    assert code == 0
    [annex] = [s for s in data["claims"][0]["sources"] if s["doc_id"] == "annex"]
    assert annex["stance"] == "supports" and PAGE_TWO.startswith(annex["quote"][:20]) and annex["page"] == 2
    assert data["documents"]["annex"]["site"] == "Example Gov"
    markdown = runner.invoke(app, ["check", "--no-model", "--format", "md", "The closing session ended at 22:00 GMT."])
    assert "**annex** (Summit annex · Example Gov · 2025-08-16 · p. 2)" in markdown.stdout


def test_an_ask_citation_names_the_title_date_and_page(articles, isolated_home):
    put_paged_document(isolated_home)
    question = "When did the closing session of the talks end?"
    result = runner.invoke(app, ["ask", "--no-model", "--format", "json", question])
    assert result.exit_code == 0, result.output
    citations = json.loads(result.stdout)["citations"]
    [annex] = [c for c in citations if c["doc_id"] == "annex"]
    assert (annex["title"], annex["published"], annex["page"]) == ("Summit annex", "2025-08-16", 2)
    shown = runner.invoke(app, ["ask", "--no-model", question]).stdout
    assert "Summit annex · 2025-08-16 · p. 2 · annex" in shown
