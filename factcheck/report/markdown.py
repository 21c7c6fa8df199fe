"""The Markdown rendering: an overview table, then each claim with its sources' quotes, then the
contradictions found between documents."""

from __future__ import annotations

import re

from factcheck.report import (
    check_line,
    contradictions_by_topic,
    register_renderer,
    stance_label,
    summary_line,
)
from factcheck.report.sources import (
    cited,
    claim_timeline,
    date_text,
    document_line,
    documents_by_id,
    latest_text,
    source_line,
    timeline_text,
)
from factcheck.schema import CheckReport, ClaimResult, Contradiction, DocumentRecord, SourceStance, Stance, ValueCheck

_LINE_BREAK = re.compile(r"\s*[\r\n]+\s*")

# Sources that took a side first; those that do not mention the claim last.
_STANCE_ORDER = {Stance.REFUTES: 0, Stance.SUPPORTS: 1, Stance.ERROR: 2, Stance.NOT_MENTIONED: 3}


def inert(text: str) -> str:
    """Article text with no HTML tags left in it: many Markdown viewers pass raw HTML through."""
    return text.replace("<", "&lt;")


def one_line(text: str) -> str:
    return inert(_LINE_BREAK.sub(" ", text.strip()))


def table_cell(text: str) -> str:
    """Text that stays inside one cell of a Markdown table: one line, pipes escaped."""
    return one_line(text).replace("|", "\\|")


def blockquote(text: str) -> str:
    return "\n".join(f"> {line}".rstrip() for line in inert(text.strip()).splitlines())


def _checks(checks: tuple[ValueCheck, ...]) -> list[str]:
    return [f"- {one_line(check_line(c))}" for c in checks]


def _header(report: CheckReport) -> list[str]:
    lines = ["# Fact-check report", ""]
    for notice in report.notices:
        lines += [blockquote(f"**Notice:** {notice}"), ""]
    sha = f" (sha256 `{report.model.sha256[:12]}…`)" if report.model.sha256 else ""
    verifier = f" · verifier `{report.model.verifier}`" if report.model.verifier else ""
    lines += [
        f"**{summary_line(report)}**",
        "",
        f"Model `{report.model.name}`{sha}{verifier} · embedder `{report.embedder}` · "
        f"prompt `{report.prompt_hash}` · created {report.created}",
        "",
    ]
    return lines


def _overview(report: CheckReport) -> list[str]:
    lines = ["| id | claim | verdict | confidence | independent sources |", "|---|---|---|---:|---:|"]
    for r in report.results:
        cells = [
            table_cell(r.id),
            table_cell(r.claim),
            r.verdict.value,
            f"{r.confidence:.3f}",
            str(r.independent_sources),
        ]
        lines.append("| " + " | ".join(cells) + " |")
    return lines + [""]


def _source(source: SourceStance, documents: dict[str, DocumentRecord]) -> list[str]:
    about = source_line(source, documents)
    named = f"**{source.doc_id}** ({one_line(about)})" if about else f"**{source.doc_id}**"
    facts = [f"{named} — {stance_label(source.stance)}", f"confidence {source.confidence:.3f}"]
    facts.append(f"similarity {source.similarity:.3f}")
    if source.part_similarity is not None:
        facts.append(f"best clause {source.part_similarity:.3f}")
    if source.coverage is not None:
        facts.append(f"coverage {source.coverage:.2f}")
    if source.model_stance is not None and source.model_stance is not source.stance:
        model_conf = f" ({source.model_confidence:.3f})" if source.model_confidence is not None else ""
        facts.append(f"the model said {stance_label(source.model_stance)}{model_conf}")
    lines = [" · ".join(facts), ""]
    if source.quote:
        lines += [blockquote(source.quote), ""]
    if source.quote_discarded:
        lines += ["*The model's quote was discarded: it is not in the retrieved passages.*", ""]
    if source.checks:
        lines += _checks(source.checks) + [""]
    return lines


def _timeline(report: CheckReport, result: ClaimResult) -> list[str]:
    """The sources in time, where that tells something (two dated, or a disagreement)."""
    line = claim_timeline(report, result)
    if not line.worth_showing:
        return []
    latest = latest_text(line)
    return [f"**Timeline:** {one_line(timeline_text(line))}. {one_line(latest[0].upper() + latest[1:])}.", ""]


def _claim(result: ClaimResult, report: CheckReport) -> list[str]:
    lines = [
        f"### {one_line(result.id)}: {one_line(result.claim)}",
        "",
        f"**{result.verdict.value}** · confidence {result.confidence:.3f} · "
        f"{result.independent_sources} independent source{'' if result.independent_sources == 1 else 's'}",
        "",
    ]
    for group in result.groups:
        if len(group) > 1:
            lines += [f"Counted as one origin (near-duplicates): {', '.join(group)}", ""]
    taking_sides = sorted(
        (s for s in result.sources if s.stance is not Stance.NOT_MENTIONED), key=lambda s: _STANCE_ORDER[s.stance]
    )
    documents = documents_by_id(report)
    for source in taking_sides:
        lines += _source(source, documents)
    lines += _timeline(report, result)
    silent = [s.doc_id for s in result.sources if s.stance is Stance.NOT_MENTIONED]
    if silent:
        lines += [f"Not mentioned in: {', '.join(silent)}", ""]
    if not result.sources:
        lines += ["No source addresses this claim.", ""]
    return lines


def _named(doc_id: str, documents: dict[str, DocumentRecord]) -> str:
    about = document_line(documents.get(doc_id))
    return f"**{doc_id}** ({one_line(about)})" if about else f"**{doc_id}**"


def _contradiction(contradiction: Contradiction, documents: dict[str, DocumentRecord]) -> list[str]:
    lines = [f"Checked: {one_line(contradiction.claim)}", ""]
    lines += [f"{_named(contradiction.doc_a, documents)} says:", "", blockquote(contradiction.quote_a), ""]
    lines += [f"{_named(contradiction.doc_b, documents)} says:", "", blockquote(contradiction.quote_b), ""]
    if contradiction.checks:
        lines += _checks(contradiction.checks) + [""]
    return lines


def _contradictions(report: CheckReport) -> list[str]:
    topics = contradictions_by_topic(report)
    if not topics:
        return []
    lines = ["## Contradictions", ""]
    documents = documents_by_id(report)
    for topic, items in topics.items():
        lines += [f"### {one_line(topic)}", ""]
        for contradiction in items:
            lines += _contradiction(contradiction, documents)
    return lines


def _documents(report: CheckReport) -> list[str]:
    """The documents the report quotes, with what is known of them."""
    records = cited(report)
    if not records:
        return []
    lines = ["## Sources", ""]
    for r in records:
        facts = [r.title, r.site, f"by {', '.join(r.authors)}" if r.authors else "", date_text(r.published)]
        about = " · ".join(one_line(f) for f in facts if f)
        lines.append(f"- **{one_line(r.doc_id)}**: {about} · source: {one_line(r.source_path)}")
    return lines + [""]


@register_renderer("md")
def render_markdown(report: CheckReport) -> str:
    lines = _header(report)
    if report.results:
        lines += _overview(report) + ["## Claims", ""]
        for result in report.results:
            lines += _claim(result, report)
    lines += _contradictions(report)
    lines += _documents(report)
    return "\n".join(lines).rstrip() + "\n"
