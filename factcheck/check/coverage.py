"""Claim coverage: how much of a claim's content a sentence (or a few adjacent sentences) contains.

A cosine between a short claim and a long sentence is diluted by everything else the sentence
says: "The meeting took place at Joint Base Elmendorf-Richardson." scores 0.44 against a sentence
that names the base, the city, the date and the leaders. Coverage asks the other question: of
what the claim says (its content words, names and numbers, stemmed), how much is in the passage?
Rare terms weigh more than common ones (inverse document frequency over the corpus's sentences),
so a claim's distinctive name counts for more than "said" or "meeting". Pure functions.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from functools import lru_cache

from factcheck.check.quantities import STOPWORDS

# Words (with inner apostrophes and hyphens) and numbers (with thousands separators).
_TERM = re.compile(r"[0-9]+(?:[.,][0-9]+)*|[^\W\d_](?:[\w'’]|-(?=\w))*")
_POSSESSIVE = re.compile(r"['’]s$")
WINDOW = 2  # adjacent sentences read together: a claim is often stated across two


@lru_cache(maxsize=1)
def _stemmer():
    import Stemmer  # PyStemmer, which bm25s already needs: the same stems as the lexical index

    return Stemmer.Stemmer("english")


@lru_cache(maxsize=65536)
def terms(text: str) -> frozenset[str]:
    """The content terms of text: stemmed words that are not stopwords, and numbers without
    their separators. A hyphenated word counts as itself and as its parts."""
    found: set[str] = set()
    for match in _TERM.finditer(text):
        token = _POSSESSIVE.sub("", match.group().lower())
        if token[0].isdigit():
            found.add(token.replace(",", ""))
            continue
        for part in {token, *token.split("-")}:
            if len(part) > 1 and part not in STOPWORDS:
                found.add(_stemmer().stemWord(part))
    return frozenset(found)


def idf_weights(texts: Iterable[str]) -> dict[str, float]:
    """Inverse document frequency of every term over texts (smoothed, always positive)."""
    counts: Counter[str] = Counter()
    n = 0
    for text in texts:
        n += 1
        counts.update(terms(text))
    return {term: math.log((n + 1) / (df + 0.5)) for term, df in counts.items()}


def coverage(claim_terms: frozenset[str], passage_terms: frozenset[str], idf: Mapping[str, float]) -> float:
    """The idf-weighted share of the claim's terms that the passage contains, in [0, 1]. A term the
    corpus never uses weighs as much as the rarest one it does."""
    if not claim_terms:
        return 0.0
    unseen = max(idf.values(), default=1.0)
    weights = {t: idf.get(t, unseen) for t in claim_terms}
    total = sum(weights.values())
    return sum(w for t, w in weights.items() if t in passage_terms) / total if total > 0 else 0.0


def anchors(text: str) -> frozenset[str]:
    """The terms a passage must hold to state text at all: its numbers, and its names (words
    written with a capital after the first word). "The summit was held in Helsinki." is not
    stated by a sentence about the summit that never names Helsinki, however much else it covers."""
    found: set[str] = set()
    for n, match in enumerate(_TERM.finditer(text)):
        word = match.group()
        if word[0].isdigit() or (n > 0 and word[0].isupper()):
            found |= terms(word)
    return frozenset(found)


def best_coverage(
    claim: str, sentences: Sequence[str], idf: Mapping[str, float], window: int = WINDOW
) -> tuple[float, int, bool]:
    """The highest coverage of claim by any run of up to `window` adjacent sentences, the index
    of the run's best single sentence (the one to quote), and whether the run holds every one of
    the claim's anchors; runs that do are preferred. (0.0, -1, False) for no sentences."""
    claim_terms, needed = terms(claim), anchors(claim)
    sentence_terms = [terms(s) for s in sentences]
    best: tuple[bool, float] = (False, 0.0)
    where = -1
    for start in range(len(sentences)):
        run = range(start, min(start + window, len(sentences)))
        combined = frozenset().union(*(sentence_terms[i] for i in run))
        score = (needed <= combined, coverage(claim_terms, combined, idf))
        if score > best:
            best = score
            where = max(run, key=lambda i: coverage(claim_terms, sentence_terms[i], idf))
    return best[1], where, best[0] and where >= 0
