"""The CLI with the corpus on a real Chroma server (FACTCHECK_STORE_URL): the same behaviour as the
embedded store (tests/cli/test_ingest_cli.py, test_corpus_cli.py), and nothing written to HOME/store."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from factcheck.cli import app
from factcheck.config import load_settings
from factcheck.store import CorpusStore, open_store

runner = CliRunner()


def invoke(*args: str):
    return runner.invoke(app, list(args))


def stored() -> CorpusStore:
    return open_store(load_settings())


@pytest.fixture
def corpus_copy(tmp_path: Path, sample_corpus: Path) -> Path:
    dest = tmp_path / "articles"
    shutil.copytree(sample_corpus, dest)
    return dest


def test_ingest_through_the_server_adds_five_documents_and_nothing_in_home(
    server_store, fake_embedder, sample_corpus, isolated_home
):
    result = invoke("ingest", str(sample_corpus), "--format", "json")
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert summary["added"] == 5 and summary["skipped"] == 0
    listed = json.loads(invoke("corpus", "list", "--format", "json").stdout)
    assert [d["doc_id"] for d in listed] == sorted(p.stem for p in sample_corpus.glob("*.txt"))
    assert sum(d["chunks"] for d in listed) == summary["chunks_written"] == stored().count_chunks()
    assert not load_settings().store_dir.exists()  # the embedded store was never opened


def test_the_root_option_picks_the_server_as_the_variable_does(server_store, fake_embedder, sample_corpus, monkeypatch):
    monkeypatch.delenv("FACTCHECK_STORE_URL")
    assert invoke("--store-url", server_store.url, "ingest", str(sample_corpus)).exit_code == 0
    assert invoke("corpus", "list", "--format", "json").stdout.strip() == "[]"  # embedded: empty
    listed = json.loads(invoke("--store-url", server_store.url, "corpus", "list", "--format", "json").stdout)
    assert len(listed) == 5


def test_reingesting_unchanged_files_through_the_server_is_a_no_op(server_store, fake_embedder, sample_corpus):
    invoke("ingest", str(sample_corpus))
    fake_embedder.calls.clear()
    result = invoke("ingest", str(sample_corpus), "--format", "json")
    assert result.exit_code == 0
    assert json.loads(result.stdout)["unchanged"] == 5
    assert fake_embedder.calls == []


def test_a_changed_file_replaces_its_chunks_on_the_server_without_duplicates(server_store, fake_embedder, corpus_copy):
    invoke("ingest", str(corpus_copy))
    before = {c.chunk_id for c in stored().chunks()}
    target = next(corpus_copy.glob("003_*.txt"))
    target.write_text(target.read_text(encoding="utf-8") + "\nA new closing paragraph was added.\n", encoding="utf-8")
    summary = json.loads(invoke("ingest", str(corpus_copy), "--format", "json").stdout)
    assert (summary["updated"], summary["unchanged"]) == (1, 4)
    store = stored()
    after = store.chunks()
    changed = [c for c in after if c.doc_id == target.stem]
    assert not {c.chunk_id for c in changed} & before
    assert len({c.chunk_id for c in after}) == len(after) == sum(d.n_chunks for d in store.documents())
    assert store.count_chunks() == len(after)  # the old version's rows are gone, not just hidden


def test_bad_inputs_are_skipped_on_the_server_too(server_store, fake_embedder, corpus_copy):
    (corpus_copy / "empty.txt").write_text("   \n")
    result = invoke("ingest", str(corpus_copy), "--format", "json")
    assert result.exit_code == 1
    assert "empty.txt" in result.stderr and "Traceback" not in result.output
    assert json.loads(result.stdout)["added"] == 5


def test_an_interrupted_commit_on_the_server_is_redone_and_leaves_no_orphans(
    server_store, fake_embedder, sample_corpus
):
    invoke("ingest", str(sample_corpus))
    store = stored()
    victim = store.documents()[0]
    store._docs.delete(ids=[victim.doc_id])  # a crash after the chunks, before the record
    assert victim.doc_id not in {c.doc_id for c in store.chunks()}  # uncommitted rows are not read
    summary = json.loads(invoke("ingest", str(sample_corpus), "--format", "json").stdout)
    assert (summary["added"], summary["unchanged"]) == (1, 4)
    store = stored()
    assert len(store.chunks(victim.doc_id)) == store.document(victim.doc_id).n_chunks
    assert store.count_chunks() == sum(d.n_chunks for d in store.documents())


def embedded_and_served(monkeypatch, sample_corpus, *command: str) -> tuple[dict, dict]:
    """The JSON command prints against the sample corpus on the server, and in the embedded store."""
    invoke("ingest", str(sample_corpus))
    served = invoke(*command, "--format", "json")
    monkeypatch.delenv("FACTCHECK_STORE_URL")
    assert invoke("ingest", str(sample_corpus)).exit_code == 0
    embedded = invoke(*command, "--format", "json")
    assert served.exit_code == embedded.exit_code == 0, served.output + embedded.output
    return json.loads(served.stdout), json.loads(embedded.stdout)


def test_check_through_the_server_gives_the_embedded_stores_verdicts_and_sources(
    server_store, fake_embedder, sample_corpus, monkeypatch
):
    claims = ["The summit took place in Alaska.", "The New START treaty caps deployed strategic warheads at 1,000."]
    served, embedded = embedded_and_served(monkeypatch, sample_corpus, "check", "--no-model", "--no-cache", *claims)

    def verdicts(report: dict) -> list:
        return [
            (c["verdict"], [(s["doc_id"], s["stance"], s["quote"]) for s in c["sources"]]) for c in report["claims"]
        ]

    assert verdicts(served) == verdicts(embedded)
    assert any(s["stance"] != "not_mentioned" for c in served["claims"] for s in c["sources"])


def test_ask_through_the_server_cites_what_the_embedded_store_cites(
    server_store, fake_embedder, sample_corpus, monkeypatch
):
    served, embedded = embedded_and_served(
        monkeypatch, sample_corpus, "ask", "--no-model", "Where was the summit held?"
    )
    assert served["citations"] and served["citations"] == embedded["citations"]
    assert served["answer"] == embedded["answer"] and served["passages"] == embedded["passages"]


def test_remove_deletes_the_document_and_its_chunks_from_the_server(server_store, fake_embedder, sample_corpus):
    invoke("ingest", str(sample_corpus))
    doc_id = next(sample_corpus.glob("002_*.txt")).stem
    assert invoke("corpus", "remove", doc_id).exit_code == 0
    stats = json.loads(invoke("corpus", "stats", "--format", "json").stdout)
    assert stats["documents"] == 4 and doc_id not in stats["per_document"]
    assert stats["chunks"] == sum(stats["per_document"].values())
    unknown = invoke("corpus", "remove", doc_id)
    assert unknown.exit_code == 2 and doc_id in unknown.stderr


def test_stats_names_the_server_and_its_database_but_never_the_token(
    server_store, fake_embedder, sample_corpus, monkeypatch
):
    from tests.chroma_server import gate_url, token_gate

    with token_gate(server_store.url, "s3cret-token") as gate:
        monkeypatch.setenv("FACTCHECK_STORE_URL", gate_url(gate))
        monkeypatch.setenv("FACTCHECK_STORE_TOKEN", "s3cret-token")
        invoke("ingest", str(sample_corpus))
        data = json.loads(invoke("corpus", "stats", "--format", "json").stdout)
        table = invoke("corpus", "stats")
    assert (data["store"], data["database"], data["documents"]) == (gate_url(gate), server_store.database, 5)
    assert gate_url(gate) in table.stdout and server_store.database in table.stdout
    assert "s3cret" not in table.output + json.dumps(data)


def test_the_embedded_store_says_its_folder_and_no_database(fake_embedder):
    data = json.loads(invoke("corpus", "stats", "--format", "json").stdout)
    assert (data["store"], data["database"]) == (str(load_settings().store_dir), None)


def test_reading_a_database_that_does_not_exist_creates_nothing(server_store, fake_embedder):
    import chromadb
    from chromadb.config import Settings

    assert invoke("corpus", "list").exit_code == 0
    settings = Settings(
        anonymized_telemetry=False,
        chroma_api_impl="chromadb.api.fastapi.FastAPI",
        chroma_server_host=server_store.url,
        chroma_server_http_port=8000,
    )
    names = [d["name"] for d in chromadb.AdminClient(settings).list_databases()]
    assert server_store.database not in names


def test_a_store_folder_becomes_a_database_of_its_own_on_the_server(server_store, fake_embedder, tmp_path):
    # The eval's per-dataset stores: open_store(settings, folder).
    from tests.unit.test_store import axis, doc, put

    settings = load_settings()
    per_dataset = open_store(settings, tmp_path / "eval" / "0123456789abcdef")
    put(per_dataset, doc("only-here"), [axis(0)])
    assert per_dataset.database == f"{server_store.database}.0123456789abcdef"
    assert [r.doc_id for r in open_store(settings, tmp_path / "eval" / "0123456789abcdef").documents()] == ["only-here"]
    assert open_store(settings).documents() == []
    assert not (tmp_path / "eval").exists()
