"""`factcheck ask`: one question, or a prompt for many. The library (factcheck.ask) answers; this
module reads lines, streams the answer to the screen and runs the prompt's few commands."""

from __future__ import annotations

import enum
import sys
from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING, Annotated

import typer

from factcheck.cli.common import ExitCode, escape, fail, print_json, state, stderr, stdout
from factcheck.errors import FactcheckError
from factcheck.terminal import printable

if TYPE_CHECKING:
    from rich.console import Console

    from factcheck.ask import Asker
    from factcheck.check.session import CheckSession
    from factcheck.config import Settings

HELP = """commands:
  /check CLAIM   check one claim against the corpus
  /sources       list the documents
  /doc ID        show a document
  /help          this list
  /quit          leave (or Ctrl-D); Ctrl-C cancels the answer being written
anything else is a question."""
HISTORY_FILE = "ask_history"  # under FACTCHECK_HOME; nothing typed at the prompt names a file


class AskFormat(str, enum.Enum):
    TEXT = "text"
    JSON = "json"


def ask(
    ctx: typer.Context,
    question: Annotated[
        str | None, typer.Argument(metavar="QUESTION", help="Answer this and exit; without it, open a prompt.")
    ] = None,
    fmt: Annotated[
        AskFormat, typer.Option("--format", help="text (streamed), or json (with a QUESTION).")
    ] = AskFormat.TEXT,
    no_model: Annotated[
        bool, typer.Option("--no-model", help="No language model: answer with the best passages, quoted.")
    ] = False,
) -> None:
    """Ask the corpus a question: an answer written only from the articles, citing them as [1],
    [2], with each claim's verdict and where the articles disagree. Without a QUESTION, opens a
    prompt (/help lists its commands)."""
    if fmt is AskFormat.JSON and question is None:
        fail("--format json answers one QUESTION; give it as an argument", ExitCode.USAGE)
    if question is not None and not question.strip():
        fail("the question is empty", ExitCode.USAGE)
    session = _open(state(ctx).settings, no_model)
    from factcheck.ask import Asker

    asker = Asker.for_session(session)
    if question is None:
        Prompt(asker, session, stdout()).run(_reader(session.settings))
    elif fmt is AskFormat.JSON:
        from factcheck.ask import answer_json

        print_json(answer_json(asker.answer(question)))
    else:
        _answer(asker, question, stdout())


def _open(settings: Settings, no_model: bool) -> CheckSession:
    from factcheck.check.session import CheckOptions, CheckSession

    session = CheckSession(settings, CheckOptions(use_model=not no_model))
    if notice := _session_notice(session):
        stderr().print(f"[bold yellow]NOTICE:[/] {escape(notice)}")
    return session


def _session_notice(session: CheckSession) -> str | None:
    """What is said once, at the start, about the whole session: a smoke-test model (skipped at
    weight 0, it still writes the answers). Each answer carries it too (its JSON form needs it), so
    the answers printed on the terminal leave it out."""
    return session.smoke_test_notice()


def _answer(asker: Asker, question: str, console: Console) -> None:
    from factcheck.ask.render import print_details

    screen = _Stream(console)
    try:
        answer = asker.answer(question, on_token=screen.write, on_checking=screen.checking)
    finally:
        screen.done()
    announced = _session_notice(asker.session)
    print_details(replace(answer, notices=tuple(n for n in answer.notices if n != announced)), console)


class _Stream:
    """The answer as it is written, then a spinner while its claims are checked (on stderr, and
    only on a terminal: rich leaves it out elsewhere)."""

    def __init__(self, console: Console) -> None:
        self.console = console
        self.open_line = False
        self.status = stderr().status("")

    def write(self, piece: str) -> None:
        # Straight to the file, past rich. A sequence split across pieces is harmless: printable
        # drops every ESC, so what is left of it is plain text.
        self.console.file.write(printable(piece))
        self.console.file.flush()
        self.open_line = True

    def checking(self, claims: int) -> None:
        self.end_line()
        self.status.update(f"checking {claims} claim{'s' * (claims != 1)} of the answer against every document…")
        self.status.start()

    def end_line(self) -> None:
        if self.open_line:
            self.console.file.write("\n")
            self.console.file.flush()
            self.open_line = False

    def done(self) -> None:
        self.status.stop()
        self.end_line()


class Prompt:
    """The read-answer loop. A fault in one line is shown and the prompt goes on."""

    def __init__(self, asker: Asker, session: CheckSession, console: Console) -> None:
        self.asker, self.session, self.console = asker, session, console
        self.commands: dict[str, Callable[[str], None]] = {
            "/check": self.check, "/sources": self.sources, "/doc": self.doc, "/help": self.help,
        }  # fmt: skip

    def run(self, read: Callable[[], str]) -> None:
        self.console.print(f"{len(self.session.doc_ids)} documents. Ask a question; /help for commands.")
        while True:
            try:
                line = read().strip()
            except KeyboardInterrupt:
                continue  # Ctrl-C at the prompt clears the line, as in a shell
            except EOFError:
                return
            if line in ("/quit", "/exit"):
                return
            if line:
                self.handle(line)

    def handle(self, line: str) -> None:
        name, _, rest = line.partition(" ")
        try:
            if name.startswith("/"):
                self.commands.get(name, self.unknown)(rest.strip())
            else:
                _answer(self.asker, line, self.console)
        except KeyboardInterrupt:
            self.console.print("\n[yellow]cancelled[/]")
        except FactcheckError as exc:
            self.console.print(f"[bold red]error:[/] {escape(str(exc))}")

    def check(self, claim: str) -> None:
        from factcheck.check.pipeline import ClaimInput
        from factcheck.report import print_table

        if not claim:
            self.console.print("usage: /check CLAIM")
            return
        results = self.session.check([ClaimInput("claim-1", claim)])
        print_table(self.session.report(results), self.console)

    def sources(self, _: str) -> None:
        from rich.table import Table

        table = Table(title="sources")
        for column in ("id", "title", "chunks", "published"):
            table.add_column(column)
        for r in self.session.documents():
            published = r.published.isoformat() if r.published else ""
            table.add_row(escape(r.doc_id), escape(r.title), str(r.n_chunks), published)
        self.console.print(table)

    def doc(self, doc_id: str) -> None:
        # Only a store lookup by id: what is typed here never becomes a path.
        record = self.session.document(doc_id) if doc_id else None
        if record is None:
            self.console.print(f"no document {escape(repr(doc_id))}; /sources lists them")
            return
        self.console.print(f"[bold]{escape(record.title)}[/]  [dim]{escape(record.doc_id)}[/]")
        self.console.print(escape(self.session.text(doc_id)), highlight=False)

    def help(self, _: str) -> None:
        self.console.print(HELP, highlight=False, markup=False)

    def unknown(self, _: str) -> None:
        self.console.print("unknown command; /help lists them")


def _reader(settings: Settings) -> Callable[[], str]:
    """prompt_toolkit on a terminal (line editing, history with the arrow keys); plain lines from
    a pipe, so that `factcheck ask < questions.txt` works too."""
    if not (sys.stdin.isatty() and sys.stdout.isatty()):
        return _read_stdin_line
    from prompt_toolkit import PromptSession
    from prompt_toolkit.history import FileHistory

    settings.home.mkdir(parents=True, exist_ok=True)
    session: PromptSession[str] = PromptSession(history=FileHistory(str(settings.home / HISTORY_FILE)))
    return lambda: session.prompt("ask> ")


def _read_stdin_line() -> str:
    line = sys.stdin.readline()
    if not line:
        raise EOFError
    return line
