"""The renderings of a check report: the JSON contract, Markdown, HTML and the terminal table."""

from __future__ import annotations

import json
import re
from datetime import date

import pytest
from bs4 import BeautifulSoup
from rich.console import Console

from factcheck.errors import UnknownBackend
from factcheck.report import print_table, render, to_json_dict
from factcheck.schema import (
    CheckReport,
    ClaimResult,
    Contradiction,
    DocumentRecord,
    ModelInfo,
    SourceStance,
    Stance,
    ValueCheck,
    Verdict,
)

SMOKE_NOTICE = "The model smollm2-135m is a smoke-test model: its judgements mean nothing."
HOSTILE = "Officials said <script>alert('x')</script> nothing."
A, B, C, D = "001_976a07284dc4f461", "002_db9833110b663cfb", "003_4367fb0e076358f5", "004_62a568f4fab62d01"


def sample_report() -> CheckReport:
    """Every verdict, a contradiction, a notice, a discarded quote and a check result."""
    time_check = ValueCheck("date", "conflict", "Saturday", "Friday", "different weekday")
    supported = ClaimResult(
        id="c1",
        claim="Trump and Putin met at Joint Base Elmendorf-Richardson in Anchorage.",
        verdict=Verdict.SUPPORTED,
        confidence=0.91234,
        independent_sources=2,
        sources=(
            SourceStance(
                A,
                Stance.SUPPORTS,
                0.93,
                "They will meet at Joint Base Elmendorf-Richardson in Anchorage, Alaska.",
                f"{A}:0",
                0.812345,
                model_stance=Stance.SUPPORTS,
                model_confidence=0.93,
            ),
            SourceStance(
                C,
                Stance.SUPPORTS,
                0.88,
                "The summit is at the Anchorage base.",
                f"{C}:2",
                0.7,
                model_stance=Stance.SUPPORTS,
                model_confidence=0.88,
            ),
            SourceStance(D, Stance.SUPPORTS, 0.8, "Held at Elmendorf-Richardson | a military base.", f"{D}:1", 0.66),
            SourceStance(B, Stance.NOT_MENTIONED, 0.7, None, None, 0.2),
        ),
        groups=((A,), (C, D)),
    )
    contradicted = ClaimResult(
        id="c2",
        claim="The summit took place on Saturday.",
        verdict=Verdict.CONTRADICTED,
        confidence=0.7777,
        independent_sources=0,
        sources=(
            SourceStance(
                B,
                Stance.REFUTES,
                0.81,
                HOSTILE + " The talks begin on Friday at 11:30 a.m.",
                f"{B}:3",
                0.55,
                checks=(time_check,),
                model_stance=Stance.NOT_MENTIONED,
                model_confidence=0.51,
            ),
        ),
    )
    single = ClaimResult(
        id="c3",
        claim="Peskov said preparations were done in an\n“unprecedentedly short” time | frame.",
        verdict=Verdict.SINGLE_SOURCE,
        confidence=0.6,
        independent_sources=1,
        sources=(
            SourceStance(
                A,
                Stance.SUPPORTS,
                0.6,
                "preparations were completed in an “unprecedentedly short time frame”",
                f"{A}:1",
                0.61,
            ),
            SourceStance(C, Stance.ERROR, 0.0, None, None, 0.4, quote_discarded=True),
        ),
    )
    unverified = ClaimResult(
        id="c4",
        claim="The leaders signed a treaty on Arctic shipping.",
        verdict=Verdict.UNVERIFIED,
        confidence=0.5,
        independent_sources=0,
        sources=(),
    )
    contradiction = Contradiction(
        topic="summit date",
        claim="The summit is on Friday.",
        doc_a=A,
        quote_a="The talks on Friday at 11:30 a.m.",
        doc_b=B,
        quote_b="The leaders meet on Saturday.",
        checks=(ValueCheck("date", "conflict", "Friday", "Saturday"),),
    )
    return CheckReport(
        results=(supported, contradicted, single, unverified),
        model=ModelInfo("smollm2-135m", "ab" * 32, smoke_test=True),
        embedder="minilm-l6",
        prompt_hash="9f2c1e0d4b7a",
        created="2025-08-15T10:30:00+00:00",
        notices=(SMOKE_NOTICE,),
        stats={"quotes_discarded": 1, "errors": 1, "seconds": 12.345678, "prompt_tokens": 5120},
        contradictions=(contradiction,),
    )


# --- JSON ------------------------------------------------------------------------------------


def test_json_top_level_keys_are_the_contract_in_order() -> None:
    data = json.loads(render(sample_report(), "json"))
    contract = ["notices", "model", "embedder", "prompt_hash", "created", "stats", "claims", "contradictions"]
    assert list(data) == [*contract, "documents", "as_of"]  # the dated-sources keys come after the old ones
    assert data["model"] == {"name": "smollm2-135m", "sha256": "ab" * 32, "smoke_test": True, "consulted": True}
    assert data["notices"] == [SMOKE_NOTICE]


def test_json_claim_source_and_check_keys_are_exact() -> None:
    data = to_json_dict(sample_report())
    claim_keys = [
        "id",
        "claim",
        "verdict",
        "confidence",
        "independent_sources",
        "groups",
        "sources",
        "model",
        "prompt_hash",
        "timeline",
        "latest",
        "documents_considered",
        "documents_judged",
    ]
    source_keys = [
        "doc_id",
        "stance",
        "quote",
        "chunk_id",
        "score",
        "checks",
        "model_stance",
        "model_confidence",
        "quote_discarded",
        "part_similarity",
        "coverage",
        "page",
    ]
    check_keys = ["kind", "outcome", "claim_value", "evidence_value", "detail"]
    for claim in data["claims"]:
        assert list(claim) == claim_keys
        assert claim["model"] == {"name": "smollm2-135m", "sha256": "ab" * 32, "consulted": True}
        assert claim["prompt_hash"] == "9f2c1e0d4b7a"
        for source in claim["sources"]:
            assert list(source) == source_keys
            assert all(list(check) == check_keys for check in source["checks"])
    assert list(data["contradictions"][0]) == ["topic", "claim", "doc_a", "quote_a", "doc_b", "quote_b", "checks"]
    assert list(data["contradictions"][0]["checks"][0]) == check_keys


def test_json_writes_enum_values_and_rounds_floats() -> None:
    data = to_json_dict(sample_report())
    assert [c["verdict"] for c in data["claims"]] == ["supported", "contradicted", "single-source", "unverified"]
    c1, c2, c3 = data["claims"][:3]
    assert c1["confidence"] == 0.912 and c2["confidence"] == 0.778
    assert c1["sources"][0]["score"] == 0.8123
    assert c1["groups"] == [[A], [C, D]]
    assert c2["sources"][0]["stance"] == "refutes" and c2["sources"][0]["model_stance"] == "not_mentioned"
    assert c2["sources"][0]["checks"][0]["outcome"] == "conflict"
    assert c3["sources"][1] == {
        "doc_id": C,
        "stance": "error",
        "quote": None,
        "chunk_id": None,
        "score": 0.4,
        "checks": [],
        "model_stance": None,
        "model_confidence": None,
        "quote_discarded": True,
        "part_similarity": None,
        "coverage": None,
        "page": None,
    }
    assert data["stats"]["seconds"] == 12.3457 and data["stats"]["prompt_tokens"] == 5120


def test_json_round_trips_and_is_stable() -> None:
    text = render(sample_report(), "json")
    assert json.loads(text) == to_json_dict(sample_report())
    assert text == render(sample_report(), "json")
    assert text.endswith("}\n")


def test_json_writes_null_for_a_non_finite_number() -> None:
    report = sample_report()
    report.stats["seconds"] = float("nan")
    assert json.loads(render(report, "json"))["stats"]["seconds"] is None


# --- Markdown --------------------------------------------------------------------------------


def _table_rows(markdown: str) -> list[str]:
    return [line for line in markdown.splitlines() if line.startswith("| c")]


def test_markdown_table_cells_escape_pipes_and_newlines() -> None:
    rows = _table_rows(render(sample_report(), "md"))
    assert len(rows) == 4
    c3 = rows[2]
    assert "time \\| frame" in c3
    # five cells: six unescaped pipes, whatever the claim contains
    assert len(re.findall(r"(?<!\\)\|", c3)) == 6
    assert c3.startswith("| c3 | Peskov said preparations were done in an “unprecedentedly short”")


def test_markdown_has_notice_summary_sections_quotes_and_contradictions() -> None:
    text = render(sample_report(), "md")
    assert text.startswith("# Fact-check report\n")
    assert f"> **Notice:** {SMOKE_NOTICE}" in text
    assert "4 claims: 1 supported, 1 contradicted, 1 single-source, 1 unverified" in text
    assert "### c2: The summit took place on Saturday." in text
    assert "> They will meet at Joint Base Elmendorf-Richardson in Anchorage, Alaska." in text
    assert "- date conflict: claim Saturday, evidence Friday (different weekday)" in text
    assert "quote was discarded" in text
    assert f"Counted as one origin (near-duplicates): {C}, {D}" in text
    contradictions = text.split("## Contradictions", 1)[1]
    assert "### summit date" in contradictions
    assert f"**{A}** says:\n\n> The talks on Friday at 11:30 a.m." in contradictions
    assert f"**{B}** says:\n\n> The leaders meet on Saturday." in contradictions


def test_markdown_leaves_no_html_tag_from_article_text() -> None:
    text = render(sample_report(), "md")
    assert "<script" not in text
    assert "> Officials said &lt;script>alert('x')&lt;/script> nothing." in text


def test_markdown_notice_comes_before_the_claims() -> None:
    text = render(sample_report(), "md")
    assert text.index(SMOKE_NOTICE) < text.index("| id | claim |")


# --- HTML ------------------------------------------------------------------------------------


def test_html_escapes_article_text_and_carries_no_script() -> None:
    page = render(sample_report(), "html")
    assert "&lt;script&gt;alert(" in page
    assert "<script" not in page.lower()


def test_html_fetches_nothing() -> None:
    page = render(sample_report(), "html")
    assert "http://" not in page and "https://" not in page
    soup = BeautifulSoup(page, "html.parser")
    for tag in soup.find_all(attrs={"href": True}):
        assert tag["href"].startswith("#")
    assert not soup.find_all(attrs={"src": True})
    assert not soup.find_all("link")
    csp = soup.find("meta", attrs={"http-equiv": "Content-Security-Policy"})
    assert csp is not None and "default-src 'none'" in csp["content"]


def test_html_has_one_article_per_claim_with_its_badge() -> None:
    soup = BeautifulSoup(render(sample_report(), "html"), "html.parser")
    articles = soup.select("article.claim")
    assert [a["id"] for a in articles] == ["claim-c1", "claim-c2", "claim-c3", "claim-c4"]
    expected = ["verdict-supported", "verdict-contradicted", "verdict-single-source", "verdict-unverified"]
    for article, css in zip(articles, expected, strict=True):
        badge = article.select_one(".verdict")
        assert badge is not None and css in badge["class"]


def test_html_has_notice_summary_quotes_and_contradictions() -> None:
    soup = BeautifulSoup(render(sample_report(), "html"), "html.parser")
    assert SMOKE_NOTICE in soup.select_one("div.notice").get_text()
    tallies = {li.get_text(" ", strip=True) for li in soup.select(".tally")}
    assert tallies == {"1 supported", "1 contradicted", "1 single-source", "1 unverified"}
    marks = [m.get_text() for m in soup.select("blockquote.quote mark")]
    assert "They will meet at Joint Base Elmendorf-Richardson in Anchorage, Alaska." in marks
    assert [b.get_text() for b in soup.select("#claim-c2 mark b.value")] == ["Friday"]
    assert soup.select_one("#claim-c3 .discarded") is not None
    section = soup.select_one("section.contradictions")
    assert section is not None and section.select_one("h3").get_text() == "summit date"


# --- registry --------------------------------------------------------------------------------


def test_unknown_format_lists_the_known_ones() -> None:
    with pytest.raises(UnknownBackend, match=r"unknown report format 'pdf'; known: html, json, md"):
        render(sample_report(), "pdf")


def test_one_jinja_environment_serves_the_check_and_the_eval_page() -> None:
    from factcheck.report.pages import environment

    env = environment()
    assert env is environment() and env.autoescape is True
    assert {"report.html.j2", "eval.html.j2"} <= set(env.list_templates())


def test_the_table_can_send_its_notices_to_a_console_of_their_own() -> None:
    screen, notices = Console(record=True, width=120), Console(record=True, width=120)
    print_table(sample_report(), screen, notice_console=notices)
    assert " ".join(SMOKE_NOTICE.split()) in " ".join(notices.export_text().split())
    table = screen.export_text()
    assert "smoke-test" not in table and "c1" in table


# --- terminal table --------------------------------------------------------------------------


@pytest.mark.parametrize("width", [80, 160])
def test_table_shows_notice_every_verdict_and_contradictions(width: int) -> None:
    console = Console(record=True, width=width, color_system="truecolor")
    print_table(sample_report(), console)
    text = console.export_text()
    assert max(len(line) for line in text.splitlines()) <= width
    flat = " ".join(text.split())
    assert " ".join(SMOKE_NOTICE.split()) in flat
    assert text.index("notice") < text.index("c1")
    for verdict in ("supported", "contradicted", "single-source", "unverified"):
        assert f" {verdict} " in text
    assert f"✗ {B}" in text  # the refuting document, under the contradicted claim
    assert "summit date" in text and "contradictions" in text


def test_table_gives_sources_a_column_only_when_wide() -> None:
    narrow, wide = Console(record=True, width=80), Console(record=True, width=160)
    print_table(sample_report(), narrow)
    print_table(sample_report(), wide)
    narrow_text, wide_text = narrow.export_text(), wide.export_text()
    assert "sources" in next(line for line in wide_text.splitlines() if "verdict" in line)
    assert "sources" not in next(line for line in narrow_text.splitlines() if "verdict" in line)
    assert "supports: 001_976a07284dc4f461" in narrow_text


# --- sources named, pages and the timeline -----------------------------------------------------


def dated_report() -> CheckReport:
    """A claim an earlier article supports and a later one (a PDF, quoted on page 3) refutes, a
    third undated article supporting it; and a claim with one dated source."""
    documents = (
        DocumentRecord(
            "early",
            "Talks begin at 19:30",
            "/news/early.html",
            "a" * 64,
            2,
            300,
            published=date(2025, 8, 14),
            authors=("Ann Reporter",),
            site="Anchorage Daily",
        ),
        DocumentRecord(
            "late",
            "Corrected schedule",
            "https://example.org/late.pdf",
            "b" * 64,
            3,
            900,
            published=date(2025, 8, 15),
            site="Wire Service",
            pages=(0, 300, 600),
        ),
        DocumentRecord("nodate", "Undated notes", "/news/nodate.txt", "c" * 64, 1, 100),
    )
    disputed = ClaimResult(
        id="t1",
        claim="The talks began at 19:30 GMT.",
        verdict=Verdict.CONTRADICTED,
        confidence=0.8,
        independent_sources=2,
        sources=(
            SourceStance("early", Stance.SUPPORTS, 0.9, "The talks began at 19:30 GMT.", "early:0", 0.9),
            SourceStance("late", Stance.REFUTES, 0.9, "The talks began at 19:00 GMT.", "late:2", 0.8, page=3),
            SourceStance("nodate", Stance.SUPPORTS, 0.7, "Talks at 19:30 GMT.", "nodate:0", 0.7),
        ),
    )
    single = ClaimResult(
        id="t2",
        claim="The talks were in Anchorage.",
        verdict=Verdict.SINGLE_SOURCE,
        confidence=0.6,
        independent_sources=1,
        sources=(
            SourceStance("early", Stance.SUPPORTS, 0.8, "The talks were in Anchorage.", "early:1", 0.8),
            SourceStance("late", Stance.NOT_MENTIONED, 0.8, None, None, 0.1),
        ),
    )
    return CheckReport(
        results=(disputed, single),
        model=ModelInfo("fake", None),
        embedder="fake-embedder",
        prompt_hash="0" * 12,
        created="2025-08-16T10:00:00+00:00",
        documents=documents,
        as_of=date(2025, 8, 15),
    )


def test_json_names_every_document_and_the_page_of_a_paged_quote() -> None:
    data = to_json_dict(dated_report())
    assert data["documents"]["early"] == {
        "title": "Talks begin at 19:30",
        "site": "Anchorage Daily",
        "authors": ["Ann Reporter"],
        "published": "2025-08-14",
        "source": "/news/early.html",
    }
    assert data["documents"]["late"]["source"] == "https://example.org/late.pdf"
    assert data["documents"]["nodate"]["published"] is None
    assert [s["page"] for s in data["claims"][0]["sources"]] == [None, 3, None]
    assert data["as_of"] == "2025-08-15"


def test_json_orders_a_claims_sources_in_time_and_names_the_latest() -> None:
    disputed, single = to_json_dict(dated_report())["claims"]
    assert disputed["timeline"] == [
        {"doc_id": "early", "published": "2025-08-14", "stance": "supports"},
        {"doc_id": "late", "published": "2025-08-15", "stance": "refutes"},
        {"doc_id": "nodate", "published": None, "stance": "supports"},
    ]
    assert disputed["latest"] == {"published": "2025-08-15", "doc_ids": ["late"], "stance": "refutes"}
    assert disputed["verdict"] == "contradicted"  # the timeline informs; it does not change the verdict
    assert single["timeline"] == [{"doc_id": "early", "published": "2025-08-14", "stance": "supports"}]
    assert single["latest"]["doc_ids"] == ["early"]


def test_json_of_a_report_without_dates_has_an_empty_timeline() -> None:
    data = to_json_dict(sample_report())
    assert data["documents"] == {} and data["as_of"] is None
    assert all(c["latest"] is None for c in data["claims"])


def test_markdown_names_each_source_with_title_site_date_and_page() -> None:
    text = render(dated_report(), "md")
    assert "**late** (Corrected schedule · Wire Service · 2025-08-15 · p. 3) — refutes" in text
    assert "**early** (Talks begin at 19:30 · Anchorage Daily · 2025-08-14) — supports" in text
    sources = text.split("## Sources", 1)[1]
    assert "- **early**: Talks begin at 19:30 · Anchorage Daily · by Ann Reporter · 2025-08-14" in sources
    assert "- **nodate**: Undated notes · undated · source: /news/nodate.txt" in sources


def test_markdown_shows_the_timeline_only_where_it_tells_something() -> None:
    text = render(dated_report(), "md")
    t1, t2 = text.split("### t2:", 1)
    assert (
        "**Timeline:** 2025-08-14 early supports → 2025-08-15 late refutes; undated: nodate supports. "
        "The sources disagree; the latest, late (2025-08-15), refutes." in t1
    )
    assert "Timeline" not in t2


def test_html_names_sources_shows_the_timeline_and_links_to_nothing() -> None:
    soup = BeautifulSoup(render(dated_report(), "html"), "html.parser")
    metas = [m.get_text() for m in soup.select("#claim-t1 .doc-meta")]
    assert "Corrected schedule · Wire Service · 2025-08-15 · p. 3" in metas
    steps = [li.get_text(" ", strip=True) for li in soup.select("#claim-t1 .timeline li")]
    assert steps == ["2025-08-14 early supports", "2025-08-15 late refutes", "undated nodate supports"]
    assert (
        soup.select_one("#claim-t1 .latest").get_text()
        == "The sources disagree; the latest, late (2025-08-15), refutes."
    )
    assert soup.select_one("#claim-t2 .timeline") is None
    rows = [tr.get_text(" ", strip=True) for tr in soup.select("section.documents tbody tr")]
    assert rows[1] == "late Corrected schedule Wire Service 2025-08-15 https://example.org/late.pdf"
    assert all(tag["href"].startswith("#") for tag in soup.find_all(attrs={"href": True}))


@pytest.mark.parametrize("width", [80, 160])
def test_table_names_the_refuting_source_shows_the_timeline_and_lists_sources(width: int) -> None:
    console = Console(record=True, width=width)
    print_table(dated_report(), console)
    text = console.export_text()
    assert max(len(line) for line in text.splitlines()) <= width
    flat = " ".join(text.split())
    assert "✗ late (Corrected schedule · Wire Service · 2025-08-15 · p. 3):" in flat
    assert "in time: 2025-08-14 early supports → 2025-08-15 late refutes" in flat
    assert "the latest, late (2025-08-15), refutes" in flat
    assert "sources" in text and "Anchorage Daily" in text and "undated" in text
