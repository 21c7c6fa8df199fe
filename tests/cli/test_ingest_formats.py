"""`factcheck ingest` over articles as they come: a news page, a text PDF and a metadata sidecar in
one folder, with a broken PDF beside them that is skipped on one line while the rest is stored."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from tests.cli.test_ingest_cli import invoke, stored
from tests.unit.test_pdf_reader import ON_PAGE_2, PAGES, rewritten, text_pdf

FIXTURES = Path(__file__).parents[1] / "fixtures" / "pages"


@pytest.fixture
def articles(tmp_path: Path) -> Path:
    folder = tmp_path / "articles"  # not tmp_path itself: FACTCHECK_HOME lives there
    folder.mkdir()
    shutil.copy(FIXTURES / "harbour-ferry.html", folder / "harbour-ferry.html")
    report = rewritten(text_pdf(PAGES), metadata={"/Title": "Eastern valleys drought report"})
    (folder / "drought.pdf").write_bytes(report)
    meta = {"published": "2025-08-20", "authors": ["Water Board"], "site": "Eastern Valleys Water Board"}
    (folder / "drought.pdf.meta.json").write_text(json.dumps(meta), encoding="utf-8")
    return folder


def listed() -> dict[str, dict]:
    result = invoke("corpus", "list", "--format", "json")
    assert result.exit_code == 0, result.output
    return {d["doc_id"]: d for d in json.loads(result.stdout)}


def test_a_page_a_pdf_and_a_sidecar_are_stored_with_their_titles_and_dates(fake_embedder, articles):
    result = invoke("ingest", str(articles), "--format", "json")
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert (summary["added"], summary["skipped"]) == (2, 0)  # the sidecar is no document of its own
    docs = listed()
    assert docs["harbour-ferry"]["title"] == "Council backs electric ferry for the harbour crossing"
    assert docs["harbour-ferry"]["published"] == "2025-03-11"
    assert docs["harbour-ferry"]["site"] == "Portside Courier"
    assert docs["drought"]["title"] == "Eastern valleys drought report"
    assert docs["drought"]["published"] == "2025-08-20"  # from the sidecar: the PDF says nothing
    assert docs["drought"]["authors"] == ["Water Board"]
    record = stored(fake_embedder).document("drought")
    assert len(record.pages) == 3
    assert any(ON_PAGE_2 in c.span.text for c in stored(fake_embedder).chunks("drought"))
    assert not any("Accept all cookies" in c.span.text for c in stored(fake_embedder).chunks("harbour-ferry"))


def test_editing_only_the_sidecar_reingests_the_document(fake_embedder, articles):
    invoke("ingest", str(articles))
    (articles / "drought.pdf.meta.json").write_text(json.dumps({"published": "2025-08-21"}), encoding="utf-8")
    summary = json.loads(invoke("ingest", str(articles), "--format", "json").stdout)
    assert (summary["updated"], summary["unchanged"]) == (1, 1)
    assert listed()["drought"]["published"] == "2025-08-21"


def test_a_broken_pdf_is_one_skipped_line_and_the_others_are_stored(fake_embedder, articles):
    whole = text_pdf(PAGES)
    (articles / "broken.pdf").write_bytes(whole[: len(whole) // 2])
    result = invoke("ingest", str(articles), "--format", "json")
    assert result.exit_code == 1
    summary = json.loads(result.stdout)
    skipped = [o for o in summary["outcomes"] if o["status"] == "skipped"]
    assert [Path(o["path"]).name for o in skipped] == ["broken.pdf"]
    assert "not a readable PDF" in skipped[0]["message"]
    assert [line for line in result.stderr.splitlines() if "broken.pdf" in line] == [
        line for line in result.stderr.splitlines() if line.strip()
    ]  # one line, and nothing else on the terminal (no pypdf warnings)
    assert "Traceback" not in result.output
    assert set(listed()) == {"harbour-ferry", "drought"}


def test_an_orphan_sidecar_is_reported_and_the_rest_stored(fake_embedder, articles):
    (articles / "gone.pdf.meta.json").write_text("{}", encoding="utf-8")
    result = invoke("ingest", str(articles), "--format", "json")
    assert result.exit_code == 1
    assert "gone.pdf.meta.json" in result.stderr and "orphan" in result.stderr
    assert set(listed()) == {"harbour-ferry", "drought"}
