"""Reading input files: what becomes a document, and what is refused with a reason naming the file."""

from __future__ import annotations

import contextlib
import hashlib
import os
import threading
import tracemalloc
from datetime import date
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from factcheck.corpus.decoding import mostly_utf8
from factcheck.corpus.reader import discover, read_document
from factcheck.errors import InputFileError

SAMPLES = Path(__file__).parents[2] / "examples" / "alaska-summit"
LIMIT = 100_000


def write(path: Path, content: str | bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, str):
        path.write_text(content, encoding="utf-8", newline="")
    else:
        path.write_bytes(content)
    return path


def read(path: Path, max_bytes: int = LIMIT):
    return read_document(path, max_bytes=max_bytes)


def refusal(path: Path, max_bytes: int = LIMIT) -> InputFileError:
    with pytest.raises(InputFileError) as caught:
        read(path, max_bytes)
    assert caught.value.path == str(path) and str(path) in str(caught.value)
    return caught.value


class TestPlainText:
    def test_text_is_kept_exactly_as_in_the_file(self, tmp_path):
        content = "  Title line\r\n\r\nBody   with  spaces.\tTab.\n\n\nEnd\n"
        doc = read(write(tmp_path / "story.txt", content))
        assert doc.text == content
        assert doc.title == "Title line"
        assert doc.doc_id == "story" and doc.path == str(tmp_path / "story.txt")
        assert doc.encoding == "utf-8" and doc.notes == ()

    def test_sha256_is_of_the_raw_bytes(self, tmp_path):
        raw = b"Hello.\n"
        assert read(write(tmp_path / "a.txt", raw)).sha256 == hashlib.sha256(raw).hexdigest()

    def test_utf8_bom_is_stripped_but_counts_in_the_hash(self, tmp_path):
        raw = b"\xef\xbb\xbfHeadline\nBody."
        doc = read(write(tmp_path / "bom.txt", raw))
        assert doc.text == "Headline\nBody." and doc.title == "Headline"
        assert doc.encoding == "utf-8-sig"
        assert doc.sha256 == hashlib.sha256(raw).hexdigest()

    def test_cp1252_file_is_decoded_with_a_note(self, tmp_path):
        content = "The minister’s “deal” – worth €5m – fell through, café owners said.\n"
        doc = read(write(tmp_path / "legacy.txt", content.encode("cp1252")))
        assert doc.text == content
        assert doc.encoding == "cp1252"
        assert doc.notes == ("not valid UTF-8; decoded as cp1252",)

    def test_cyrillic_legacy_file_is_left_to_the_encoding_detector(self, tmp_path):
        content = "Путин и Трамп встретились на Аляске в пятницу. Переговоры длились три часа.\n"
        doc = read(write(tmp_path / "ru.txt", content.encode("cp1251")))
        assert doc.text == content and doc.encoding == "cp1251"

    def test_markdown_title_loses_its_hashes_but_text_is_untouched(self, tmp_path):
        content = "\n## Summit *ends*  \n\nBody text.\n"
        doc = read(write(tmp_path / "note.md", content))
        assert doc.title == "Summit *ends*"
        assert doc.text == content

    def test_long_title_is_shortened_at_a_word_boundary(self, tmp_path):
        first = " ".join(["word"] * 40)  # 199 characters
        doc = read(write(tmp_path / "long.txt", first + "\nBody."))
        assert doc.title.endswith("…") and len(doc.title) <= 100
        assert doc.title[:-1].split() == ["word"] * len(doc.title[:-1].split())

    @pytest.mark.parametrize(
        "top",
        [
            "Published: 14 August 2025",
            "Date: 2025-08-14",
            "**Published:** Aug. 14, 2025",
            "Thursday, August 14, 2025",
            "---\ndate: 2025-08-14\n---",
        ],
    )
    def test_publication_date_is_read_from_the_top_lines(self, tmp_path, top):
        doc = read(write(tmp_path / "dated.md", f"# Headline\n{top}\n\nBody mentions 1 May 2020.\n"))
        assert doc.published == date(2025, 8, 14)

    def test_dates_deep_in_the_body_are_not_taken_as_publication_date(self, tmp_path):
        lines = ["Headline", "Intro.", "More.", "Even more.", "Still more.", "Again.", "Date: 2025-08-14"]
        assert read(write(tmp_path / "late.txt", "\n".join(lines))).published is None

    @pytest.mark.parametrize("line", ["August 2025", "Friday", "1988", "Anchorage, Alaska — 1,550 warheads"])
    def test_partial_dates_and_numbers_are_not_publication_dates(self, tmp_path, line):
        assert read(write(tmp_path / "vague.txt", f"Headline\n{line}\nBody.")).published is None

    def test_sample_articles_read_cleanly(self):
        for path in sorted(SAMPLES.glob("*.txt")):
            doc = read(path)
            assert doc.text == path.read_text(encoding="utf-8")
            assert doc.title and len(doc.title) <= 100 and doc.notes == ()


class TestHtml:
    PAGE = """<!DOCTYPE html>
<html><head><title>  Trump and   Putin meet </title>
<meta property="article:published_time" content="2025-08-15T18:00:00+00:00">
<style>p { color: red }</style><script>var tracking = 1;</script></head>
<body><nav>Home | World</nav><header>Daily Site</header>
<!-- an editor's comment -->
<article><h1>Leaders meet in Alaska</h1>
<p>The two   leaders met on <b>Friday</b>.</p><p>Talks lasted<br>three hours.</p>
<ul><li>Ceasefire</li><li>Arms control</li></ul></article>
<aside>Related stories</aside><form>Subscribe</form><footer>© Daily Site</footer>
<script>more();</script></body></html>"""

    def test_markup_is_stripped_keeping_block_breaks(self, tmp_path):
        doc = read(write(tmp_path / "page.html", self.PAGE))
        assert doc.text == (
            "Leaders meet in Alaska\nThe two leaders met on Friday.\nTalks lasted\nthree hours.\n"
            "Ceasefire\nArms control"
        )

    def test_title_and_date_come_from_the_head(self, tmp_path):
        doc = read(write(tmp_path / "page.htm", self.PAGE))
        assert doc.title == "Trump and Putin meet"
        assert doc.published == date(2025, 8, 15)
        assert doc.sha256 == hashlib.sha256(self.PAGE.encode()).hexdigest()

    def test_title_falls_back_to_h1_then_first_line(self, tmp_path):
        assert read(write(tmp_path / "a.html", "<h1>Big news</h1><p>Body.</p>")).title == "Big news"
        assert read(write(tmp_path / "b.html", "<p>Only a paragraph.</p>")).title == "Only a paragraph."

    @pytest.mark.parametrize(
        "markup",
        [
            '<script type="application/ld+json">{"@graph": [{"datePublished": "2025-08-14"}]}</script>',
            '<meta name="date" content="14 August 2025">',
            '<meta name="pubdate" content="2025-08-14">',
            '<meta property="og:published_time" content="2025-08-14">',
            '<p>Posted <time datetime="2025-08-14T09:00">this morning</time></p>',
        ],
    )
    def test_publication_date_sources(self, tmp_path, markup):
        doc = read(write(tmp_path / "d.html", f"<html><head></head><body>{markup}<p>Text.</p></body></html>"))
        assert doc.published == date(2025, 8, 14)

    def test_page_with_only_scripts_and_navigation_is_refused(self, tmp_path):
        path = write(tmp_path / "shell.html", "<html><body><nav>Menu</nav><script>app()</script></body></html>")
        assert "no text" in refusal(path).reason


class TestRefusals:
    def test_empty_file(self, tmp_path):
        assert "empty" in refusal(write(tmp_path / "empty.txt", b"")).reason

    def test_whitespace_only_file(self, tmp_path):
        assert "empty" in refusal(write(tmp_path / "blank.md", " \n\t\r\n ")).reason

    def test_file_over_the_size_limit_says_size_and_limit(self, tmp_path):
        reason = refusal(write(tmp_path / "big.txt", "x" * 2000), max_bytes=1000).reason
        assert "2.0 KB" in reason and "1000 bytes" in reason and "FACTCHECK_MAX_FILE_MB" in reason

    def test_binary_file_with_nul_bytes(self, tmp_path):
        assert "binary" in refusal(write(tmp_path / "image.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")).reason

    def test_binary_file_of_control_characters(self, tmp_path):
        assert "binary" in refusal(write(tmp_path / "blob.txt", bytes(range(1, 32)) * 50)).reason

    def test_unsupported_extension(self, tmp_path):
        assert "'.docx'" in refusal(write(tmp_path / "paper.docx", "Some text.")).reason

    def test_unreadable_path(self, tmp_path):
        folder = tmp_path / "folder.txt"
        folder.mkdir()
        assert "cannot read" in refusal(folder).reason

    def test_missing_file(self, tmp_path):
        assert "cannot read" in refusal(tmp_path / "gone.txt").reason


class TestDiscover:
    def test_folders_are_walked_recursively_in_sorted_order_skipping_hidden(self, tmp_path):
        for name in ["b.txt", "a.md", "sub/c.html", "sub/deeper/d.htm", ".hidden.txt", ".git/e.txt", "sub/.f.md"]:
            write(tmp_path / name, "Text.")
        files, errors = discover([tmp_path])
        assert files == [tmp_path / n for n in ["a.md", "b.txt", "sub/c.html", "sub/deeper/d.htm"]]
        assert errors == []

    def test_unsupported_files_in_folders_are_reported_one_each(self, tmp_path):
        write(tmp_path / "ok.txt", "Text.")
        write(tmp_path / "paper.docx", b"PK")
        write(tmp_path / "README", "x")
        files, errors = discover([tmp_path])
        assert files == [tmp_path / "ok.txt"]
        assert [e.path for e in errors] == [str(tmp_path / "README"), str(tmp_path / "paper.docx")]
        assert all("not supported" in e.reason for e in errors)

    def test_explicit_files_keep_their_order_and_are_not_repeated(self, tmp_path):
        b, a = write(tmp_path / "b.txt", "B."), write(tmp_path / "a.TXT", "A.")
        files, errors = discover([b, a, tmp_path, b])
        assert files == [b, a] and errors == []

    def test_missing_path_and_explicit_unsupported_file_are_errors(self, tmp_path):
        docx = write(tmp_path / "x.docx", b"PK")
        files, errors = discover([tmp_path / "nope", docx])
        assert files == []
        assert [e.path for e in errors] == [str(tmp_path / "nope"), str(docx)]
        assert "no such file" in errors[0].reason

    @pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root can read anything")
    def test_unreadable_file_is_an_error(self, tmp_path):
        path = write(tmp_path / "secret.txt", "Text.")
        path.chmod(0)
        files, errors = discover([path])
        assert files == [] and "permission" in errors[0].reason

    def test_symlink_loop_does_not_hang(self, tmp_path):
        write(tmp_path / "a.txt", "A.")
        (tmp_path / "loop").symlink_to(tmp_path)
        files, _ = discover([tmp_path])
        assert files.count(tmp_path / "a.txt") == 1


def within(seconds: float, call, *, release=None):
    """call() in a thread; fail (instead of hanging the suite) if it does not return in time.

    release() is run on a timeout to unblock the thread, so a regression fails cleanly."""
    outcome: dict[str, object] = {}

    def target():
        try:
            outcome["value"] = call()
        except BaseException as exc:  # handed back to the test thread below
            outcome["error"] = exc

    thread = threading.Thread(target=target, daemon=True)
    thread.start()
    thread.join(seconds)
    if thread.is_alive():
        if release is not None:
            release()
            thread.join(seconds)
        pytest.fail(f"did not return within {seconds}s")
    if "error" in outcome:
        raise outcome["error"]
    return outcome.get("value")


def release_fifo(fifo: Path) -> None:
    """Open and close the FIFO's writing end, so a reader blocked in open() gets end-of-file."""
    with contextlib.suppress(OSError):
        os.close(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK))


@contextlib.contextmanager
def memory_cap(headroom: int = 512 * 1024 * 1024):
    """Cap this process's address space near its current size, so reading without end raises
    MemoryError instead of exhausting the machine."""
    resource = pytest.importorskip("resource")
    with open("/proc/self/status") as status:
        vm_kb = next(int(line.split()[1]) for line in status if line.startswith("VmSize:"))
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    cap = vm_kb * 1024 + headroom
    if hard != resource.RLIM_INFINITY:
        cap = min(cap, hard)
    resource.setrlimit(resource.RLIMIT_AS, (cap, hard))
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_AS, (soft, hard))


posix_only = pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs (POSIX)")


@posix_only
class TestNonRegularFiles:
    def test_fifo_is_refused_without_waiting_for_a_writer(self, tmp_path):
        fifo = tmp_path / "story.txt"
        os.mkfifo(fifo)
        error = within(5, lambda: pytest.raises(InputFileError, read, fifo).value, release=lambda: release_fifo(fifo))
        assert error.path == str(fifo) and "not a regular file (a FIFO)" in error.reason

    @pytest.mark.parametrize("device", ["/dev/zero", "/dev/urandom"])
    def test_symlink_to_an_endless_device_is_refused(self, tmp_path, device):
        if not os.path.exists(device):
            pytest.skip(f"no {device}")
        link = tmp_path / "x.txt"
        link.symlink_to(device)
        with memory_cap():
            error = within(10, lambda: pytest.raises(InputFileError, read, link).value)
        assert error.path == str(link) and "not a regular file (a device)" in error.reason

    def test_symlink_to_a_regular_file_is_read(self, tmp_path):
        real = write(tmp_path / "real.txt", "Linked story.\n")
        link = tmp_path / "link.txt"
        link.symlink_to(real)
        doc = read(link)
        assert doc.text == "Linked story.\n" and doc.doc_id == "link"

    def test_fifo_in_a_folder_is_reported_and_skipped(self, tmp_path):
        write(tmp_path / "ok.txt", "Text.")
        os.mkfifo(tmp_path / "story.txt")
        (tmp_path / "zero.txt").symlink_to("/dev/zero")
        files, errors = within(5, lambda: discover([tmp_path]), release=lambda: release_fifo(tmp_path / "story.txt"))
        assert files == [tmp_path / "ok.txt"]
        reasons = {Path(e.path).name: e.reason for e in errors}
        assert reasons == {"story.txt": "not a regular file (a FIFO)", "zero.txt": "not a regular file (a device)"}

    def test_explicitly_named_fifo_is_reported_by_discover(self, tmp_path):
        fifo = tmp_path / "story.txt"
        os.mkfifo(fifo)
        files, errors = discover([fifo])
        assert files == [] and [(e.path, e.reason) for e in errors] == [(str(fifo), "not a regular file (a FIFO)")]


class TestSizeLimitWhileReading:
    def test_file_that_reports_a_false_size_is_read_only_up_to_the_limit(self, tmp_path, monkeypatch):
        path = write(tmp_path / "liar.txt", b"word " * 1_000_000)  # 5 MB, but stat will say 0 bytes

        def zero_size(real):
            def fake(*args, **kwargs):
                info = real(*args, **kwargs)
                return os.stat_result((*info[:6], 0, *info[7:10]))

            return fake

        monkeypatch.setattr(os, "stat", zero_size(os.stat))
        monkeypatch.setattr(os, "fstat", zero_size(os.fstat))
        tracemalloc.start()
        try:
            error = refusal(path, max_bytes=1000)
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
        assert "too large" in error.reason and "1000 bytes" in error.reason
        assert peak < 1_000_000  # not the whole 5 MB file


def _utf8_news(quote_count: int) -> str:
    return "".join(f"Putin’s ‘offer’ No. {i} – said the café owner.\n" for i in range(quote_count))


class TestStrayBytesInUtf8:
    @pytest.mark.parametrize("stray", [b"\x92", b"\xe9"])
    def test_one_stray_byte_is_replaced_not_decoded_as_a_legacy_code(self, tmp_path, stray):
        text = _utf8_news(5)
        cut = text.index("No. 3")
        raw = text[:cut].encode() + stray + text[cut:].encode()
        doc = read(write(tmp_path / "news.txt", raw))
        assert doc.text == text[:cut] + "\ufffd" + text[cut:]
        assert "Putin’s" in doc.text and "â€" not in doc.text
        assert doc.encoding == "utf-8"
        assert doc.notes == ("not valid UTF-8: 1 invalid byte replaced with U+FFFD",)

    def test_note_counts_every_replaced_byte(self, tmp_path):
        text = _utf8_news(6)
        raw = text.encode().replace(b"No. 1", b"No.\x92 1").replace(b"No. 4", b"No. \xff\xfe4")
        doc = read(write(tmp_path / "news.txt", raw))
        assert doc.text.count("\ufffd") == 3
        assert doc.notes == ("not valid UTF-8: 3 invalid bytes replaced with U+FFFD",)

    def test_utf8_with_bom_and_a_stray_byte_drops_the_bom(self, tmp_path):
        text = _utf8_news(3)
        raw = b"\xef\xbb\xbf" + text.encode() + b"\x96"
        doc = read(write(tmp_path / "news.txt", raw))
        assert doc.text == text + "\ufffd" and doc.encoding == "utf-8-sig"

    def test_cp1252_with_an_accidental_utf8_pair_stays_cp1252(self, tmp_path):
        # "É”" is C9 94 in cp1252, which happens to be valid UTF-8; the strays still outnumber it.
        content = "“CAFÉ” – the minister’s café said it was “closed”.\n"
        doc = read(write(tmp_path / "legacy.txt", content.encode("cp1252")))
        assert doc.text == content and doc.encoding == "cp1252"

    def test_rule_needs_valid_sequences_to_outnumber_invalid_bytes(self):
        assert mostly_utf8(multibyte=2, invalid=1)
        assert not mostly_utf8(multibyte=1, invalid=1)
        assert not mostly_utf8(multibyte=0, invalid=3)


_TEXT_CHARS = st.characters(categories=("L", "N", "P", "Zs"), exclude_characters="\ufffd")


@st.composite
def news_with_a_stray_byte(draw):
    """Text with at least two non-ASCII characters, and its UTF-8 with one stray byte inserted
    between two characters (inside a character it could join a valid sequence)."""
    chars = draw(st.lists(_TEXT_CHARS, min_size=20, max_size=200))
    chars += draw(st.lists(st.characters(min_codepoint=0x80, categories=("L", "P")), min_size=2, max_size=6))
    text = "".join(draw(st.permutations(chars)))
    at = draw(st.integers(0, len(text)))
    stray = draw(st.integers(0x80, 0xFF))
    return text, at, text[:at].encode() + bytes([stray]) + text[at:].encode()


@given(case=news_with_a_stray_byte())
def test_one_stray_byte_in_utf8_text_costs_exactly_one_character(tmp_path_factory, case):
    text, at, raw = case
    path = write(tmp_path_factory.mktemp("stray") / "news.txt", raw)
    doc = read(path)
    assert doc.text == text[:at] + "\ufffd" + text[at:]
    assert doc.notes == ("not valid UTF-8: 1 invalid byte replaced with U+FFFD",)


class TestFormatsByKind:
    """parse_document reads bytes by the kind it is told (a fetched page's content type), not by a name."""

    def test_pdf_bytes_are_read_as_a_pdf_with_pages(self):
        from factcheck.corpus.reader import parse_document
        from tests.unit.test_pdf_reader import ON_PAGE_2, PAGES, text_pdf

        doc = parse_document(text_pdf(PAGES), source="https://example.org/report", doc_id="report", kind=".pdf")
        assert len(doc.pages) == 3 and ON_PAGE_2 in doc.text and doc.path == "https://example.org/report"

    def test_html_bytes_give_the_article_and_its_metadata(self):
        from factcheck.corpus.reader import parse_document

        page = (Path(__file__).parents[1] / "fixtures" / "pages" / "wire-desalination.html").read_bytes()
        doc = parse_document(page, source="https://example.org/story", doc_id="story", kind=".html")
        assert doc.site == "Meridian Wire" and doc.authors == ("Joana Ferreira",)
        assert doc.published == date(2025, 6, 4) and "Sign up" not in doc.text

    def test_a_broken_pdf_fetched_by_url_names_the_url(self):
        from factcheck.corpus.reader import parse_document

        with pytest.raises(InputFileError) as caught:
            parse_document(b"%PDF-1.7\n1 0 obj", source="https://example.org/r.pdf", doc_id="r", kind=".pdf")
        assert caught.value.path == "https://example.org/r.pdf" and "not a readable PDF" in caught.value.reason

    def test_pdfs_are_found_in_folders(self, tmp_path):
        write(tmp_path / "a.txt", "Text.")
        write(tmp_path / "b.pdf", b"%PDF-1.4")
        files, errors = discover([tmp_path])
        assert files == [tmp_path / "a.txt", tmp_path / "b.pdf"] and errors == []
