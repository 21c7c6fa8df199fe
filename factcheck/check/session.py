"""A checking session: everything needed to check claims against the current corpus, built once
per command (store, embedder, evidence index, origin groups, judge, cache), and the report."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, replace
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from factcheck.check.combine import SIGNALS, Calibration
from factcheck.check.independence import origin_groups
from factcheck.check.pipeline import Checker, ClaimInput
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
    from factcheck.models.chat import ChatModel


def code_version() -> str:
    """A digest of the code that decides verdicts, so a cached result never outlives a change to it."""
    from pathlib import Path as _Path

    import factcheck

    root = _Path(factcheck.__file__).parent
    files = sorted([*root.glob("check/*.py"), root / "retrieve.py", root / "schema.py"])
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


class CheckSession:
    def __init__(
        self,
        settings: Settings,
        options: CheckOptions = CheckOptions(),
        *,
        store_dir: Path | None = None,
        judge: Judge | None = None,
    ) -> None:
        """`store_dir`: a store other than the settings' own (the eval keeps one per dataset).
        `judge`: a judge to use instead of the one settings.model names (the eval's oracle)."""
        self.settings = settings
        self.options = options
        self.store = open_store(settings, store_dir)
        records = self.store.documents()
        if not records:
            raise EmptyCorpus("the corpus is empty; add articles first: factcheck ingest PATH")
        self.embedder = load_embedder(settings)
        _require_current(records, ChunkingPolicy.for_embedder(
            self.embedder, settings.chunk_tokens, settings.chunk_overlap_tokens
        ))  # fmt: skip
        # --as-of restricts the documents here, once: the index, the origin groups and the cache
        # key then know of no other, and no result has to be filtered afterwards.
        records, self.left_out = published_by(records, options.as_of)
        if not records:
            raise EmptyCorpus(f"no document was published on or before {options.as_of}; {self.left_out.phrase()}")
        self.records = records
        self.index = EvidenceIndex(self.store, self.embedder, records)
        self.groups = origin_groups({r.doc_id: self.store.text(r.doc_id) for r in records})
        # What the index read, not just the records: a verdict cached from other sentence rows
        # (a killed ingest's, or a store edited since) must not be served for these.
        self.corpus_state = _digest([[(r.doc_id, r.sha256, r.chunking) for r in records], self.index.state])
        if not settings.judges:  # --judge none is --no-model
            options = self.options = replace(options, use_model=False)
        self.judge, self.model, weight = _choose_judge(settings, options, judge)
        self.calibration = Calibration(judge_weight=weight, signals=options.signals)
        self.checker = Checker(
            self.index,
            self.groups,
            self.calibration,
            self.judge,
            per_doc=options.per_doc,
            deterministic_checks=options.deterministic_checks,
        )
        self._cache = _open_cache(settings.home / "cache" / "checks") if options.use_cache else None
        self._code_version = code_version()
        self._llm: Any = None

    def chat_llm(self) -> Any:
        """The llama.cpp model settings.model names, for writing (ask's answers, audit --decompose):
        the judge's own when it loaded one (a second copy would double the memory), else loaded
        now, once: a judge skipped at weight 0 still leaves the model to write with."""
        if self._llm is None:
            shared = getattr(self.judge, "llm", None)
            if shared is None:
                from factcheck.models.chat import load_chat_llm

                shared = load_chat_llm(self.settings)
            self._llm = shared
        return self._llm

    def writer(self) -> ChatModel:
        """The chat model settings.model names, to write with (audit --decompose): a stand-in
        registered under that name (tests), else llama.cpp over chat_llm()."""
        from factcheck.models.chat import CHAT_MODELS, LlamaChatModel

        factory = CHAT_MODELS.get(self.settings.model)
        if factory is not None:
            return factory(self.settings)
        return LlamaChatModel(self.chat_llm(), name=self.model.name, smoke_test=self.model.smoke_test)

    @property
    def prompt_hash(self) -> str:
        return self.judge.prompt_hash if self.judge is not None else "none"

    def check(
        self, items: Sequence[ClaimInput], progress: Callable[[ClaimResult], None] | None = None
    ) -> list[ClaimResult]:
        """Check each claim, taking results from the cache where the same claim was already
        checked against the same corpus, model, prompt and settings (so a rerun is instant and an
        interrupted batch resumes where it stopped)."""
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

    def report(self, results: Sequence[ClaimResult], contradictions: Sequence[Contradiction] = ()) -> CheckReport:
        notices = model_notices(self.model, self.options.use_model)
        notices += [f"claim {cid} was longer than allowed and was trimmed" for cid in self.checker.stats.trimmed_claims]
        if self.options.as_of is not None:
            kept = f"{len(self.records)} document{'s' * (len(self.records) != 1)}"
            notices.append(f"as of {self.options.as_of}: checked against the {kept} published on or before "
                           f"that day; {self.left_out.phrase()}")  # fmt: skip
        named = {s.doc_id for r in results for s in r.sources} | {d for c in contradictions for d in (c.doc_a, c.doc_b)}
        return CheckReport(
            results=tuple(results),
            model=self.model,
            embedder=self.embedder.id,
            prompt_hash=self.prompt_hash,
            created=datetime.now(UTC).isoformat(timespec="seconds"),
            notices=tuple(notices),
            stats=self.checker.stats.as_dict(),
            contradictions=tuple(contradictions),
            documents=tuple(r for r in self.records if r.doc_id in named),
            as_of=self.options.as_of,
        )

    def _cache_key(self, item: ClaimInput) -> str:
        # The model (consulted or not) and the calibration (the weight in effect) are both in the
        # key: a result judged with a weight that counts is never served to a weight-0 run.
        return _digest([
            self._code_version, item.id, item.claim, list(item.exclude), self.corpus_state, self.embedder.id,
            asdict(self.model), self.prompt_hash, asdict(self.calibration), asdict(self.options),
        ])  # fmt: skip


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


def _open_cache(folder: Path) -> Any:
    import diskcache

    folder.mkdir(parents=True, exist_ok=True)
    return diskcache.Cache(str(folder))


def _choose_judge(settings: Settings, options: CheckOptions, given: Judge | None) -> tuple[Any, ModelInfo, float]:
    """The judge to ask (None: none), the model the report names, and the weight of its labels.
    The weight is known before anything is loaded, so a weight-0 model costs neither the seconds
    nor the memory of loading it; the report still names it, as not consulted."""
    if not options.use_model:
        return None, ModelInfo("none", None, consulted=False), 0.0
    if given is None:  # the judges settings.judge names (llm, verifier, both): factcheck.check.selection
        from factcheck.check.selection import choose

        chosen = choose(settings, options.judge_weight)
        return chosen.judge, chosen.model, chosen.weight
    model = ModelInfo(given.name, None, given.smoke_test)
    weight = options.judge_weight if options.judge_weight is not None else _preset_weight(model)
    if not consults_model(options.use_model, weight):
        return None, replace(model, consulted=False), 0.0
    return given, model, weight


def _configured_model(settings: Settings) -> ModelInfo:
    """settings.model's name and file sha256, without loading it."""
    from factcheck.models.fingerprint import model_fingerprint

    return model_fingerprint(settings, None)


def _load_judge(settings: Settings) -> tuple[Any, ModelInfo]:
    from factcheck.check.judge import load_judge
    from factcheck.models.fingerprint import model_fingerprint

    judge = load_judge(settings)
    return judge, model_fingerprint(settings, judge)  # a registered stand-in names itself


def _preset_weight(model: ModelInfo) -> float:
    from factcheck.models.presets import PRESETS, UNMEASURED_JUDGE_WEIGHT

    preset = PRESETS.get(model.name)
    return preset.judge_weight if preset is not None else UNMEASURED_JUDGE_WEIGHT
