"""The JSON rendering. Other tools and the evaluation read it, so its keys and their order are a
contract: change them only together with those readers."""

from __future__ import annotations

import json
import math
from typing import Any

from factcheck.check.timeline import Dated, Timeline
from factcheck.report import register_renderer
from factcheck.report.sources import claim_timeline
from factcheck.schema import CheckReport, ClaimResult, Contradiction, DocumentRecord, SourceStance, ValueCheck


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
        "page": source.page,  # of the quote, in a paged document (a PDF); null when not paged
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
        **_timeline(claim_timeline(report, result)),
        # How many documents retrieval considered for the claim, and how many it judged (sources).
        "documents_considered": result.documents_considered,
        "documents_judged": result.documents_judged,
    }


def _dated(entry: Dated) -> dict[str, Any]:
    published = entry.published.isoformat() if entry.published is not None else None
    return {"doc_id": entry.doc_id, "published": published, "stance": entry.stance.value}


def _timeline(line: Timeline) -> dict[str, Any]:
    """The sources that took a side, oldest first and the undated last; and the latest (null when
    none is dated): its date, its documents (several of one day) and their side (null: both)."""
    latest = None
    if line.latest:
        stance = line.latest_stance
        latest = {
            "published": _dated(line.latest[0])["published"],
            "doc_ids": [e.doc_id for e in line.latest],
            "stance": stance.value if stance is not None else None,
        }
    return {"timeline": [_dated(e) for e in line.entries], "latest": latest}


def _document(record: DocumentRecord) -> dict[str, Any]:
    return {
        "title": record.title,
        "site": record.site,
        "authors": list(record.authors),
        "published": record.published.isoformat() if record.published else None,
        "source": record.source_path,  # a file's path or a page's URL
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
        "documents": {r.doc_id: _document(r) for r in report.documents},
        "as_of": report.as_of.isoformat() if report.as_of else None,
    }


@register_renderer("json")
def render_json(report: CheckReport) -> str:
    return json.dumps(to_json_dict(report), indent=2, ensure_ascii=False) + "\n"
