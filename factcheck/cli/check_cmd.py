"""`factcheck check` and `factcheck audit`."""

from __future__ import annotations

import enum
import functools
import inspect
import sys
from collections.abc import Callable
from dataclasses import dataclass, fields
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, get_type_hints

import typer

from factcheck.check.signal_names import SIGNALS
from factcheck.cli.common import (
    ExitCode,
    ReportFormat,
    escape,
    parse_day,
    report_format,
    state,
    stderr,
    stdout,
    write_output,
)

if TYPE_CHECKING:
    from factcheck.check.decompose import Decomposer
    from factcheck.check.pipeline import ClaimInput
    from factcheck.check.session import CheckSession
    from factcheck.schema import CheckReport, ClaimResult


FormatOpt = Annotated[
    ReportFormat | None,
    typer.Option("--format", help="table (default on screen), md, json or html; --out FILE picks by its suffix."),
]
OutOpt = Annotated[Path | None, typer.Option("--out", help="Write the report to this file.", dir_okay=False)]
NoModelOpt = Annotated[
    bool,
    typer.Option("--no-model", help="Skip the language model: retrieval similarity and deterministic checks only."),
]
NoChecksOpt = Annotated[bool, typer.Option("--no-checks", help="Skip the deterministic number/date/role checks.")]
WeightOpt = Annotated[
    float | None,
    typer.Option(
        "--judge-weight", min=0.0, max=1.0, help="How much the model's labels count (0..1); default: the preset's."
    ),
]
Signal = enum.Enum("Signal", {name: name for name in SIGNALS}, type=str)  # combine.SIGNALS, as choices
WithoutOpt = Annotated[
    list[Signal] | None,
    typer.Option(
        "--without",
        help="Switch off a signal beside similarity (repeatable): parts (clauses of long sentences), "
        "coverage (share of the claim's words a sentence holds), places, negation.",
        show_default=False,
    ),
]
NoCacheOpt = Annotated[bool, typer.Option("--no-cache", help="Check again even if a cached result exists.")]
ParallelOpt = Annotated[
    int | None,
    typer.Option(
        "--parallel",
        min=1,
        help="Judge this many documents of a claim at once (a model server with several slots answers them "
        "together); default: the slots a server advertises, else 4 for a server, 1 for a model run in-process.",
        show_default=False,
    ),
]
JudgeOpt = Annotated[
    str | None,
    typer.Option(
        "--judge",
        help="Who judges each document: llm (the chat model), verifier (an NLI cross-encoder), llm+verifier, "
        "or none (as --no-model). Env: FACTCHECK_JUDGE; default llm.",
        show_default=False,
    ),
]


AsOfOpt = Annotated[
    date | None,
    typer.Option(
        "--as-of",
        parser=parse_day,
        metavar="YYYY-MM-DD",
        help="Check against only what was published on or before this day; undated documents are left out.",
        show_default=False,
    ),
]


@dataclass(frozen=True)
class RunOptions:
    """The options `check` and `audit` share, declared once: with_run_options gives them to both."""

    fmt: FormatOpt = None
    out: OutOpt = None
    no_model: NoModelOpt = False
    no_checks: NoChecksOpt = False
    judge_weight: WeightOpt = None
    judge: JudgeOpt = None
    without: WithoutOpt = None
    no_cache: NoCacheOpt = False
    as_of: AsOfOpt = None
    parallel: ParallelOpt = None


def with_run_options(command: Callable[..., None]) -> Callable[..., None]:
    """The command with RunOptions' fields added to its options, handed to it as one `options`
    argument: typer reads a command's options from its signature, so the signature is extended."""
    hints = get_type_hints(RunOptions, include_extras=True)
    shared = [
        inspect.Parameter(f.name, inspect.Parameter.KEYWORD_ONLY, default=f.default, annotation=hints[f.name])
        for f in fields(RunOptions)
    ]
    own = [p for name, p in inspect.signature(command, eval_str=True).parameters.items() if name != "options"]

    @functools.wraps(command)
    def run(*args: Any, **kwargs: Any) -> None:
        options = RunOptions(**{f.name: kwargs.pop(f.name) for f in fields(RunOptions)})
        command(*args, options=options, **kwargs)

    signature = inspect.Signature([*own, *shared])
    run.__signature__ = signature  # type: ignore[attr-defined]
    run.__annotations__ = {p.name: p.annotation for p in signature.parameters.values()}
    return run


@with_run_options
def check(
    ctx: typer.Context,
    claims: Annotated[
        list[str] | None, typer.Argument(help="Claims to check; - reads them from standard input.")
    ] = None,
    claims_file: Annotated[
        Path | None,
        typer.Option("--claims", help="A file of claims: one per line, or JSONL with id and claim; - for stdin."),
    ] = None,
    article: Annotated[
        Path | None,
        typer.Option("--article", help="Check an article's checkable sentences against the other documents."),
    ] = None,
    *,
    options: RunOptions,
) -> None:
    """Check claims against the corpus: supported, contradicted, single-source or unverified.

    Each document is read for each claim; the report says which documents support or refute it,
    with quotes, and orders them by publication date. Results are cached, so an interrupted batch
    resumes and a rerun is instant.
    """
    chosen = report_format(options.fmt, options.out)
    items, problems = _gather(claims or [], claims_file, article)
    if not items:
        _fail_no_claims(problems)
    session = _session(ctx, options)
    results = _run(session, items)
    _emit(session.report(results), chosen, options.out)
    if problems:
        raise typer.Exit(int(ExitCode.PARTIAL))


@with_run_options
def audit(
    ctx: typer.Context,
    docs: Annotated[list[str] | None, typer.Option("--doc", help="Audit only these documents (repeatable).")] = None,
    decompose: Annotated[
        bool, typer.Option("--decompose", help="Have the model rewrite sentences into self-contained claims first.")
    ] = False,
    show_all: Annotated[bool, typer.Option("--all", help="Report every sentence checked, not only conflicts.")] = False,
    *,
    options: RunOptions,
) -> None:
    """Find where the articles disagree: every document's checkable sentences are checked
    against the other documents, and each conflict is reported as a pair, grouped by topic."""
    from dataclasses import replace

    from factcheck.check.audit import run_audit

    chosen = report_format(options.fmt, options.out)
    session = _session(ctx, options)
    decomposer = _decomposer(session) if decompose else None
    found = run_audit(session, docs, decomposer=decomposer, show_all=show_all, check=lambda i: _run(session, i))
    report = session.report(found.results, found.contradictions)
    failed = [
        f"{claim_id} could not be rewritten ({why}); checked as it stands"
        for claim_id, why in found.failed_decompositions
    ]
    _emit(replace(report, notices=(*report.notices, *failed)), chosen, options.out)


def _gather(claims: list[str], claims_file: Path | None, article: Path | None) -> tuple[list[ClaimInput], list[str]]:
    from factcheck.check.claims import article_claims, parse_claims
    from factcheck.check.pipeline import ClaimInput

    items: list[ClaimInput] = []
    problems: list[str] = []
    if claims == ["-"]:
        found, bad = parse_claims(sys.stdin.read(), "<stdin>")
        items += found
        problems += [f"<stdin>:{p.line}: {p.reason}" for p in bad]
    else:
        items += [ClaimInput(id=f"claim-{i}", claim=c.strip()) for i, c in enumerate(claims, 1) if c.strip()]
    if claims_file is not None:
        name = "<stdin>" if str(claims_file) == "-" else str(claims_file)
        found, bad = parse_claims(_read_text(claims_file), name)
        items += found
        problems += [f"{name}:{p.line}: {p.reason}" for p in bad]
    if article is not None:
        doc_id = "stdin" if str(article) == "-" else article.stem
        items += article_claims(_read_text(article), doc_id)
    err = stderr()
    for problem in problems:
        err.print(f"[red]skipped[/] {escape(problem)}")
    return items, problems


def _read_text(path: Path) -> str:
    from factcheck.errors import InputFileError

    if str(path) == "-":
        return sys.stdin.read()
    try:
        return path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputFileError(str(path), f"cannot read: {exc}") from exc


def _fail_no_claims(problems: list[str]) -> None:
    from factcheck.cli.common import fail

    hint = " (every line was skipped)" if problems else "; give claims as arguments, --claims FILE or --article FILE"
    fail(f"no claims to check{hint}", ExitCode.USAGE)


def signals_without(without: list[Signal] | None) -> frozenset[str]:
    """The signals that count: all of them but those --without names."""
    return frozenset(SIGNALS) - {s.value for s in without or ()}


def _session(ctx: typer.Context, options: RunOptions) -> CheckSession:
    from factcheck.check.session import CheckOptions, CheckSession

    use_judge(ctx, options.judge)
    checking = CheckOptions(
        use_model=not options.no_model,
        deterministic_checks=not options.no_checks,
        judge_weight=options.judge_weight,
        use_cache=not options.no_cache,
        signals=signals_without(options.without),
        as_of=options.as_of,
        parallel=options.parallel,
    )
    # The smoke-test (or model-not-consulted) notice is the report's: _emit prints it, once.
    return CheckSession(state(ctx).settings, checking)


def use_judge(ctx: typer.Context, judge: str | None) -> None:
    """--judge, as a setting (it outranks FACTCHECK_JUDGE and factcheck.toml like the root options)."""
    if judge is not None:
        state(ctx).overrides["judge"] = judge


def _run(session: CheckSession, items: list[ClaimInput]) -> list[ClaimResult]:
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    columns = (TextColumn("checking"), BarColumn(), MofNCompleteColumn(), TextColumn("claims"), TimeRemainingColumn())
    with Progress(*columns, console=stderr(), transient=True) as bar:
        task = bar.add_task("check", total=len(items))
        return session.check(items, progress=lambda _: bar.advance(task))


def _decomposer(session: CheckSession) -> Decomposer:
    """The model that rewrites sentences. Asked for explicitly, it is loaded even when the
    stance weight is 0: the weight says how much the model's stance labels count, not whether
    the user wants its writing."""
    from factcheck.check.decompose import Decomposer

    if not session.uses_model:
        from factcheck.errors import ConfigError

        raise ConfigError("--decompose needs the language model (drop --no-model)")
    return Decomposer(session.backend())


def _emit(report: CheckReport, chosen: ReportFormat, out: Path | None) -> None:
    """The report in the format report_format chose (and checked against --out) before the run.
    Its notices reach the screen once, on stderr: the table's own notice panel goes there, and a
    document (which carries them too) gets them as NOTICE lines beside it."""
    from factcheck.report import print_table, render

    if chosen is ReportFormat.TABLE:
        print_table(report, stdout(), notice_console=stderr())
        return
    for notice in report.notices:
        stderr().print(f"[bold yellow]NOTICE:[/] {escape(notice)}")
    write_output(render(report, chosen.value), out, chosen)
