"""Where claims come from: the command line, a claims file (plain lines or JSONL), or an article's
own checkable sentences."""

from __future__ import annotations

import re
from dataclasses import dataclass

from factcheck.check.pipeline import ClaimInput
from factcheck.corpus.chunking import split_sentences
from factcheck.errors import InputFileError
from factcheck.jsonl import json_object


@dataclass(frozen=True)
class ClaimProblem:
    """A line of a claims file that could not be used (the rest go on)."""

    line: int
    reason: str


def parse_claims(text: str, source: str) -> tuple[list[ClaimInput], list[ClaimProblem]]:
    """Claims from a file's text: JSONL with `id` and `claim` if the first non-blank line is a JSON
    object, else one claim per line (blank lines and lines starting with # are skipped)."""
    lines = text.splitlines()
    first = next((line.strip() for line in lines if line.strip()), "")
    if not first:
        raise InputFileError(source, "no claims in it (the file is empty)")
    parse = _jsonl_line if first.startswith("{") else _text_line
    claims: list[ClaimInput] = []
    problems: list[ClaimProblem] = []
    seen: set[str] = set()
    for number, line in enumerate(lines, start=1):
        if not line.strip() or (parse is _text_line and line.lstrip().startswith("#")):
            continue
        try:
            claim = parse(line, number)
        except ValueError as exc:
            problems.append(ClaimProblem(number, str(exc)))
            continue
        if claim.id in seen:
            problems.append(ClaimProblem(number, f"duplicate id {claim.id!r}; the first one is kept"))
            continue
        seen.add(claim.id)
        claims.append(claim)
    return claims, problems


def _text_line(line: str, number: int) -> ClaimInput:
    return ClaimInput(id=f"line-{number}", claim=line.strip())


def _jsonl_line(line: str, number: int) -> ClaimInput:
    data = json_object(line)
    claim, claim_id = data.get("claim"), data.get("id", f"line-{number}")
    if not isinstance(claim, str) or not claim.strip():
        raise ValueError('no "claim" string')
    if not isinstance(claim_id, (str, int)):
        raise ValueError('"id" must be a string')
    return ClaimInput(id=str(claim_id), claim=claim.strip())


# --- checkable sentences ----------------------------------------------------------------------

_QUOTED = re.compile(r"[\"“”]([^\"“”]*)[\"“”]")
_WORDS = re.compile(r"[A-Za-z][\w'’-]*")
_NUMBER = re.compile(
    r"\d|\b(one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|twenty|thirty|forty|fifty|"
    r"hundreds?|thousands?|millions?|billions?|dozens?)\b",
    re.I,
)
# Verbs of hoping and believing report an opinion, not a checkable statement of fact.
_OPINION = re.compile(r"\b(hopes?|hoped|hopeful|believes?|believed|feels?|perhaps|I think)\b", re.I)
MIN_WORDS, MAX_WORDS = 6, 60
# Closed-class words that start sentences: a capitalised first word among these is not a name.
_FUNCTION_WORDS = frozenset(
    "a an the this that these those he she it they we i you his her its their our my your "
    "there here in on at as by for from of to with after before while when if but and or so "
    "such some many most all both either neither each every no not meanwhile however also".split()
)


def is_checkable(sentence: str) -> bool:
    """A sentence worth checking: a statement (not a question), mostly not a quotation, not an
    opinion, carrying a checkable fact (a number, or a name beyond its first word)."""
    words = _WORDS.findall(sentence)
    if not MIN_WORDS <= len(words) <= MAX_WORDS or sentence.rstrip().endswith("?"):
        return False
    quoted = sum(len(m.group(1)) for m in _QUOTED.finditer(sentence))
    if quoted > 0.5 * len(sentence) or _OPINION.search(sentence):
        return False
    first_is_name = words[0][0].isupper() and words[0].lower() not in _FUNCTION_WORDS
    has_name = first_is_name or any(w[0].isupper() for w in words[1:])
    return has_name or bool(_NUMBER.search(sentence))


def checkable_sentences(text: str) -> list[tuple[int, int]]:
    """Character spans of the checkable sentences of text."""
    return [(start, end) for start, end in split_sentences(text) if is_checkable(text[start:end])]


def article_claims(text: str, doc_id: str) -> list[ClaimInput]:
    """An article's checkable sentences as claims, to be checked against the *other* documents."""
    return [
        ClaimInput(id=f"{doc_id}#{start}", claim=" ".join(text[start:end].split()), exclude=(doc_id,))
        for start, end in checkable_sentences(text)
    ]
