"""Every command explains itself: a command without help text is a bug."""

from __future__ import annotations

import subprocess
import sys

import click
import pytest
import typer
from typer.testing import CliRunner

from factcheck.cli import app

runner = CliRunner()


def all_command_paths() -> list[list[str]]:
    root = typer.main.get_command(app)
    paths: list[list[str]] = []

    def walk(command: click.Command, prefix: list[str]) -> None:
        paths.append(prefix)
        for name, sub in getattr(command, "commands", {}).items():
            walk(sub, [*prefix, name])

    walk(root, [])
    return paths


@pytest.mark.parametrize("path", all_command_paths(), ids=lambda p: " ".join(p) or "factcheck")
def test_every_command_has_help_text(path):
    result = runner.invoke(app, [*path, "--help"])
    assert result.exit_code == 0
    command = typer.main.get_command(app)
    for name in path:
        command = command.commands[name]  # type: ignore[attr-defined]
    assert (command.help or "").strip(), f"`factcheck {' '.join(path)}` has no help text"


# (pydantic is not listed: typer itself reads it in to parse a subcommand's options.)
HEAVY = ("chromadb", "llama_cpp", "huggingface_hub", "numpy", "rich", "factcheck.schema", "factcheck.config")


@pytest.mark.parametrize("args", [["--help"], ["check", "--help"], ["corpus", "--help"], ["models", "--help"]])
def test_help_does_not_import_the_heavy_libraries(args):
    """What --help reads in decides how fast it answers (benchmarks/bench_ingest.py --startup-only
    prints the ratio to `python -c pass`): the libraries that do the work wait for the work."""
    code = (
        "import sys\n"
        "from factcheck.cli import app\n"
        f"try:\n    app({args!r}, prog_name='factcheck')\nexcept SystemExit:\n    pass\n"
        f"print('IMPORTED', [m for m in {HEAVY!r} if m in sys.modules])"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert "IMPORTED []" in out.stdout, out.stdout[-300:]


def test_version_is_printed():
    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0 and result.stdout.startswith("factcheck ")
