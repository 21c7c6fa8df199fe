"""The `factcheck` command line: parse options, call the library, print."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from factcheck import __version__
from factcheck.cli import ask_cmd, check_cmd, corpus_cmd, eval_cmd, models_cmd
from factcheck.cli.common import EXIT_CODES_HELP, FactcheckGroup, state

app = typer.Typer(
    cls=FactcheckGroup,
    help="Check claims against a folder of news articles, with a local language model.",
    epilog=EXIT_CODES_HELP,
    no_args_is_help=True,
    context_settings={"help_option_names": ["-h", "--help"]},
    pretty_exceptions_enable=False,
    # Plain click help: rendering it with rich costs more start-up time than the rest of --help.
    rich_markup_mode=None,
)
app.add_typer(models_cmd.app, name="models")
app.add_typer(corpus_cmd.app, name="corpus")
app.command("ingest", epilog=EXIT_CODES_HELP)(corpus_cmd.ingest)
app.command("check", epilog=EXIT_CODES_HELP)(check_cmd.check)
app.command("audit", epilog=EXIT_CODES_HELP)(check_cmd.audit)
app.command("ask", epilog=EXIT_CODES_HELP)(ask_cmd.ask)
app.command("eval", epilog=EXIT_CODES_HELP)(eval_cmd.evaluate)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"factcheck {__version__}")
        raise typer.Exit()


@app.callback()
def root(
    ctx: typer.Context,
    home: Annotated[
        Path | None,
        typer.Option(help="Where the store (and, by default, models) live. Env: FACTCHECK_HOME.", show_default=False),
    ] = None,
    models_dir: Annotated[
        Path | None,
        typer.Option(help="Where model files live. Env: FACTCHECK_MODELS_DIR.", show_default=False),
    ] = None,
    model: Annotated[
        str | None,
        typer.Option(
            help="Chat model: preset name, .gguf path, or an OpenAI-compatible server's URL "
            "(http://HOST:PORT/v1#MODEL). Env: FACTCHECK_MODEL.",
            show_default=False,
        ),
    ] = None,
    embedder: Annotated[
        str | None,
        typer.Option(
            help="Embedding model: preset name, .gguf path, or a server's URL (its /v1/embeddings). "
            "Env: FACTCHECK_EMBEDDER.",
            show_default=False,
        ),
    ] = None,
    store_url: Annotated[
        str | None,
        typer.Option(
            help="Keep the corpus on this Chroma server (e.g. http://127.0.0.1:8000) instead of the embedded store "
            "in HOME; a token goes in FACTCHECK_STORE_TOKEN, never on the command line. Env: FACTCHECK_STORE_URL.",
            show_default=False,
        ),
    ] = None,
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Print the version and exit.")
    ] = False,
) -> None:
    """Check claims against a folder of news articles, with a local language model."""
    state(ctx).overrides.update(home=home, models_dir=models_dir, model=model, embedder=embedder, store_url=store_url)


def main() -> None:
    app(prog_name="factcheck")
