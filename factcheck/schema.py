"""Plain data shared across modules."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import date


@dataclass(frozen=True)
class SourceDocument:
    """An article read from disk and cleaned to plain text, ready to chunk."""

    doc_id: str
    path: str
    title: str
    text: str
    sha256: str  # of the file's bytes, so an edit anywhere (even in markup) counts as a change
    published: date | None = None
    encoding: str = "utf-8"
    notes: tuple[str, ...] = ()  # things the user should hear about, e.g. a fallback decoding


@dataclass(frozen=True)
class ChunkSpan:
    """A piece of a document's text with its place in that text.

    Offsets are into SourceDocument.text: characters, and bytes of its UTF-8 encoding
    (for a UTF-8 .txt or .md file without a byte-order mark, offsets into the file itself).
    """

    index: int
    text: str
    start_char: int
    end_char: int
    start_byte: int
    end_byte: int
    n_tokens: int


@dataclass(frozen=True)
class Chunk:
    """A stored chunk: a span plus the identity of its document."""

    chunk_id: str
    doc_id: str
    span: ChunkSpan


@dataclass(frozen=True)
class DocumentRecord:
    """What the store knows about one ingested document."""

    doc_id: str
    title: str
    source_path: str
    sha256: str
    n_chunks: int
    n_chars: int
    chunking: str = ""  # the chunking policy it was split with
    published: date | None = None


class IngestStatus(str, enum.Enum):
    ADDED = "added"
    UPDATED = "updated"
    UNCHANGED = "unchanged"
    SKIPPED = "skipped"


@dataclass(frozen=True)
class IngestOutcome:
    """What happened to one input file."""

    path: str
    status: IngestStatus
    doc_id: str | None = None
    n_chunks: int = 0
    message: str | None = None


@dataclass
class IngestSummary:
    outcomes: list[IngestOutcome] = field(default_factory=list)

    def count(self, status: IngestStatus) -> int:
        return sum(1 for o in self.outcomes if o.status is status)

    @property
    def chunks_written(self) -> int:
        written = (IngestStatus.ADDED, IngestStatus.UPDATED)
        return sum(o.n_chunks for o in self.outcomes if o.status in written)

    @property
    def skipped(self) -> list[IngestOutcome]:
        return [o for o in self.outcomes if o.status is IngestStatus.SKIPPED]
