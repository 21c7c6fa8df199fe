"""Fetching one article by URL, and the document id a URL is stored under.

A fetch is bounded in every way a server could make it hang or flood us: http(s) only, a
timeout on connecting and on each read, a size limit enforced while the body streams in (a
Content-Length can lie, and gzip can inflate), and a counted number of redirects. Every failure
is one InputFileError with a short reason naming the URL, as a bad file is.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import unquote, urlsplit, urlunsplit

from factcheck import __version__
from factcheck.errors import InputFileError

if TYPE_CHECKING:
    import httpx

USER_AGENT = f"factcheck/{__version__} (+local fact-checking assistant)"
# The formats parse_document reads, by the media type a server declares them with.
KIND_OF_TYPE = {
    "text/html": ".html",
    "application/xhtml+xml": ".html",
    "text/plain": ".txt",
    "text/markdown": ".md",
    "text/x-markdown": ".md",
    "application/pdf": ".pdf",
}
_ACCEPT = "text/html, application/xhtml+xml, text/markdown, text/plain, application/pdf;q=0.9, */*;q=0.1"
# Servers that do not know what they send say this (or nothing); then the URL's suffix decides.
_UNTYPED = ("", "application/octet-stream")
_SUFFIX_KINDS = {".html": ".html", ".htm": ".html", ".txt": ".txt", ".md": ".md", ".pdf": ".pdf"}
_WEB_SUFFIX = re.compile(r"\.(?:s?html?|php\d?|aspx?|jsp|cgi|txt|md|pdf)$")
_NOT_ID_CHARS = re.compile(r"[^a-z0-9]+")
_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]+://")  # two letters at least: C:// is a Windows path
_ERRNO = re.compile(r"^\[Errno -?\d+\]\s*")
ID_MAX_CHARS = 80
HASH_CHARS = 8


def is_url(source: object) -> bool:
    """Whether an input names a web page rather than a file (a Path never does)."""
    return isinstance(source, str) and source[:8].lower().startswith(("http://", "https://"))


def looks_like_url(source: object) -> bool:
    """An http(s) URL, or one of another scheme (ftp://...) that fetch will refuse by name: as a
    path it would only be "no such file" (and Path() would drop one of its slashes)."""
    return is_url(source) or (isinstance(source, str) and _SCHEME.match(source) is not None)


def read_url_list(path: Path) -> tuple[list[str], list[InputFileError]]:
    """The URLs in a file, one a line (blank lines and # comments ignored), and one error per
    line that is not an http(s) URL, named FILE:LINE. An unreadable file is an InputFileError."""
    try:
        lines = path.read_text(encoding="utf-8-sig").splitlines()
    except FileNotFoundError:
        raise InputFileError(str(path), "no such file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InputFileError(str(path), f"cannot read: {getattr(exc, 'strerror', None) or exc}") from None
    urls: list[str] = []
    errors: list[InputFileError] = []
    for number, raw in enumerate(lines, start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if is_url(line) and not any(ch.isspace() for ch in line):
            urls.append(line)
        else:
            shown = line if len(line) <= 80 else line[:79] + "…"
            errors.append(InputFileError(f"{path}:{number}", f"not a URL: {shown}"))
    return urls, errors


@dataclass(frozen=True)
class FetchLimits:
    max_bytes: int
    timeout_s: float = 20.0
    max_redirects: int = 5


@dataclass(frozen=True)
class FetchedPage:
    url: str  # as given
    final_url: str  # where the redirects ended
    data: bytes
    kind: str  # the format as a file suffix, for parse_document
    redirects: int

    @property
    def redirect_note(self) -> str | None:
        if not self.redirects:
            return None
        times = "once" if self.redirects == 1 else f"{self.redirects} times"
        return f"redirected {times}; fetched from {self.final_url}"


def fetch(url: str, limits: FetchLimits) -> FetchedPage:
    """GET url, following redirects, or raise InputFileError saying why not."""
    import httpx  # lazy: only a run with URLs pays for it

    _require_http(url, url)
    timeout = httpx.Timeout(limits.timeout_s)
    headers = {"User-Agent": USER_AGENT, "Accept": _ACCEPT}
    try:
        with httpx.Client(timeout=timeout, headers=headers, follow_redirects=False) as client:
            response, redirects = _get(client, url, limits.max_redirects)
            try:
                kind = _kind(url, response)
                data = _read_body(url, response, limits.max_bytes)
            finally:
                response.close()
    except httpx.TimeoutException:
        raise InputFileError(url, f"timed out after {limits.timeout_s:g} s") from None
    except httpx.HTTPError as exc:
        raise InputFileError(url, _transport_reason(exc)) from None
    return FetchedPage(url, str(response.url), data, kind, redirects)


def _require_http(url: str, target: str) -> None:
    try:
        parts = urlsplit(target)
        host = parts.hostname
    except ValueError as exc:  # e.g. a malformed IPv6 host or port
        raise InputFileError(url, f"not a valid URL ({exc})") from None
    if parts.scheme.lower() not in ("http", "https"):
        where = f"redirected to {target}: " if target != url else ""
        raise InputFileError(url, f"{where}only http and https URLs can be fetched, not {parts.scheme or 'a path'}")
    if not host:
        raise InputFileError(url, "not a valid URL (no host)")


def _get(client: httpx.Client, url: str, max_redirects: int) -> tuple[httpx.Response, int]:
    """The first response that is not a redirect, and how many redirects led to it. Followed by
    hand, so each hop's scheme is checked and a loop ends at the limit like any long chain."""
    import httpx

    try:
        request = client.build_request("GET", url)
    except httpx.InvalidURL as exc:
        raise InputFileError(url, f"not a valid URL ({exc})") from None
    for redirects in range(max_redirects + 1):
        response = client.send(request, stream=True)
        if not response.has_redirect_location or response.next_request is None:
            return response, redirects
        response.close()
        request = response.next_request
        _require_http(url, str(request.url))
    raise InputFileError(url, f"too many redirects (more than {max_redirects})")


def _kind(url: str, response: httpx.Response) -> str:
    """The format of a successful response, from its declared media type."""
    if not response.is_success:  # an error page is not the article, whatever its type
        raise InputFileError(url, f"HTTP {response.status_code} {response.reason_phrase}".rstrip())
    media_type = response.headers.get("Content-Type", "").split(";")[0].strip().lower()
    if media_type in KIND_OF_TYPE:
        return KIND_OF_TYPE[media_type]
    suffix = re.search(r"\.[a-z]+$", response.url.path.lower())
    if media_type in _UNTYPED and suffix and suffix.group() in _SUFFIX_KINDS:
        return _SUFFIX_KINDS[suffix.group()]
    shown = media_type or "none given"
    raise InputFileError(url, f"unsupported content type {shown} (html, plain text, markdown or pdf are read)")


def _read_body(url: str, response: httpx.Response, max_bytes: int) -> bytes:
    declared = response.headers.get("Content-Length", "")
    if declared.isdigit() and int(declared) > max_bytes:
        raise _too_large(url, max_bytes)  # refused before a byte of the body is read
    chunks: list[bytes] = []
    total = 0
    for chunk in response.iter_bytes():  # decoded: the limit holds for what we would parse
        total += len(chunk)
        if total > max_bytes:
            raise _too_large(url, max_bytes)
        chunks.append(chunk)
    return b"".join(chunks)


def _too_large(url: str, max_bytes: int) -> InputFileError:
    mb = max_bytes / 1024 / 1024
    return InputFileError(url, f"larger than the {mb:.3g} MB limit (raise it with FACTCHECK_MAX_FILE_MB)")


def _transport_reason(exc: httpx.HTTPError) -> str:
    import httpx

    detail = _ERRNO.sub("", str(exc)).strip() or type(exc).__name__
    detail = detail[0].lower() + detail[1:]
    if isinstance(exc, httpx.ConnectError):
        return f"cannot connect ({detail})"
    if isinstance(exc, httpx.RemoteProtocolError | httpx.ReadError):
        return f"the server broke off the response ({detail})"
    return f"cannot fetch ({detail})"


# --- document ids ----------------------------------------------------------------------------


def canonical_url(url: str) -> str:
    """The form two spellings of one page share: scheme and host lower-cased, no fragment (it
    never reaches the server). Used to recognise a stored page, never to fetch."""
    parts = urlsplit(url.strip())
    netloc = parts.netloc.lower()
    return urlunsplit((parts.scheme.lower(), netloc, parts.path or "/", parts.query, ""))


def readable_id(url: str) -> str:
    """Host and path as one readable id: https://www.example.org/2025/08/15/summit-talks.html ->
    example.org-2025-08-15-summit-talks. Lossy (the '/' and '-' above are one), hence doc_id_for."""
    slug = _slug(url)
    return slug if len(slug) <= ID_MAX_CHARS else hashed_id(url)


def hashed_id(url: str) -> str:
    """The readable id (cut to fit) plus a short hash of the URL: distinct for distinct URLs."""
    digest = hashlib.sha256(canonical_url(url).encode("utf-8")).hexdigest()[:HASH_CHARS]
    return f"{_slug(url)[: ID_MAX_CHARS - HASH_CHARS - 1].rstrip('-.')}-{digest}"


def _slug(url: str) -> str:
    parts = urlsplit(canonical_url(url))
    host = (parts.hostname or "").removeprefix("www.")
    path = _WEB_SUFFIX.sub("", unquote(parts.path).lower().rstrip("/"))
    rest = _NOT_ID_CHARS.sub("-", f"{path} {unquote(parts.query).lower()}").strip("-")
    return f"{host}-{rest}" if rest else host


def doc_id_for(url: str, holder_of: Callable[[str], str | None]) -> str:
    """The id to store url under. holder_of(doc_id) is the source already holding that id (in the
    store or earlier in this batch), or None. The readable id unless another source holds it;
    the hashed one if this URL already has it, so a page never moves between the two."""
    readable, hashed = readable_id(url), hashed_id(url)
    mine = canonical_url(url)
    if _holds(holder_of(hashed), mine):
        return hashed
    holder = holder_of(readable)
    return readable if holder is None or _holds(holder, mine) else hashed


def _holds(source: str | None, canonical: str) -> bool:
    return source is not None and is_url(source) and canonical_url(source) == canonical
