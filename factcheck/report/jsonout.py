"""The JSON rendering. Other tools and the evaluation read it, so its keys and their order are a
contract: change them only together with those readers."""

from __future__ import annotations

import json
import math
from typing import Any

from factcheck.report import register_renderer
from factcheck.schema import CheckReport, ClaimResult, Contradiction, SourceStance, ValueCheck


def _round(value: float | None, digits: int = 4) -> float | None:
    # NaN and infinity are not JSON; say "no value" rather than write an unreadable file.
    if value is None or not math.isfinite(value):
        return None
    return round(float(value), digits)


def _stat(value: Any) -> Any:
    if isinstance(value, float):
        return _round(value)
    return value


def _check(check: ValueCheck) -> dict[str, Any]:
    return {
        "kind": check.kind,
        "outcome": check.outcome.value,
        "claim_value": check.claim_value,
        "evidence_value": check.evidence_value,
        "detail": check.detail,
    }


def _source(source: SourceStance) -> dict[str, Any]:
    return {
        "doc_id": source.doc_id,
        "stance": source.stance.value,
        "quote": source.quote,
        "chunk_id": source.chunk_id,
        "score": _round(source.similarity),
        "checks": [_check(c) for c in source.checks],
        "model_stance": source.model_stance.value if source.model_stance is not None else None,
        "model_confidence": _round(source.model_confidence),
        "quote_discarded": source.quote_discarded,
        "part_similarity": _round(source.part_similarity),  # None: that signal was not measured
        "coverage": _round(source.coverage),
    }


def _claim(result: ClaimResult, report: CheckReport) -> dict[str, Any]:
    return {
        "id": result.id,
        "claim": result.claim,
        "verdict": result.verdict.value,
        "confidence": _round(result.confidence, 3),
        "independent_sources": result.independent_sources,
        "groups": [list(group) for group in result.groups],
        "sources": [_source(s) for s in result.sources],
        # Repeated per claim so that one claim, cut out of the file, still says what judged it.
        "model": {
            "name": report.model.name,
            "sha256": report.model.sha256,
            "consulted": report.model.consulted,
            **_verifier(report, "verifier"),
        },
        "prompt_hash": report.prompt_hash,
    }


def _verifier(report: CheckReport, *keys: str) -> dict[str, Any]:
    """The verifier judge that was asked (name, model.onnx sha256), only when one was: a report
    without one keeps exactly the keys it always had."""
    if report.model.verifier is None:
        return {}
    return {key: getattr(report.model, key) for key in keys}


def _contradiction(contradiction: Contradiction) -> dict[str, Any]:
    return {
        "topic": contradiction.topic,
        "claim": contradiction.claim,
        "doc_a": contradiction.doc_a,
        "quote_a": contradiction.quote_a,
        "doc_b": contradiction.doc_b,
        "quote_b": contradiction.quote_b,
        "checks": [_check(c) for c in contradiction.checks],
    }


def to_json_dict(report: CheckReport) -> dict[str, Any]:
    """The report as plain JSON-ready data: enums as their values, floats rounded."""
    return {
        "notices": list(report.notices),
        "model": {
            "name": report.model.name,
            "sha256": report.model.sha256,
            "smoke_test": report.model.smoke_test,
            "consulted": report.model.consulted,  # false: named, but no verdict rests on it
            **_verifier(report, "verifier", "verifier_sha256"),
        },
        "embedder": report.embedder,
        "prompt_hash": report.prompt_hash,
        "created": report.created,
        "stats": {key: _stat(report.stats[key]) for key in sorted(report.stats)},
        "claims": [_claim(r, report) for r in report.results],
        "contradictions": [_contradiction(c) for c in report.contradictions],
    }


@register_renderer("json")
def render_json(report: CheckReport) -> str:
    return json.dumps(to_json_dict(report), indent=2, ensure_ascii=False) + "\n"
