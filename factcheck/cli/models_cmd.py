"""`factcheck models list | pull | path`."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from factcheck.cli.common import EXIT_CODES_HELP, OutputFormat, escape, print_json, state, stderr, stdout

if TYPE_CHECKING:
    from factcheck.models.presets import ModelPreset

app = typer.Typer(
    help="List, download and locate models.", no_args_is_help=True, epilog=EXIT_CODES_HELP, rich_markup_mode=None
)

NameArg = Annotated[str, typer.Argument(help="A preset name (see `factcheck models list`).")]


def _row(preset: ModelPreset, present: bool) -> dict[str, object]:
    from factcheck.models.presets import DEFAULT_EMBEDDER, DEFAULT_MODEL, DEFAULT_VERIFIER

    return {
        "name": preset.name,
        "role": preset.role.value,
        "default": preset.name in (DEFAULT_MODEL, DEFAULT_EMBEDDER, DEFAULT_VERIFIER),
        "present": present,
        "size_mb": preset.size_mb,
        "license": preset.license,
        "source": preset.source.describe(),
        "file": preset.filename,
        "sha256": preset.sha256,
        "smoke_test": preset.smoke_test,
        "description": preset.description,
    }


@app.command("list")
def list_models(
    ctx: typer.Context,
    fmt: Annotated[OutputFormat, typer.Option("--format", help="Output format.")] = OutputFormat.TABLE,
) -> None:
    """Show the model presets, where each comes from, and whether it is downloaded."""
    from factcheck.models.presets import PRESETS

    models_dir = state(ctx).settings.model_dir
    rows = [_row(p, (models_dir / p.filename).exists()) for p in PRESETS.values()]  # verifiers are folders
    if fmt is OutputFormat.JSON:
        print_json({"models_dir": str(models_dir), "models": rows})
        return
    from rich.table import Table

    table = Table(title=f"Models in {models_dir}")
    for column in ("name", "role", "present", "size", "license", "source"):
        table.add_column(column)
    for row in rows:
        name = f"{row['name']} (default)" if row["default"] else str(row["name"])
        table.add_row(
            name,
            str(row["role"]),
            "[green]yes[/]" if row["present"] else "[yellow]no[/]",
            f"{row['size_mb']} MB" if row["size_mb"] else "?",
            str(row["license"]),
            str(row["source"]),
        )
    stdout().print(table)


@app.command(epilog=EXIT_CODES_HELP)
def pull(
    ctx: typer.Context,
    name: NameArg,
    force: Annotated[bool, typer.Option("--force", help="Download again even if the file is there.")] = False,
) -> None:
    """Download a model preset (and convert it, where needed) into the models directory.

    Prints the file's path as the last line.
    """
    from factcheck.models.provision import pull as pull_preset
    from factcheck.models.resolve import find_preset

    settings = state(ctx).settings
    preset = find_preset(name)
    err = stderr()
    err.print(f"pulling [bold]{preset.name}[/] from {preset.source.describe()} …")
    path = pull_preset(preset, settings.model_dir, force=force)
    if preset.smoke_test:
        from factcheck.notices import smoke_test_notice

        err.print(f"[yellow]note:[/] {escape(smoke_test_notice(preset.name))}")
    typer.echo(str(path))


@app.command(epilog=EXIT_CODES_HELP)
def path(ctx: typer.Context, name: NameArg) -> None:
    """Print the path of a downloaded model (a preset name, or a .gguf path to check)."""
    from factcheck.models.resolve import resolve

    settings = state(ctx).settings
    typer.echo(str(resolve(name, None, settings.model_dir).path))
