"""The terminal view of an eval run: per dataset a metrics summary, the per-label scores and the
confusion matrix; then what changed since a previous run."""

from __future__ import annotations

from rich import box
from rich.console import Console
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from factcheck.evaluation.compare import Comparison
from factcheck.evaluation.metrics import LABELS
from factcheck.evaluation.render import SUMMARY_COLUMNS, figure, mode_line, unseen_note
from factcheck.evaluation.run import DatasetResult, EvalRun

LABEL_STYLES = {"supported": "green", "single-source": "yellow", "contradicted": "red", "unverified": "dim"}


def _table(title: str | None = None) -> Table:
    return Table(title=title, title_justify="left", title_style="bold", box=box.SIMPLE_HEAD, header_style="bold")


def _summary(result: DatasetResult) -> Table:
    """One metric per row, so that it fits any terminal."""
    table = _table()
    table.add_column("metric", no_wrap=True)
    table.add_column("value", justify="right", no_wrap=True)
    for key, title in SUMMARY_COLUMNS:
        table.add_row(title, figure(key, getattr(result, key)))
    return table


def _per_label(result: DatasetResult) -> Table:
    table = _table("per label")
    note = unseen_note(result)
    if note:
        table.caption, table.caption_justify = note, "left"
    table.add_column("label", no_wrap=True)
    for name in ("precision", "recall", "F1", "support"):
        table.add_column(name, justify="right", no_wrap=True)
    for label, s in result.per_label.items():
        bar = Text("█" * round(s.f1 * 10) + "·" * (10 - round(s.f1 * 10)), style=LABEL_STYLES[label])
        table.add_row(
            Text(label, style=LABEL_STYLES[label]),
            f"{s.precision:.3f}",
            f"{s.recall:.3f}",
            Text(f"{s.f1:.3f} ").append(bar),
            str(s.support),
        )
    return table


def _confusion(result: DatasetResult) -> Table:
    table = _table("confusion (rows: gold, columns: predicted)")
    table.add_column("gold \\ predicted", no_wrap=True)
    for label in LABELS:
        table.add_column(label, justify="right", no_wrap=True)
    for gold in LABELS:
        cells = [
            Text(str(n), style="bold" if gold == p else ("dim" if n == 0 else ""))
            for p, n in result.confusion[gold].items()
        ]
        table.add_row(Text(gold, style=LABEL_STYLES[gold]), *cells)
    return table


def _comparison(comparison: Comparison, console: Console) -> None:
    console.rule("[bold]since the previous run")
    if comparison.deltas:
        table = _table("metric changes")
        for name, justify in (
            ("dataset", "left"),
            ("metric", "left"),
            ("before", "right"),
            ("after", "right"),
            ("change", "right"),
        ):
            table.add_column(name, justify=justify, no_wrap=True)
        for d in comparison.deltas:
            table.add_row(Text(d.dataset), d.metric, f"{d.before:.3f}", f"{d.after:.3f}", f"{d.change:+.3f}")
        console.print(table)
    if not comparison.flips:
        console.print("no case changed its verdict")
    else:
        table = _table(f"{len(comparison.flips)} flipped")
        for name in ("dataset", "id", "gold", "before → after", "now"):
            table.add_column(name)
        for f in comparison.flips:
            now = Text("correct", style="green") if f.correct else Text("wrong", style="red")
            table.add_row(Text(f.dataset), Text(f.id), f.gold, f"{f.before} → {f.after}", now)
        console.print(table)
    for name in comparison.only_now:
        console.print(Text(f"{name} was not in the previous run", style="dim"))


def print_tables(run: EvalRun, console: Console, comparison: Comparison | None = None) -> None:
    for result in run.datasets:
        console.rule(f"[bold]{escape(result.dataset)}")
        console.print(_summary(result))
        console.print(_per_label(result))
        console.print(_confusion(result))
    if comparison is not None:
        _comparison(comparison, console)
    console.print(Text(mode_line(run), style="dim"))
