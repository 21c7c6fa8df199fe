"""Parts of a sentence to compare a short claim with: its clauses, and windows of about the
claim's length. A long sentence's embedding averages everything it says; a claim that states one
of those things is closer to the part that says it. Pure functions.
"""

from __future__ import annotations

import re

# Where a clause ends: punctuation inside the sentence, and the conjunctions that start a new one.
_CLAUSE_BREAK = re.compile(r"\s*[,;:—–]\s+|\s*\(\s*|\s*\)\s*|\s+(?=(?:and|but|while|whereas|although|which|who)\s)")
MIN_WORDS = 3  # shorter pieces say too little to be compared
LONGER_THAN = 1.5  # a sentence is split only when it is this many times longer than the claim


def clauses(sentence: str) -> list[str]:
    """The sentence's clauses of at least MIN_WORDS words, in order."""
    pieces = [p.strip() for p in _CLAUSE_BREAK.split(sentence)]
    return [p for p in pieces if len(p.split()) >= MIN_WORDS]


def windows(sentence: str, size: int) -> list[str]:
    """Runs of `size` words, overlapping by half, covering the sentence."""
    words = sentence.split()
    if size <= 0 or len(words) <= size:
        return []
    step = max(1, size // 2)
    starts = list(range(0, len(words) - size + 1, step))
    if starts[-1] != len(words) - size:
        starts.append(len(words) - size)
    return [" ".join(words[s : s + size]) for s in starts]


def parts(sentence: str, claim: str) -> list[str]:
    """What to compare claim with inside sentence: nothing when the sentence is not much longer
    than the claim (its own similarity says it all), else its clauses and claim-sized windows,
    without repeats."""
    claim_words = len(claim.split())
    if len(sentence.split()) < LONGER_THAN * claim_words:
        return []
    seen: dict[str, None] = {}
    for piece in [*clauses(sentence), *windows(sentence, max(MIN_WORDS, round(claim_words * 1.5)))]:
        if piece != sentence:
            seen.setdefault(piece)
    return list(seen)
