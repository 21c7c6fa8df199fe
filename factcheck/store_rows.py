"""How documents, chunks and sentences are written as Chroma rows and read back: their ids and
metadata. A row id names its document's version (doc id, sha256 prefix, index), so rows of a
version are found, replaced and told from orphans by id alone."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import date
from typing import Any

from factcheck.schema import Chunk, ChunkSpan, DocumentRecord, Sentence, SourceDocument


def chunk_id(doc_id: str, sha256: str, index: int) -> str:
    """Stable across runs: the same file content always yields the same ids."""
    return f"{doc_id}:{sha256[:12]}:{index:04d}"


def sentence_id(doc_id: str, sha256: str, index: int) -> str:
    return f"{doc_id}:{sha256[:12]}:s{index:04d}"


def parse_sentence_id(row_id: str) -> tuple[str, str, int]:
    """(doc_id, the first 12 hex digits of its sha256, sentence index) of a sentence_id()."""
    doc_id, prefix, index = row_id.rsplit(":", 2)
    return doc_id, prefix, int(index.removeprefix("s"))


def chunk_metadata(doc: SourceDocument, span: ChunkSpan) -> dict[str, Any]:
    return {
        "doc_id": doc.doc_id,
        "doc_sha256": doc.sha256,
        "chunk_index": span.index,
        "start_char": span.start_char,
        "end_char": span.end_char,
        "start_byte": span.start_byte,
        "end_byte": span.end_byte,
        "n_tokens": span.n_tokens,
    }


def sentence_metadata(
    doc: SourceDocument, spans: Sequence[ChunkSpan], sentences: Sequence[tuple[int, int]]
) -> list[dict[str, Any]]:
    metas = []
    for index, (start, end) in enumerate(sentences):
        # Chunks hold whole sentences (an over-long one is split): the first chunk that contains
        # the sentence's start is where it is quoted from.
        owner = next((c for c in spans if c.start_char <= start < c.end_char), spans[-1])
        metas.append(
            {
                "doc_id": doc.doc_id,
                "doc_sha256": doc.sha256,
                "sentence_index": index,
                "start_char": start,
                "end_char": end,
                "chunk_id": chunk_id(doc.doc_id, doc.sha256, owner.index),
            }
        )
    return metas


def sentence_of_row(meta: Any, text: str) -> Sentence:
    return Sentence(
        doc_id=str(meta["doc_id"]),
        index=int(meta["sentence_index"]),
        text=text,
        start_char=int(meta["start_char"]),
        end_char=int(meta["end_char"]),
        chunk_id=str(meta["chunk_id"]),
    )


def doc_metadata(doc: SourceDocument, n_chunks: int, chunking: str) -> dict[str, Any]:
    meta: dict[str, Any] = {
        "chunking": chunking,
        "title": doc.title,
        "source_path": doc.path,
        "sha256": doc.sha256,
        "n_chunks": n_chunks,
        "n_chars": len(doc.text),
    }
    if doc.published is not None:  # Chroma metadata cannot hold None
        meta["published"] = doc.published.isoformat()
    if doc.authors:
        meta["authors"] = json.dumps(list(doc.authors))
    if doc.site:
        meta["site"] = doc.site
    if doc.pages:
        meta["pages"] = json.dumps(list(doc.pages))
    return meta


def record_of_row(doc_id: str, meta: Any) -> DocumentRecord:
    published = meta.get("published")
    return DocumentRecord(
        doc_id=doc_id,
        title=str(meta["title"]),
        source_path=str(meta["source_path"]),
        sha256=str(meta["sha256"]),
        n_chunks=int(meta["n_chunks"]),
        n_chars=int(meta["n_chars"]),
        chunking=str(meta.get("chunking", "")),
        published=date.fromisoformat(published) if published else None,
        authors=tuple(json.loads(meta.get("authors", "[]"))),
        site=str(meta.get("site", "")),
        pages=tuple(json.loads(meta.get("pages", "[]"))),
    )


def chunk_of_row(cid: str, meta: Any, text: str) -> Chunk:
    span = ChunkSpan(
        index=int(meta["chunk_index"]),
        text=text,
        start_char=int(meta["start_char"]),
        end_char=int(meta["end_char"]),
        start_byte=int(meta["start_byte"]),
        end_byte=int(meta["end_byte"]),
        n_tokens=int(meta["n_tokens"]),
    )
    return Chunk(chunk_id=cid, doc_id=str(meta["doc_id"]), span=span)
