"""`factcheck ingest URL...` and `--urls FILE` through the CLI, against a local web server."""

from __future__ import annotations

import json
import socket
from datetime import date

import pytest
from typer.testing import CliRunner

from factcheck.cli import app
from factcheck.config import load_settings
from factcheck.models.resolve import store_key
from factcheck.store import CorpusStore
from tests.http_server import article, no_proxies, serve

runner = CliRunner()
SUMMIT = article("Summit talks", "The leaders met in Anchorage on Friday.", "They spoke for three hours.")


def invoke(*args: str):
    return runner.invoke(app, list(args))


def ingest_json(*args: str) -> tuple[int, dict]:
    result = invoke("ingest", *args, "--format", "json")
    assert "Traceback" not in result.output
    return result.exit_code, json.loads(result.stdout)


def stored() -> CorpusStore:
    settings = load_settings()
    return CorpusStore(settings.store_dir, store_key(settings))


def listed() -> dict[str, dict]:
    return {d["doc_id"]: d for d in json.loads(invoke("corpus", "list", "--format", "json").stdout)}


@pytest.fixture
def site(monkeypatch, fake_embedder):
    no_proxies(monkeypatch)
    with serve() as served:
        yield served


def closed_port_url() -> str:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{probe.getsockname()[1]}/story"


def test_a_url_is_fetched_and_stored_under_a_readable_id(site):
    url = site.page("/2025/08/15/summit-talks.html", SUMMIT)
    code, summary = ingest_json(url)
    assert code == 0 and summary["added"] == 1
    [outcome] = summary["outcomes"]
    assert (outcome["path"], outcome["doc_id"]) == (url, "127.0.0.1-2025-08-15-summit-talks")
    record = stored().document(outcome["doc_id"])
    assert record.source_path == url and record.title == "Summit talks" and record.published == date(2025, 8, 15)
    assert any("Anchorage" in c.span.text for c in stored().chunks(outcome["doc_id"]))


def test_an_unchanged_page_is_not_embedded_again(site, fake_embedder):
    url = site.page("/summit", SUMMIT)
    ingest_json(url)
    fake_embedder.calls.clear()
    code, summary = ingest_json(url)
    assert code == 0 and summary["unchanged"] == 1
    assert fake_embedder.calls == []


def test_a_changed_page_replaces_its_chunks(site):
    url = site.page("/summit", SUMMIT)
    _, first = ingest_json(url)
    doc_id = first["outcomes"][0]["doc_id"]
    before = {c.chunk_id for c in stored().chunks(doc_id)}
    site.page("/summit", article("Summit talks", "The leaders met in Anchorage.", "A correction was appended."))
    code, summary = ingest_json(url)
    assert code == 0 and (summary["updated"], summary["outcomes"][0]["doc_id"]) == (1, doc_id)
    chunks = stored().chunks()
    assert not {c.chunk_id for c in chunks} & before
    assert len(chunks) == len({c.chunk_id for c in chunks}) == stored().document(doc_id).n_chunks
    assert any("correction" in c.span.text for c in chunks)


def test_bad_urls_are_each_one_skipped_line_and_the_good_ones_are_stored(site, monkeypatch):
    monkeypatch.setenv("FACTCHECK_MAX_FILE_MB", "0.01")  # about 10 KB
    good = [site.page("/one", SUMMIT), site.page("/two.txt", "Talks ended without a deal.", content_type="text/plain")]
    bad = {
        site.url("/gone"): "HTTP 404 Not Found",
        site.page("/photo", b"\x89PNG", content_type="image/png"): "image/png",
        site.page("/huge", "word " * 5000): "larger than the",
        closed_port_url(): "cannot connect (connection refused)",
    }
    result = invoke("ingest", good[0], *bad, good[1], "--format", "json")
    assert result.exit_code == 1 and "Traceback" not in result.output
    summary = json.loads(result.stdout)
    assert summary["added"] == 2 and summary["skipped"] == len(bad)
    lines = result.stderr.splitlines()
    for url, reason in bad.items():
        [line] = [line for line in lines if url in line]
        assert line.startswith(f"skipped {url}: ") and reason in line
    assert {r.source_path for r in stored().documents()} == set(good)


def test_another_scheme_is_refused_by_name_not_taken_for_a_path(site):
    result = invoke("ingest", "ftp://example.org/story.txt")
    assert result.exit_code == 1
    assert "skipped ftp://example.org/story.txt: only http and https URLs can be fetched, not ftp" in result.stderr


def test_a_failed_fetch_leaves_the_stored_page_alone(site):
    url = site.page("/summit", SUMMIT)
    _, first = ingest_json(url)
    doc_id = first["outcomes"][0]["doc_id"]
    before = (stored().document(doc_id), [c.chunk_id for c in stored().chunks(doc_id)])
    site.page("/summit", "Server trouble", status=500)
    code, summary = ingest_json(url)
    assert code == 1 and "HTTP 500" in summary["outcomes"][0]["message"]
    assert (stored().document(doc_id), [c.chunk_id for c in stored().chunks(doc_id)]) == before


def test_the_store_is_not_locked_while_a_page_is_fetched(site):
    """A slow server must not keep other writers (another ingest, a prune) waiting."""
    import filelock

    from factcheck.store_lock import lock_path

    free: list[bool] = []

    def try_the_lock() -> None:
        other = filelock.FileLock(str(lock_path(load_settings().store_dir)))
        try:
            other.acquire(timeout=0)
        except filelock.Timeout:
            free.append(False)
        else:
            free.append(True)
            other.release()

    urls = [site.page("/one", SUMMIT, on_request=try_the_lock), site.page("/two", SUMMIT, on_request=try_the_lock)]
    assert invoke("ingest", *urls).exit_code == 0
    assert free == [True, True]


def test_a_slow_server_times_out_by_the_setting(site, monkeypatch):
    monkeypatch.setenv("FACTCHECK_FETCH_TIMEOUT_S", "0.2")
    url = site.page("/slow", SUMMIT, delay_s=1.5)
    code, summary = ingest_json(url)
    assert code == 1 and summary["outcomes"][0]["message"] == "timed out after 0.2 s"


def test_a_redirected_page_is_stored_under_the_url_given_with_a_note(site):
    final = site.page("/final", SUMMIT)
    start = site.redirect("/short", "/final")
    result = invoke("ingest", start)
    assert result.exit_code == 0
    assert "note:" in result.stderr and final in result.stderr
    [record] = stored().documents()
    assert record.source_path == start and record.doc_id == "127.0.0.1-short"


def test_urls_and_files_in_one_run(site, tmp_path):
    path = tmp_path / "articles" / "local.txt"
    path.parent.mkdir()
    path.write_text("A local article about the summit in Anchorage.")
    code, summary = ingest_json(str(path), site.page("/summit", SUMMIT))
    assert code == 0 and summary["added"] == 2
    assert set(listed()) == {"local", "127.0.0.1-summit"}


def test_two_urls_with_one_readable_id_get_two_documents(site):
    first, second = site.page("/2025/08/summit", SUMMIT), site.page("/2025-08/summit", SUMMIT + "<p>Extra.</p>")
    code, summary = ingest_json(first, second)
    assert code == 0 and summary["added"] == 2
    ids = [o["doc_id"] for o in summary["outcomes"]]
    assert ids[0] == "127.0.0.1-2025-08-summit" and ids[1].startswith("127.0.0.1-2025-08-summit-")
    _, again = ingest_json(second, first)
    assert [o["doc_id"] for o in again["outcomes"]] == ids[::-1] and again["unchanged"] == 2


# --- --urls FILE ---------------------------------------------------------------------------------


def test_a_url_file_with_comments_and_a_bad_line(site, tmp_path):
    good = [site.page("/one", SUMMIT), site.page("/two", article("Second", "Another report from Alaska."))]
    urls = tmp_path / "urls.txt"
    urls.write_text(f"# summit coverage\n{good[0]}\n\n   # an indented comment\nnot a url\n{good[1]}\n")
    result = invoke("ingest", "--urls", str(urls), "--format", "json")
    assert result.exit_code == 1
    summary = json.loads(result.stdout)
    assert summary["added"] == 2 and summary["skipped"] == 1
    [line] = [line for line in result.stderr.splitlines() if "not a URL" in line]
    assert line == f"skipped {urls}:5: not a URL: not a url"
    assert {r.source_path for r in stored().documents()} == set(good)


def test_a_missing_url_file_is_a_usage_error_naming_it(site, tmp_path):
    result = invoke("ingest", "--urls", str(tmp_path / "nope.txt"))
    assert result.exit_code == 2 and "nope.txt" in result.output and "Traceback" not in result.output
    assert not load_settings().store_dir.exists()


def test_nothing_to_ingest_is_a_usage_error(site):
    result = invoke("ingest")
    assert result.exit_code == 2 and "--urls" in result.output


# --- --date --------------------------------------------------------------------------------------


def test_date_sets_the_publication_date_and_follows_an_unchanged_page(site, fake_embedder):
    url = site.page("/summit", SUMMIT)  # the page itself says 2025-08-15
    ingest_json(url, "--date", "2025-08-16")
    [record] = stored().documents()
    assert record.published == date(2025, 8, 16)
    fake_embedder.calls.clear()
    code, summary = ingest_json(url, "--date", "2025-08-17")
    assert code == 0 and summary["unchanged"] == 1 and "2025-08-17" in summary["outcomes"][0]["message"]
    assert stored().document(record.doc_id).published == date(2025, 8, 17)
    assert fake_embedder.calls == []
    ingest_json(url)  # without --date, an unchanged page keeps the date it was given
    assert stored().document(record.doc_id).published == date(2025, 8, 17)


def test_date_applies_to_files_too(site, tmp_path):
    path = tmp_path / "story.txt"
    path.write_text("An undated article about the summit.")
    ingest_json(str(path), "--date", "2024-02-29")
    assert stored().document("story").published == date(2024, 2, 29)


@pytest.mark.parametrize("value", ["15/08/2025", "2025-02-30", "20250815", "tomorrow"])
def test_a_bad_date_is_a_usage_error_before_anything_is_read(site, value):
    url = site.page("/summit", SUMMIT)
    result = invoke("ingest", url, "--date", value)
    assert result.exit_code == 2 and "--date" in result.output and "Traceback" not in result.output
    assert site.requests == [] and not load_settings().store_dir.exists()


# --- listing and pruning -------------------------------------------------------------------------


def test_list_shows_the_url_as_source_and_does_not_call_it_missing(site):
    url = site.page("/summit", SUMMIT)
    ingest_json(url)
    [entry] = listed().values()
    assert entry["source_path"] == url and entry["source_missing"] is None
    table = invoke("corpus", "list")
    assert table.exit_code == 0 and "url" in table.stdout.split() and "missing" not in table.stdout + table.stderr


def test_prune_keeps_url_documents_even_when_the_server_is_down(fake_embedder, tmp_path, monkeypatch):
    no_proxies(monkeypatch)
    local = tmp_path / "articles" / "local.txt"
    local.parent.mkdir()
    local.write_text("A local article about the summit in Anchorage.")
    with serve() as site:
        url = site.page("/summit", SUMMIT)
        assert invoke("ingest", url, str(local)).exit_code == 0
    local.unlink()  # the file is gone, and so is the server
    dry = json.loads(invoke("corpus", "prune", "--dry-run", "--format", "json").stdout)
    assert [d["doc_id"] for d in dry["documents"]] == ["local"]
    pruned = json.loads(invoke("corpus", "prune", "--format", "json").stdout)
    assert [d["doc_id"] for d in pruned["documents"]] == ["local"]
    assert [r.source_path for r in stored().documents()] == [url]


def test_a_file_does_not_replace_a_page_holding_its_id(site, tmp_path):
    url = site.page("/summit", SUMMIT)
    ingest_json(url)
    clash = tmp_path / "127.0.0.1-summit.txt"
    clash.write_text("A file whose name happens to be the page's id.")
    code, summary = ingest_json(str(clash))
    assert code == 1 and "already taken by " + url in summary["outcomes"][0]["message"]
    assert stored().document("127.0.0.1-summit").source_path == url
