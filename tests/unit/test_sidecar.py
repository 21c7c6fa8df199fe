"""Metadata by hand: "<file>.meta.json" beside a file overrides what was read from it, counts in
its sha256, and is refused with a reason naming it when it is wrong."""

from __future__ import annotations

import hashlib
import json
from datetime import date
from pathlib import Path

import pytest

from factcheck.corpus.reader import discover, read_document
from factcheck.errors import InputFileError

LIMIT = 100_000
STORY = "Harbour ferry to go electric\nPublished: 11 March 2025\n\nCouncillors approved the plan on Monday.\n"


def story(folder: Path, name: str = "ferry.txt") -> Path:
    path = folder / name
    path.write_text(STORY, encoding="utf-8")
    return path


def sidecar(path: Path, content: object) -> Path:
    meta = path.with_name(path.name + ".meta.json")
    meta.write_text(content if isinstance(content, str) else json.dumps(content), encoding="utf-8")
    return meta


def read(path: Path):
    return read_document(path, max_bytes=LIMIT)


def refusal(path: Path) -> str:
    with pytest.raises(InputFileError) as caught:
        read(path)
    assert caught.value.path == str(path)
    assert f"{path.name}.meta.json" in caught.value.reason  # names the sidecar to fix
    return caught.value.reason


class TestOverrides:
    def test_every_key_replaces_what_was_read(self, tmp_path):
        path = story(tmp_path)
        sidecar(path, {"title": "Ferry plan", "published": "2025-03-12", "authors": ["Helen Marsh"], "site": "Courier"})
        doc = read(path)
        assert (doc.title, doc.published, doc.authors, doc.site) == (
            "Ferry plan",
            date(2025, 3, 12),
            ("Helen Marsh",),
            "Courier",
        )
        assert doc.text == STORY

    def test_keys_left_out_keep_what_was_read(self, tmp_path):
        path = story(tmp_path)
        sidecar(path, {"site": "Courier"})
        doc = read(path)
        assert (doc.title, doc.published, doc.site) == ("Harbour ferry to go electric", date(2025, 3, 11), "Courier")

    def test_published_null_drops_a_wrong_date(self, tmp_path):
        path = story(tmp_path)
        sidecar(path, {"published": None})
        assert read(path).published is None

    def test_a_long_title_is_shortened_like_any_other(self, tmp_path):
        path = story(tmp_path)
        sidecar(path, {"title": " ".join(["word"] * 40)})
        assert read(path).title.endswith("…") and len(read(path).title) <= 100


class TestHash:
    def test_without_a_sidecar_the_hash_is_of_the_file(self, tmp_path):
        path = story(tmp_path)
        assert read(path).sha256 == hashlib.sha256(path.read_bytes()).hexdigest()

    def test_editing_only_the_sidecar_changes_the_hash(self, tmp_path):
        path = story(tmp_path)
        plain = read(path).sha256
        sidecar(path, {"site": "Courier"})
        first = read(path).sha256
        sidecar(path, {"site": "Portside Courier"})
        assert len({plain, first, read(path).sha256}) == 3


class TestRefusals:
    def test_invalid_json(self, tmp_path):
        path = story(tmp_path)
        sidecar(path, '{"title": "Ferry plan",}')
        assert "not valid JSON" in refusal(path)

    def test_unknown_key_is_named(self, tmp_path):
        path = story(tmp_path)
        sidecar(path, {"title": "Ferry plan", "author": "Helen Marsh"})
        reason = refusal(path)
        assert "unknown key 'author'" in reason and "authors" in reason

    @pytest.mark.parametrize("value", ["12/03/2025", "2025-02-30", "20250312", 2025])
    def test_bad_date(self, tmp_path, value):
        path = story(tmp_path)
        sidecar(path, {"published": value})
        assert "YYYY-MM-DD" in refusal(path)

    @pytest.mark.parametrize("value", ["Helen Marsh", [""], [3]])
    def test_authors_must_be_a_list_of_names(self, tmp_path, value):
        path = story(tmp_path)
        sidecar(path, {"authors": value})
        assert "list of names" in refusal(path)

    def test_not_an_object(self, tmp_path):
        path = story(tmp_path)
        sidecar(path, ["Ferry plan"])
        assert "JSON object" in refusal(path)


class TestDiscover:
    def test_a_sidecar_beside_its_file_is_no_file_of_its_own(self, tmp_path):
        path = story(tmp_path)
        sidecar(path, {"site": "Courier"})
        assert discover([tmp_path]) == ([path], [])

    def test_a_sidecar_named_with_its_file_is_not_reported(self, tmp_path):
        path = story(tmp_path)
        meta = sidecar(path, {"site": "Courier"})
        assert discover([path, meta]) == ([path], [])  # as `factcheck ingest folder/*` names them

    @pytest.mark.parametrize("named", ["explicitly", "in-a-folder"])
    def test_an_orphan_sidecar_is_one_line(self, tmp_path, named):
        path = story(tmp_path)
        meta = sidecar(path, {"site": "Courier"})
        path.unlink()
        files, errors = discover([meta] if named == "explicitly" else [tmp_path])
        assert files == []
        assert [(e.path, e.reason) for e in errors] == [
            (str(meta), "orphan metadata sidecar: no file 'ferry.txt' beside it")
        ]
