"""The terminal view: notices, one row per claim, then the contradictions between documents.

Every string from the report passes through `printable` on its way into a Text: claims, quotes,
topics and even document ids come from articles and files, and must not reach the terminal as
escape sequences."""

from __future__ import annotations

from rich import box
from rich.console import Console, Group
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from factcheck.report import (
    check_line,
    contradictions_by_topic,
    sources_summary,
    summary_line,
    verdict_counts,
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
from factcheck.schema import CheckReport, ClaimResult, Contradiction, DocumentRecord, Stance, Verdict
from factcheck.terminal import printable

BADGE_STYLES = {
    Verdict.SUPPORTED: "bold black on green3",
    Verdict.CONTRADICTED: "bold white on red3",
    Verdict.SINGLE_SOURCE: "bold black on yellow3",
    Verdict.UNVERIFIED: "grey85 on grey35",
}
TEXT_STYLES = {
    Verdict.SUPPORTED: "green",
    Verdict.CONTRADICTED: "red",
    Verdict.SINGLE_SOURCE: "yellow",
    Verdict.UNVERIFIED: "dim",
}
# Below this width the sources column would squeeze the claim; the summary goes under the claim.
WIDE = 110


def badge(verdict: Verdict) -> Text:
    return Text(f" {verdict.value} ", style=BADGE_STYLES[verdict])


def _quoted(text: str | None) -> str:
    return f"“{printable(text.strip())}”" if text else "(no quote)"


def _claim_cell(report: CheckReport, result: ClaimResult, *, with_sources: bool) -> Text:
    cell = Text(" ".join(printable(result.claim).split()))
    documents = documents_by_id(report)
    if result.verdict is Verdict.CONTRADICTED:
        for source in result.sources:
            if source.stance is Stance.REFUTES:
                quote = "(quote discarded)" if source.quote_discarded and not source.quote else _quoted(source.quote)
                cell.append(f"\n✗ {printable(source.doc_id)}", style="bold red")
                if about := source_line(source, documents):
                    cell.append(f" ({printable(about)})", style="red")
                cell.append(": ", style="bold red")
                cell.append(quote, style="italic")
    line = claim_timeline(report, result)
    if line.worth_showing:
        cell.append(f"\nin time: {printable(timeline_text(line))}; {printable(latest_text(line))}", style="cyan")
    if with_sources:
        cell.append(f"\n{printable(sources_summary(result))}", style="dim")
    return cell


def _claims_table(report: CheckReport, width: int) -> Table:
    wide = width >= WIDE
    table = Table(box=box.SIMPLE_HEAD, show_lines=True, expand=True, pad_edge=False, header_style="bold")
    table.add_column("id", no_wrap=True, overflow="fold", max_width=22)
    table.add_column("claim", ratio=3, overflow="fold")
    table.add_column("verdict", no_wrap=True)
    table.add_column("conf.", justify="right", no_wrap=True)
    if wide:
        table.add_column("sources", ratio=2, overflow="fold")
    for result in report.results:
        row = [
            Text(printable(result.id), style="bold"),
            _claim_cell(report, result, with_sources=not wide),
            badge(result.verdict),
            Text(f"{result.confidence:.2f}", style=TEXT_STYLES[result.verdict]),
        ]
        if wide:
            row.append(Text(printable(sources_summary(result)), style="dim"))
        table.add_row(*row)
    return table


def _documents_table(records: list[DocumentRecord]) -> Table:
    """The documents the claims' sources and contradictions name: what each is, and where from."""
    table = Table(box=box.SIMPLE_HEAD, expand=True, pad_edge=False, header_style="bold", title="sources")
    table.add_column("id", no_wrap=True, overflow="fold", max_width=22)
    table.add_column("title", ratio=3, overflow="fold")
    sites = any(r.site for r in records)  # no empty column where no document names its site
    if sites:
        table.add_column("site", overflow="fold", max_width=20)
    table.add_column("published", no_wrap=True)
    table.add_column("source", ratio=2, overflow="fold")
    for r in records:
        cells = (r.doc_id, r.title, *((r.site,) if sites else ()), date_text(r.published), r.source_path)
        table.add_row(*(Text(printable(cell)) for cell in cells))
    return table


def _notices(report: CheckReport) -> Panel:
    body = Text("\n").join(Text(printable(notice), style="bold yellow") for notice in report.notices)
    return Panel(body, title="notice", title_align="left", border_style="bold yellow")


def _summary(report: CheckReport) -> Text:
    counts = verdict_counts(report)
    text = Text(f"{len(report.results)} claims  ", style="bold")
    for verdict, n in counts.items():
        text.append(f"{n} ", style="bold")
        text.append(verdict.value, style=TEXT_STYLES[verdict])
        text.append("   ")
    return text if report.results else Text(summary_line(report))


def _contradiction(contradiction: Contradiction, documents: dict[str, DocumentRecord]) -> Group:
    lines = [Text(f"checked: {printable(contradiction.claim)}", style="dim")]
    for doc, quote in ((contradiction.doc_a, contradiction.quote_a), (contradiction.doc_b, contradiction.quote_b)):
        line = Text(f"  {printable(doc)} ", style="bold")
        if about := document_line(documents.get(doc)):
            line.append(f"({printable(about)}) ", style="dim")
        line.append("says ", style="bold")
        line.append(_quoted(quote), style="italic")
        lines.append(line)
    lines += [Text(f"  {printable(check_line(c))}", style="red") for c in contradiction.checks]
    return Group(*lines, Text(""))


def _provenance(report: CheckReport) -> Text:
    sha = f" ({report.model.sha256[:12]})" if report.model.sha256 else ""
    verifier = f" · verifier {report.model.verifier}" if report.model.verifier else ""
    line = (
        f"model {report.model.name}{sha}{verifier} · embedder {report.embedder} · "
        f"prompt {report.prompt_hash[:12]} · {report.created}"
    )
    return Text(printable(line), style="dim")


def print_table(report: CheckReport, console: Console, notice_console: Console | None = None) -> None:
    """Print the report for a terminal: notices first, so that nobody reads past them. The CLI
    gives them a console of their own (stderr), so a table piped or redirected still warns."""
    if report.notices:
        # soft_wrap off: the CLI's consoles soft-wrap, which would crop a notice at the panel's edge.
        (notice_console or console).print(_notices(report), soft_wrap=False)
    if report.results:
        console.print(_claims_table(report, console.width))
    console.print(_summary(report))
    topics = contradictions_by_topic(report)
    if topics:
        console.print()
        console.rule("[bold]contradictions", style="red")
        documents = documents_by_id(report)
        for topic, items in topics.items():
            console.print(Text(printable(topic), style="bold underline"))
            for contradiction in items:
                console.print(_contradiction(contradiction, documents))
    if records := cited(report):
        console.print(_documents_table(records))
    console.print(_provenance(report))
