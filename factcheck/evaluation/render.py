"""An eval run as JSON, Markdown or a self-contained HTML page (the terminal tables are in
table.py). Markdown and HTML draw the confusion matrix as a table and per-label F1 as a small
inline SVG bar chart: nothing is fetched."""

from __future__ import annotations

import json
from collections.abc import Callable, Collection, Mapping
from html import escape

from factcheck.evaluation.compare import Comparison
from factcheck.evaluation.metrics import LABELS, LabelScores, labels_seen
from factcheck.evaluation.run import DatasetResult, EvalRun
from factcheck.registry import Registry

# The verdict colours of the check report, so a label looks the same everywhere.
LABEL_COLOURS = {"supported": "#1d7a36", "single-source": "#e0a100", "contradicted": "#c22a1f", "unverified": "#7a808a"}
SUMMARY_COLUMNS = (
    ("n", "n"),
    ("accuracy", "accuracy"),
    ("balanced_accuracy", "balanced acc."),
    ("macro_f1", "macro-F1"),
    ("evidence_recall", "evidence recall"),
    ("error_rate", "error stances"),
    ("seconds_per_claim", "s/claim"),
    ("tokens_per_claim", "tokens/claim"),
)
# Each turns a run (and, with --compare, what changed since the previous one) into text.
Renderer = Callable[[EvalRun, Comparison | None], str]
RENDERERS: Registry[Renderer] = Registry("eval report format")


def figure(key: str, value: float) -> str:
    """A metric as shown in tables: shares to three decimals, counts whole, times to 0.01 s."""
    if key == "n":
        return str(int(value))
    if key == "seconds_per_claim":
        return f"{value:.2f}"
    if key == "tokens_per_claim":
        return f"{value:.0f}"
    return f"{value:.3f}"


def summary_cells(result: DatasetResult) -> list[str]:
    return [figure(key, getattr(result, key)) for key, _ in SUMMARY_COLUMNS]


def mode_line(run: EvalRun) -> str:
    """How the verdicts were reached, in words."""
    weight = run.datasets[0].judge_weight if run.datasets else 0.0
    model = run.datasets[0].model if run.datasets else "?"
    embedder = run.datasets[0].embedder if run.datasets else "?"
    if not run.options.use_model:
        judge = "no model (similarity and checks only)"
    elif run.options.oracle_stances:
        judge = f"oracle stances (gold stance per document), judge weight {weight:g}"
    elif weight == 0:
        judge = f"model {model} not consulted (judge weight 0: similarity and checks only)"
    else:
        judge = f"model {model}, judge weight {weight:g}"
    checks = "deterministic checks on" if run.options.deterministic_checks else "deterministic checks off"
    return f"{judge} · {checks} · embedder {embedder} · {run.created}"


def unseen_note(result: DatasetResult) -> str | None:
    """A line naming the labels that are neither in gold nor predicted, if any: their F1 is
    undefined (0 in the figures) and macro-F1 leaves them out."""
    unseen = [label for label in LABELS if label not in labels_seen(result.confusion)]
    if not unseen:
        return None
    return f"{', '.join(unseen)}: neither in gold nor predicted; F1 undefined (shown as 0), left out of macro-F1."


def f1_chart_svg(per_label: Mapping[str, LabelScores], width: int = 360, seen: Collection[str] = LABELS) -> str:
    """Horizontal bars of per-label F1 on a 0..1 scale, as an inline SVG element; "n/a" for the
    labels not in `seen`."""
    row, label_w, value_w = 22, 110, 44
    bar_w = width - label_w - value_w
    height = row * len(LABELS) + 4
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" font-family="sans-serif" font-size="12">',
        "<title>F1 per label</title>",
    ]
    for i, label in enumerate(LABELS):
        f1 = per_label[label].f1 if label in per_label else 0.0
        y = i * row + 2
        parts += [
            f'<text x="{label_w - 6}" y="{y + 14}" text-anchor="end" fill="currentColor">{escape(label)}</text>',
            f'<rect x="{label_w}" y="{y + 3}" width="{bar_w}" height="14" fill="#888" fill-opacity="0.18"/>',
        ]
        if label not in seen:
            parts.append(f'<text x="{label_w + bar_w + 6}" y="{y + 14}" fill="currentColor">n/a</text>')
            continue
        parts += [
            f'<rect x="{label_w}" y="{y + 3}" width="{f1 * bar_w:.1f}" height="14" fill="{LABEL_COLOURS[label]}"/>',
            f'<text x="{label_w + bar_w + 6}" y="{y + 14}" fill="currentColor">{f1:.2f}</text>',
        ]
    return "".join(parts) + "</svg>"


# --- JSON ---------------------------------------------------------------------------------------


@RENDERERS.register("json")
def render_json(run: EvalRun, comparison: Comparison | None = None) -> str:
    data = run.as_json()
    if comparison is not None:
        data["compare"] = comparison.as_json()
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


# --- Markdown -----------------------------------------------------------------------------------


def _md_row(cells: list[str]) -> str:
    return "| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |"


def _md_table(header: list[str], rows: list[list[str]], numeric_from: int = 1) -> list[str]:
    align = ["---" if i < numeric_from else "---:" for i in range(len(header))]
    return [_md_row(header), _md_row(align), *(_md_row(r) for r in rows), ""]


def _md_dataset(result: DatasetResult) -> list[str]:
    lines = [f"## {result.dataset}", ""]
    per_label = [
        [label, f"{s.precision:.3f}", f"{s.recall:.3f}", f"{s.f1:.3f}", str(s.support)]
        for label, s in result.per_label.items()
    ]
    lines += _md_table(["label", "precision", "recall", "F1", "support"], per_label)
    note = unseen_note(result)
    lines += [f"*{note}*", ""] if note else []
    lines += [f1_chart_svg(result.per_label, seen=labels_seen(result.confusion)), ""]
    confusion = [[f"**{gold}**", *(str(result.confusion[gold][p]) for p in LABELS)] for gold in LABELS]
    lines += ["Confusion matrix (rows: gold, columns: predicted):", ""]
    lines += _md_table(["gold \\ predicted", *LABELS], confusion)
    wrong = [[c.id, c.gold, c.predicted] for c in result.cases if not c.correct]
    if wrong:
        lines += [f"Wrong ({len(wrong)} of {result.n}):", ""]
        lines += _md_table(["id", "gold", "predicted"], wrong, numeric_from=3)
    return lines


def _md_comparison(comparison: Comparison) -> list[str]:
    lines = ["## Changes since the previous run", ""]
    if comparison.deltas:
        rows = [
            [d.dataset, d.metric, f"{d.before:.3f}", f"{d.after:.3f}", f"{d.change:+.3f}"] for d in comparison.deltas
        ]
        lines += _md_table(["dataset", "metric", "before", "after", "change"], rows, numeric_from=2)
    if comparison.flips:
        rows = [
            [f.dataset, f.id, f.gold, f"{f.before} → {f.after}", "correct" if f.correct else "wrong"]
            for f in comparison.flips
        ]
        lines += _md_table(["dataset", "id", "gold", "before → after", "now"], rows, numeric_from=5)
    else:
        lines += ["No case changed its verdict.", ""]
    for name in comparison.only_now:
        lines += [f"{name} was not in the previous run.", ""]
    return lines


@RENDERERS.register("md")
def render_markdown(run: EvalRun, comparison: Comparison | None = None) -> str:
    lines = ["# Evaluation", "", mode_line(run), ""]
    rows = [[r.dataset, *summary_cells(r)] for r in run.datasets]
    lines += _md_table(["dataset", *(title for _, title in SUMMARY_COLUMNS)], rows)
    for result in run.datasets:
        lines += _md_dataset(result)
    if comparison is not None:
        lines += _md_comparison(comparison)
    return "\n".join(lines).rstrip() + "\n"


# --- HTML ---------------------------------------------------------------------------------------


@RENDERERS.register("html")
def render_html(run: EvalRun, comparison: Comparison | None = None) -> str:
    from markupsafe import Markup

    from factcheck.report.pages import environment  # jinja2 and the report package: only for HTML

    page = (
        environment()
        .get_template("eval.html.j2")
        .render(
            run=run,
            mode=mode_line(run),
            columns=[title for _, title in SUMMARY_COLUMNS],
            summary=[(r.dataset, summary_cells(r)) for r in run.datasets],
            labels=LABELS,
            charts={r.dataset: Markup(f1_chart_svg(r.per_label, seen=labels_seen(r.confusion))) for r in run.datasets},
            notes={r.dataset: unseen_note(r) for r in run.datasets},
            comparison=comparison,
        )
    )
    return page.rstrip() + "\n"
