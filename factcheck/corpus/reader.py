"""Find input files, and read each into a SourceDocument: decoded, cleaned of markup, titled, dated.

Plain text and Markdown are kept as written; news pages go to html.py, PDFs to pdf.py. A metadata
sidecar beside a file (sidecar.py) overrides what was read from it.
"""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Iterator, Sequence
from dataclasses import replace
from datetime import date
from pathlib import Path

from factcheck.corpus.decoding import decode
from factcheck.corpus.files import irregular_reason, read_regular_file
from factcheck.corpus.html import read_html
from factcheck.corpus.page_meta import parse_date
from factcheck.corpus.pdf import read_pdf
from factcheck.corpus.sidecar import Sidecar, described_file, is_sidecar, read_sidecar
from factcheck.errors import InputFileError
from factcheck.schema import SourceDocument

SUPPORTED_SUFFIXES = (".txt", ".md", ".html", ".htm", ".pdf")
HTML_SUFFIXES = (".html", ".htm")
PDF_SUFFIX = ".pdf"

TITLE_MAX_CHARS = 100
DATE_LINES = 5  # a date is only taken from this many non-empty lines at the top of a text file
_DATE_LABEL = re.compile(r"^(?:published(?: on)?|publication date|date|posted(?: on)?)\s*[:–—-]?\s*", re.I)
_MARKDOWN_DECOR = re.compile(r"^[\s#>-]+|[*_]+|\s+$")


def discover(paths: Sequence[Path]) -> tuple[list[Path], list[InputFileError]]:
    """Expand files and folders into candidate files, plus one error per path that cannot be used.

    Folders are walked recursively in sorted order, skipping hidden files and folders. A missing or
    unreadable path is an error, and so is a file with an unsupported extension, whether it was
    named explicitly or found in a folder, so the user hears about every file left out. A metadata
    sidecar is no document of its own; one without its file is an error.
    """
    found: list[Path] = []
    errors: list[InputFileError] = []
    for path in paths:
        for item in _expand(Path(path), errors):
            if item not in found:
                found.append(item)
    return found, errors


def _expand(path: Path, errors: list[InputFileError]) -> Iterator[Path]:
    if not path.exists():
        errors.append(InputFileError(str(path), "no such file or folder"))
    elif not os.access(path, os.R_OK):
        errors.append(InputFileError(str(path), "permission denied"))
    elif path.is_dir():
        yield from _walk(path, errors, seen=set())
    elif is_sidecar(path):
        _check_sidecar(path, errors)  # read with its file; named on its own (a shell glob), it is no document
    elif not _supported(path):
        errors.append(InputFileError(str(path), _unsupported_reason(path)))
    elif reason := irregular_reason(path):
        errors.append(InputFileError(str(path), reason))
    else:
        yield path


def _walk(folder: Path, errors: list[InputFileError], seen: set[Path]) -> Iterator[Path]:
    real = folder.resolve()
    if real in seen:  # a symlink loop
        return
    seen.add(real)
    try:
        entries = sorted(folder.iterdir(), key=lambda p: p.name)
    except OSError as exc:
        errors.append(InputFileError(str(folder), f"cannot list folder: {exc.strerror or exc}"))
        return
    for entry in entries:
        if entry.name.startswith("."):
            continue
        if entry.is_dir():
            yield from _walk(entry, errors, seen)
        elif is_sidecar(entry):
            _check_sidecar(entry, errors)
        elif not _supported(entry):
            errors.append(InputFileError(str(entry), _unsupported_reason(entry)))
        elif reason := irregular_reason(entry):
            errors.append(InputFileError(str(entry), reason))
        else:
            yield entry


def _check_sidecar(sidecar: Path, errors: list[InputFileError]) -> None:
    """A sidecar is read with the file it describes; one whose file is missing is reported."""
    described = described_file(sidecar)
    if not (described.exists() or described.is_symlink()):
        errors.append(InputFileError(str(sidecar), f"orphan metadata sidecar: no file {described.name!r} beside it"))


def _supported(path: Path) -> bool:
    return path.suffix.lower() in SUPPORTED_SUFFIXES


def _unsupported_reason(path: Path) -> str:
    kind = f"'{path.suffix}' files" if path.suffix else "files without an extension"
    return f"{kind} are not supported (use {', '.join(SUPPORTED_SUFFIXES)})"


def read_document(path: Path, *, max_bytes: int) -> SourceDocument:
    """Read one file into a SourceDocument, or raise InputFileError saying why it cannot be used."""
    path = Path(path)
    if not _supported(path):
        raise InputFileError(str(path), _unsupported_reason(path))
    data = read_regular_file(path, max_bytes)
    sidecar = read_sidecar(path)  # before parsing: a broken sidecar is reported however the file reads
    doc = parse_document(data, source=str(path), doc_id=path.stem, kind=path.suffix.lower())
    return with_sidecar(doc, sidecar, data) if sidecar else doc


def with_sidecar(doc: SourceDocument, sidecar: Sidecar, data: bytes) -> SourceDocument:
    """doc with the sidecar's fields in place of those read, and a sha256 of file and sidecar."""
    fields = dict(sidecar.fields)
    if "title" in fields:
        fields["title"] = _shorten(str(fields["title"]))
    digest = hashlib.sha256(data)
    digest.update(b"\0" + sidecar.raw)  # the separator keeps file+sidecar from colliding with another file
    return replace(doc, sha256=digest.hexdigest(), **fields)


def parse_document(data: bytes, *, source: str, doc_id: str, kind: str) -> SourceDocument:
    """Turn the bytes of one article into a SourceDocument, or raise InputFileError naming source.

    kind is the format as a file suffix (".html", ".pdf", ".txt", ...): a file's own suffix, or
    what a fetched page's content type maps to. source is what the user knows it by: a path or a URL.
    """
    if kind == PDF_SUFFIX:  # binary: no text decoding
        pdf = read_pdf(data, source=source)
        fields = {"published": pdf.published, "authors": pdf.authors, "pages": pdf.pages}
        return _document(data, doc_id, source, pdf.title, pdf.text, notes=pdf.notes, **fields)
    text, encoding, notes = decode(source, data)
    if kind in HTML_SUFFIXES:
        page = read_html(text, source=source)
        fields = {"published": page.published, "authors": page.authors, "site": page.site}
        return _document(
            data, doc_id, source, page.title, page.text, encoding=encoding, notes=(*notes, *page.notes), **fields
        )
    if not text.strip():
        raise InputFileError(source, "empty (no text)")
    title = _text_title(text, markdown=kind == ".md")
    return _document(
        data, doc_id, source, title, text, published=_text_date(text), encoding=encoding, notes=tuple(notes)
    )


def _document(data: bytes, doc_id: str, source: str, title: str, text: str, **fields) -> SourceDocument:
    return SourceDocument(
        doc_id=doc_id,
        path=source,
        title=_shorten(title or _first_line(text)),
        text=text,
        sha256=hashlib.sha256(data).hexdigest(),
        **fields,
    )


def _text_date(text: str) -> date | None:
    """A date from a "Published: …" / "Date: …" line or a date-only line near the top, else None."""
    lines = [line for line in (_MARKDOWN_DECOR.sub("", raw) for raw in text.splitlines()) if line]
    for line in lines[:DATE_LINES]:
        labelled = _DATE_LABEL.match(line)
        candidate = line[labelled.end() :] if labelled else line
        if parsed := parse_date(candidate):
            return parsed
    return None


def _text_title(text: str, *, markdown: bool) -> str:
    line = _first_line(text)
    return line.lstrip("#").strip() if markdown else line


def _first_line(text: str) -> str:
    """The first line with a letter or digit in it (skips rules like '---')."""
    return next((line.strip() for line in text.splitlines() if any(c.isalnum() for c in line)), "")


def _shorten(title: str) -> str:
    title = " ".join(title.split())
    if len(title) <= TITLE_MAX_CHARS:
        return title
    cut = title[: TITLE_MAX_CHARS - 1]
    if " " in cut:
        cut = cut[: cut.rindex(" ")]
    return cut.rstrip(" ,;:-–—") + "…"
