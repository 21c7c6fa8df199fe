"""Every CLI command says what it does in --help and is shown in the README."""

from __future__ import annotations

from pathlib import Path

import typer

from factcheck.cli import app

README = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")


def _commands(group, prefix: tuple[str, ...] = ()):
    for name, command in sorted(group.commands.items()):
        path = (*prefix, name)
        yield path, command
        if hasattr(command, "commands"):
            yield from _commands(command, path)


def test_every_command_has_help_text_and_appears_in_the_readme():
    root = typer.main.get_command(app)
    found = list(_commands(root))
    assert len(found) >= 8  # check, audit, ask, eval, ingest, corpus ..., models ...
    for path, command in found:
        name = " ".join(path)
        assert (command.help or "").strip(), f"`factcheck {name}` has no help text"
        assert f"factcheck {name}" in README, f"`factcheck {name}` is not in the README"
