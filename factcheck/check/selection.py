"""Which stance judges a check asks, with what weights: `--judge llm | verifier | llm+verifier | none`.

Each kind of judge is registered with how to name it without loading it, its default weight,
and how to load it. Every weight is known before anything is loaded, so a judge whose weight is
0 costs neither the seconds nor the memory of loading it.

Weights. The chat model's is `--judge-weight`, else its preset's. The verifier's is
`verifier_weight` (FACTCHECK_VERIFIER_WEIGHT), else its preset's; with `--judge verifier` alone,
`--judge-weight` sets it, being then the one judge's weight. Two judges are asked as one
CompositeJudge whose probabilities are P_llm^(w1/W) · P_ver^(w2/W), mixed in with the session
weight W = w1 + w2 clipped to 1: the combination is P_sim^(1-w1-w2) · P_llm^w1 · P_ver^w2.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from factcheck.check.verifier_judge import CompositeJudge, session_weight
from factcheck.registry import Registry
from factcheck.schema import ModelInfo

if TYPE_CHECKING:
    from factcheck.check.judge import Judge
    from factcheck.config import Settings


@dataclass(frozen=True)
class JudgeKind:
    describe: Callable[[Settings], ModelInfo]  # name and file sha256, without loading
    weight: Callable[[Settings, ModelInfo, float | None, bool], float]  # (.., --judge-weight, alone)
    load: Callable[[Settings], tuple[Any, ModelInfo]]


JUDGE_KINDS: Registry[JudgeKind] = Registry("judge kind")


@dataclass(frozen=True)
class Choice:
    judge: Any  # a Judge, or None when none is asked
    model: ModelInfo  # what the report names
    weight: float  # the session's judge weight


def choose(settings: Settings, judge_weight: float | None) -> Choice:
    """The judges settings.judges names, loaded where their weight is above 0, as one judge."""
    kinds = settings.judges
    if not kinds:
        return Choice(None, ModelInfo("none", None, consulted=False), 0.0)
    planned = []
    for name in kinds:
        kind = JUDGE_KINDS.require(name)
        info = kind.describe(settings)
        planned.append((name, kind, info, kind.weight(settings, info, judge_weight, len(kinds) == 1)))
    loaded: dict[str, tuple[Any, ModelInfo, float]] = {}
    for name, kind, info, weight in planned:
        if weight > 0:
            judge, info = kind.load(settings)
            loaded[name] = (judge, info, weight)
    infos = {
        name: loaded[name][1] if name in loaded else replace(info, consulted=False) for name, _, info, _ in planned
    }
    model = _report_model(infos, kinds)
    parts = [(judge, weight) for judge, _, weight in loaded.values()]
    if not parts:
        return Choice(None, model, 0.0)
    judge = parts[0][0] if len(parts) == 1 else CompositeJudge(parts)
    return Choice(judge, model, session_weight([w for _, w in parts]))


def _report_model(infos: dict[str, ModelInfo], kinds: tuple[str, ...]) -> ModelInfo:
    """The chat model's identity when it is among the judges, else the verifier's; the verifier
    is named beside it when it was asked."""
    primary = infos[kinds[0]]
    verifier = infos.get("verifier")
    if verifier is None or not verifier.consulted:
        return primary
    return replace(primary, verifier=verifier.name, verifier_sha256=verifier.sha256)


# --- the chat model -----------------------------------------------------------------------------
# Its loader and weight live in session.py, where they always were (and where tests replace them).


def _describe_llm(settings: Settings) -> ModelInfo:
    from factcheck.check import session

    return session._configured_model(settings)


def _llm_weight(settings: Settings, model: ModelInfo, judge_weight: float | None, alone: bool) -> float:
    from factcheck.check import session

    return judge_weight if judge_weight is not None else session._preset_weight(model)


def _load_llm(settings: Settings) -> tuple[Any, ModelInfo]:
    from factcheck.check import session

    return session._load_judge(settings)


JUDGE_KINDS.register("llm")(JudgeKind(_describe_llm, _llm_weight, _load_llm))


# --- the verifier -------------------------------------------------------------------------------


def _describe_verifier(settings: Settings) -> ModelInfo:
    from factcheck.models.cross_encoder import locate_verifier
    from factcheck.models.fingerprint import file_sha256

    model = locate_verifier(settings.verifier, settings.model_dir)
    return ModelInfo(model.name, file_sha256(model.model_path, settings.home / "cache" / "fingerprints"))


def _verifier_weight(settings: Settings, model: ModelInfo, judge_weight: float | None, alone: bool) -> float:
    if alone and judge_weight is not None:
        return judge_weight
    if settings.verifier_weight is not None:
        return settings.verifier_weight
    from factcheck.check import session

    return session._preset_weight(model)


def _load_verifier(settings: Settings) -> tuple[Judge, ModelInfo]:
    from factcheck.check.verifier_judge import VerifierJudge

    judge = VerifierJudge.load(settings)
    return judge, ModelInfo(judge.name, judge.model_sha256)


JUDGE_KINDS.register("verifier")(JudgeKind(_describe_verifier, _verifier_weight, _load_verifier))
