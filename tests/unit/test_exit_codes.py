"""Every error factcheck can report maps to the exit code its documentation promises."""

from __future__ import annotations

import inspect
import re

import pytest
import typer
from typer.testing import CliRunner

from factcheck import errors
from factcheck.cli.common import EXIT_CODES_HELP, ExitCode, FactcheckGroup, exit_code_for

# The contract, one line per class in factcheck/errors.py. A new error class must be added here
# on purpose, so nobody gets exit code 2 ("bad usage") for, say, a network failure by accident.
EXPECTED = {
    errors.FactcheckError: ExitCode.USAGE,
    errors.ConfigError: ExitCode.USAGE,
    errors.UnknownPreset: ExitCode.USAGE,
    errors.UnknownBackend: ExitCode.USAGE,
    errors.InputFileError: ExitCode.USAGE,
    errors.DocumentNotFound: ExitCode.USAGE,
    errors.EmptyCorpus: ExitCode.USAGE,
    errors.OutputNotWritable: ExitCode.USAGE,
    errors.ModelNotProvisioned: ExitCode.MODEL_MISSING,
    errors.ModelUnavailable: ExitCode.MODEL_MISSING,
    errors.ChecksumMismatch: ExitCode.MODEL_MISSING,
    errors.ModelLoadError: ExitCode.BROKEN,
    errors.ModelServerUnreachable: ExitCode.BROKEN,
    errors.ModelServerError: ExitCode.BROKEN,
    errors.StoreError: ExitCode.BROKEN,
    errors.StoreBusy: ExitCode.BROKEN,
}


def error_classes() -> list[type[errors.FactcheckError]]:
    return [
        obj
        for _, obj in inspect.getmembers(errors, inspect.isclass)
        if issubclass(obj, errors.FactcheckError) and obj.__module__ == errors.__name__
    ]


def instance(cls: type[errors.FactcheckError]) -> errors.FactcheckError:
    return errors.InputFileError("a.txt", "empty") if cls is errors.InputFileError else cls("boom")


def test_every_error_class_has_an_expected_exit_code():
    assert set(error_classes()) == set(EXPECTED)


@pytest.mark.parametrize("cls", error_classes(), ids=lambda c: c.__name__)
def test_error_maps_to_its_documented_exit_code(cls):
    assert exit_code_for(instance(cls)) is EXPECTED[cls]


@pytest.mark.parametrize(
    ("cls", "code"),
    [(errors.ModelNotProvisioned, 3), (errors.StoreError, 4), (errors.UnknownPreset, 2)],
)
def test_key_exit_codes_are_stable_numbers(cls, code):
    assert int(exit_code_for(instance(cls))) == code


def test_subclass_of_a_mapped_error_inherits_its_code():
    class CorruptIndex(errors.StoreError):
        "A test-only store failure."

    assert exit_code_for(CorruptIndex("x")) is ExitCode.BROKEN


@pytest.mark.parametrize("code", list(ExitCode), ids=lambda c: c.name)
def test_every_exit_code_is_explained_in_the_help(code):
    assert re.search(rf"\b{int(code)} \w", EXIT_CODES_HELP)


def test_group_turns_an_error_into_a_message_and_its_exit_code():
    app = typer.Typer(cls=FactcheckGroup)

    @app.command()
    def boom() -> None:
        raise errors.ModelNotProvisioned("model 'x' is not downloaded yet; run: factcheck models pull x")

    @app.command()
    def other() -> None:  # a second command, so typer keeps the group
        pass

    result = CliRunner().invoke(app, ["boom"])
    assert result.exit_code == 3
    assert "factcheck models pull x" in result.output
    assert "Traceback" not in result.output
