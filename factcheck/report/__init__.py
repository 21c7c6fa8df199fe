"""Renderings of a CheckReport: the terminal table, and Markdown, JSON and HTML text.

Text formats are registered by name (`@register_renderer("md")`, a factcheck.registry.Registry)
and reached through `render`;
the terminal view needs a console, so it is `print_table` instead.
"""

from __future__ import annotations

from collections.abc import Callable

from factcheck.registry import Registry
from factcheck.schema import CheckReport, ClaimResult, Contradiction, Stance, ValueCheck, Verdict

Renderer = Callable[[CheckReport], str]
RENDERERS: Registry[Renderer] = Registry("report format")
register_renderer = RENDERERS.register  # @register_renderer("md"): a function from a report to text


def renderer_names() -> list[str]:
    return RENDERERS.names()


def render(report: CheckReport, fmt: str) -> str:
    """The report as text in the named format; the text ends with exactly one newline.
    An unknown format is UnknownBackend, naming the known ones."""
    return RENDERERS.require(fmt)(report)


# --- what several renderings share ------------------------------------------------------------


def verdict_counts(report: CheckReport) -> dict[Verdict, int]:
    """Claims per verdict, every verdict present, in the enum's order."""
    counts = dict.fromkeys(Verdict, 0)
    for result in report.results:
        counts[result.verdict] += 1
    return counts


def summary_line(report: CheckReport) -> str:
    counts = verdict_counts(report)
    total = len(report.results)
    parts = ", ".join(f"{n} {verdict.value}" for verdict, n in counts.items())
    return f"{total} claim{'' if total == 1 else 's'}: {parts}"


def stance_label(stance: Stance | None) -> str:
    return "" if stance is None else stance.value.replace("_", " ")


def sources_summary(result: ClaimResult) -> str:
    """Which documents took which stance, e.g. "supports: 000, 003 · refutes: 002 · not mentioned: 2".

    Documents that do not mention the claim are only counted: they are many and say nothing.
    """
    parts = []
    for stance in (Stance.SUPPORTS, Stance.REFUTES, Stance.ERROR):
        docs = [s.doc_id for s in result.sources if s.stance is stance]
        if docs:
            parts.append(f"{stance_label(stance)}: {', '.join(docs)}")
    silent = sum(1 for s in result.sources if s.stance is Stance.NOT_MENTIONED)
    if silent:
        parts.append(f"not mentioned: {silent}")
    return " · ".join(parts) or "no sources"


def check_line(check: ValueCheck) -> str:
    """One deterministic check in words, e.g. "number conflict: claim 5, evidence 7 (units differ)"."""
    line = f"{check.kind} {check.outcome.value}: claim {check.claim_value}, evidence {check.evidence_value}"
    return f"{line} ({check.detail})" if check.detail else line


def contradictions_by_topic(report: CheckReport) -> dict[str, list[Contradiction]]:
    """Contradictions grouped by topic, topics in the order they first appear."""
    topics: dict[str, list[Contradiction]] = {}
    for contradiction in report.contradictions:
        topics.setdefault(contradiction.topic, []).append(contradiction)
    return topics


# The renderers register themselves when imported; they need the names defined above.
from factcheck.report import html, jsonout, markdown  # noqa: E402,F401
from factcheck.report.jsonout import to_json_dict  # noqa: E402
from factcheck.report.table import print_table  # noqa: E402

__all__ = ["RENDERERS", "print_table", "register_renderer", "render", "renderer_names", "to_json_dict"]
