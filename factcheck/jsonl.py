"""Reading JSONL: one JSON object per line (claims files, eval datasets)."""

from __future__ import annotations

import json


def json_object(line: str) -> dict:
    """One JSONL line as a dict; ValueError saying what is wrong with it otherwise."""
    try:
        data = json.loads(line)
    except json.JSONDecodeError as exc:
        raise ValueError(f"not valid JSON ({exc.msg} at column {exc.colno})") from None
    if not isinstance(data, dict):
        raise ValueError("not a JSON object")
    return data
