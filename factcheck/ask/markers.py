"""The text side of an answer, pure: citation markers, the sentences that carry them, the claims
an answer makes, and trimming an over-long question."""

from __future__ import annotations

import re
from dataclasses import dataclass

from factcheck.corpus.chunking import split_sentences

MAX_QUESTION_CHARS = 1000  # longer questions are trimmed, with a notice: no real question is this long

# [1], [12], [1, 2], [1,2; 3]. At most three digits: "[2025]" is a year, not a passage number.
MARKER = re.compile(r"\[\s*(\d{1,3}(?:\s*[,;]\s*\d{1,3})*)\s*\]")
_LEADING_MARKERS = re.compile(rf"^(?:\s*{MARKER.pattern})+")
_WORD = re.compile(r"[A-Za-z][\w'’-]*")
_HAS_WORD_CHAR = re.compile(r"[^\W\d_]")
# A sentence about the passages rather than the world ("The passages do not say who attended.")
# is not a claim to check: it is the answer declining, which is what the prompt asks for.
_ABOUT_SOURCES = re.compile(
    r"\bpassages?\b|\bcorpus\b|\b(the|these|those|this|provided|given)\s+(articles?|sources?|documents?|context|texts?)\b",
    re.I,
)
_DECLINING = re.compile(r"\b(no|not|n['’]t|nothing|neither|nor|cannot|unclear|unknown)\b", re.I)
MIN_CLAIM_WORDS = 4


@dataclass(frozen=True)
class MarkedSentence:
    """A sentence of an answer, without its markers, and the passage numbers it cites."""

    text: str
    markers: tuple[int, ...]


def parse_markers(text: str) -> list[int]:
    """The passage numbers cited in text, in order of first use, each once."""
    seen: dict[int, None] = {}
    for match in MARKER.finditer(text):
        for number in re.split(r"\s*[,;]\s*", match.group(1).strip()):
            seen.setdefault(int(number))
    return list(seen)


def strip_markers(text: str) -> str:
    """text without its markers, with the space a marker leaves before punctuation closed up."""
    bare = MARKER.sub("", text)
    return " ".join(re.sub(r"\s+([.,;:!?])", r"\1", bare).split())


def marked_sentences(text: str) -> list[MarkedSentence]:
    """The answer's sentences with the markers each carries. A marker standing after the full stop
    ("… in Alaska. [1] The …") belongs to the sentence before it, not to the one it precedes."""
    out: list[MarkedSentence] = []
    for start, end in split_sentences(text):
        sentence = text[start:end]
        leading = _LEADING_MARKERS.match(sentence)
        if leading and out:
            out[-1] = MarkedSentence(out[-1].text, _merge(out[-1].markers, parse_markers(leading.group())))
            sentence = sentence[leading.end() :]
        bare = strip_markers(sentence)
        if not _HAS_WORD_CHAR.search(bare):
            continue  # punctuation or markers only, already given to the sentence before
        out.append(MarkedSentence(bare, tuple(parse_markers(sentence))))
    return out


def _merge(first: tuple[int, ...], more: list[int]) -> tuple[int, ...]:
    return tuple(dict.fromkeys([*first, *more]))


def is_statement(sentence: str) -> bool:
    """A sentence that states something about the world: not a question, a heading or lead-in
    ("The corpus says:"), a fragment, or the answer saying the passages do not tell."""
    text = sentence.strip()
    if len(_WORD.findall(text)) < MIN_CLAIM_WORDS or text.endswith(("?", ":")):
        return False
    return not (_ABOUT_SOURCES.search(text) and _DECLINING.search(text))


def answer_claims(text: str) -> list[MarkedSentence]:
    """The claims an answer makes: its sentences that are statements, markers removed."""
    return [s for s in marked_sentences(text) if is_statement(s.text)]


def trim_question(question: str, limit: int = MAX_QUESTION_CHARS) -> tuple[str, bool]:
    """(the question cut to at most limit characters at a word boundary, whether it was cut)."""
    text = " ".join(question.split())
    if len(text) <= limit:
        return text, False
    head = text[: limit + 1].rsplit(" ", 1)[0]
    return (head if 0 < len(head) <= limit else text[:limit]), True
