"""`factcheck ingest` through the CLI, with the fake embedder: what a user sees, what is stored."""

from __future__ import annotations

import json
import os
import shutil
import threading
from pathlib import Path

import pytest
from typer.testing import CliRunner

from factcheck.cli import app
from factcheck.config import load_settings
from factcheck.models.resolve import store_key
from factcheck.store import CorpusStore

runner = CliRunner()


def invoke(*args: str):
    return runner.invoke(app, list(args))


def stored(fake_embedder) -> CorpusStore:
    settings = load_settings()
    return CorpusStore(settings.store_dir, store_key(settings))


@pytest.fixture
def corpus_copy(tmp_path: Path, sample_corpus: Path) -> Path:
    dest = tmp_path / "articles"
    shutil.copytree(sample_corpus, dest)
    return dest


def test_ingest_sample_corpus_adds_five_documents_with_chunks(fake_embedder, sample_corpus):
    result = invoke("ingest", str(sample_corpus), "--format", "json")
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert summary["added"] == 5 and summary["skipped"] == 0
    listed = json.loads(invoke("corpus", "list", "--format", "json").stdout)
    assert [d["doc_id"] for d in listed] == sorted(p.stem for p in sample_corpus.glob("*.txt"))
    assert all(d["chunks"] >= 1 for d in listed)
    assert sum(d["chunks"] for d in listed) == summary["chunks_written"] == stored(fake_embedder).count_chunks()


def test_reingesting_unchanged_files_is_a_no_op(fake_embedder, sample_corpus):
    invoke("ingest", str(sample_corpus))
    fake_embedder.calls.clear()
    result = invoke("ingest", str(sample_corpus), "--format", "json")
    assert result.exit_code == 0
    assert json.loads(result.stdout)["unchanged"] == 5
    assert fake_embedder.calls == []


def test_changed_file_replaces_its_chunks_without_duplicates(fake_embedder, corpus_copy):
    invoke("ingest", str(corpus_copy))
    store = stored(fake_embedder)
    before = {c.chunk_id for c in store.chunks()}
    target = next(corpus_copy.glob("003_*.txt"))
    target.write_text(target.read_text(encoding="utf-8") + "\nA new closing paragraph was added.\n", encoding="utf-8")
    result = invoke("ingest", str(corpus_copy), "--format", "json")
    summary = json.loads(result.stdout)
    assert (summary["updated"], summary["unchanged"]) == (1, 4)
    after = store.chunks()
    changed = [c for c in after if c.doc_id == target.stem]
    assert not {c.chunk_id for c in changed} & before  # old chunks of that file are gone
    assert len({c.chunk_id for c in after}) == len(after) == sum(d.n_chunks for d in store.documents())
    assert any("new closing paragraph" in c.span.text for c in changed)


def test_chunks_point_at_their_place_in_the_file(fake_embedder, sample_corpus):
    invoke("ingest", str(sample_corpus))
    for chunk in stored(fake_embedder).chunks():
        raw = (sample_corpus / f"{chunk.doc_id}.txt").read_bytes()
        assert raw[chunk.span.start_byte : chunk.span.end_byte].decode("utf-8") == chunk.span.text


def _bad_inputs(folder: Path) -> dict[str, str]:
    """Write one file per kind of bad input; return file name -> a word its message must contain."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "empty.txt").write_text("   \n\n")
    (folder / "binary.txt").write_bytes(b"\x00\x01\x02PNG\x00" * 200)
    (folder / "notes.pdf").write_bytes(b"%PDF-1.4")
    (folder / "huge.txt").write_text("word " * 400_000)
    (folder / "gone.txt").symlink_to(folder / "deleted-long-ago.txt")  # unreadable: a dangling link
    return {"empty.txt": "empty", "binary.txt": "binary", "notes.pdf": "pdf", "huge.txt": "MB", "gone.txt": ""}


def test_bad_inputs_are_named_skipped_and_the_batch_goes_on(fake_embedder, corpus_copy, monkeypatch):
    monkeypatch.setenv("FACTCHECK_MAX_FILE_MB", "1")
    invoke("ingest", str(corpus_copy))
    expected = _bad_inputs(corpus_copy / "bad")
    latin = corpus_copy / "bad" / "latin.txt"
    latin.write_bytes("Café owners in Zürich said the summit changed nothing.".encode("cp1252"))
    result = invoke("ingest", str(corpus_copy), "--format", "json")
    assert result.exit_code == 1
    summary = json.loads(result.stdout)
    skipped = {Path(o["path"]).name: o["message"] for o in summary["outcomes"] if o["status"] == "skipped"}
    assert set(skipped) == set(expected)
    for name, word in expected.items():
        assert word.lower() in skipped[name].lower()
        assert name in result.stderr  # one line naming the file
    assert summary["unchanged"] == 5  # nothing already stored was touched
    latin_outcome = next(o for o in summary["outcomes"] if o["path"].endswith("latin.txt"))
    assert latin_outcome["status"] == "added" and "utf-8" in latin_outcome["message"].lower()
    assert "Traceback" not in result.output


def test_a_stored_document_survives_its_file_turning_bad(fake_embedder, corpus_copy):
    invoke("ingest", str(corpus_copy))
    target = next(corpus_copy.glob("000_*.txt"))
    before = stored(fake_embedder).document(target.stem)
    target.write_bytes(b"")
    result = invoke("ingest", str(target))
    assert result.exit_code == 1 and "empty" in result.stderr
    assert stored(fake_embedder).document(target.stem) == before


def test_missing_path_is_reported_not_raised(fake_embedder, tmp_path):
    result = invoke("ingest", str(tmp_path / "nope"))
    assert result.exit_code == 1
    assert "nope" in result.stderr and "Traceback" not in result.output


def test_same_document_id_twice_in_one_batch_keeps_the_first(fake_embedder, tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    (tmp_path / "a" / "story.txt").write_text("The first story about the summit in Alaska.")
    (tmp_path / "b" / "story.md").write_text("A different story with the same id.")
    result = invoke("ingest", str(tmp_path), "--format", "json")
    assert result.exit_code == 1
    assert "already taken" in result.stderr
    assert json.loads(result.stdout)["added"] == 1


def test_interrupted_ingest_resumes_to_a_consistent_store(fake_embedder, sample_corpus, monkeypatch):
    original = fake_embedder.embed
    calls = {"n": 0}

    def embed_then_interrupt(texts):
        calls["n"] += 1
        if calls["n"] == 3:
            raise KeyboardInterrupt
        return original(texts)

    monkeypatch.setattr(fake_embedder, "embed", embed_then_interrupt)
    result = invoke("ingest", str(sample_corpus), "--format", "json")
    assert result.exit_code == 130
    assert "interrupted" in result.stderr
    monkeypatch.setattr(fake_embedder, "embed", original)
    summary = json.loads(invoke("ingest", str(sample_corpus), "--format", "json").stdout)
    assert (summary["unchanged"], summary["added"]) == (2, 3)
    store = stored(fake_embedder)
    assert len(store.chunks()) == sum(d.n_chunks for d in store.documents())


def test_interruption_between_chunks_and_record_leaves_no_orphans(fake_embedder, sample_corpus, monkeypatch):
    invoke("ingest", str(sample_corpus))
    store = stored(fake_embedder)
    victim = store.documents()[0]
    # Simulate a crash after the new chunks were written but before the record committed them.
    store._docs.delete(ids=[victim.doc_id])
    result = invoke("ingest", str(sample_corpus), "--format", "json")
    summary = json.loads(result.stdout)
    assert (summary["added"], summary["unchanged"]) == (1, 4)
    store = stored(fake_embedder)
    assert len(store.chunks(victim.doc_id)) == store.document(victim.doc_id).n_chunks


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs (POSIX)")
@pytest.mark.parametrize("named", ["explicitly", "in-a-folder"])
def test_fifo_is_skipped_with_a_reason_instead_of_hanging(fake_embedder, tmp_path, named):
    folder = tmp_path / "articles"  # not tmp_path itself: FACTCHECK_HOME lives there
    folder.mkdir()
    (folder / "ok.txt").write_text("The leaders met in Alaska on Friday.")
    fifo = folder / "story.txt"
    os.mkfifo(fifo)
    args = [str(folder / "ok.txt"), str(fifo)] if named == "explicitly" else [str(folder)]
    results = []
    thread = threading.Thread(target=lambda: results.append(invoke("ingest", *args, "--format", "json")), daemon=True)
    thread.start()
    thread.join(20)
    if thread.is_alive():  # unblock the reader stuck in open() so the run ends, then fail
        os.close(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK))
        thread.join(20)
        pytest.fail("ingest hung on a FIFO")
    result = results[0]
    assert result.exit_code == 1
    summary = json.loads(result.stdout)
    skipped = {Path(o["path"]).name: o["message"] for o in summary["outcomes"] if o["status"] == "skipped"}
    assert skipped == {"story.txt": "not a regular file (a FIFO)"}
    assert summary["added"] == 1
    assert "story.txt" in result.stderr and "Traceback" not in result.output


# --- document ids across runs ----------------------------------------------------------------


def _story(folder: Path, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "story.txt"
    path.write_text(text, encoding="utf-8")
    return path


def test_same_id_from_another_folder_in_a_later_run_is_refused_while_the_first_exists(fake_embedder, tmp_path):
    first = _story(tmp_path / "a1", "The first story about the summit in Alaska.")
    second = _story(tmp_path / "a2", "A different story that happens to share the file name.")
    assert invoke("ingest", str(first)).exit_code == 0
    before = stored(fake_embedder).document("story")
    result = invoke("ingest", str(second), "--format", "json")
    assert result.exit_code == 1
    [outcome] = json.loads(result.stdout)["outcomes"]
    assert outcome["status"] == "skipped"
    message = outcome["message"]
    assert "document id 'story' is already taken by" in message and str(first.resolve()) in message
    assert "factcheck corpus remove story" in message
    assert str(second) in result.stderr and "already taken" in result.stderr
    assert stored(fake_embedder).document("story") == before  # nothing stored was touched


def test_an_identical_copy_in_another_folder_is_the_same_document(fake_embedder, tmp_path):
    """A second checkout of the same articles (make run in two clones) is no clash."""
    first = _story(tmp_path / "a1", "The first story about the summit in Alaska.")
    copy = _story(tmp_path / "a2", "The first story about the summit in Alaska.")
    assert invoke("ingest", str(first)).exit_code == 0
    fake_embedder.calls.clear()
    result = invoke("ingest", str(copy), "--format", "json")
    assert result.exit_code == 0, result.output
    [outcome] = json.loads(result.stdout)["outcomes"]
    assert outcome["status"] == "unchanged" and str(first.resolve()) in outcome["message"]
    assert fake_embedder.calls == []
    assert stored(fake_embedder).document("story").source_path == str(first.resolve())


def test_same_id_after_the_old_file_was_moved_replaces_it_and_says_so(fake_embedder, tmp_path):
    first = _story(tmp_path / "a1", "The first story about the summit in Alaska.")
    invoke("ingest", str(first))
    moved = _story(tmp_path / "a2", "The first story about the summit in Alaska, now edited.")
    first.unlink()
    result = invoke("ingest", str(moved), "--format", "json")
    assert result.exit_code == 0
    [outcome] = json.loads(result.stdout)["outcomes"]
    assert outcome["status"] == "updated"
    assert "moved" in outcome["message"] and str(first.resolve()) in outcome["message"]
    record = stored(fake_embedder).document("story")
    assert record.source_path == str(moved.resolve())
    assert any("now edited" in c.span.text for c in stored(fake_embedder).chunks("story"))


def test_a_moved_file_with_the_same_content_is_not_embedded_again(fake_embedder, tmp_path):
    first = _story(tmp_path / "a1", "The first story about the summit in Alaska.")
    invoke("ingest", str(first))
    moved = tmp_path / "a2" / "story.txt"
    moved.parent.mkdir()
    first.rename(moved)
    fake_embedder.calls.clear()
    [outcome] = json.loads(invoke("ingest", str(moved), "--format", "json").stdout)["outcomes"]
    assert outcome["status"] == "unchanged" and "moved" in outcome["message"]
    assert fake_embedder.calls == []
    assert stored(fake_embedder).document("story").source_path == str(moved.resolve())


def test_source_paths_are_stored_absolute(fake_embedder, tmp_path, monkeypatch):
    _story(tmp_path / "articles", "The first story about the summit in Alaska.")
    monkeypatch.chdir(tmp_path)
    assert invoke("ingest", "articles").exit_code == 0
    assert stored(fake_embedder).document("story").source_path == str((tmp_path / "articles" / "story.txt").resolve())


def test_a_relative_path_from_an_older_version_is_recognised_as_the_same_file(fake_embedder, tmp_path, monkeypatch):
    path = _story(tmp_path / "articles", "The first story about the summit in Alaska.")
    assert invoke("ingest", str(path)).exit_code == 0
    store = stored(fake_embedder)
    # What an older factcheck wrote after `factcheck ingest articles/` run from tmp_path.
    store._docs.update(ids=["story"], metadatas=[{"source_path": "articles/story.txt"}])
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)  # the relative path no longer resolves from here
    [outcome] = json.loads(invoke("ingest", str(path), "--format", "json").stdout)["outcomes"]
    assert outcome["status"] == "unchanged"
    assert stored(fake_embedder).document("story").source_path == str(path.resolve())


# --- which store an embedder opens --------------------------------------------------------------


def collection_names(settings) -> set[str]:
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    if not settings.store_dir.exists():
        return set()
    chroma_settings = ChromaSettings(anonymized_telemetry=False)
    client = chromadb.PersistentClient(path=str(settings.store_dir), settings=chroma_settings)
    return {getattr(c, "name", c) for c in client.list_collections()}


@pytest.mark.parametrize("command", [["corpus", "list"], ["corpus", "stats"], ["ingest", "ARTICLES"]])
def test_an_unknown_embedder_fails_clearly_and_creates_no_collections(fake_embedder, sample_corpus, command):
    invoke("ingest", str(sample_corpus))
    before = collection_names(load_settings())
    args = [str(sample_corpus) if a == "ARTICLES" else a for a in command]
    result = invoke("--embedder", "no-such-model", *args)
    assert result.exit_code == 2
    assert "no-such-model" in result.stderr and "Traceback" not in result.output
    assert collection_names(load_settings()) == before


def test_an_embedder_that_cannot_load_creates_no_collections(fake_embedder, sample_corpus, tmp_path, monkeypatch):
    monkeypatch.setenv("FACTCHECK_MODELS_DIR", str(tmp_path / "no-models"))  # minilm-l6 is not downloaded
    result = invoke("--embedder", "minilm-l6", "ingest", str(sample_corpus))
    assert result.exit_code == 3 and "models pull" in result.stderr
    assert collection_names(load_settings()) == set()


def test_a_preset_named_by_its_files_path_opens_the_presets_store(tmp_path, monkeypatch):
    from factcheck.models.presets import PRESETS
    from tests.unit.test_store import axis, doc, put

    models = tmp_path / "models"
    models.mkdir()
    model_file = models / PRESETS["minilm-l6"].filename
    model_file.write_bytes(b"GGUF stand-in")
    monkeypatch.setenv("FACTCHECK_MODELS_DIR", str(models))
    put(CorpusStore(load_settings().store_dir, "minilm-l6"), doc("story"), [axis(0)])
    for spec in ("minilm-l6", str(model_file)):
        listed = json.loads(invoke("--embedder", spec, "corpus", "list", "--format", "json").stdout)
        assert [d["doc_id"] for d in listed] == ["story"], spec
