"""Articles as they come, end to end through the CLI: a realistic news page (menus, cookie banner,
comments, related links, JSON-LD date) and a text PDF fetched from a local web server, stored as
the article only with the right title and date, listed with their dates, and checked: a quote
from the PDF names its page. Fake embedder; no model."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from factcheck.cli import app
from factcheck.config import load_settings
from factcheck.models.resolve import store_key
from factcheck.store import CorpusStore
from tests.http_server import no_proxies, serve
from tests.unit.test_pdf_reader import text_pdf

runner = CliRunner()
PAGES = Path(__file__).resolve().parents[1] / "fixtures" / "pages"
ON_PAGE_2 = "The harbour authority measured 41 ferry crossings a day at the east pier in June."
REPORT_PAGES = [
    ["Harbour traffic report", "The harbour authority publishes its traffic figures every quarter."],
    ["Crossings", ON_PAGE_2, "Most of them were made by the diesel ferry."],
]


@pytest.fixture
def site(monkeypatch):
    no_proxies(monkeypatch)
    with serve() as served:
        yield served


@pytest.fixture
def ingested(fake_embedder, site):
    page = site.page("/news/harbour-ferry", (PAGES / "harbour-ferry.html").read_bytes())
    pdf = site.page("/reports/traffic.pdf", text_pdf(REPORT_PAGES), content_type="application/pdf")
    result = runner.invoke(app, ["ingest", page, pdf, "--format", "json"])
    assert result.exit_code == 0, result.output
    ids = {o["path"]: o["doc_id"] for o in json.loads(result.stdout)["outcomes"]}
    return ids[page], ids[pdf]


def test_the_stored_page_is_the_article_only_with_its_title_and_date(ingested):
    page_id, _ = ingested
    expected = json.loads((PAGES / "harbour-ferry.expected.json").read_text(encoding="utf-8"))
    settings = load_settings()
    store = CorpusStore(settings.store_dir, store_key(settings))
    text = store.text(page_id)
    assert all(paragraph in text for paragraph in expected["paragraphs"])
    assert [phrase for phrase in expected["boilerplate"] if phrase in text] == []
    record = store.document(page_id)
    assert (record.title, record.published.isoformat()) == (expected["title"], expected["published"])


def test_corpus_list_has_the_dates_and_the_urls(ingested, site):
    listed = {d["doc_id"]: d for d in json.loads(runner.invoke(app, ["corpus", "list", "--format", "json"]).stdout)}
    page_id, pdf_id = ingested
    assert listed[page_id]["published"] == "2025-03-11"
    assert listed[page_id]["source_path"] == site.url("/news/harbour-ferry")
    assert listed[pdf_id]["source_kind"] == "url"


def test_a_quote_from_the_fetched_pdf_names_its_page(ingested):
    _, pdf_id = ingested
    result = runner.invoke(app, ["check", "--no-model", "--format", "json", ON_PAGE_2])
    assert result.exit_code == 0, result.output
    [claim] = json.loads(result.stdout)["claims"]
    [source] = [s for s in claim["sources"] if s["doc_id"] == pdf_id]
    assert source["stance"] == "supports" and ON_PAGE_2 in source["quote"]
    assert source["page"] == 2
