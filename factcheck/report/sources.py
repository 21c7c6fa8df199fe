"""What every rendering says about the documents a report names (title, site, date, the page of
a quote) and about a claim's sources in time. Plain text; each renderer escapes it its own way."""

from __future__ import annotations

from datetime import date

from factcheck.check.timeline import Dated, Timeline, timeline
from factcheck.schema import CheckReport, ClaimResult, DocumentRecord, SourceStance, Stance


def documents_by_id(report: CheckReport) -> dict[str, DocumentRecord]:
    return {r.doc_id: r for r in report.documents}


def claim_timeline(report: CheckReport, result: ClaimResult) -> Timeline:
    return timeline(result.sources, {r.doc_id: r.published for r in report.documents})


def date_text(published: date | None) -> str:
    return published.isoformat() if published is not None else "undated"


def page_text(page: int | None) -> str:
    return f"p. {page}" if page is not None else ""


def document_line(record: DocumentRecord | None, page: int | None = None) -> str:
    """Beside a source: "Title · Site · 2025-08-14 · p. 3", of what is known ("" if nothing is)."""
    if record is None:
        return page_text(page)
    published = record.published.isoformat() if record.published else ""
    return " · ".join(part for part in (record.title, record.site, published, page_text(page)) if part)


def source_line(source: SourceStance, documents: dict[str, DocumentRecord]) -> str:
    return document_line(documents.get(source.doc_id), source.page)


def cited(report: CheckReport) -> list[DocumentRecord]:
    """The documents a reader meets in the report: those that took a side on a claim (or failed
    to), and those of a contradiction; not the many that do not mention a claim."""
    named = {s.doc_id for r in report.results for s in r.sources if s.stance is not Stance.NOT_MENTIONED}
    named |= {d for c in report.contradictions for d in (c.doc_a, c.doc_b)}
    return [r for r in report.documents if r.doc_id in named]


def step_text(entry: Dated) -> str:
    """One source on a timeline, e.g. "2025-08-14 002 supports"."""
    return f"{date_text(entry.published)} {entry.doc_id} {entry.stance.value}"


def timeline_text(line: Timeline) -> str:
    """e.g. "2025-08-14 001 supports → 2025-08-15 002 refutes; undated: 003 supports"."""
    text = " → ".join(step_text(e) for e in line.dated)
    undated = ", ".join(f"{e.doc_id} {e.stance.value}" for e in line.undated)
    return f"{text}; undated: {undated}" if undated else text


def latest_text(line: Timeline) -> str:
    """Which source came last, and where the sources disagree, which side it is on: e.g. "the
    sources disagree; the latest, 002 (2025-08-15), refutes"."""
    latest = line.latest
    if not latest:
        return "no source is dated"
    ids = ", ".join(e.doc_id for e in latest)
    stance = line.latest_stance
    if stance is None:  # several of one day, on both sides
        side = "are on both sides"
    else:
        side = stance.value if len(latest) == 1 else stance.value.removesuffix("s")  # "002, 004 refute"
    said = f"the latest, {ids} ({date_text(latest[0].published)}), {side}"
    return f"the sources disagree; {said}" if line.disagree else said
