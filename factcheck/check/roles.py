"""People named with a title, and whether two such mentions give the same person the same role.

Four forms are read: title first ("former Russian president Dmitry Medvedev", "defence minister
Lavrov", "Secretary of State Marco Rubio"), name first ("Sergei Lavrov, the foreign minister"),
title, comma, name ("Russia's foreign minister, Sergei Lavrov") and name, copula, title ("Lavrov is
Russia's foreign minister"). The lexicons below are general
English title vocabulary, not words from any particular article.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from factcheck.check.quantities import STOPWORDS


@dataclass(frozen=True)
class Role:
    text: str  # the title and name as written
    first: str  # folded first name, "" when only a surname is given
    last: str  # folded surname
    head: str  # canonical office: "minister", "prime minister", "adviser", "spokesperson"
    kind: str  # "office" | "rank" | "position" | "generic"; only like kinds are compared
    portfolio: frozenset[str]  # {"foreign"}, {"defense"}; empty when none is given
    modifier: str  # "former", "current", "acting", "then", "late", ... or ""


def _lexicon(kind: str, spec: str) -> dict[str, tuple[str, str]]:
    """ "a b=c d" → {"a": (a, kind), "b": (c, kind), "d": (d, kind)}; "_" joins words."""
    out = {}
    for item in spec.split():
        word, _, canonical = item.partition("=")
        out[word.replace("_", " ")] = (canonical.replace("_", " ") or word.replace("_", " "), kind)
    return out


_HEADS = {
    **_lexicon(
        "office",
        """president prime_minister premier=prime_minister minister secretary
        secretary_general=secretary-general secretary-general chancellor governor gov.=governor
        senator sen.=senator congressman=representative congresswoman=representative
        rep.=representative mayor speaker ambassador envoy spokesman=spokesperson
        spokeswoman=spokesperson spokesperson aide=adviser adviser advisor=adviser
        counsellor=adviser counselor=adviser director chairman=chair chairwoman=chair
        chairperson=chair chief_executive ceo=chief_executive chief_of_staff founder king queen
        prince princess emperor pope commissioner prosecutor attorney_general judge justice
        chief_justice treasurer emir sultan monarch negotiator""",
    ),
    **_lexicon(
        "rank",
        """general gen.=general admiral adm.=admiral colonel col.=colonel
        maj.=major lieutenant lt.=lieutenant sergeant sgt.=sergeant captain capt.=captain
        commander marshal doctor dr.=doctor professor prof.=professor sir dame lord cardinal
        archbishop bishop rabbi imam ayatollah sheikh""",
    ),
    **_lexicon(
        "position",
        """coach head_coach=coach manager=coach striker midfielder defender
        goalkeeper quarterback pitcher winger""",
    ),
    **_lexicon(
        "generic",
        """leader official diplomat lawmaker politician chief boss executive
        candidate nominee activist lawyer economist analyst scientist""",
    ),
}
_HEAD_STARTS = frozenset(phrase.split()[0] for phrase in _HEADS)
_MODIFIERS = {"former": "former", "ex": "former", "current": "current", "sitting": "current",
              "incumbent": "current", "then": "then", "acting": "acting", "interim": "acting",
              "caretaker": "acting", "late": "late", "outgoing": "outgoing",
              "incoming": "incoming", "elect": "elect", "designate": "elect"}  # fmt: skip
_RANKED = {"deputy", "vice", "assistant", "under", "co", "associate"}  # part of the office
_QUALIFIERS = {"special", "senior", "top", "longtime", "veteran", "powerful", "new"}
_PORTFOLIOS = {
    **{w: w for w in """foreign defense finance interior home justice health education trade
        economic energy environment agriculture labor transportation culture state treasury
        commerce security homeland policy affairs national press communications digital science
        industry housing development sports tourism immigration war climate budget military
        intelligence veterans infrastructure technology information public research
        emergencies european""".split()},
    "defence": "defense", "labour": "labor", "transport": "transportation", "economy": "economic",
    "sport": "sports", "emergency": "emergencies",
}  # fmt: skip
_BROAD_PORTFOLIOS = {"policy", "affairs", "national", "public"}  # say nothing on their own
_PARTICLES = {"bin", "ibn", "al", "el", "de", "da", "del", "der", "van", "von", "la", "le", "di"}
_DETERMINERS = {"the", "a", "an"}
_TOKEN = re.compile(
    r"(?:[^\W\d_]\.){2,}|(?:Sen|Rep|Gov|Gen|Lt|Col|Adm|Dr|Prof|Capt|Maj|Sgt)\.|[A-Z]\.(?=\s)"
    r"|[^\W\d_][\w'’\-–]*|\S"
)
_AFFIXED = re.compile(r"^(?:(ex|then|former)[-–])?(.+?)(?:[-–](elect|designate))?$")
_POSSESSIVE = re.compile(r"['’]s$")
_TRANSLITERATION = re.compile(r"(?:iy|yy|ij|ii)$")  # Zelenskiy / Zelenskyy / Zelensky


@lru_cache(maxsize=4096)
def roles(text: str) -> tuple[Role, ...]:
    """Every person in text named together with a title."""
    tokens = [(m.group(), m.start(), m.end()) for m in _TOKEN.finditer(text)]
    words = [t[0] for t in tokens]
    found: list[Role] = []
    i = 0
    while i < len(words):
        head = _head_at(words, i)
        if head is None:
            i += 1
            continue
        role, i = _mention(text, tokens, words, i, head)
        if role:
            found.append(role)
    return tuple(found)


def _head_at(words: list[str], i: int) -> tuple[str, str, str, int] | None:
    """(canonical head, kind, modifier from the word itself, tokens used) of a title at i."""
    first = words[i].lower()
    if first not in _HEAD_STARTS and "-" not in first and "–" not in first:
        return None  # most words: decided without building phrases
    for n in (3, 2, 1):
        if i + n > len(words):
            continue
        phrase = " ".join(words[i : i + n]).lower()
        affixed = _AFFIXED.match(phrase) if n == 1 else None
        if affixed and affixed.group(2) in _HEADS:
            modifier = _MODIFIERS.get(affixed.group(1) or affixed.group(3) or "", "")
            return (*_HEADS[affixed.group(2)], modifier, 1)
        if n > 1 and phrase in _HEADS:
            return (*_HEADS[phrase], "", n)
    return None


def _mention(text, tokens, words, i, head) -> tuple[Role | None, int]:
    canonical, kind, modifier, n = head
    start, prefix_mod, portfolio = _prefix(words, i)
    canonical = " ".join([*prefix_mod[1], canonical])
    modifier = modifier or prefix_mod[0]
    end, more, trim_to = _suffix(words, i + n)
    portfolio |= more
    name = _name_after(words, end, trim_to)
    if name:
        span = (tokens[start][1], tokens[name[1] - 1][2])
    elif name := _name_before_apposition(words, start) or _name_before_copula(words, start):
        span = (tokens[name[0]][1], tokens[i + n - 1][2])
    elif end < len(words) and words[end] == "," and (name := _name_after(words, end + 1, 0)):
        if name[1] - name[0] < 2:
            return None, i + n
        span = (tokens[start][1], tokens[name[1] - 1][2])
    else:
        return None, i + n
    person = [_POSSESSIVE.sub("", w) for w in words[name[0] : name[1]]]
    first = _fold(person[0]) if len(person) > 1 else ""
    role = Role(text[span[0] : span[1]], first, _fold(person[-1]), canonical, kind, frozenset(portfolio), modifier)
    return role, max(i + n, name[1])


def _prefix(words: list[str], i: int) -> tuple[int, tuple[str, list[str]], set[str]]:
    """Walk back over the words before a title head: modifier, rank, portfolio, organisation."""
    modifier, ranked, portfolio, organisations = "", [], set(), 0
    j = i - 1
    while j >= 0:
        low = words[j].lower()
        if low in _MODIFIERS:
            modifier = modifier or _MODIFIERS[low]
        elif low in _RANKED:
            ranked.insert(0, low)
        elif low in _PORTFOLIOS:
            portfolio.add(_PORTFOLIOS[low])
        elif _is_organisation(words[j]) and organisations < 2:  # "U.S.", "White House"
            organisations += 1
        elif low not in _QUALIFIERS:
            break
        j -= 1
    return j + 1, (modifier, ranked), portfolio


def _is_organisation(word: str) -> bool:
    """A nationality, organisation or owner before a title: "U.S.", "Kremlin", "Russia's"."""
    if _POSSESSIVE.search(word):
        return True
    return word[0].isupper() and word.lower() not in STOPWORDS and word.lower() not in _HEADS


def _suffix(words: list[str], j: int) -> tuple[int, set[str], int]:
    """ "of State", "for Foreign Affairs" (portfolio) or "to the U.S." after a head."""
    portfolio: set[str] = set()
    if j < len(words) and words[j].lower() in ("of", "for"):
        k = j + 1 + (j + 1 < len(words) and words[j + 1].lower() == "the")
        while k < len(words) and words[k].lower() in _PORTFOLIOS:
            portfolio.add(_PORTFOLIOS[words[k].lower()])
            k += 1
        return (k, portfolio, 0) if portfolio else (j, portfolio, 0)
    if j + 1 < len(words) and words[j].lower() == "to":
        k = j + 1 + (words[j + 1].lower() == "the")
        if k < len(words) and words[k][0].isupper():
            return k + 1, portfolio, 2  # "Ambassador to the United States X Y": keep X Y
    return j, portfolio, 0


def _is_name(word: str) -> bool:
    if not word[0].isupper() or word.lower() in STOPWORDS:
        return False
    bare = _POSSESSIVE.sub("", word).lower()
    if bare in _HEADS or bare in _MODIFIERS or bare in _PORTFOLIOS or bare.rstrip(".") in _MONTHS:
        return False
    return len(word) == 2 and word[1] == "." or not (len(word) > 1 and word.isupper())


_MONTHS = set(
    """january february march april may june july august september october november
    december monday tuesday wednesday thursday friday saturday sunday""".split()
)


def _name_after(words: list[str], j: int, keep_last: int) -> tuple[int, int] | None:
    """Token range of a 1-4 word name starting at j."""
    k = j
    while k < len(words) and k - j < 4:
        word = words[k]
        particle = word in _PARTICLES and k + 1 < len(words) and _is_name(words[k + 1])
        if not (_is_name(word) or (particle and k > j)):
            break
        k += 1
        if _POSSESSIVE.search(word):
            break
    if k == j:
        return None
    return (max(j, k - keep_last) if keep_last else j), k


def _name_before_apposition(words: list[str], start: int) -> tuple[int, int] | None:
    """ "Sergei Lavrov, the foreign minister": a 2-4 word name, a comma, then the title."""
    k = start - 1 if start > 0 and words[start - 1].lower() in _DETERMINERS else start
    if k < 1 or words[k - 1] != ",":
        return None
    end = k - 1
    j = end
    while j > 0 and end - j < 4 and (_is_name(words[j - 1]) or words[j - 1] in _PARTICLES):
        j -= 1
    while j < end and words[j] in _PARTICLES:
        j += 1
    return (j, end) if end - j >= 2 else None


_COPULAS = {"is", "was", "remains", "remained", "became", "becomes", "as"}  # "X is the president"
_ADVERBS = {"now", "still", "currently", "also", "then", "once"}


def _name_before_copula(words: list[str], start: int) -> tuple[int, int] | None:
    """ "Sergei Lavrov is Russia's foreign minister", "Trump, who served as president": a 1-4
    word name, a copula (and an adverb), an optional article, then the title."""
    k = start - 1 if start > 0 and words[start - 1].lower() in _DETERMINERS else start
    while k > 0 and words[k - 1].lower() in _ADVERBS:
        k -= 1
    if k < 2 or words[k - 1].lower() not in _COPULAS:
        return None
    end = k - 1
    if end > 0 and words[end - 1].lower() in ("serves", "served", "serving", "acts", "acted"):
        end -= 1
    j = end
    while j > 0 and end - j < 4 and (_is_name(words[j - 1]) or words[j - 1] in _PARTICLES):
        j -= 1
    return (j, end) if end > j else None


def _fold(name: str) -> str:
    """Compare names without case, accents or transliteration endings."""
    plain = unicodedata.normalize("NFKD", name)
    letters = "".join(c for c in plain if c.isalpha()).lower()
    return _TRANSLITERATION.sub("y", letters)


def same_person(a: Role, b: Role) -> bool:
    if not a.last or a.last != b.last:
        return False
    if not a.first or not b.first or a.first == b.first:
        return True
    return min(len(a.first), len(b.first)) == 1 and a.first[0] == b.first[0]


def relate(claim: Role, evidence: Role) -> tuple[str, str] | None:
    """("conflict" | "match", why) for two mentions of the same person; None when the titles
    cannot be compared (a former president may well be a minister now)."""
    if not same_person(claim, evidence):
        return None
    same_office = claim.head == evidence.head and not _disjoint(claim.portfolio, evidence.portfolio)
    if (claim.modifier == "former") != (evidence.modifier == "former"):
        sitting = evidence if claim.modifier == "former" else claim
        if same_office and sitting.modifier in ("", "current"):
            return "conflict", f"former vs sitting {claim.head}"
        return None
    if claim.kind != evidence.kind or "generic" in (claim.kind, evidence.kind):
        return "match", "titles of different sorts, both can hold"
    if claim.head != evidence.head:
        return "conflict", f"{claim.head} vs {evidence.head}"
    if not same_office:
        return "conflict", f"{_office(claim)} vs {_office(evidence)}"
    return "match", f"same title: {_office(claim)}"


def _disjoint(a: frozenset[str], b: frozenset[str]) -> bool:
    a, b = a - _BROAD_PORTFOLIOS, b - _BROAD_PORTFOLIOS
    return bool(a and b and not a & b)


def _office(role: Role) -> str:
    return " ".join([*sorted(role.portfolio), role.head])
