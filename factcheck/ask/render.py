"""The terminal view of an answer, printed under the streamed text: dropped markers, sources with
their quotes, each claim with its verdict badge (coloured as in the report table), disagreements.
Quotes, claims and the answer come from articles or from a model that read them: every string
passes through `printable` on its way to the terminal."""

from __future__ import annotations

from rich.console import Console
from rich.text import Text

from factcheck.ask.answer import Answer, Timings
from factcheck.ask.citations import Citation
from factcheck.report.table import TEXT_STYLES, badge
from factcheck.terminal import printable

SHOWN_DISAGREEMENTS = 4  # the rest are counted; the JSON form and `factcheck audit` list them all


def print_details(answer: Answer, console: Console) -> None:
    """Everything under the answer's text (which the caller has streamed already)."""
    if not answer.covered:
        console.print(Text(printable(answer.text), style="yellow"))
    for notice in answer.notices:
        console.print(Text(printable(f"note: {notice}"), style="yellow"))
    for dropped in answer.dropped:
        console.print(Text(printable(f"[{dropped.marker}] dropped: {dropped.reason}"), style="bold yellow"))
    if answer.citations:
        console.print(Text("\nsources", style="bold"))
        for citation in answer.citations:
            line = Text(f"[{citation.marker}] ", style="bold cyan")
            if about := citation_about(citation):
                line.append(f"{printable(about)} · ", style="bold cyan")
            line.append(printable(f"{citation.doc_id} · chunk {_chunk_number(citation.chunk_id)}"), style="cyan")
            line.append(f"  “{printable(citation.quote.strip())}”", style="italic")
            if citation.fallback:
                line.append("  (basis: the answer cited no passage)", style="dim")
            console.print(line)
    if answer.claims:
        console.print(Text("\nclaims", style="bold"))
        for claim in answer.claims:
            line = badge(claim.verdict)
            line.append(f" {printable(claim.text)}", style=TEXT_STYLES[claim.verdict])
            if claim.markers:
                line.append(" " + "".join(f"[{m}]" for m in claim.markers), style="dim")
            console.print(line)
    if answer.disagreements:
        console.print(Text("\nthe articles disagree", style="bold red"))
        for d in answer.disagreements[:SHOWN_DISAGREEMENTS]:
            console.print(Text(printable(f"  on: {d.about}"), style="dim"))
            for doc, quote in ((d.doc_a, d.quote_a), (d.doc_b, d.quote_b)):
                line = Text(f"  {printable(doc)} says ", style="bold")
                line.append(f"“{' '.join(printable(quote).split())}”", style="italic")
                console.print(line)
        if (more := len(answer.disagreements) - SHOWN_DISAGREEMENTS) > 0:
            console.print(
                Text(f"  and {more} more (--format json lists them; factcheck audit finds them all)", style="dim")
            )
    console.print(Text(timing_line(answer.timings), style="dim"))


def citation_about(citation: Citation) -> str:
    """What the cited source is: "Title · 2025-08-14 · p. 3", of what is known."""
    published = citation.published.isoformat() if citation.published else ""
    page = f"p. {citation.page}" if citation.page is not None else ""
    return " · ".join(part for part in (citation.title, published, page) if part)


def _chunk_number(chunk_id: str) -> str:
    """The chunk's index within its document (ids end in ":0002")."""
    tail = chunk_id.rsplit(":", 1)[-1]
    return str(int(tail)) if tail.isdigit() else chunk_id


def timing_line(timings: Timings) -> str:
    parts = [f"retrieval {1000 * timings.retrieval_s:.0f} ms"]
    if timings.first_token_s is not None:
        parts.append(f"first token {timings.first_token_s:.2f} s")
    rate = timings.tokens_per_s
    if rate is not None:
        parts.append(f"{timings.tokens} tokens, {rate:.1f}/s")
    parts.append(f"checks {timings.check_s:.1f} s · total {timings.total_s:.1f} s")
    return " · ".join(parts)
