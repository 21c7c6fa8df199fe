"""Evaluation datasets: a folder with `corpus/` (one document per file, id = file name without
extension) and `claims.jsonl` (one labelled claim per line), read and validated in full so that
every problem is reported at once, each naming its file and line."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from factcheck.errors import FactcheckError
from factcheck.evaluation.metrics import LABELS
from factcheck.jsonl import json_object

CLAIMS_FILE = "claims.jsonl"
CORPUS_DIR = "corpus"
MAX_PROBLEMS_SHOWN = 20


class DatasetError(FactcheckError):
    "An evaluation dataset is missing a part or has invalid lines."


@dataclass(frozen=True)
class GoldClaim:
    id: str
    claim: str
    label: str  # one of metrics.LABELS
    evidence: tuple[str, ...]  # documents that support (or, for contradicted, refute) the claim
    line: int
    difficulty: str | None = None
    origin: str | None = None


@dataclass(frozen=True)
class Dataset:
    name: str  # the folder's name
    path: Path
    documents: tuple[Path, ...]  # the corpus files, sorted
    claims: tuple[GoldClaim, ...]

    @property
    def corpus_hash(self) -> str:
        """sha256 over the corpus files' names and bytes: the key of the dataset's own store."""
        digest = hashlib.sha256()
        for path in self.documents:
            digest.update(path.name.encode("utf-8") + b"\0" + path.read_bytes() + b"\0")
        return digest.hexdigest()


def load_dataset(folder: Path) -> Dataset:
    """Read and validate a dataset folder; DatasetError lists everything wrong with it."""
    if not folder.is_dir():
        raise DatasetError(f"{folder}: not a dataset folder (expected {CORPUS_DIR}/ and {CLAIMS_FILE} in it)")
    documents = corpus_files(folder / CORPUS_DIR)
    claims_path = folder / CLAIMS_FILE
    if not claims_path.is_file():
        raise DatasetError(f"{claims_path}: missing; a dataset needs one labelled claim per line in it")
    try:
        text = claims_path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise DatasetError(f"{claims_path}: cannot read: {exc}") from exc
    claims, problems = parse_gold_claims(text, {p.stem for p in documents})
    if problems:
        raise DatasetError(_problem_list(claims_path, problems))
    if not claims:
        raise DatasetError(f"{claims_path}: no claims in it")
    return Dataset(folder.name, folder, tuple(documents), tuple(claims))


def corpus_files(corpus: Path) -> list[Path]:
    """The documents of a corpus folder; an unusable file or two files with one id is an error."""
    from factcheck.corpus.reader import SUPPORTED_SUFFIXES, discover

    if not corpus.is_dir():
        raise DatasetError(f"{corpus}: missing; a dataset needs its documents in a {CORPUS_DIR}/ folder")
    files, errors = discover([corpus])
    if errors:
        raise DatasetError("; ".join(str(err) for err in errors))
    if not files:
        raise DatasetError(f"{corpus}: no documents in it ({', '.join(SUPPORTED_SUFFIXES)})")
    first: dict[str, Path] = {}
    for path in files:
        earlier = first.setdefault(path.stem, path)
        if earlier != path:
            raise DatasetError(f"{path}: document id {path.stem!r} is already taken by {earlier}")
    return sorted(files)


def parse_gold_claims(text: str, doc_ids: set[str]) -> tuple[list[GoldClaim], list[tuple[int, str]]]:
    """Claims from the text of a claims.jsonl, and (line number, problem) for each bad line."""
    claims: list[GoldClaim] = []
    problems: list[tuple[int, str]] = []
    seen: set[str] = set()
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            claim = _gold_claim(line, number, doc_ids)
        except ValueError as exc:
            problems.append((number, str(exc)))
            continue
        if claim.id in seen:
            problems.append((number, f"duplicate id {claim.id!r}"))
            continue
        seen.add(claim.id)
        claims.append(claim)
    return claims, problems


def _gold_claim(line: str, number: int, doc_ids: set[str]) -> GoldClaim:
    data = json_object(line)
    missing = [key for key in ("id", "claim", "label", "evidence") if key not in data]
    if missing:
        raise ValueError(f"missing {', '.join(repr(k) for k in missing)}")
    claim_id, claim, label, evidence = data["id"], data["claim"], data["label"], data["evidence"]
    if not isinstance(claim_id, str) or not claim_id.strip():
        raise ValueError('"id" must be a non-empty string')
    if not isinstance(claim, str) or not claim.strip():
        raise ValueError('"claim" must be a non-empty string')
    if label not in LABELS:
        raise ValueError(f"label {label!r} is not one of {', '.join(LABELS)}")
    if not isinstance(evidence, list) or not all(isinstance(e, str) for e in evidence):
        raise ValueError('"evidence" must be a list of document ids')
    unknown = [e for e in evidence if e not in doc_ids]
    if unknown:
        raise ValueError(f"evidence {', '.join(repr(e) for e in unknown)} not in the corpus")
    return GoldClaim(
        id=claim_id,
        claim=claim.strip(),
        label=label,
        evidence=tuple(dict.fromkeys(evidence)),
        line=number,
        difficulty=_optional_text(data, "difficulty"),
        origin=_optional_text(data, "origin"),
    )


def _optional_text(data: dict[str, Any], key: str) -> str | None:
    value = data.get(key)
    if value is not None and not isinstance(value, str):
        raise ValueError(f'"{key}" must be a string')
    return value


def _problem_list(path: Path, problems: Sequence[tuple[int, str]]) -> str:
    shown = [f"{path}:{line}: {reason}" for line, reason in problems[:MAX_PROBLEMS_SHOWN]]
    more = len(problems) - len(shown)
    if more:
        shown.append(f"… and {more} more")
    return "\n".join(shown)
