"""`factcheck corpus ...`: listing, showing, removing, stats, and their errors."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from factcheck.cli import app

runner = CliRunner()


def ingest(corpus) -> None:
    assert runner.invoke(app, ["ingest", str(corpus)]).exit_code == 0


def test_list_on_an_empty_store_says_how_to_fill_it(fake_embedder):
    result = runner.invoke(app, ["corpus", "list"])
    assert result.exit_code == 0
    assert "factcheck ingest" in result.stderr


def test_table_lists_each_document_with_its_chunk_count(fake_embedder, sample_corpus):
    ingest(sample_corpus)
    result = runner.invoke(app, ["corpus", "list"])
    assert result.exit_code == 0
    for path in sample_corpus.glob("*.txt"):
        assert path.stem in result.stdout
    assert "5 documents" in result.stdout


def test_show_gives_the_text_and_chunks_with_offsets(fake_embedder, sample_corpus):
    ingest(sample_corpus)
    path = next(sample_corpus.glob("001_*.txt"))
    data = json.loads(runner.invoke(app, ["corpus", "show", path.stem, "--chunks", "--format", "json"]).stdout)
    text = path.read_text(encoding="utf-8")
    assert data["text"] == text
    assert all(text[c["start_char"] : c["end_char"]] == c["text"] for c in data["chunk_list"])
    assert len(data["chunk_list"]) == data["chunks"]


def test_show_and_remove_of_an_unknown_id_fail_with_a_message(fake_embedder):
    for command in (["corpus", "show", "nope"], ["corpus", "remove", "nope"]):
        result = runner.invoke(app, command)
        assert result.exit_code == 2
        assert "nope" in result.stderr and "Traceback" not in result.output


def test_remove_deletes_the_document_and_its_chunks(fake_embedder, sample_corpus):
    ingest(sample_corpus)
    doc_id = next(sample_corpus.glob("002_*.txt")).stem
    assert runner.invoke(app, ["corpus", "remove", doc_id]).exit_code == 0
    stats = json.loads(runner.invoke(app, ["corpus", "stats", "--format", "json"]).stdout)
    assert stats["documents"] == 4
    assert doc_id not in stats["per_document"]
    assert stats["chunks"] == sum(stats["per_document"].values())


# --- documents whose source file is gone ----------------------------------------------------------


def renamed_corpus(tmp_path, sample_corpus):
    """The sample corpus ingested from a copy, then one file renamed and ingested again."""
    import shutil

    folder = tmp_path / "articles"
    shutil.copytree(sample_corpus, folder)
    ingest(folder)
    old = next(folder.glob("001_*.txt"))
    new = old.with_name("renamed-story.txt")
    old.rename(new)
    ingest(folder)
    return old, new


def test_list_marks_documents_whose_source_file_is_missing(fake_embedder, tmp_path, sample_corpus):
    old, new = renamed_corpus(tmp_path, sample_corpus)
    listed = {d["doc_id"]: d for d in json.loads(runner.invoke(app, ["corpus", "list", "--format", "json"]).stdout)}
    assert listed[old.stem]["source_missing"] is True
    assert listed[new.stem]["source_missing"] is False
    assert sum(d["source_missing"] for d in listed.values()) == 1
    table = runner.invoke(app, ["corpus", "list"], terminal_width=200)
    [row] = [line for line in table.stdout.splitlines() if old.stem in line]
    assert "missing" in row
    assert "missing" not in next(line for line in table.stdout.splitlines() if new.stem in line)
    assert "factcheck corpus prune" in table.stderr


def test_prune_dry_run_lists_documents_without_a_source_and_removes_nothing(fake_embedder, tmp_path, sample_corpus):
    old, _ = renamed_corpus(tmp_path, sample_corpus)
    result = runner.invoke(app, ["corpus", "prune", "--dry-run", "--format", "json"])
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert data["dry_run"] is True
    assert [d["doc_id"] for d in data["documents"]] == [old.stem]
    assert data["documents"][0]["source_path"] == str(old.resolve())
    stats = json.loads(runner.invoke(app, ["corpus", "stats", "--format", "json"]).stdout)
    assert stats["documents"] == 6


def test_prune_removes_documents_whose_source_file_is_missing(fake_embedder, tmp_path, sample_corpus):
    old, new = renamed_corpus(tmp_path, sample_corpus)
    result = runner.invoke(app, ["corpus", "prune"])
    assert result.exit_code == 0
    assert old.stem in result.output and "removed" in result.output.lower()
    stats = json.loads(runner.invoke(app, ["corpus", "stats", "--format", "json"]).stdout)
    assert old.stem not in stats["per_document"] and new.stem in stats["per_document"]
    assert stats["documents"] == 5 and stats["chunks"] == sum(stats["per_document"].values())
    again = json.loads(runner.invoke(app, ["corpus", "prune", "--format", "json"]).stdout)
    assert again["documents"] == []
