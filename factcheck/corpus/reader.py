"""Find input files, and read each into a SourceDocument: decoded, cleaned of markup, titled, dated."""

from __future__ import annotations

import codecs
import errno
import hashlib
import json
import os
import re
import stat
import unicodedata
from collections.abc import Iterator, Sequence
from datetime import date, datetime
from pathlib import Path

import charset_normalizer
from bs4 import BeautifulSoup, Tag
from dateutil import parser as dateparser

from factcheck.errors import InputFileError
from factcheck.schema import SourceDocument

SUPPORTED_SUFFIXES = (".txt", ".md", ".html", ".htm")
HTML_SUFFIXES = (".html", ".htm")

TITLE_MAX_CHARS = 100
DATE_LINES = 5  # a date is only taken from this many non-empty lines at the top of a text file
_SNIFF_BYTES = 8192
_DROP_TAGS = ("script", "style", "noscript", "nav", "header", "footer", "aside", "form", "template")
_BLOCK_TAGS = (
    "p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "li", "dt", "dd", "tr", "br",
    "blockquote", "pre", "section", "article", "main", "figcaption", "table", "ul", "ol",
)  # fmt: skip
_DATE_META = ("article:published_time", "og:published_time", "datepublished", "date", "pubdate")
_DATE_LABEL = re.compile(r"^(?:published(?: on)?|publication date|date|posted(?: on)?)\s*[:–—-]?\s*", re.I)
_MARKDOWN_DECOR = re.compile(r"^[\s#>-]+|[*_]+|\s+$")
# Non-blocking so opening a FIFO does not wait for a writer; no controlling terminal from a tty.
_OPEN_FLAGS = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_BINARY", 0)
_READ_CHUNK = 1024 * 1024
# surrogateescape turns each byte that is not part of valid UTF-8 into one of U+DC80..U+DCFF.
_ESCAPED_BYTE = re.compile("[\udc80-\udcff]")
_NON_ASCII = re.compile("[^\x00-\x7f]")
_ESCAPED_TO_REPLACEMENT = {code: "\ufffd" for code in range(0xDC80, 0xDD00)}


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
    elif reason := _irregular_reason(path):
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
        elif reason := _irregular_reason(entry):
            errors.append(InputFileError(str(entry), reason))
        else:
            yield entry


def _supported(path: Path) -> bool:
    return path.suffix.lower() in SUPPORTED_SUFFIXES


def _unsupported_reason(path: Path) -> str:
    kind = f"'{path.suffix}' files" if path.suffix else "files without an extension"
    return f"{kind} are not supported (use {', '.join(SUPPORTED_SUFFIXES)})"


def _irregular_reason(path: Path) -> str | None:
    """Why discover leaves out a FIFO, socket or device (also behind a symlink), else None.

    An early, friendly report only: read_document checks the opened file again. A path stat
    cannot follow (a dangling link) is left to read_document, which names the OS error.
    """
    try:
        mode = os.stat(path).st_mode
    except OSError:
        return None
    return None if stat.S_ISREG(mode) or stat.S_ISDIR(mode) else _not_regular(mode)


def _not_regular(mode: int) -> str:
    if stat.S_ISFIFO(mode):
        kind = " (a FIFO)"
    elif stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        kind = " (a device)"
    elif stat.S_ISSOCK(mode):
        kind = " (a socket)"
    else:
        kind = ""
    return f"not a regular file{kind}"


def read_document(path: Path, *, max_bytes: int) -> SourceDocument:
    """Read one file into a SourceDocument, or raise InputFileError saying why it cannot be used."""
    path = Path(path)
    if not _supported(path):
        raise InputFileError(str(path), _unsupported_reason(path))
    data = _read_bytes(path, max_bytes)
    text, encoding, notes = _decode(path, data)
    is_html = path.suffix.lower() in HTML_SUFFIXES
    if is_html:
        title, text, published = _parse_html(text)
    else:
        title, published = _text_title(text, markdown=path.suffix.lower() == ".md"), _text_date(text)
    if not text.strip():
        reason = "no text after removing markup" if is_html else "empty (no text)"
        raise InputFileError(str(path), reason)
    return SourceDocument(
        doc_id=path.stem,
        path=str(path),
        title=_shorten(title or _first_line(text)),
        text=text,
        sha256=hashlib.sha256(data).hexdigest(),
        published=published,
        encoding=encoding,
        notes=tuple(notes),
    )


def _read_bytes(path: Path, max_bytes: int) -> bytes:
    """The file's bytes, reading only regular files and never more than max_bytes + 1 of them.

    The type is checked on the opened descriptor, not the path, so a file swapped for a FIFO or
    device in between cannot slip through; the limit is enforced while reading because stat's size
    can be stale (a growing file) or wrong (/proc files say 0).
    """
    fd = _open(path)
    try:
        info = os.fstat(fd)
        if stat.S_ISDIR(info.st_mode):
            raise InputFileError(str(path), f"cannot read: {os.strerror(errno.EISDIR)}")
        if not stat.S_ISREG(info.st_mode):
            raise InputFileError(str(path), _not_regular(info.st_mode))
        if info.st_size > max_bytes:
            raise _too_large(path, info.st_size, max_bytes)
        data = _read_at_most(path, fd, max_bytes + 1)
        if len(data) > max_bytes:  # it grew, or lied: report its size now if stat knows it
            raise _too_large(path, max(os.fstat(fd).st_size, len(data)), max_bytes)
    finally:
        os.close(fd)
    return data


def _open(path: Path) -> int:
    try:
        return os.open(path, _OPEN_FLAGS)
    except OSError as exc:
        # Opening a socket fails (ENXIO) before fstat could tell us what it is.
        reason = _irregular_reason(path) or f"cannot read: {exc.strerror or exc}"
        raise InputFileError(str(path), reason) from exc


def _read_at_most(path: Path, fd: int, limit: int) -> bytes:
    chunks: list[bytes] = []
    total = 0
    try:
        while total < limit:
            chunk = os.read(fd, min(limit - total, _READ_CHUNK))
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
    except OSError as exc:
        raise InputFileError(str(path), f"cannot read: {exc.strerror or exc}") from exc
    return b"".join(chunks)


def _too_large(path: Path, size: int, max_bytes: int) -> InputFileError:
    return InputFileError(
        str(path),
        f"too large: {_human_size(size)}, over the limit of {_human_size(max_bytes)} "
        "(raise it with FACTCHECK_MAX_FILE_MB)",
    )


def _decode(path: Path, data: bytes) -> tuple[str, str, list[str]]:
    """Text, the encoding used, and notes for the user; UTF-8 first, then the best guess."""
    if data[:2] in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE):  # Notepad's "Unicode"; full of NULs
        return _checked(path, data.decode("utf-16", errors="replace")), "utf-16", ["decoded as utf-16"]
    if b"\0" in data[:_SNIFF_BYTES]:
        raise InputFileError(str(path), "binary file (contains NUL bytes)")
    codec = "utf-8-sig" if data.startswith(codecs.BOM_UTF8) else "utf-8"
    try:
        return _checked(path, data.decode(codec)), codec, []
    except UnicodeDecodeError:
        pass
    if repaired := _utf8_with_strays(data, codec):
        text, invalid = repaired
        plural = "byte" if invalid == 1 else "bytes"
        return _checked(path, text), codec, [f"not valid UTF-8: {invalid} invalid {plural} replaced with U+FFFD"]
    text, guessed = _guess_decoding(path, data)
    return _checked(path, text), guessed, [f"not valid UTF-8; decoded as {guessed}"]


def _utf8_with_strays(data: bytes, codec: str) -> tuple[str, int] | None:
    """The text with each invalid byte as one U+FFFD, and how many there were, when the bytes
    are mostly UTF-8 (see mostly_utf8); None when they look like a legacy encoding."""
    escaped = data.decode(codec, errors="surrogateescape")
    invalid = len(_ESCAPED_BYTE.findall(escaped))
    multibyte = len(_NON_ASCII.findall(escaped)) - invalid
    if not mostly_utf8(multibyte=multibyte, invalid=invalid):
        return None
    return escaped.translate(_ESCAPED_TO_REPLACEMENT), invalid


def mostly_utf8(*, multibyte: int, invalid: int) -> bool:
    """Whether bytes that fail to decode as UTF-8 are still UTF-8 text with a few damaged bytes.

    multibyte counts valid multi-byte UTF-8 sequences (each non-ASCII character), invalid the
    bytes that belong to none. The rule is: UTF-8 when the sequences outnumber the invalid bytes.
    Why: in a legacy single-byte text (cp1252, Latin-1, cp1251) nearly every byte >= 0x80 is
    invalid UTF-8, and a valid sequence only appears by accident (e.g. cp1252 "É”" is C9 94), so
    invalid bytes dominate. A UTF-8 file with a stray byte (a pasted cp1252 quote, a bad edit) is
    the reverse; decoding it whole as cp1252 would turn every "’" into "â€™" to save one byte.
    A tie goes to the legacy decoding, as before this rule existed.
    """
    return multibyte > invalid


def _guess_decoding(path: Path, data: bytes) -> tuple[str, str]:
    # Mostly-ASCII bytes with some others are, for English news, nearly always cp1252 (curly
    # quotes, dashes, accents), and charset_normalizer guesses poorly from so few telling bytes.
    # Cyrillic, Greek etc. in a single-byte code are mostly high bytes and still go to the guesser.
    if sum(b >= 0x80 for b in data) < 0.3 * len(data):
        try:
            return data.decode("cp1252"), "cp1252"
        except UnicodeDecodeError:
            pass
    best = charset_normalizer.from_bytes(data).best()
    if best is None:
        raise InputFileError(str(path), "not valid text (no plausible encoding)")
    return str(best), best.encoding


def _checked(path: Path, text: str) -> str:
    """Reject text that is mostly control characters or replacement marks: a binary file."""
    sample = text[:_SNIFF_BYTES]
    odd = sum(1 for ch in sample if ch == "\ufffd" or _is_control(ch))
    if sample and odd / len(sample) > 0.1:
        raise InputFileError(str(path), "binary file (mostly non-text characters)")
    return text


def _is_control(ch: str) -> bool:
    return unicodedata.category(ch)[0] == "C" and ch not in "\t\n\r\f\v"


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


def _human_size(n_bytes: int) -> str:
    if n_bytes < 1024:
        return f"{n_bytes} bytes"
    if n_bytes < 1024 * 1024:
        return f"{n_bytes / 1024:.1f} KB"
    return f"{n_bytes / 1024 / 1024:.1f} MB"
