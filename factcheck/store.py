"""The Chroma-backed corpus store: documents and their embedded chunks.

Three collections per embedding space (vectors from different embedders are not comparable):
`chunks-<embedder>` holds the chunks (passages for retrieval and the model), `sentences-<embedder>`
every sentence (the unit evidence is compared and quoted in), and `docs-<embedder>` one record
per document with its full clean text. A document's record is written *after* its chunks and
sentences and removed *before* them, so a record with a given sha256 is the commit marker: if an
ingest is interrupted, the document either still has its old complete state or has no record
and is re-ingested on the next run. Until then, every read returns only rows whose (doc_id,
doc_sha256) matches a committed record, so a killed ingest's leftovers are never evidence.

The collections live in an embedded Chroma in a folder, or on a Chroma server when the settings
name one (store_client.py); everything here holds for both.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from factcheck.errors import DocumentNotFound, StoreError
from factcheck.schema import Chunk, ChunkSpan, DocumentRecord, Sentence, SourceDocument
from factcheck.store_rows import (
    chunk_id,
    chunk_metadata,
    chunk_of_row,
    doc_metadata,
    parse_sentence_id,
    record_of_row,
    sentence_id,
    sentence_metadata,
    sentence_of_row,
)

if TYPE_CHECKING:
    from factcheck.config import Settings
    from factcheck.store_client import ServerStore


@dataclass(frozen=True)
class ChunkHit:
    chunk: Chunk
    distance: float  # cosine distance: 0 is identical

    @property
    def similarity(self) -> float:
        return 1.0 - self.distance


@dataclass(frozen=True)
class SentenceHit:
    sentence: Sentence
    distance: float  # cosine distance: 0 is identical
    embedding: Any  # the sentence's vector

    @property
    def similarity(self) -> float:
        return 1.0 - self.distance


@dataclass(frozen=True)
class SentenceRows:
    """Sentences with their vectors, as read back for similarity computations."""

    sentences: list[Sentence]
    embeddings: Any  # numpy array, one unit-length row per sentence


def open_store(settings: Settings, folder: Path | None = None) -> CorpusStore:
    """The store the settings name, keyed by their embedder: in settings.store_dir, or in folder
    (the eval keeps one store per dataset). Opening it creates nothing, and an unknown embedder is
    an error here, before the store is touched. Every command opens its store through here, and
    this is the one place that picks embedded Chroma or the server of settings.store_url; on a
    server, folder becomes a database of its own (store_client.dataset_database)."""
    from factcheck.models.resolve import store_key

    key = store_key(settings)
    if settings.store_url is None:
        return CorpusStore(folder or settings.store_dir, key)
    from factcheck.store_client import ServerStore, dataset_database

    token = settings.store_token.get_secret_value() if settings.store_token is not None else None
    database = settings.store_database if folder is None else dataset_database(settings.store_database, folder)
    return CorpusStore(ServerStore(settings.store_url, database, token), key)


class CorpusStore:
    """Reading never creates anything and returns committed rows only; writing holds the store's
    lock (store_lock.py) and creates the collections on the first write."""

    def __init__(self, where: Path | ServerStore, embedder_key: str) -> None:
        """where: the folder of an embedded store, or a store on a Chroma server."""
        from factcheck.store_client import open_space

        self._space = open_space(where)
        self._path = where if isinstance(where, Path) else None
        self._key = embedder_key
        self._open: dict[str, Any] = {}
        self._lock = self._space.lock

    @property
    def location(self) -> str:
        """Where the store is: its folder, or its server's URL (never the token)."""
        return self._space.location

    @property
    def database(self) -> str | None:
        """The database on the server; None for an embedded store."""
        return self._space.database

    @contextmanager
    def writing(self) -> Iterator[None]:
        """Hold the writer lock for a batch of writes (each write also takes it; they nest)."""
        with self._lock.held():
            yield

    def _collection(self, kind: str, *, create: bool = False) -> Any | None:
        """The collection, or None where nothing was ever written: a reader must not create it,
        or a mistyped --embedder would leave empty collections behind."""
        if kind in self._open:
            return self._open[kind]
        found = self._space.collection(f"{kind}-{self._key}", create=create)
        if found is not None:
            self._open[kind] = found
        return found

    # The write handles (they create their collection; tests also reach rows through them).
    @property
    def _chunks(self) -> Any:
        return self._collection("chunks", create=True)

    @property
    def _sentences(self) -> Any:
        return self._collection("sentences", create=True)

    @property
    def _docs(self) -> Any:
        return self._collection("docs", create=True)

    # --- reading -----------------------------------------------------------------------------

    def _get_records(self, **query: Any) -> dict[str, Any]:
        """A get on the document records; nothing where none was ever written."""
        docs = self._collection("docs")
        return docs.get(**query) if docs is not None else _NOTHING

    def document(self, doc_id: str) -> DocumentRecord | None:
        got = self._get_records(ids=[doc_id], include=["metadatas"])
        if not got["ids"]:
            return None
        return record_of_row(doc_id, got["metadatas"][0])

    def documents(self) -> list[DocumentRecord]:
        got = self._get_records(include=["metadatas"])
        records = [record_of_row(i, m) for i, m in zip(got["ids"], got["metadatas"], strict=True)]
        return sorted(records, key=lambda r: r.doc_id)

    def text(self, doc_id: str) -> str:
        got = self._get_records(ids=[doc_id], include=["documents"])
        if not got["ids"]:
            raise DocumentNotFound(f"no document {doc_id!r} in the corpus")
        return got["documents"][0]

    def _committed(self) -> dict[str, str]:
        """doc_id -> sha256 of every committed document. Rows of any other (doc_id, version) are
        orphans of an interrupted ingest, and no read returns them."""
        return {r.doc_id: r.sha256 for r in self.documents()}

    def _rows(self, kind: str, where: Any, include: list[str]) -> list[tuple[str, Any, Any, Any]]:
        """(id, metadata, document, embedding) of the committed rows of a collection."""
        collection = self._collection(kind)
        if collection is None:
            return []
        committed = self._committed()
        got = collection.get(where=where, include=include)
        texts = got["documents"] if "documents" in include else [None] * len(got["ids"])
        vectors = got["embeddings"] if "embeddings" in include else [None] * len(got["ids"])
        rows = zip(got["ids"], got["metadatas"], texts, vectors, strict=True)
        return [row for row in rows if _is_committed(row[1], committed)]

    def chunks(self, doc_id: str | None = None) -> list[Chunk]:
        where = {"doc_id": doc_id} if doc_id is not None else None
        rows = self._rows("chunks", where, ["metadatas", "documents"])
        chunks = [chunk_of_row(i, m, d) for i, m, d, _ in rows]
        return sorted(chunks, key=lambda c: (c.doc_id, c.span.index))

    def sentences(self, doc_ids: Sequence[str] | None = None) -> SentenceRows:
        """Sentences (of the given documents, or all) with their embeddings, in document order."""
        import numpy as np

        where: Any = {"doc_id": {"$in": list(doc_ids)}} if doc_ids else None
        rows = sorted(
            self._rows("sentences", where, ["metadatas", "documents", "embeddings"]),
            key=lambda row: (str(row[1]["doc_id"]), int(row[1]["sentence_index"])),
        )
        sentences = [sentence_of_row(meta, text) for _, meta, text, _ in rows]
        vectors = np.asarray([vec for *_, vec in rows], dtype=np.float32)
        if not rows:
            vectors = vectors.reshape(0, 0)
        return SentenceRows(sentences, vectors)

    def count_chunks(self) -> int:
        """Every chunk row the store holds, a killed ingest's leftovers included (until the next
        ingest drops them); cheap, unlike reading the committed ones."""
        chunks = self._collection("chunks")
        return chunks.count() if chunks is not None else 0

    def query(self, embedding: Sequence[float], k: int, doc_ids: Sequence[str] | None = None) -> list[ChunkHit]:
        collection = self._collection("chunks")
        committed = self._committed()
        if doc_ids:
            wanted = set(doc_ids)
            committed = {d: sha for d, sha in committed.items() if d in wanted}
        if collection is None or not committed:
            return []
        # The where keeps out nearly every orphan; the pair check after it catches the rest (an
        # orphan of one document whose content hash is another's), so ask for more until k pass.
        versions = sorted(set(committed.values()))
        where = {"$and": [{"doc_id": {"$in": list(committed)}}, {"doc_sha256": {"$in": versions}}]}
        total = collection.count()
        n = min(k, total)
        while True:
            got = collection.query(
                query_embeddings=[list(embedding)],
                n_results=n,
                where=where,
                include=["metadatas", "documents", "distances"],
            )
            rows = zip(got["ids"][0], got["metadatas"][0], got["documents"][0], got["distances"][0], strict=True)
            hits = [
                ChunkHit(chunk_of_row(i, m, d), float(dist)) for i, m, d, dist in rows if _is_committed(m, committed)
            ]
            if len(hits) >= k or n >= total:
                return hits[:k]
            n = min(total, 2 * n)

    # --- reading for retrieval: bounded per claim (retrieve.py) -------------------------------
    # These take the documents to read as doc_id -> sha256 (from records the caller read once),
    # rather than reading every record again per call: per claim, nothing here grows with the
    # corpus but the vector index's own search.

    @property
    def lexical_dir(self) -> Path | None:
        """Where retrieval keeps its saved BM25 indexes (lexical.py), beside an embedded store's
        collections; None for a store on a server (the index is then built in memory)."""
        return self._path / "bm25" / self._key if self._path is not None else None

    def query_sentences(self, embedding: Sequence[float], k: int, documents: Mapping[str, str]) -> list[SentenceHit]:
        """The k committed sentences of `documents` (doc_id -> sha256) nearest to embedding, best
        first, with their vectors. The vector index is searched unfiltered (a filtered search
        reads every row's metadata first: ~100 ms at 100,000 rows, against ~5), keeping the hits
        of these documents' versions and asking for more until k pass; only where they are too
        rare among the hits for that does the search take a filter."""
        collection = self._collection("sentences")
        if collection is None or not documents or k <= 0:
            return []
        total = collection.count()
        n = min(total, k)
        while True:
            hits = self._nearest_sentences(collection, embedding, n, None, documents)
            if len(hits) >= k or n >= total:
                return hits[:k]
            if n >= _UNFILTERED_FACTOR * k:
                where = {"doc_id": {"$in": sorted(documents)}}
                return self._nearest_sentences(collection, embedding, min(total, k), where, documents, k)
            n = min(total, 4 * n)

    def _nearest_sentences(
        self,
        collection: Any,
        embedding: Sequence[float],
        n: int,
        where: Any,
        documents: Mapping[str, str],
        grow: int = 0,
    ) -> list[SentenceHit]:
        """One search of n results (with grow > 0: doubled until grow pass), these versions only."""
        total = collection.count()
        while True:
            got = collection.query(
                query_embeddings=[[float(x) for x in embedding]],  # Chroma refuses numpy scalars in a list
                n_results=n,
                where=where,
                include=["metadatas", "documents", "distances", "embeddings"],
            )
            rows = zip(
                got["ids"][0],
                got["metadatas"][0],
                got["documents"][0],
                got["distances"][0],
                got["embeddings"][0],
                strict=True,
            )
            hits = [
                SentenceHit(sentence_of_row(m, d), float(dist), vec)
                for _, m, d, dist, vec in rows
                if _is_committed(m, documents)
            ]
            if not grow or len(hits) >= grow or n >= total:
                return hits
            n = min(total, 2 * n)

    def sentences_of(self, documents: Mapping[str, str]) -> SentenceRows:
        """Every sentence of exactly these document versions (doc_id -> sha256) with its vector,
        in document order."""
        rows = self._version_rows("sentences", documents, ["metadatas", "documents", "embeddings"])
        rows.sort(key=lambda row: (str(row[1]["doc_id"]), int(row[1]["sentence_index"])))
        return _sentence_rows(rows)

    def sentences_at(self, wanted: Sequence[tuple[str, int]], documents: Mapping[str, str]) -> SentenceRows:
        """The sentences at these (doc_id, sentence index) positions of these document versions,
        with their vectors, in the order asked (a position that does not exist is left out)."""
        collection = self._collection("sentences")
        if collection is None or not wanted:
            return _sentence_rows([])
        ids = [sentence_id(doc_id, documents[doc_id], index) for doc_id, index in wanted if doc_id in documents]
        got = collection.get(ids=ids, include=["metadatas", "documents", "embeddings"])
        found = {
            i: row
            for i, *row in zip(got["ids"], got["metadatas"], got["documents"], got["embeddings"], strict=True)
            if _is_committed(row[0], documents)
        }
        return _sentence_rows([(i, *found[i]) for i in ids if i in found])

    def chunks_of(self, documents: Mapping[str, str]) -> list[Chunk]:
        """Every chunk of exactly these document versions (doc_id -> sha256), in document order."""
        rows = self._version_rows("chunks", documents, ["metadatas", "documents"])
        return sorted((chunk_of_row(i, m, d) for i, m, d, _ in rows), key=lambda c: (c.doc_id, c.span.index))

    def sentence_texts(self, documents: Mapping[str, str], page: int = 20_000) -> list[tuple[str, int, str]]:
        """(doc_id, sentence index, text) of every committed sentence of these document versions,
        sorted. Read in pages of ids and texts only (one get of every row fails on a large store:
        too many SQL variables); which document and version a row is of is read from its id. A
        page boundary shifted by a concurrent write can skip or repeat rows: repeats are dropped,
        and a document whose indexes have a gap is read again on its own."""
        collection = self._collection("sentences")
        if collection is None or not documents:
            return []
        prefixes = {doc_id: sha[:12] for doc_id, sha in documents.items()}
        found: dict[tuple[str, int], str] = {}
        offset = 0
        while True:
            got = collection.get(limit=page, offset=offset, include=["documents"])
            for row_id, text in zip(got["ids"], got["documents"], strict=True):
                doc_id, prefix, index = parse_sentence_id(row_id)
                if prefixes.get(doc_id) == prefix:
                    found[doc_id, index] = text
            if len(got["ids"]) < page:
                break
            offset += page
        for doc_id in _with_gaps(found):
            found = {key: text for key, text in found.items() if key[0] != doc_id}
            rows = self._version_rows("sentences", {doc_id: documents[doc_id]}, ["metadatas", "documents"])
            found.update({(doc_id, int(m["sentence_index"])): d for _, m, d, _ in rows})
        return sorted((doc_id, index, text) for (doc_id, index), text in found.items())

    def _version_rows(self, kind: str, documents: Mapping[str, str], include: list[str]) -> list[tuple[Any, ...]]:
        """(id, metadata, document, embedding) of the rows of exactly these document versions."""
        collection = self._collection(kind)
        if collection is None or not documents:
            return []
        where = {"doc_id": next(iter(documents))} if len(documents) == 1 else {"doc_id": {"$in": sorted(documents)}}
        got = collection.get(where=where, include=include)
        texts = got["documents"] if "documents" in include else [None] * len(got["ids"])
        vectors = got["embeddings"] if "embeddings" in include else [None] * len(got["ids"])
        rows = zip(got["ids"], got["metadatas"], texts, vectors, strict=True)
        return [row for row in rows if _is_committed(row[1], documents)]

    # --- writing -----------------------------------------------------------------------------

    def put_document(
        self,
        doc: SourceDocument,
        spans: Sequence[ChunkSpan],
        embeddings: Sequence[Sequence[float]],
        *,
        sentences: Sequence[tuple[int, int]],
        sentence_embeddings: Sequence[Sequence[float]],
        chunking: str,
    ) -> None:
        """Replace whatever is stored for doc.doc_id with these chunks and sentences (character
        spans into doc.text), then commit the record."""
        if len(spans) != len(embeddings) or not spans:
            raise StoreError(f"{doc.doc_id}: {len(spans)} chunks but {len(embeddings)} embeddings")
        if len(sentences) != len(sentence_embeddings):
            raise StoreError(f"{doc.doc_id}: {len(sentences)} sentences but {len(sentence_embeddings)} embeddings")
        with self.writing():
            self.remove_document(doc.doc_id, missing_ok=True)
            self._chunks.add(
                ids=[chunk_id(doc.doc_id, doc.sha256, s.index) for s in spans],
                embeddings=[list(e) for e in embeddings],
                documents=[s.text for s in spans],
                metadatas=[chunk_metadata(doc, s) for s in spans],
            )
            if sentences:
                self._sentences.add(
                    ids=[sentence_id(doc.doc_id, doc.sha256, i) for i in range(len(sentences))],
                    embeddings=[list(e) for e in sentence_embeddings],
                    documents=[doc.text[start:end] for start, end in sentences],
                    metadatas=sentence_metadata(doc, spans, sentences),
                )
            self._docs.add(
                ids=[doc.doc_id],
                embeddings=[_mean_unit(embeddings)],
                documents=[doc.text],
                metadatas=[doc_metadata(doc, len(spans), chunking)],
            )

    def set_source_path(self, doc_id: str, source_path: str) -> None:
        """Record that a committed document's file now lives elsewhere (its content unchanged)."""
        if self.document(doc_id) is None:
            raise DocumentNotFound(f"no document {doc_id!r} in the corpus")
        with self.writing():
            self._docs.update(ids=[doc_id], metadatas=[{"source_path": source_path}])

    def set_published(self, doc_id: str, published: date) -> None:
        """Record a committed document's publication date (given by the user; its text unchanged)."""
        if self.document(doc_id) is None:
            raise DocumentNotFound(f"no document {doc_id!r} in the corpus")
        with self.writing():
            self._docs.update(ids=[doc_id], metadatas=[{"published": published.isoformat()}])

    def remove_document(self, doc_id: str, *, missing_ok: bool = False) -> None:
        if not missing_ok and self.document(doc_id) is None:
            raise DocumentNotFound(f"no document {doc_id!r} in the corpus")
        with self.writing():
            # The record first: without it, what is left of the document is an orphan.
            if (docs := self._collection("docs")) is not None:
                docs.delete(ids=[doc_id])
            for kind in ("chunks", "sentences"):
                if (rows := self._collection(kind)) is not None:
                    rows.delete(where={"doc_id": doc_id})

    def drop_orphans(self) -> int:
        """Delete chunks and sentences left by an interrupted ingest: those whose document has no
        record, or whose record is for a different version of the file. Returns how many were
        removed. Only under the writer lock: every writer commits before it lets go of the lock
        (store_lock.py), so what is uncommitted now is a dead writer's, never one in flight, on
        a server as in a folder. A row's document and version are read from its id (chunk_id,
        sentence_id), in pages of ids only: one get of every row's metadata fails on a large
        store, and on a server would carry the whole corpus's metadata over the network."""
        with self.writing():
            versions = {doc_id: sha[:12] for doc_id, sha in self._committed().items()}
            removed = 0
            for kind in ("chunks", "sentences"):
                collection = self._collection(kind)
                if collection is None:
                    continue
                orphans = [i for i in _all_ids(collection) if not _is_committed_id(i, versions)]
                for start in range(0, len(orphans), _ID_PAGE):
                    collection.delete(ids=orphans[start : start + _ID_PAGE])
                removed += len(orphans)
            return removed


_NOTHING: dict[str, list[Any]] = {"ids": [], "metadatas": [], "documents": []}


_ID_PAGE = 5_000  # drop_orphans: ids per get and per delete (SQLite limits the variables of one statement)


def _all_ids(collection: Any) -> list[str]:
    """Every row id of a collection, read in pages. Under the writer lock: no write can shift a
    page boundary meanwhile."""
    ids: list[str] = []
    while True:
        got = collection.get(limit=_ID_PAGE, offset=len(ids), include=[])
        ids.extend(got["ids"])
        if len(got["ids"]) < _ID_PAGE:
            return ids


def _is_committed_id(row_id: str, versions: dict[str, str]) -> bool:
    """Whether a chunk or sentence id names a committed version (doc_id -> its sha256's first 12
    hex digits, as ids carry it)."""
    doc_id, prefix, _ = parse_sentence_id(row_id)  # chunk ids have the same shape
    return versions.get(doc_id) == prefix


def _is_committed(meta: Any, committed: dict[str, str]) -> bool:
    return committed.get(str(meta["doc_id"])) == meta["doc_sha256"]


_UNFILTERED_FACTOR = 32  # query_sentences: hits asked of the unfiltered search, per hit wanted, at most


def _sentence_rows(rows: Sequence[tuple[Any, ...]]) -> SentenceRows:
    """SentenceRows from (id, metadata, document, embedding) rows, in their order."""
    import numpy as np

    vectors = np.asarray([vec for *_, vec in rows], dtype=np.float32)
    return SentenceRows([sentence_of_row(m, d) for _, m, d, _ in rows], vectors if rows else vectors.reshape(0, 0))


def _with_gaps(found: Mapping[tuple[str, int], str]) -> list[str]:
    """The documents whose sentence indexes read are not 0, 1, ... n-1."""
    indexes: dict[str, list[int]] = {}
    for doc_id, index in found:
        indexes.setdefault(doc_id, []).append(index)
    return sorted(d for d, seen in indexes.items() if max(seen) != len(seen) - 1)


def _mean_unit(vectors: Sequence[Sequence[float]]) -> list[float]:
    import numpy as np

    mean = np.asarray(vectors, dtype=np.float64).mean(axis=0)
    norm = float(np.linalg.norm(mean))
    return (mean / norm if norm > 0 else mean).tolist()
