"""Fetching a URL (against a local server) and the document id a URL gets."""

from __future__ import annotations

import re
import socket
import time

import pytest

from factcheck import __version__
from factcheck.corpus.fetch import (
    ID_MAX_CHARS,
    FetchLimits,
    doc_id_for,
    fetch,
    hashed_id,
    is_url,
    looks_like_url,
    read_url_list,
    readable_id,
)
from factcheck.errors import InputFileError
from tests.http_server import article, no_proxies, serve

LIMITS = FetchLimits(max_bytes=1 << 20, timeout_s=5.0, max_redirects=5)


@pytest.fixture
def site(monkeypatch):
    no_proxies(monkeypatch)
    with serve() as served:
        yield served


def refusal(url: str, limits: FetchLimits = LIMITS) -> str:
    with pytest.raises(InputFileError) as caught:
        fetch(url, limits)
    assert caught.value.path == url  # the message names what the user gave
    return caught.value.reason


def test_an_article_page_is_fetched_as_html_with_our_user_agent(site):
    url = site.page("/news/summit.html", article("Summit talks", "The leaders met in Anchorage."))
    page = fetch(url, LIMITS)
    assert (page.url, page.final_url, page.kind, page.redirects) == (url, url, ".html", 0)
    assert b"The leaders met in Anchorage." in page.data and page.redirect_note is None
    [(_, headers)] = site.requests
    assert headers["User-Agent"] == f"factcheck/{__version__} (+local fact-checking assistant)"


@pytest.mark.parametrize(
    ("content_type", "kind"),
    [
        ("text/plain; charset=utf-8", ".txt"),
        ("text/markdown", ".md"),
        ("application/pdf", ".pdf"),
        ("application/xhtml+xml", ".html"),
        ("TEXT/HTML", ".html"),
    ],
)
def test_the_content_type_decides_the_kind(site, content_type, kind):
    assert fetch(site.page("/doc", b"Some text.", content_type=content_type), LIMITS).kind == kind


def test_an_untyped_response_is_read_by_its_urls_suffix(site):
    url = site.page("/files/report.pdf", b"%PDF-1.4", content_type="application/octet-stream")
    assert fetch(url, LIMITS).kind == ".pdf"


def test_a_missing_page_is_http_404(site):
    assert refusal(site.url("/nowhere")) == "HTTP 404 Not Found"


def test_a_server_error_names_its_status(site):
    assert refusal(site.page("/broken", b"oops", status=503)) == "HTTP 503 Service Unavailable"


def test_a_redirect_chain_is_followed_and_counted(site):
    final = site.page("/final", article("Moved story", "It lives here now."))
    site.redirect("/middle", "/final", status=301)
    start = site.redirect("/start", site.url("/middle"))
    page = fetch(start, LIMITS)
    assert (page.url, page.final_url, page.redirects) == (start, final, 2)
    assert page.redirect_note is not None and final in page.redirect_note and "2 times" in page.redirect_note


def test_a_redirect_loop_is_refused(site):
    site.redirect("/a", "/b")
    loop = site.redirect("/b", "/a")
    assert refusal(loop, FetchLimits(1 << 20, 5.0, max_redirects=3)) == "too many redirects (more than 3)"
    assert len(site.requests) == 4  # the first request and three redirects, then it stopped


def test_a_chain_longer_than_the_limit_is_refused(site):
    site.page("/3", "end")
    site.redirect("/2", "/3")
    site.redirect("/1", "/2")
    assert refusal(site.url("/1"), FetchLimits(1 << 20, 5.0, max_redirects=1)) == "too many redirects (more than 1)"
    assert fetch(site.url("/1"), FetchLimits(1 << 20, 5.0, max_redirects=2)).redirects == 2


def test_a_redirect_to_another_scheme_is_refused(site):
    url = site.redirect("/away", "file:///etc/passwd")
    reason = refusal(url)
    assert reason.startswith("redirected to file://") and "only http and https URLs can be fetched" in reason


@pytest.mark.parametrize("send_length", [True, False])
def test_a_page_over_the_size_limit_is_refused(site, send_length):
    url = site.page("/big", "word " * 2000, send_length=send_length)  # 10,000 bytes
    reason = refusal(url, FetchLimits(max_bytes=4096))
    assert reason.startswith("larger than the") and "MB limit" in reason and "FACTCHECK_MAX_FILE_MB" in reason
    assert fetch(url, FetchLimits(max_bytes=10_000)).data == b"word " * 2000  # exactly at the limit: fine


def test_an_image_is_refused_naming_its_type(site):
    url = site.page("/photo.png", b"\x89PNG\r\n", content_type="image/png")
    reason = refusal(url)
    assert "image/png" in reason and "unsupported content type" in reason


def test_a_slow_server_times_out(site):
    url = site.page("/slow", "late", delay_s=1.5)
    started = time.monotonic()
    assert refusal(url, FetchLimits(1 << 20, timeout_s=0.2)) == "timed out after 0.2 s"
    assert time.monotonic() - started < 1.2


def test_a_closed_port_cannot_connect():
    with socket.socket() as probe:  # a port nothing listens on: bound, then released
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    reason = refusal(f"http://127.0.0.1:{port}/story")
    assert reason == "cannot connect (connection refused)"


@pytest.mark.parametrize("url", ["ftp://example.org/story.txt", "file:///etc/hosts", "javascript:alert(1)"])
def test_other_schemes_are_refused_without_a_request(url):
    reason = refusal(url)
    assert "only http and https URLs can be fetched" in reason


def test_a_url_without_a_host_is_refused():
    assert refusal("http:///story") == "not a valid URL (no host)"


def test_what_counts_as_a_url():
    from pathlib import Path

    assert is_url("https://example.org/a") and is_url("HTTP://example.org")
    assert not is_url("example.org/a") and not is_url("ftp://example.org")
    assert not is_url(Path("https://example.org/a"))  # a path is never a URL, whatever it spells
    assert looks_like_url("ftp://example.org/a") and looks_like_url("https://example.org")  # fetch names ftp
    assert not looks_like_url("articles/ftp.txt") and not looks_like_url("C://articles")


# --- the URL list file -----------------------------------------------------------------------------


def test_a_url_list_skips_comments_and_blank_lines_and_names_bad_lines(tmp_path):
    listed = tmp_path / "urls.txt"
    listed.write_text("# sources\n\nhttps://example.org/a\n  http://example.org/b  \nexample.org/c\nftp://x/y\n")
    urls, errors = read_url_list(listed)
    assert urls == ["https://example.org/a", "http://example.org/b"]
    assert [(e.path, e.reason) for e in errors] == [
        (f"{listed}:5", "not a URL: example.org/c"),
        (f"{listed}:6", "not a URL: ftp://x/y"),
    ]


def test_a_missing_url_list_is_an_error_naming_it(tmp_path):
    with pytest.raises(InputFileError, match="urls.txt: no such file"):
        read_url_list(tmp_path / "urls.txt")


# --- document ids ----------------------------------------------------------------------------------


def test_a_readable_id_comes_from_host_and_path():
    assert readable_id("https://www.example.org/2025/08/15/summit-talks.html") == "example.org-2025-08-15-summit-talks"
    assert readable_id("https://Example.org/News/Story?id=7#comments") == "example.org-news-story-id-7"
    assert readable_id("http://example.org/") == "example.org"


def test_ids_are_stable_and_safe_to_use_as_ids():
    url = "https://example.org/2025/08/15/Summit talks: what's next?.html"
    assert readable_id(url) == readable_id(url) and hashed_id(url) == hashed_id(url)
    for doc_id in (readable_id(url), hashed_id(url)):
        assert re.fullmatch(r"[a-z0-9.-]+", doc_id), doc_id  # no ':' (chunk ids use it) nor spaces


def test_a_long_url_gets_a_short_hashed_id():
    long_url = "https://example.org/" + "/".join(["a-very-long-section-name"] * 10)
    doc_id = readable_id(long_url)
    assert len(doc_id) <= ID_MAX_CHARS and doc_id.startswith("example.org-a-very-long")
    assert doc_id != readable_id(long_url + "-2")


URLS = [
    "https://example.org/2025/08/15/summit-talks",
    "https://example.org/2025-08-15/summit-talks",  # the same readable id as the first
    "http://example.org/2025/08/15/summit-talks",
    "https://example.org/2025/08/15/summit_talks",
    "https://example.org/2025/08/15/summit-talks?page=2",
]


def ingest_all(urls: list[str], held: dict[str, str]) -> dict[str, str]:
    """Give each URL its id as an ingest does, recording who holds which; return url -> id."""
    ids = {}
    for url in urls:
        ids[url] = doc_id_for(url, held.get)
        held.setdefault(ids[url], url)
    return ids


def test_different_urls_never_share_an_id():
    ids = ingest_all(URLS, {})
    assert len(set(ids.values())) == len(URLS)
    assert ids[URLS[0]] == "example.org-2025-08-15-summit-talks"  # the first keeps the readable id
    assert all(len(doc_id) <= ID_MAX_CHARS for doc_id in ids.values())


def test_a_url_keeps_its_id_on_every_ingest():
    held: dict[str, str] = {}
    first = ingest_all(URLS, held)
    assert ingest_all(URLS, held) == first
    del held[first[URLS[0]]]  # the readable id's page was removed: the others do not move to it
    assert ingest_all(URLS[1:], held) == {url: first[url] for url in URLS[1:]}


def test_a_file_holding_the_readable_id_gives_the_page_the_hashed_one():
    url = URLS[0]
    assert doc_id_for(url, {readable_id(url): "/articles/example.org-2025-08-15-summit-talks.txt"}.get) == hashed_id(
        url
    )


def test_two_spellings_of_one_page_are_one_document():
    held = {readable_id(URLS[0]): URLS[0]}
    assert doc_id_for("HTTPS://EXAMPLE.ORG/2025/08/15/summit-talks#top", held.get) == readable_id(URLS[0])
