"""Find input files, and read each into a SourceDocument: decoded, cleaned of markup, titled, dated."""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections.abc import Iterator, Sequence
from datetime import date, datetime
from pathlib import Path

from bs4 import BeautifulSoup, Tag
from dateutil import parser as dateparser

from factcheck.corpus.decoding import decode
from factcheck.corpus.files import irregular_reason, read_regular_file
from factcheck.errors import InputFileError
from factcheck.schema import SourceDocument

SUPPORTED_SUFFIXES = (".txt", ".md", ".html", ".htm")
HTML_SUFFIXES = (".html", ".htm")

TITLE_MAX_CHARS = 100
DATE_LINES = 5  # a date is only taken from this many non-empty lines at the top of a text file
_DROP_TAGS = ("script", "style", "noscript", "nav", "header", "footer", "aside", "form", "template")
_BLOCK_TAGS = (
    "p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "li", "dt", "dd", "tr", "br",
    "blockquote", "pre", "section", "article", "main", "figcaption", "table", "ul", "ol",
)  # fmt: skip
_DATE_META = ("article:published_time", "og:published_time", "datepublished", "date", "pubdate")
_DATE_LABEL = re.compile(r"^(?:published(?: on)?|publication date|date|posted(?: on)?)\s*[:–—-]?\s*", re.I)
_MARKDOWN_DECOR = re.compile(r"^[\s#>-]+|[*_]+|\s+$")


def discover(paths: Sequence[Path]) -> tuple[list[Path], list[InputFileError]]:
    """Expand files and folders into candidate files, plus one error per path that cannot be used.

    Folders are walked recursively in sorted order, skipping hidden files and folders. A missing or
    unreadable path is an error, and so is a file with an unsupported extension, whether it was
    named explicitly or found in a folder, so the user hears about every file left out.
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
        elif not _supported(entry):
            errors.append(InputFileError(str(entry), _unsupported_reason(entry)))
        elif reason := irregular_reason(entry):
            errors.append(InputFileError(str(entry), reason))
        else:
            yield entry


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
    return parse_document(data, source=str(path), doc_id=path.stem, kind=path.suffix.lower())


def parse_document(data: bytes, *, source: str, doc_id: str, kind: str) -> SourceDocument:
    """Turn the bytes of one article into a SourceDocument, or raise InputFileError naming source.

    kind is the format as a file suffix (".html", ".txt", ...): a file's own suffix, or what a
    fetched page's content type maps to. source is what the user knows it by: a path or a URL.
    """
    text, encoding, notes = decode(source, data)
    is_html = kind in HTML_SUFFIXES
    if is_html:
        title, text, published = _parse_html(text)
    else:
        title, published = _text_title(text, markdown=kind == ".md"), _text_date(text)
    if not text.strip():
        reason = "no text after removing markup" if is_html else "empty (no text)"
        raise InputFileError(source, reason)
    return SourceDocument(
        doc_id=doc_id,
        path=source,
        title=_shorten(title or _first_line(text)),
        text=text,
        sha256=hashlib.sha256(data).hexdigest(),
        published=published,
        encoding=encoding,
        notes=tuple(notes),
    )


def _parse_html(markup: str) -> tuple[str, str, date | None]:
    """Title, readable text (one block per line) and publication date of an HTML page."""
    soup = BeautifulSoup(markup, "html.parser")
    published = _html_date(soup)
    title = _html_title(soup)
    for tag in soup.find_all([*_DROP_TAGS, "head", "title", "meta"]):
        tag.decompose()
    for tag in soup.find_all(_BLOCK_TAGS):
        tag.insert_before("\n")
        tag.insert_after("\n")
    for cell in soup.find_all(["td", "th"]):
        cell.insert_after(" ")
    lines = (" ".join(line.split()) for line in soup.get_text().splitlines())
    return title, "\n".join(line for line in lines if line), published


def _html_title(soup: BeautifulSoup) -> str:
    for tag in (soup.find("title"), soup.find("h1")):
        if isinstance(tag, Tag) and tag.get_text(strip=True):
            return " ".join(tag.get_text().split())
    return ""


def _html_date(soup: BeautifulSoup) -> date | None:
    candidates = [
        str(meta.get("content", ""))
        for meta in soup.find_all("meta")
        for key in ("property", "name", "itemprop")
        if str(meta.get(key, "")).lower() in _DATE_META
    ]
    for script in soup.find_all("script", type="application/ld+json"):
        candidates.extend(_json_ld_dates(script.get_text()))
    candidates.extend(str(t["datetime"]) for t in soup.find_all("time", datetime=True))
    return next(filter(None, map(_parse_date, candidates)), None)


def _json_ld_dates(raw: str) -> list[str]:
    """Every "datePublished" string in a JSON-LD block (they nest, e.g. under "@graph")."""
    found: list[str] = []

    def visit(item: object) -> None:
        if isinstance(item, dict):
            if isinstance(item.get("datePublished"), str):
                found.append(item["datePublished"])
            item = list(item.values())
        if isinstance(item, list):
            for child in item:
                visit(child)

    try:
        visit(json.loads(raw))
    except (ValueError, RecursionError):
        return []
    return found


def _text_date(text: str) -> date | None:
    """A date from a "Published: …" / "Date: …" line or a date-only line near the top, else None."""
    lines = [line for line in (_MARKDOWN_DECOR.sub("", raw) for raw in text.splitlines()) if line]
    for line in lines[:DATE_LINES]:
        labelled = _DATE_LABEL.match(line)
        candidate = line[labelled.end() :] if labelled else line
        if parsed := _parse_date(candidate):
            return parsed
    return None


def _parse_date(value: str) -> date | None:
    """A full calendar date, or None; a value missing its day, month or year is no date."""
    value = value.strip()
    if not value or not any(ch.isdigit() for ch in value):
        return None
    try:
        first = dateparser.parse(value, default=datetime(1901, 1, 1))
        second = dateparser.parse(value, default=datetime(1902, 2, 2))
    except (ValueError, OverflowError):
        return None
    return first.date() if first.date() == second.date() else None


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
