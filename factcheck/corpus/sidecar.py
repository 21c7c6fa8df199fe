"""Metadata by hand: a JSON file beside an article ("report.pdf.meta.json" for "report.pdf") whose
title, publication date, authors or site replace what was read from the article itself."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from factcheck.corpus.files import read_regular_file
from factcheck.errors import InputFileError

SIDECAR_SUFFIX = ".meta.json"
MAX_SIDECAR_BYTES = 64 * 1024
KEYS = ("title", "published", "authors", "site")
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


@dataclass(frozen=True)
class Sidecar:
    """The metadata a sidecar sets (only those keys it has) and its bytes, which count in the
    document's sha256 so that editing only the sidecar re-ingests the document."""

    fields: dict[str, object]
    raw: bytes


def sidecar_path(path: Path) -> Path:
    return path.with_name(path.name + SIDECAR_SUFFIX)


def is_sidecar(path: Path) -> bool:
    return path.name.lower().endswith(SIDECAR_SUFFIX) and len(path.name) > len(SIDECAR_SUFFIX)


def described_file(sidecar: Path) -> Path:
    """The file a sidecar is about: its name less ".meta.json"."""
    return sidecar.with_name(sidecar.name[: -len(SIDECAR_SUFFIX)])


def read_sidecar(path: Path) -> Sidecar | None:
    """The sidecar beside the file at path, or None if it has none; InputFileError naming the
    file and its sidecar when the sidecar cannot be used (the file is then not ingested either)."""
    sidecar = sidecar_path(path)
    if not (sidecar.exists() or sidecar.is_symlink()):
        return None
    try:
        raw = read_regular_file(sidecar, MAX_SIDECAR_BYTES)
    except InputFileError as err:
        raise _error(path, sidecar, err.reason) from err
    try:
        fields = parse_sidecar(raw)
    except ValueError as exc:
        raise _error(path, sidecar, str(exc)) from exc
    return Sidecar(fields, raw)


def parse_sidecar(raw: bytes) -> dict[str, object]:
    """The fields of a sidecar's JSON, checked; ValueError saying what is wrong otherwise."""
    try:
        data = json.loads(raw.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ValueError(f"not valid JSON ({exc})") from exc
    if not isinstance(data, dict):
        raise ValueError(f"must be a JSON object with any of the keys {', '.join(KEYS)}")
    unknown = sorted(set(data) - set(KEYS))
    if unknown:
        raise ValueError(f"unknown key {unknown[0]!r} (allowed: {', '.join(KEYS)})")
    return {key: _checked(key, value) for key, value in data.items()}


def _checked(key: str, value: object) -> object:
    if key == "published":
        return _date(value)
    if key == "authors":
        if not isinstance(value, list) or not all(isinstance(a, str) and a.strip() for a in value):
            raise ValueError('"authors" must be a list of names, e.g. ["Ana Silva"]')
        return tuple(" ".join(a.split()) for a in value)
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"{key!r} must be a non-empty string")
    return " ".join(value.split())


def _date(value: object) -> date | None:
    """null means "no publication date" (to drop a wrong one that was read from the article)."""
    if value is None:
        return None
    if isinstance(value, str) and _ISO_DATE.match(value):
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    raise ValueError(f'"published" must be a date as YYYY-MM-DD, not {json.dumps(value)}')


def _error(path: Path, sidecar: Path, reason: str) -> InputFileError:
    return InputFileError(str(path), f"metadata sidecar {sidecar.name}: {reason}")
