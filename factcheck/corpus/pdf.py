"""Text PDFs: their text page by page (pages apart by a blank line, where each starts recorded),
and title, authors and date from the PDF's own metadata. A scanned PDF has no text to read."""

from __future__ import annotations

import io
import logging
import re
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date

from factcheck.errors import InputFileError

PAGE_BREAK = "\n\n"
_FULL_LINE = 0.8  # a line this close to the page's longest runs on into the next; a shorter one ends a paragraph
_PDF_DATE = re.compile(r"^(?:D:)?(\d{4})(\d{2})(\d{2})")
_PLACEHOLDERS = {"untitled", "anonymous", "(anonymous)", "unknown", "(unspecified)", "unspecified"}
_FILE_NAME = re.compile(r"\.(?:docx?|odt|rtf|pdf|pptx?|xlsx?|indd|tex|qxd)$", re.I)
_REASON_CHARS = 80


@dataclass(frozen=True)
class PdfText:
    """What a PDF holds: its text, where each page starts in it, its metadata, notes for the user."""

    title: str
    text: str
    pages: tuple[int, ...]
    published: date | None
    authors: tuple[str, ...]
    notes: tuple[str, ...] = ()


def read_pdf(data: bytes, *, source: str) -> PdfText:
    """The text and metadata of a PDF, or InputFileError naming source when there is none to read."""
    if b"%PDF-" not in data[:1024]:
        raise InputFileError(source, "not a readable PDF (no PDF header)")
    with _quiet():
        reader = _open(data, source)
        texts, notes = _page_texts(reader, source)
        info = _metadata(reader)
    if not any(ch.isalnum() for text in texts for ch in text):
        raise InputFileError(source, "no text layer (scanned?)")
    text, pages = join_pages([paragraphs(t) for t in texts])
    return PdfText(
        title=_usable(info.get("/Title")),
        text=text,
        pages=pages,
        published=pdf_date(str(info.get("/CreationDate") or "")),
        authors=tuple(a.strip() for a in _usable(info.get("/Author")).split(";") if a.strip()),
        notes=tuple(notes),
    )


@contextmanager
def _quiet() -> Iterator[None]:
    """Keep pypdf's log messages and warnings about damaged files off the user's terminal: what
    matters reaches the user as one reason or note. Its modules log to children of "pypdf",
    which take their level from it."""
    logger = logging.getLogger("pypdf")
    level = logger.level
    logger.setLevel(logging.CRITICAL + 1)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            yield
    finally:
        logger.setLevel(level)


def _open(data: bytes, source: str):
    from pypdf import PasswordType, PdfReader  # imported here: most commands never read a PDF
    from pypdf.errors import DependencyError

    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted and reader.decrypt("") == PasswordType.NOT_DECRYPTED:
            raise InputFileError(source, "encrypted PDF (needs a password)")
        len(reader.pages)  # reads the page tree: a damaged one fails here, not halfway through
    except DependencyError as exc:
        raise InputFileError(
            source, "encrypted PDF (reading its AES encryption needs the 'cryptography' package)"
        ) from exc
    except InputFileError:
        raise
    except Exception as exc:  # pypdf raises many kinds on damaged files; each is one reason to the user
        raise InputFileError(source, f"not a readable PDF ({_why(exc)})") from exc
    return reader


def _page_texts(reader, source: str) -> tuple[list[str], list[str]]:
    """Each page's text; a page that cannot be read is left empty, with a note saying which."""
    texts: list[str] = []
    bad: list[int] = []
    for number, page in enumerate(reader.pages, start=1):
        try:
            texts.append(page.extract_text() or "")
        except Exception:  # as in _open: damage in one page's content should not cost the others
            texts.append("")
            bad.append(number)
    if bad and len(bad) == len(texts):
        raise InputFileError(source, "not a readable PDF (no page's text could be read)")
    notes = [f"could not read the text of page(s) {', '.join(map(str, bad))}; left empty"] if bad else []
    return texts, notes


def _metadata(reader) -> dict:
    try:
        return dict(reader.metadata or {})
    except Exception:  # damaged metadata is no reason to refuse the text
        return {}


def paragraphs(page_text: str) -> str:
    """A page's text with the lines of each paragraph joined, one paragraph per line.

    A PDF has a line break at the end of every printed line, and a sentence is never read across
    one, so runs of full lines are joined; a short line (a heading, a paragraph's last line) ends
    a paragraph, and so does an empty one.
    """
    lines = [" ".join(line.split()) for line in page_text.splitlines()]
    width = max(map(len, lines), default=0)
    joined: list[str] = []
    current = ""
    for line in lines:
        if line:
            current = _run_on(current, line)
        if current and len(line) < _FULL_LINE * width:
            joined.append(current)
            current = ""
    if current:
        joined.append(current)
    return "\n".join(joined)


def _run_on(current: str, line: str) -> str:
    if not current:
        return line
    # A word split at a hyphen keeps it: "decarbon-isation" is nearer the print than a guess.
    return current + line if current.endswith("-") and current[-2:-1].isalpha() else f"{current} {line}"


def join_pages(texts: list[str]) -> tuple[str, tuple[int, ...]]:
    """The pages' texts apart by a blank line, and the offset where each page starts."""
    starts: list[int] = []
    offset = 0
    for text in texts:
        starts.append(offset)
        offset += len(text) + len(PAGE_BREAK)
    return PAGE_BREAK.join(texts), tuple(starts)


def pdf_date(value: str) -> date | None:
    """The calendar date of a PDF date string ("D:20250815093000+02'00'"), or None."""
    match = _PDF_DATE.match(value.strip())
    if not match:
        return None
    try:
        return date(*map(int, match.groups()))
    except ValueError:
        return None


def _usable(value: object) -> str:
    """A metadata string, or "" for the placeholders tools write when nobody filled it in."""
    text = " ".join(str(value or "").split())
    return "" if text.lower() in _PLACEHOLDERS or _FILE_NAME.search(text) else text


def _why(exc: Exception) -> str:
    why = " ".join(str(exc).split()) or type(exc).__name__
    return why if len(why) <= _REASON_CHARS else why[: _REASON_CHARS - 1] + "…"
