"""A checking session: everything needed to check claims against the current corpus, built once
per command, and the report.

A session is built from parts, each by one function: the corpus (open_corpus: the store, the
documents --as-of keeps, the evidence index over them and their origin groups), the judging
(selection.choose: the judge, the model the report names and its weight) and the result cache
(open_cache). CheckSession builds the parts it is not given; the eval builds the embedder and the
judging once and hands them to every dataset's session."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, replace
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from factcheck.check.combine import SIGNALS, Calibration, Signals
from factcheck.check.independence import origin_groups
from factcheck.check.judge import parallel_of
from factcheck.check.pipeline import Checker, CheckStats, ClaimInput
from factcheck.check.selection import NO_JUDGE, Choice, choose
from factcheck.corpus.ingest import ChunkingPolicy
from factcheck.errors import EmptyCorpus, StoreError
from factcheck.models.embedding import load_embedder
from factcheck.notices import smoke_test_notice
from factcheck.retrieve import EvidenceIndex
from factcheck.schema import CheckReport, ClaimResult, Contradiction, DocumentRecord, ModelInfo
from factcheck.store import open_store

if TYPE_CHECKING:
    from factcheck.check.judge import Judge
    from factcheck.config import Settings
    from factcheck.models.backend import ChatBackend
    from factcheck.models.embedding import Embedder
    from factcheck.store import CorpusStore


def code_version() -> str:
    """A digest of the code that decides verdicts, so a cached result never outlives a change to it."""
    import factcheck

    root = Path(factcheck.__file__).parent
    deciding = ("retrieve.py", "retrieve_sources.py", "lexical.py", "schema.py")
    files = sorted([*root.glob("check/*.py"), *(root / name for name in deciding)])
    digest = hashlib.sha256()
    for path in files:
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


NOT_CONSULTED_NOTICE = (
    "model not consulted (weight 0): {model} was configured, but its labels would count for nothing, "
    "so it was not asked. These verdicts rest on retrieval similarity and deterministic checks alone."
)

NOT_CONSULTED_BESIDE_VERIFIER = (
    "model not consulted (weight 0): {model} was configured, but its labels would count for nothing, "
    "so it was not asked. These verdicts rest on retrieval similarity, deterministic checks and the verifier {verifier}."
)


def backend_of(judge: Judge | None) -> ChatBackend | None:
    """The chat backend a judge (or a part of a composite judge) was built on, if any."""
    parts = [part for part, _ in getattr(judge, "parts", ())] or [judge]
    return next((b for b in (getattr(part, "backend", None) for part in parts) if b is not None), None)


def judge_notices(judge: Judge | None) -> list[str]:
    """What the judges say the report must tell (a model server that gave no log-probabilities)."""
    parts = [part for part, _ in getattr(judge, "parts", ())] or [judge]
    return [notice for part in parts for notice in getattr(part, "notices", ())]


def consults_model(use_model: bool, weight: float) -> bool:
    """Whether the stance judge is asked at all. At weight 0 the model's labels count for nothing
    (combine.mix), so asking would cost a call per document and change no verdict."""
    return use_model and weight > 0


def model_notices(model: ModelInfo, use_model: bool) -> list[str]:
    """What the report must say about the model: that a configured model was skipped (which makes
    the smoke-test warning moot: it judged nothing), or that a smoke-test model judged."""
    if use_model and not model.consulted:
        if model.verifier is not None:
            return [NOT_CONSULTED_BESIDE_VERIFIER.format(model=model.name, verifier=model.verifier)]
        return [NOT_CONSULTED_NOTICE.format(model=model.name)]
    return [smoke_test_notice(model.name)] if model.smoke_test else []


@dataclass(frozen=True)
class CheckOptions:
    use_model: bool = True
    deterministic_checks: bool = True
    judge_weight: float | None = None  # None: the model preset's own (measured) weight
    per_doc: int = 2
    use_cache: bool = True
    signals: frozenset[str] = frozenset(SIGNALS)  # those beside similarity that count (combine.py)
    as_of: date | None = None  # check against only what was published on or before this day (--as-of)
    # Judge calls at once for a claim's documents (--parallel); None: what the judge's backend
    # serves (a model server's slots, else 4 for a server; 1 in-process). Not in the cache key:
    # it changes how fast, never what.
    parallel: int | None = None


# --- the parts ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Corpus:
    """The documents a session checks against, read once. --as-of has restricted them already:
    the index, the origin groups and the state know of no other, and no result has to be filtered."""

    store: CorpusStore
    embedder: Embedder
    records: list[DocumentRecord]  # the documents checked against
    left_out: LeftOut  # those --as-of left out
    index: EvidenceIndex
    groups: list[tuple[str, ...]]  # documents that are copies of one story (independence.py)
    state: str  # a digest of what the index read: the cache key's corpus


def open_corpus(
    settings: Settings, embedder: Embedder | None = None, as_of: date | None = None, store_dir: Path | None = None
) -> Corpus:
    """The settings' store (or store_dir: the eval keeps one per dataset), read with embedder
    (None: settings.embedder's, loaded once the store is known to hold documents), as of a day."""
    store = open_store(settings, store_dir)
    records = store.documents()
    if not records:
        raise EmptyCorpus("the corpus is empty; add articles first: factcheck ingest PATH")
    embedder = embedder if embedder is not None else load_embedder(settings)
    _require_current(
        records, ChunkingPolicy.for_embedder(embedder, settings.chunk_tokens, settings.chunk_overlap_tokens)
    )
    records, left_out = published_by(records, as_of)
    if not records:
        raise EmptyCorpus(f"no document was published on or before {as_of}; {left_out.phrase()}")
    index = EvidenceIndex(store, embedder, records)
    groups = origin_groups({r.doc_id: store.text(r.doc_id) for r in records})
    # What the index read, not just the records: a verdict cached from other sentence rows
    # (a killed ingest's, or a store edited since) must not be served for these.
    state = _digest([[(r.doc_id, r.sha256, r.chunking) for r in records], index.state])
    return Corpus(store, embedder, records, left_out, index, groups, state)


def in_effect(settings: Settings, options: CheckOptions) -> CheckOptions:
    """The options as a session applies them: --judge none is --no-model."""
    return options if settings.judges else replace(options, use_model=False)


def choose_judging(settings: Settings, options: CheckOptions, judge: Judge | None = None) -> Choice:
    """Who judges each document, as the options (in effect) want: the judges settings name, or
    `judge` instead of them (the eval's oracle), or none. Weight-0 judges are not loaded."""
    if not in_effect(settings, options).use_model:
        return NO_JUDGE
    return choose(settings, options.judge_weight, judge)


def open_cache(settings: Settings) -> Any:
    """The result cache, shared by every session of this FACTCHECK_HOME."""
    import diskcache

    folder = settings.home / "cache" / "checks"
    folder.mkdir(parents=True, exist_ok=True)
    return diskcache.Cache(str(folder))


# --- the session --------------------------------------------------------------------------------


class CheckSession:
    """Checks batches of claims against one corpus with one judging, and reports each batch."""

    def __init__(
        self,
        settings: Settings,
        options: CheckOptions = CheckOptions(),
        *,
        store_dir: Path | None = None,
        embedder: Embedder | None = None,
        judge: Judge | None = None,
        judging: Choice | None = None,
    ) -> None:
        """The corpus is opened from `store_dir` (a store other than the settings' own: the eval
        keeps one per dataset) with `embedder` (one already loaded, to share); the judging is
        `judging` as chosen already (choose_judging: the eval shares one loaded model), else
        chosen here, with `judge` to ask instead of the one settings.model names (the oracle)."""
        if judge is not None and judging is not None:
            raise ValueError("give the session a judge or a judging, not both")
        options = in_effect(settings, options)
        self.settings, self.options = settings, options
        self.corpus = open_corpus(settings, embedder, options.as_of, store_dir)
        chosen = judging if judging is not None else choose_judging(settings, options, judge)
        self.judge, self.model = chosen.judge, chosen.model
        self.calibration = Calibration(judge_weight=chosen.weight, signals=options.signals)
        self.parallel = options.parallel if options.parallel is not None else parallel_of(self.judge)
        self.checker = Checker(
            self.index,
            self.groups,
            self.calibration,
            self.judge,
            per_doc=options.per_doc,
            deterministic_checks=options.deterministic_checks,
            parallel=self.parallel,
            max_docs=settings.max_docs_per_claim,
        )
        self.last_batch = CheckStats()  # the counters of the latest check() batch
        self._cache = open_cache(settings) if options.use_cache else None
        self._code_version = code_version()
        self._backend: ChatBackend | None = None

    # What callers ask of a session, by what it means to them.

    @property
    def index(self) -> EvidenceIndex:
        return self.corpus.index

    @property
    def groups(self) -> list[tuple[str, ...]]:
        return self.corpus.groups

    @property
    def doc_ids(self) -> list[str]:
        """The documents checked against (those --as-of kept)."""
        return self.index.doc_ids

    def documents(self) -> list[DocumentRecord]:
        """Every document in the store, --as-of or not."""
        return self.corpus.store.documents()

    def document(self, doc_id: str) -> DocumentRecord | None:
        return self.corpus.store.document(doc_id)

    def text(self, doc_id: str) -> str:
        """A stored document's cleaned text."""
        return self.corpus.store.text(doc_id)

    @property
    def embedder_id(self) -> str:
        return self.corpus.embedder.id

    @property
    def uses_model(self) -> bool:
        """Whether a language model is in play at all (not --no-model, not --judge none); it may
        still go unasked at weight 0 (model_consulted)."""
        return self.options.use_model

    @property
    def model_name(self) -> str:
        return self.model.name

    @property
    def model_consulted(self) -> bool:
        """Whether the model judged stances (a configured model is not asked at weight 0)."""
        return self.model.consulted

    @property
    def judge_weight(self) -> float:
        """How much the judge's labels count, as in effect (the preset's, or --judge-weight)."""
        return self.calibration.judge_weight

    def smoke_test_notice(self) -> str | None:
        """The smoke-test notice when the session's model is a smoke-test one, else None."""
        return smoke_test_notice(self.model.name) if self.model.smoke_test else None

    @property
    def prompt_hash(self) -> str:
        return self.judge.prompt_hash if self.judge is not None else "none"

    def backend(self) -> ChatBackend:
        """The chat backend settings.model names, to write with (ask's answers, audit --decompose):
        the judge's own when it loaded one (a second copy of a model would double its memory),
        else loaded now, once: a judge skipped at weight 0 still leaves the model to write with."""
        if self._backend is None:
            from factcheck.models.backend import load_backend

            self._backend = backend_of(self.judge) or load_backend(self.settings)
        return self._backend

    def check(
        self, items: Sequence[ClaimInput], progress: Callable[[ClaimResult], None] | None = None
    ) -> list[ClaimResult]:
        """Check each claim, taking results from the cache where the same claim was already
        checked against the same corpus, model, prompt and settings (so a rerun is instant and an
        interrupted batch resumes where it stopped). The batch's counters are last_batch."""
        self.last_batch = self.checker.new_batch()
        results = []
        for item in items:
            key = self._cache_key(item)
            cached = self._cache.get(key) if self._cache is not None else None
            result = cached if isinstance(cached, ClaimResult) else self.checker.check(item)
            if self._cache is not None and cached is None:
                self._cache.set(key, result)
            results.append(result)
            if progress is not None:
                progress(result)
        return results

    def signals(self, item: ClaimInput) -> list[Signals]:
        """What each document judged for the claim says about it, before any threshold: what
        scripts/fit_calibration.py fits the thresholds on. Not cached, not counted."""
        return self.checker.signals(item.claim, item)

    def report(self, results: Sequence[ClaimResult], contradictions: Sequence[Contradiction] = ()) -> CheckReport:
        """The report of the latest batch: its results, and its counters and trimmed claims."""
        corpus, batch = self.corpus, self.last_batch
        notices = model_notices(self.model, self.options.use_model) + judge_notices(self.judge)
        notices += [f"claim {cid} was longer than allowed and was trimmed" for cid in batch.trimmed_claims]
        if self.options.as_of is not None:
            kept = f"{len(corpus.records)} document{'s' * (len(corpus.records) != 1)}"
            notices.append(
                f"as of {self.options.as_of}: checked against the {kept} published on or before "
                f"that day; {corpus.left_out.phrase()}"
            )
        named = {s.doc_id for r in results for s in r.sources} | {d for c in contradictions for d in (c.doc_a, c.doc_b)}
        return CheckReport(
            results=tuple(results),
            model=self.model,
            embedder=self.embedder_id,
            prompt_hash=self.prompt_hash,
            created=datetime.now(UTC).isoformat(timespec="seconds"),
            notices=tuple(notices),
            stats=batch.as_dict(),
            contradictions=tuple(contradictions),
            documents=tuple(r for r in corpus.records if r.doc_id in named),
            as_of=self.options.as_of,
        )

    def _cache_key(self, item: ClaimInput) -> str:
        # The model (consulted or not) and the calibration (the weight in effect) are both in the
        # key: a result judged with a weight that counts is never served to a weight-0 run.
        return _digest(
            [
                self._code_version,
                item.id,
                item.claim,
                list(item.exclude),
                self.corpus.state,
                self.embedder_id,
                asdict(self.model),
                self.prompt_hash,
                asdict(self.calibration),
                asdict(replace(self.options, parallel=None)),
                self.settings.max_docs_per_claim,
            ]
        )


@dataclass(frozen=True)
class LeftOut:
    """The documents --as-of left out: published after its day, or with no known date."""

    later: int = 0
    undated: int = 0

    def phrase(self) -> str:
        return f"left out {self.later} published later and {self.undated} undated (their date is not known)"


def published_by(records: Sequence[DocumentRecord], as_of: date | None) -> tuple[list[DocumentRecord], LeftOut]:
    """The documents published on or before as_of (all of them when it is None), and how many were
    left out. An undated document is left out: nothing says it was there by that day."""
    if as_of is None:
        return list(records), LeftOut()
    kept = [r for r in records if r.published is not None and r.published <= as_of]
    undated = sum(1 for r in records if r.published is None)
    return kept, LeftOut(len(records) - len(kept) - undated, undated)


def _require_current(records: Sequence[DocumentRecord], policy: ChunkingPolicy) -> None:
    """Refuse a store whose documents were split by another version or other chunk settings:
    their sentences may be missing or differ, and the results would quietly be wrong."""
    stale = [r.doc_id for r in records if r.chunking != policy.signature]
    if stale:
        raise StoreError(
            f"{len(stale)} of {len(records)} documents were ingested with other chunk settings or an older "
            f"factcheck (e.g. {stale[0]}); run `factcheck ingest` on them again"
        )


def _digest(value: Any) -> str:
    return hashlib.sha256(json.dumps(value, sort_keys=True, default=_stable).encode()).hexdigest()


def _stable(value: Any) -> Any:
    """JSON for what json cannot write: sets sorted (their order changes from one process to the
    next, and a cache key must not), anything else as its str."""
    if isinstance(value, set | frozenset):
        return sorted(value, key=str)
    return str(value)
