"""Negation: "X attended" against "X did not take part", "masks were not effective" against "masks
significantly reduced ...". Pure functions.

A sentence that covers most of a claim's content but says the opposite about it is the commonest
contradiction with no number, date or title in it. The signal here is the crudest one that is
still general: whether each side is negated at all, counted over the closed class of English
negators (not, no, never, none, ...), which is grammar, not a list of topics. It is a signal for
the combination (factcheck.check.combine), which fires it only on a sentence that already covers
the claim well; on its own it would call every double negative a conflict.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# Words that negate what they govern. "without" and "lack" are left out: "without delay" and
# "lack of evidence" rarely flip the claim they sit in.
NEGATORS = frozenset(
    """not no never none nobody nothing neither nor nowhere cannot cant dont doesnt didnt isnt
    arent wasnt werent wont wouldnt shouldnt couldnt hasnt havent hadnt""".split()
)
_WORD = re.compile(r"[^\W\d_][\w'’]*")
_CONTRACTION = re.compile(r"n['’]t$")
# Phrases that look negated but are not: "not only ... but", "no longer" is a real negation.
_NOT_NEGATING = re.compile(r"\bnot only\b|\bno doubt\b|\bnothing but\b|\bnone other than\b", re.IGNORECASE)


def negations(text: str) -> int:
    """How many negators text contains (contractions like "didn't" count as one)."""
    text = _NOT_NEGATING.sub(" ", text)
    count = 0
    for match in _WORD.finditer(text):
        word = match.group().lower()
        if _CONTRACTION.search(word) or word.replace("'", "").replace("’", "") in NEGATORS:
            count += 1
    return count


def negated(text: str) -> bool:
    """Whether text is negated an odd number of times: "not unlikely" counts as not negated."""
    return negations(text) % 2 == 1


@dataclass(frozen=True)
class PolarityMismatch:
    claim_negated: bool

    @property
    def detail(self) -> str:
        return (
            "the claim is negated, the source is not"
            if self.claim_negated
            else "the source is negated, the claim is not"
        )


def polarity_mismatch(claim: str, sentence: str) -> PolarityMismatch | None:
    """A mismatch when exactly one of claim and sentence is negated, else None."""
    ours, theirs = negated(claim), negated(sentence)
    return PolarityMismatch(ours) if ours != theirs else None
