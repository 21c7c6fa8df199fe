"""News pages as they come: the article's paragraphs and metadata are stored, the page furniture
(menus, cookie banners, comments, related links, newsletter boxes, footers) is not."""

from __future__ import annotations

import json
import shutil
from datetime import date
from pathlib import Path

import pytest

from factcheck.corpus import html
from factcheck.corpus.reader import read_document
from factcheck.errors import InputFileError

PAGES = Path(__file__).parents[1] / "fixtures" / "pages"
REALISTIC = sorted(p.name.removesuffix(".expected.json") for p in PAGES.glob("*.expected.json"))
LIMIT = 1_000_000


def expected(name: str) -> dict:
    return json.loads((PAGES / f"{name}.expected.json").read_text(encoding="utf-8"))


def squash(text: str) -> str:
    return " ".join(text.split())


def read_page(tmp_path: Path, name: str):
    path = shutil.copy(PAGES / f"{name}.html", tmp_path / f"{name}.html")
    return read_document(Path(path), max_bytes=LIMIT)


def page(body: str, head: str = "") -> str:
    return f"<!DOCTYPE html><html><head>{head}</head><body>{body}</body></html>"


ARTICLE = (
    "<article><h1>Pool to reopen</h1>"
    "<p>The town pool, closed since 2011 for repairs, will reopen in the spring after a refit costing two million pounds.</p>"
    "<p>The council said swimming lessons for schools would start again in April, with a new timetable to follow.</p>"
    "</article>"
)


def test_there_are_realistic_pages_of_varied_markup():
    assert {"harbour-ferry", "orchard-frost", "wire-desalination"} <= set(REALISTIC)


@pytest.mark.parametrize("name", REALISTIC)
class TestRealisticPages:
    def test_every_article_paragraph_is_stored_one_per_line(self, tmp_path, name):
        lines = read_page(tmp_path, name).text.splitlines()
        for paragraph in expected(name)["paragraphs"]:
            assert squash(paragraph) in lines

    def test_no_boilerplate_phrase_survives(self, tmp_path, name):
        text = squash(read_page(tmp_path, name).text)
        assert [phrase for phrase in expected(name)["boilerplate"] if phrase in text] == []

    def test_title_date_authors_and_site_are_read(self, tmp_path, name):
        doc, truth = read_page(tmp_path, name), expected(name)
        assert doc.title == truth["title"]
        assert doc.published == (date.fromisoformat(truth["published"]) if truth["published"] else None)
        assert list(doc.authors) == truth["authors"]
        assert doc.site == truth["site"]
        assert list(doc.notes) == truth.get("notes", [])


def test_page_of_only_boilerplate_is_refused_with_a_reason(tmp_path):
    path = Path(shutil.copy(PAGES / "section-front.html", tmp_path / "section-front.html"))
    with pytest.raises(InputFileError) as caught:
        read_document(path, max_bytes=LIMIT)
    assert caught.value.path == str(path)
    assert "no text" in caught.value.reason and "boilerplate" in caught.value.reason


def test_unreadable_date_in_the_metadata_is_a_note_not_a_guess(tmp_path):
    doc = read_page(tmp_path, "bad-date")
    assert doc.published is None  # not 2011-01-01 from "since 2011" in the text
    assert doc.notes == (
        "publication date '0000-00-00 00:00:00' in the page's metadata could not be read; stored without a date",
    )


def test_a_readable_metadata_date_wins_over_an_unreadable_one():
    head = (
        '<meta name="date" content="soon"><script type="application/ld+json">{"datePublished": "2025-03-11"}</script>'
    )
    article = html.read_html(page(ARTICLE, head), source="p.html")
    assert article.published == date(2025, 3, 11) and article.notes == ()


class TestFallback:
    def test_page_without_an_article_keeps_its_text_with_a_note(self):
        article = html.read_html("<p>Only a paragraph.</p>", source="p.html")  # trafilatura finds nothing here
        assert article.text == "Only a paragraph."
        assert any("no article found" in note for note in article.notes)

    def test_fallback_still_leaves_out_the_furniture(self, monkeypatch):
        monkeypatch.setattr(html, "main_text", lambda markup: None)  # as if trafilatura found nothing
        truth = expected("harbour-ferry")
        article = html.read_html((PAGES / "harbour-ferry.html").read_text(encoding="utf-8"), source="p.html")
        assert any("no article found" in note for note in article.notes)
        lines = article.text.splitlines()
        assert all(squash(p) in lines for p in truth["paragraphs"])
        assert [phrase for phrase in truth["boilerplate"] if phrase in squash(article.text)] == []
        assert article.published == date(2025, 3, 11) and article.site == "Portside Courier"


class TestDates:
    def test_without_date_metadata_a_date_in_the_pages_url_is_used(self):
        head = '<link rel="canonical" href="https://news.example/2025/03/11/pool-to-reopen">'
        assert html.read_html(page(ARTICLE, head), source="p.html").published == date(2025, 3, 11)

    def test_a_year_in_the_prose_is_no_publication_date(self):
        assert html.read_html(page(ARTICLE), source="p.html").published is None


class TestBoilerplateRecognition:
    def test_a_furniture_word_on_the_articles_own_container_does_not_cost_the_article(self):
        body = ARTICLE.replace("<article>", '<div class="story share-enabled">').replace("</article>", "</div>")
        text = html.read_html(page(body), source="p.html").text
        assert "refit costing two million pounds" in text and "new timetable" in text

    def test_newsletter_promo_after_the_article_is_left_out(self):
        promo = '<div class="NewsletterPromo"><p>Sign up for our weekly newsletter on the policies driving the energy transition.</p></div>'
        text = html.read_html(page(ARTICLE + promo), source="p.html").text
        assert "newsletter" not in text and "new timetable" in text

    def test_list_items_keep_their_words_without_bullets(self):
        body = ARTICLE.replace("</article>", "<ul><li>Lane swimming</li><li>Aqua aerobics</li></ul></article>")
        lines = html.read_html(page(body), source="p.html").text.splitlines()
        assert "Lane swimming" in lines and "Aqua aerobics" in lines


class TestTitle:
    def test_title_element_loses_the_sites_name(self):
        head = '<title>Pool to reopen in spring | Town Crier</title><meta property="og:site_name" content="Town Crier">'
        assert html.read_html(page(ARTICLE, head), source="p.html").title == "Pool to reopen in spring"

    def test_og_title_comes_first(self):
        head = '<title>Town Crier: news</title><meta property="og:title" content="Pool to reopen after refit">'
        assert html.read_html(page(ARTICLE, head), source="p.html").title == "Pool to reopen after refit"
