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


NO_JUDGE = Choice(None, ModelInfo("none", None, consulted=False), 0.0)  # --no-model, --judge none


def choose(settings: Settings, judge_weight: float | None, given: Judge | None = None) -> Choice:
    """The judges settings.judges names, loaded where their weight is above 0, as one judge; or
    `given`, a judge to ask instead of them (the eval's oracle), at its weight."""
    if given is not None:
        return _given(given, judge_weight)
    kinds = settings.judges
    if not kinds:
        return NO_JUDGE
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


def _given(judge: Judge, judge_weight: float | None) -> Choice:
    """A judge handed in: named as itself, at --judge-weight or its preset's weight; not asked at 0."""
    model = ModelInfo(judge.name, None, judge.smoke_test)
    weight = judge_weight if judge_weight is not None else preset_weight(model)
    if weight <= 0:
        return Choice(None, replace(model, consulted=False), 0.0)
    return Choice(judge, model, weight)


def _report_model(infos: dict[str, ModelInfo], kinds: tuple[str, ...]) -> ModelInfo:
    """The chat model's identity when it is among the judges, else the verifier's; the verifier
    is named beside it when it was asked."""
    primary = infos[kinds[0]]
    verifier = infos.get("verifier")
    if verifier is None or not verifier.consulted:
        return primary
    return replace(primary, verifier=verifier.name, verifier_sha256=verifier.sha256)


# --- the chat model -----------------------------------------------------------------------------


def preset_weight(model: ModelInfo) -> float:
    """The weight measured for the model's preset; a model without one gets the unmeasured default."""
    from factcheck.models.presets import PRESETS, UNMEASURED_JUDGE_WEIGHT

    preset = PRESETS.get(model.name)
    return preset.judge_weight if preset is not None else UNMEASURED_JUDGE_WEIGHT


def configured_model(settings: Settings) -> ModelInfo:
    """settings.model's name and file sha256, without loading it. A model server's model has no
    file here: it is named as the URL names it (its #fragment, FACTCHECK_SERVED_MODEL or address),
    so a preset's name there brings that preset's measured weight and smoke-test flag."""
    from factcheck.models.backend import backend_kind

    if backend_kind(settings.model) == "server":
        return _served_model(settings)
    from factcheck.models.fingerprint import model_fingerprint

    return model_fingerprint(settings, None)


def _served_model(settings: Settings, judge: Any = None) -> ModelInfo:
    from factcheck.models.presets import PRESETS
    from factcheck.models.server import configured_name

    name = getattr(judge, "name", None) or configured_name(settings)
    preset = PRESETS.get(name)
    return ModelInfo(name, None, smoke_test=preset is not None and preset.smoke_test)


def load_llm_judge(settings: Settings) -> tuple[Any, ModelInfo]:
    """The stance judge over settings.model, and the model as the report names it."""
    from factcheck.check.judge import load_judge
    from factcheck.models.backend import backend_kind
    from factcheck.models.fingerprint import model_fingerprint

    judge = load_judge(settings)
    if backend_kind(settings.model) == "server":
        return judge, _served_model(settings, judge)  # the model the server serves, by its name there
    return judge, model_fingerprint(settings, judge)  # a registered stand-in names itself


def _llm_weight(settings: Settings, model: ModelInfo, judge_weight: float | None, alone: bool) -> float:
    return judge_weight if judge_weight is not None else preset_weight(model)


# The module's functions are looked up when called, not when registered, so that a test can
# replace one (monkeypatch factcheck.check.selection.load_llm_judge) and every check sees it.
JUDGE_KINDS.register("llm")(JudgeKind(lambda s: configured_model(s), _llm_weight, lambda s: load_llm_judge(s)))


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
    return preset_weight(model)


def _load_verifier(settings: Settings) -> tuple[Judge, ModelInfo]:
    from factcheck.check.verifier_judge import VerifierJudge

    judge = VerifierJudge.load(settings)
    return judge, ModelInfo(judge.name, judge.model_sha256)


JUDGE_KINDS.register("verifier")(JudgeKind(_describe_verifier, _verifier_weight, _load_verifier))
