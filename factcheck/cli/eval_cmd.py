"""`factcheck eval`."""

from __future__ import annotations

import enum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from factcheck.cli.check_cmd import (
    FormatOpt,
    JudgeOpt,
    NoChecksOpt,
    NoModelOpt,
    OutOpt,
    ParallelOpt,
    WeightOpt,
    WithoutOpt,
    signals_without,
    use_judge,
)
from factcheck.cli.common import (
    ExitCode,
    ReportFormat,
    escape,
    fail,
    report_format,
    state,
    stderr,
    stdout,
    write_output,
)

# evaluation.split's values, as choices, without importing the evaluation package for --help
SplitChoice = enum.Enum("SplitChoice", {"TRAIN": "train", "HELDOUT": "heldout", "ALL": "all"}, type=str)

DatasetsArg = Annotated[list[Path], typer.Argument(help="Dataset folders, each with corpus/ and claims.jsonl.")]
ModelOpt = Annotated[str | None, typer.Option(help="Chat model for this run (overrides the root --model).")]
EmbedderOpt = Annotated[str | None, typer.Option(help="Embedding model for this run (overrides the root --embedder).")]
CompareOpt = Annotated[
    Path | None,
    typer.Option(
        "--compare",
        help="A run saved with --format json: show flipped cases and metric changes.",
        exists=True,
        dir_okay=False,
    ),
]
OracleOpt = Annotated[
    bool,
    typer.Option(
        "--oracle-stances",
        help="Replace the model's stances with the gold ones (judge weight 1): "
        "scores retrieval and aggregation apart from the model.",
    ),
]
SplitOpt = Annotated[
    SplitChoice,
    typer.Option(
        "--split",
        help="Which claims: train (what thresholds are fitted on), heldout (what figures are reported on; "
        "the fit never sees it) or all. The split is fixed by each claim's id.",
    ),
]

if TYPE_CHECKING:
    from factcheck.config import Settings
    from factcheck.evaluation import Comparison, Dataset, EvalOptions, EvalRun


def evaluate(
    ctx: typer.Context,
    datasets: DatasetsArg,
    model: ModelOpt = None,
    embedder: EmbedderOpt = None,
    fmt: FormatOpt = None,
    out: OutOpt = None,
    compare: CompareOpt = None,
    oracle_stances: OracleOpt = False,
    no_model: NoModelOpt = False,
    no_checks: NoChecksOpt = False,
    judge_weight: WeightOpt = None,
    judge: JudgeOpt = None,
    without: WithoutOpt = None,
    split: SplitOpt = SplitChoice.ALL,
    parallel: ParallelOpt = None,
) -> None:
    """Score the checker on labelled datasets: accuracy, balanced accuracy, macro-F1, per-label
    scores, confusion matrix, evidence recall, errors, time and tokens per claim.

    Each dataset's corpus goes into a store of its own (reused while the files are unchanged);
    every claim is checked afresh with the real pipeline. Exit code 0 whenever it ran: a low
    score is a result, not a failure.
    """
    from factcheck.evaluation import EvalOptions, load_dataset, load_previous
    from factcheck.evaluation.split import Split

    if oracle_stances and (no_model or judge == "none"):
        fail("--oracle-stances replaces the model's stances; it cannot be combined with --no-model", ExitCode.USAGE)
    chosen = report_format(fmt, out)
    loaded = [load_dataset(path) for path in datasets]
    previous = load_previous(compare) if compare is not None else None
    use_judge(ctx, judge)
    settings = _settings(ctx, model, embedder)
    from factcheck.check.session import CheckOptions

    check = CheckOptions(
        use_model=not no_model and bool(settings.judges),
        deterministic_checks=not no_checks,
        judge_weight=judge_weight,
        use_cache=False,
        signals=signals_without(without),
        parallel=parallel,
    )
    options = EvalOptions(check, oracle_stances, split=Split(split.value))
    _smoke_test_notice(settings, options)
    run = _run(settings, loaded, options)
    comparison = None
    if previous is not None:
        from factcheck.evaluation import compare_runs

        comparison = compare_runs(previous, [d.as_json() for d in run.datasets])
    _emit(run, comparison, chosen, out)


def _settings(ctx: typer.Context, model: str | None, embedder: str | None) -> Settings:
    overrides = state(ctx).overrides
    overrides.update({k: v for k, v in (("model", model), ("embedder", embedder)) if v is not None})
    return state(ctx).settings


def _smoke_test_notice(settings: Settings, options: EvalOptions) -> None:
    from factcheck.models.backend import is_server_url
    from factcheck.models.presets import PRESETS
    from factcheck.notices import smoke_test_notice

    if is_server_url(settings.model):  # a server's model is a preset when the URL names one (URL#NAME)
        from factcheck.models.server import configured_name

        preset = PRESETS.get(configured_name(settings))
    else:
        preset = PRESETS.get(settings.model)
    asked = options.use_model and not options.oracle_stances and "llm" in settings.judges
    if asked and preset is not None and preset.smoke_test:
        stderr().print(f"[bold yellow]NOTICE:[/] {escape(smoke_test_notice(preset.name))}")


def _run(settings: Settings, datasets: list[Dataset], options: EvalOptions) -> EvalRun:
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    from factcheck.evaluation import evaluate
    from factcheck.evaluation.split import in_split

    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
    with Progress(*columns, console=stderr(), transient=True) as bar:
        tasks = {d.path: bar.add_task(escape(d.name), total=len(in_split(d.claims, options.split))) for d in datasets}
        return evaluate(settings, datasets, options, on_claim=lambda d, _: bar.advance(tasks[d.path]))


def _emit(run: EvalRun, comparison: Comparison | None, chosen: ReportFormat, out: Path | None) -> None:
    from factcheck.evaluation.render import RENDERERS

    if chosen is ReportFormat.TABLE:
        from factcheck.evaluation.table import print_tables

        print_tables(run, stdout(), comparison)
        return
    write_output(RENDERERS.require(chosen.value)(run, comparison), out, chosen)
