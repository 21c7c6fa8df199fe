"""Plain data shared across modules."""

from __future__ import annotations

import bisect
import enum
import time
from collections.abc import Iterator
from contextlib import contextmanager
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
    authors: tuple[str, ...] = ()
    site: str = ""  # the publication's name, e.g. from a news page's metadata
    pages: tuple[int, ...] = ()  # where each page starts in text (a PDF's); empty when not paged


def page_at(pages: tuple[int, ...], offset: int) -> int | None:
    """The 1-based page holding character offset of a paged document's text, or None if not paged."""
    if not pages:
        return None
    return max(1, bisect.bisect_right(pages, offset))


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
class Sentence:
    """A sentence of a stored document: the unit evidence is quoted and compared in."""

    doc_id: str
    index: int
    text: str
    start_char: int  # offsets into the document's text
    end_char: int
    chunk_id: str  # the chunk that contains the sentence's start


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
    authors: tuple[str, ...] = ()
    site: str = ""
    pages: tuple[int, ...] = ()  # as SourceDocument.pages


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


# --- claim checking ----------------------------------------------------------------------------


class Outcome(str, enum.Enum):
    """What one deterministic comparison found (JSON: its value)."""

    CONFLICT = "conflict"
    MATCH = "match"


class Stance(str, enum.Enum):
    """What one document says about a claim."""

    SUPPORTS = "supports"
    REFUTES = "refutes"
    NOT_MENTIONED = "not_mentioned"
    ERROR = "error"  # the model's answer was invalid or cut off; shown, never silently dropped


JUDGED_STANCES = (Stance.SUPPORTS, Stance.REFUTES, Stance.NOT_MENTIONED)


class Verdict(str, enum.Enum):
    """What the corpus as a whole says about a claim."""

    SUPPORTED = "supported"  # two or more independent sources support it, none refutes it
    CONTRADICTED = "contradicted"  # at least one source refutes it
    SINGLE_SOURCE = "single-source"  # exactly one independent source supports it, none refutes it
    UNVERIFIED = "unverified"  # no source addresses it


@dataclass(frozen=True)
class Passage:
    """A chunk retrieved for a claim, with the sentence in it that is closest to the claim."""

    doc_id: str
    chunk_id: str
    text: str  # the whole chunk
    sentence: str  # the best-matching sentence, verbatim from text
    similarity: float  # cosine similarity of that sentence to the claim, in [-1, 1]
    fused_score: float  # fused retrieval score (higher is better), comparable within one claim only
    start_char: int | None = None  # where text starts in the document's text (a quote's page is found from it)
    document: DocumentRecord | None = None  # what is known of the document: title, date, pages (None: not known)


@dataclass(frozen=True)
class ValueCheck:
    """One deterministic comparison between a value in the claim and one in the evidence."""

    kind: str  # "number" | "date" | "role" | "place" | "negation"
    outcome: Outcome
    claim_value: str
    evidence_value: str
    detail: str = ""

    def __post_init__(self) -> None:  # "conflict" given as a plain string (a report read back) is the Outcome
        object.__setattr__(self, "outcome", Outcome(self.outcome))


@dataclass
class ModelUsage:
    """Tokens and time inside a model: one judgement's (counted while it runs), or a batch's sum."""

    prompt_tokens: int = 0  # tokens in the prompt(s)
    reused_tokens: int = 0  # of those, taken from the KV cache instead of evaluated
    completion_tokens: int = 0
    seconds: float = 0.0  # wall time inside the model's calls

    @property
    def tokens(self) -> int:
        return self.prompt_tokens + self.completion_tokens

    def add(self, other: ModelUsage) -> None:
        self.prompt_tokens += other.prompt_tokens
        self.reused_tokens += other.reused_tokens
        self.completion_tokens += other.completion_tokens
        self.seconds += other.seconds

    @contextmanager
    def timing(self) -> Iterator[None]:
        start = time.perf_counter()
        try:
            yield
        finally:
            self.seconds += time.perf_counter() - start


@dataclass(frozen=True)
class Judgement:
    """The chat model's reading of one document for one claim."""

    stance: Stance
    probabilities: dict[str, float] | None = None  # per judged stance, from label log-probabilities
    quote: str | None = None  # verbatim (after whitespace normalisation) from quote_chunk_id
    quote_chunk_id: str | None = None
    quote_discarded: bool = False  # the model quoted text that is not in the passages
    error: str | None = None
    usage: ModelUsage = field(default_factory=ModelUsage)
    notes: tuple[str, ...] = ()  # what was trimmed to fit the model's context


@dataclass(frozen=True)
class SourceStance:
    """The combined stance of one document on one claim, with what it rests on."""

    doc_id: str
    stance: Stance
    confidence: float
    quote: str | None
    chunk_id: str | None
    similarity: float  # of the best sentence to the claim (JSON: "score")
    checks: tuple[ValueCheck, ...] = ()
    model_stance: Stance | None = None
    model_confidence: float | None = None
    quote_discarded: bool = False
    part_similarity: float | None = None  # best clause or window of a long sentence (combine.py)
    coverage: float | None = None  # share of the claim's content the best-covering sentence holds
    page: int | None = None  # the 1-based page the quote is on, in a paged document (a PDF's); else None


@dataclass(frozen=True)
class ClaimResult:
    id: str
    claim: str
    verdict: Verdict
    confidence: float
    independent_sources: int  # independent origins that support the claim
    sources: tuple[SourceStance, ...]
    groups: tuple[tuple[str, ...], ...] = ()  # near-duplicate documents counted as one origin
    # Retrieval's work for the claim: the documents with a candidate sentence, and those judged
    # (a source each: the best max_docs_per_claim of them, and any where a check fires).
    documents_considered: int = 0
    documents_judged: int = 0


@dataclass(frozen=True)
class ModelInfo:
    name: str
    sha256: str | None
    smoke_test: bool = False
    # False: configured but never asked (judge weight 0, or --no-model), so no verdict rests on it.
    consulted: bool = True
    # The verifier judge (a cross-encoder) that judged beside or instead of the chat model, and the
    # sha256 of its model.onnx; None when no verifier was asked. With `--judge verifier` alone,
    # name and sha256 above name the verifier too.
    verifier: str | None = None
    verifier_sha256: str | None = None


@dataclass(frozen=True)
class Contradiction:
    """Two documents that disagree: document A says one thing, document B another."""

    topic: str
    claim: str  # the sentence of A that was checked
    doc_a: str
    quote_a: str
    doc_b: str
    quote_b: str
    checks: tuple[ValueCheck, ...] = ()


@dataclass(frozen=True)
class CheckReport:
    results: tuple[ClaimResult, ...]
    model: ModelInfo
    embedder: str
    prompt_hash: str
    created: str  # ISO 8601
    notices: tuple[str, ...] = ()  # shown at the top of every rendering (e.g. smoke-test model)
    stats: dict[str, float] = field(default_factory=dict)  # quotes discarded, errors, tokens, seconds
    contradictions: tuple[Contradiction, ...] = ()  # filled by `audit`
    documents: tuple[DocumentRecord, ...] = ()  # those the report names: title, site, date, where from
    as_of: date | None = None  # checked against what was published on or before this day only (--as-of)
