"""The HTML rendering: one self-contained page (inline CSS, no scripts, nothing fetched).

Article text is untrusted, so the template is rendered with autoescaping on, and the page carries
a Content-Security-Policy that forbids scripts and every network fetch.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from factcheck.report import (
    contradictions_by_topic,
    register_renderer,
    stance_label,
    summary_line,
    verdict_counts,
)
from factcheck.report.pages import environment
from factcheck.report.sources import (
    cited,
    claim_timeline,
    date_text,
    document_line,
    documents_by_id,
    latest_text,
    source_line,
)
from factcheck.schema import CheckReport, ClaimResult, DocumentRecord, SourceStance, Stance

# Sources that took a side first; those that do not mention the claim are folded away.
_STANCE_ORDER = {Stance.REFUTES: 0, Stance.SUPPORTS: 1, Stance.ERROR: 2, Stance.NOT_MENTIONED: 3}


@dataclass(frozen=True)
class Segment:
    text: str
    value: bool  # a value a deterministic check compared: shown stronger inside the quote


@dataclass(frozen=True)
class SourceView:
    source: SourceStance
    stance: str  # words, e.g. "not mentioned"
    css: str  # e.g. "not_mentioned"
    model_disagrees: bool
    segments: tuple[Segment, ...]
    about: str  # the document's title, site and date, and the quote's page


@dataclass(frozen=True)
class StepView:
    """A source on a claim's timeline."""

    date: str  # ISO, or "undated"
    doc_id: str
    stance: str
    css: str


@dataclass(frozen=True)
class ClaimView:
    result: ClaimResult
    anchor: str
    sides: tuple[SourceView, ...]
    silent: tuple[str, ...]  # documents that do not mention the claim
    groups: tuple[tuple[str, ...], ...]  # only groups of more than one document
    timeline: tuple[StepView, ...]  # empty where the order in time tells nothing
    latest: str  # which source came last (and its side, where they disagree); "" with no timeline


def highlight(quote: str, values: list[str]) -> tuple[Segment, ...]:
    """Split a quote so that the checked values in it can be marked."""
    values = sorted({v for v in values if v.strip()}, key=len, reverse=True)
    if not values:
        return (Segment(quote, False),)
    pattern = re.compile("|".join(re.escape(v) for v in values), re.IGNORECASE)
    segments, at = [], 0
    for match in pattern.finditer(quote):
        if match.start() > at:
            segments.append(Segment(quote[at : match.start()], False))
        segments.append(Segment(match.group(), True))
        at = match.end()
    if at < len(quote):
        segments.append(Segment(quote[at:], False))
    return tuple(segments)


def anchor(claim_id: str) -> str:
    """An id attribute value for the claim: `claim-<id>`, spaces made safe."""
    return "claim-" + re.sub(r"\s+", "-", claim_id.strip())


def _source_view(source: SourceStance, documents: dict[str, DocumentRecord]) -> SourceView:
    quote = (source.quote or "").strip()
    return SourceView(
        source=source,
        stance=stance_label(source.stance),
        css=source.stance.value,
        model_disagrees=source.model_stance is not None and source.model_stance is not source.stance,
        segments=highlight(quote, [c.evidence_value for c in source.checks]) if quote else (),
        about=source_line(source, documents),
    )


def _timeline(report: CheckReport, result: ClaimResult) -> tuple[tuple[StepView, ...], str]:
    line = claim_timeline(report, result)
    if not line.worth_showing:
        return (), ""
    steps = tuple(
        StepView(date_text(e.published), e.doc_id, stance_label(e.stance), e.stance.value) for e in line.entries
    )
    latest = latest_text(line)
    return steps, latest[0].upper() + latest[1:] + "."


def _claim_view(result: ClaimResult, report: CheckReport) -> ClaimView:
    sides = sorted(
        (s for s in result.sources if s.stance is not Stance.NOT_MENTIONED), key=lambda s: _STANCE_ORDER[s.stance]
    )
    documents = documents_by_id(report)
    steps, latest = _timeline(report, result)
    return ClaimView(
        result=result,
        anchor=anchor(result.id),
        sides=tuple(_source_view(s, documents) for s in sides),
        silent=tuple(s.doc_id for s in result.sources if s.stance is Stance.NOT_MENTIONED),
        groups=tuple(g for g in result.groups if len(g) > 1),
        timeline=steps,
        latest=latest,
    )


def _stat(value: float) -> str:
    return f"{value:.4g}" if isinstance(value, float) else str(value)


@register_renderer("html")
def render_html(report: CheckReport) -> str:
    counts = verdict_counts(report)
    page = (
        environment()
        .get_template("report.html.j2")
        .render(
            report=report,
            summary=summary_line(report),
            counts=[(v.value, n) for v, n in counts.items()],
            claims=[_claim_view(r, report) for r in report.results],
            topics=contradictions_by_topic(report),
            about={r.doc_id: document_line(r) for r in report.documents},
            documents=[(r, date_text(r.published)) for r in cited(report)],
            stats=[(key, _stat(value)) for key, value in sorted(report.stats.items())],
        )
    )
    return page.rstrip() + "\n"
