"""What every command shares: settings from the root options, consoles, output formats, and the
one place where our exceptions become messages and exit codes."""

from __future__ import annotations

import enum
import json
import os
import re
import sys
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import typer
from typer.core import TyperGroup

from factcheck import errors

if TYPE_CHECKING:
    from rich.console import Console

    from factcheck.config import Settings


class ExitCode(enum.IntEnum):
    OK = 0
    PARTIAL = 1  # the command ran, but some inputs were skipped
    USAGE = 2  # bad option, argument or setting (also click's own code for usage errors)
    MODEL_MISSING = 3  # a model is not on disk, or could not be fetched
    BROKEN = 4  # the store or a model file could not be opened, or the model server failed
    INTERRUPTED = 130  # Ctrl-C, as shells report it


# Most specific first: the first class that matches decides the exit code.
_EXIT_CODES: tuple[tuple[type[errors.FactcheckError], ExitCode], ...] = (
    (errors.ModelNotProvisioned, ExitCode.MODEL_MISSING),
    (errors.ModelUnavailable, ExitCode.MODEL_MISSING),
    (errors.ChecksumMismatch, ExitCode.MODEL_MISSING),
    (errors.ModelLoadError, ExitCode.BROKEN),
    (errors.ModelServerUnreachable, ExitCode.BROKEN),
    (errors.ModelServerError, ExitCode.BROKEN),
    (errors.StoreError, ExitCode.BROKEN),
    (errors.OutputNotWritable, ExitCode.USAGE),
    (errors.FactcheckError, ExitCode.USAGE),
)

EXIT_CODES_HELP = (
    "Exit codes: 0 ok; 1 some inputs were skipped; 2 bad usage or settings; "
    "3 a model is missing or could not be fetched; 4 the store or a model could not be opened, or the model "
    "server could not be reached or failed; "
    "130 interrupted."
)


def exit_code_for(exc: errors.FactcheckError) -> ExitCode:
    return next(code for kind, code in _EXIT_CODES if isinstance(exc, kind))


class OutputFormat(str, enum.Enum):
    TABLE = "table"
    JSON = "json"


class ReportFormat(str, enum.Enum):
    """Formats of a report (check, audit, eval): a table on screen, or a document."""

    TABLE = "table"
    MD = "md"
    JSON = "json"
    HTML = "html"


@dataclass
class State:
    """Carried in ctx.obj: the root options, turned into Settings on first use."""

    overrides: dict[str, Any] = field(default_factory=dict)
    _settings: Settings | None = None

    @property
    def settings(self) -> Settings:
        if self._settings is None:
            from factcheck.config import load_settings  # pydantic-settings: ~0.15 s, not for --help

            self._settings = load_settings(**self.overrides)
        return self._settings


def state(ctx: typer.Context) -> State:
    root = ctx.find_root()
    if not isinstance(root.obj, State):
        root.obj = State()
    return root.obj


# rich is imported on first use, not with the CLI: `factcheck --help` must not pay for it.


def stdout() -> Console:
    from rich.console import Console

    return Console(soft_wrap=True)


def stderr() -> Console:
    from rich.console import Console

    return Console(stderr=True, soft_wrap=True)


def escape(text: str) -> str:
    """Text from outside (articles, file names, model output) as it may be printed in rich markup:
    without terminal escapes or control characters, and with "[red]" printed as it is."""
    from rich.markup import escape as escape_markup

    from factcheck.terminal import printable

    return escape_markup(printable(text))


def format_for(out: Path | None) -> ReportFormat:
    """The report format an --out file's suffix asks for; on screen, a table."""
    if out is None:
        return ReportFormat.TABLE
    suffixes = {
        ".md": ReportFormat.MD,
        ".json": ReportFormat.JSON,
        ".html": ReportFormat.HTML,
        ".htm": ReportFormat.HTML,
    }
    return suffixes.get(out.suffix.lower(), ReportFormat.MD)


def report_format(fmt: ReportFormat | None, out: Path | None) -> ReportFormat:
    """The format a report will be written in, once it is known that it can be written there.

    Called before any work: a batch of claims can take hours, and finding only then that the
    report has nowhere to go loses all of it.
    """
    chosen = fmt or format_for(out)
    if out is not None:
        if chosen is ReportFormat.TABLE:
            raise errors.ConfigError("a table is for the screen; use --format md, json or html with --out")
        require_writable(out)
    return chosen


def require_writable(out: Path) -> None:
    """Raise OutputNotWritable unless `out` can be created or overwritten: its folder exists, is a
    folder and is writable, and `out` itself is not a folder nor a read-only file."""
    folder = out.parent
    if not folder.exists():
        problem = f"folder {folder} does not exist"
    elif not folder.is_dir():
        problem = f"{folder} is not a folder"
    elif out.is_dir():
        problem = "it is a folder"
    elif out.exists() and not os.access(out, os.W_OK):
        problem = "the file is not writable"
    elif not out.exists() and not os.access(folder, os.W_OK | os.X_OK):
        problem = f"folder {folder} is not writable"
    else:
        return
    raise errors.OutputNotWritable(f"cannot write the report to {out}: {problem}")


def write_output(text: str, out: Path | None, fmt: ReportFormat) -> None:
    """A rendered report to stdout, or to the --out file (saying where it went).

    JSON goes as it is: it is data, and json.dumps has escaped its control characters. Markdown
    and HTML are documents whose article text may hold terminal escapes; on a screen those would
    act, in a file they mean nothing, so they go without them either way.
    """
    from factcheck.terminal import printable

    if fmt is not ReportFormat.JSON:
        text = printable(text)
    if out is None:
        sys.stdout.write(text)
        return
    try:
        out.write_text(text, encoding="utf-8")
    except OSError as exc:  # a full disk, or the folder went away while the batch ran
        raise errors.OutputNotWritable(f"cannot write the report to {out}: {exc.strerror or exc}") from exc
    stderr().print(f"wrote {escape(str(out))}")


def print_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, indent=2, ensure_ascii=False, default=str) + "\n")


def fail(message: str, code: ExitCode) -> NoReturn:
    # Messages name files and documents, which come from outside: escape() makes them printable.
    stderr().print(f"[bold red]error:[/] {escape(message)}", highlight=False)
    raise typer.Exit(int(code))


class FactcheckGroup(TyperGroup):
    """Root command group: turns our exceptions into one-line messages and exit codes."""

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except errors.FactcheckError as exc:
            fail(str(exc), exit_code_for(exc))
        except KeyboardInterrupt:
            stderr().print("interrupted; what was finished is kept, run the command again to resume")
            raise typer.Exit(int(ExitCode.INTERRUPTED)) from None


def parse_day(value: str) -> date:
    """A calendar day given as YYYY-MM-DD; anything else is a usage error, before any work."""
    try:
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value.strip()):  # fromisoformat also takes 20250815
            raise ValueError
        return date.fromisoformat(value.strip())
    except ValueError:
        raise typer.BadParameter(f"{value!r} is not a date; give it as YYYY-MM-DD") from None
