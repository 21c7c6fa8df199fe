"""Text PDFs: read page by page with each page's place recorded, metadata taken from the PDF, and
every PDF that cannot be read (scanned, encrypted, damaged) refused with one clear reason."""

from __future__ import annotations

import hashlib
import io
import logging
from datetime import date
from pathlib import Path

import pytest
from PIL import Image, ImageDraw
from pypdf import PdfReader, PdfWriter
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen import canvas
from reportlab.platypus import PageBreak, Paragraph, SimpleDocTemplate

from factcheck.corpus.pdf import paragraphs
from factcheck.corpus.reader import read_document
from factcheck.errors import InputFileError
from factcheck.schema import page_at

LIMIT = 1_000_000
LONG = (
    "The regional water board said on Monday that the reservoirs serving the eastern valleys were at their lowest "
    "level for the time of year since records began, and asked households to cut their use by a tenth."
)
ON_PAGE_2 = "The reservoir held 41 million cubic metres at the end of June."
PAGES = [
    ["Drought report", LONG, "Hosepipe bans are expected in three districts."],
    ["Supply", ON_PAGE_2, "Engineers are repairing leaks on the main aqueduct."],
    ["Outlook", "Forecasters expect a dry autumn.", "The board will review the figures in October."],
]


def text_pdf(pages: list[list[str]], **info: str) -> bytes:
    """A PDF whose pages hold these paragraphs, typeset (and so line-wrapped) by reportlab."""
    buffer = io.BytesIO()
    styles = getSampleStyleSheet()
    story: list = []
    for number, paras in enumerate(pages):
        if number:
            story.append(PageBreak())
        story.extend(Paragraph(text, styles["BodyText"]) for text in paras)
    SimpleDocTemplate(buffer, pagesize=A4, **info).build(story)
    return buffer.getvalue()


def image_only_pdf() -> bytes:
    """One page holding a picture of a page and no text: what a scanner makes."""
    picture = Image.new("RGB", (400, 560), "white")
    ImageDraw.Draw(picture).rectangle((40, 40, 360, 80), fill="black")
    buffer = io.BytesIO()
    page = canvas.Canvas(buffer, pagesize=A4)
    page.drawImage(ImageReader(picture), 50, 200, width=400, height=560)
    page.showPage()
    page.save()
    return buffer.getvalue()


def rewritten(data: bytes, *, metadata: dict[str, str] | None = None, user_password: str | None = None) -> bytes:
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(data)))
    if metadata:
        writer.add_metadata(metadata)
    if user_password is not None:
        writer.encrypt(user_password, owner_password="owner-secret")
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def write(tmp_path: Path, data: bytes, name: str = "report.pdf") -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def refusal(path: Path) -> str:
    with pytest.raises(InputFileError) as caught:
        read_document(path, max_bytes=LIMIT)
    assert caught.value.path == str(path)
    return caught.value.reason


class TestTextPdf:
    def test_a_sentence_on_page_2_is_placed_on_page_2(self, tmp_path):
        doc = read_document(write(tmp_path, text_pdf(PAGES)), max_bytes=LIMIT)
        assert len(doc.pages) == 3 and doc.pages[0] == 0
        assert page_at(doc.pages, doc.text.index(ON_PAGE_2)) == 2
        assert page_at(doc.pages, doc.text.index("Forecasters expect")) == 3
        assert page_at(doc.pages, doc.text.index("Hosepipe bans")) == 1

    def test_pages_are_apart_by_a_blank_line_starting_where_recorded(self, tmp_path):
        doc = read_document(write(tmp_path, text_pdf(PAGES)), max_bytes=LIMIT)
        for start, first_line in zip(doc.pages, ("Drought report", "Supply", "Outlook")):
            assert doc.text[start:].startswith(first_line)
            assert start == 0 or doc.text[start - 2 : start] == "\n\n"

    def test_a_wrapped_paragraph_is_one_line_again(self, tmp_path):
        doc = read_document(write(tmp_path, text_pdf(PAGES)), max_bytes=LIMIT)
        assert LONG in doc.text.splitlines()
        assert "Hosepipe bans are expected in three districts." in doc.text.splitlines()

    def test_sha256_is_of_the_files_bytes_and_the_doc_id_its_name(self, tmp_path):
        data = text_pdf(PAGES)
        doc = read_document(write(tmp_path, data), max_bytes=LIMIT)
        assert doc.sha256 == hashlib.sha256(data).hexdigest() and doc.doc_id == "report"


class TestMetadata:
    def test_title_authors_and_creation_date_are_read(self, tmp_path):
        data = rewritten(
            text_pdf(PAGES),
            metadata={
                "/Title": "Eastern valleys drought report",
                "/Author": "Ana Silva; Rui Costa",
                "/CreationDate": "D:20250815093000+02'00'",
            },
        )
        doc = read_document(write(tmp_path, data), max_bytes=LIMIT)
        assert doc.title == "Eastern valleys drought report"
        assert doc.authors == ("Ana Silva", "Rui Costa")
        assert doc.published == date(2025, 8, 15)

    def test_a_placeholder_title_gives_way_to_the_first_line(self, tmp_path):
        doc = read_document(write(tmp_path, text_pdf(PAGES)), max_bytes=LIMIT)  # reportlab writes "untitled"
        assert doc.title == "Drought report" and doc.authors == ()

    @pytest.mark.parametrize("value", ["", "D:2025", "D:20251399", "yesterday"])
    def test_an_unusable_creation_date_is_no_date(self, tmp_path, value):
        data = rewritten(text_pdf(PAGES), metadata={"/CreationDate": value})
        assert read_document(write(tmp_path, data), max_bytes=LIMIT).published is None


class TestRefusals:
    def test_image_only_pdf_has_no_text_layer(self, tmp_path):
        assert refusal(write(tmp_path, image_only_pdf())) == "no text layer (scanned?)"

    def test_pdf_encrypted_with_a_user_password_needs_it(self, tmp_path):
        data = rewritten(text_pdf(PAGES), user_password="letmein")
        assert refusal(write(tmp_path, data)) == "encrypted PDF (needs a password)"

    def test_pdf_encrypted_with_only_an_owner_password_is_read(self, tmp_path):
        data = rewritten(text_pdf(PAGES), user_password="")
        assert ON_PAGE_2 in read_document(write(tmp_path, data), max_bytes=LIMIT).text

    @pytest.mark.parametrize("share", [0.3, 0.7, 0.98])
    def test_truncated_pdf_is_not_readable(self, tmp_path, share):
        data = text_pdf(PAGES)
        assert refusal(write(tmp_path, data[: int(len(data) * share)])).startswith("not a readable PDF (")

    def test_text_file_named_pdf_is_not_readable(self, tmp_path):
        assert refusal(write(tmp_path, b"Minutes of the meeting.\n")) == "not a readable PDF (no PDF header)"

    def test_pypdf_complaints_stay_off_the_terminal(self, tmp_path, capsys, caplog):
        caplog.set_level(logging.DEBUG)
        data = text_pdf(PAGES)
        refusal(write(tmp_path, data[: len(data) // 2]))  # pypdf logs "EOF marker not found" for this
        assert [r for r in caplog.records if r.name.startswith("pypdf")] == []
        assert capsys.readouterr().err == ""


class TestParagraphs:
    def test_full_lines_run_on_and_a_short_line_ends_the_paragraph(self):
        page = "Heading\nthe first line of a paragraph that is wide\nand its short end.\nNext one."
        assert paragraphs(page) == "Heading\nthe first line of a paragraph that is wide and its short end.\nNext one."

    def test_an_empty_line_ends_a_paragraph(self):
        assert paragraphs("a line as wide as the page\n\na line as wide as the page") == (
            "a line as wide as the page\na line as wide as the page"
        )

    def test_a_word_broken_at_a_hyphen_keeps_it(self):
        assert paragraphs("the council's decarbon-\nisation plan.") == "the council's decarbon-isation plan."
