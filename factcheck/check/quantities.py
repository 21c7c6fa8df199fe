"""Numbers, dates and clock times in a sentence, found and normalised.

Values are located with compiled regexes (never a model) and normalised so that conflicts.py can
compare a claim's values with an evidence sentence's: "1,550" and "1550" are the same quantity,
"7 p.m. EDT" and "23:00 GMT" the same moment. Years, dates and times are found first, so a number
inside one is never also read as a quantity; numbers inside names and ids ("9M730", "COVID-19",
"Article 5") are skipped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

NUMBER_WORDS = {
    "a": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14,
    "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19, "twenty": 20,
    "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80,
    "ninety": 90, "hundred": 100, "thousand": 1e3, "million": 1e6, "billion": 1e9,
}  # fmt: skip
STOPWORDS = (
    frozenset(
        """a an the and or but if of to in on at by for from with without into onto over under about
    as than then that this these those there here it its is are was were be been being am do does
    did done have has had having will would shall should can could may might must not no nor so
    such too very just also only even still yet ever again both each either neither all any some
    most more less few many much other another own same he she they we you i me him her them us
    our your their his hers theirs my who whom whose which what when where why how while during
    before after since until till up down out off per via between among against across through
    toward towards within upon amid despite including like near behind beyond along around
    said says say told according""".split()
    )
    | NUMBER_WORDS.keys()
)


@dataclass(frozen=True)
class Quantity:
    text: str  # as written, with any approximation word ("more than 1,000")
    value: float
    unit: str  # "%", a currency symbol, or ""
    head: str  # the noun counted, crudely singular ("warhead"), or ""
    bound: str  # "=" exact, "~" about, "<~" nearly, ">" more than, "<" less than
    start: int  # where the number itself is in the sentence
    end: int


@dataclass(frozen=True)
class Moment:
    text: str  # as written, with a leading "since"/"before"/... when there is one
    kind: str  # "date" | "weekday" | "time"
    start: int  # where the value itself is in the sentence
    end: int
    year: int | None = None
    month: int | None = None
    day: int | None = None
    weekday: int | None = None
    minute: int | None = None  # after midnight; in UTC when zone == "UTC"
    zone: str = ""  # "UTC" (converted), another label ("local time"), or "" when none is given
    relation: str = "="  # "=", "since", "~", "<~", ">~", "<", ">"


_POSSESSIVE = re.compile(r"['’]s$")


def lemma(word: str) -> str:
    """Lower case, no possessive, crude singular: "Warheads" → "warhead", "ties" → "tie"."""
    w = _POSSESSIVE.sub("", word.lower().rstrip("."))
    if len(w) > 4 and w.endswith("ies"):
        return w[:-3] + "y"
    if len(w) > 3 and w.endswith("s") and not w.endswith(("ss", "us", "is")):
        return w[:-1]
    return w


# --- dates and times ---------------------------------------------------------------------------

_MONTH = (
    r"(?P<mon>Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?"
    r"|Sept?(?:ember)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\b\.?"
)
_MONTH_FULL = (
    r"(?P<mon>January|February|March|April|May|June|July|August|September|October|November"
    r"|December)\b"
)
_YEAR = r"(?P<year>[0-9]{4})(?![\w%])"
_DAY = r"(?<![\w.,:])(?P<day>[0-9]{1,2})(?:st|nd|rd|th)?\b"
_YEAR_ONLY = (  # a bare year: not "2000 percent", "1,999", "2015-16" or "2019s"
    r"(?P<year>1[89][0-9]{2}|20[0-9]{2}|2100)"
    r"(?![\w%/]|[.,][0-9]|[-–][0-9]|\s?(?:percent|per cent|thousand|million|billion)\b)"
)
_DATES = [
    re.compile(r"(?<![\w.-])(?P<year>[0-9]{4})-(?P<mon>[0-9]{2})-(?P<day>[0-9]{2})(?![\w-])"),
    re.compile(rf"\b{_MONTH}\s+{_DAY}(?:,?\s+{_YEAR})?"),
    re.compile(rf"{_DAY}\s+(?:of\s+)?{_MONTH}(?:,?\s+{_YEAR})?"),
    re.compile(rf"(?:\b(?P<part>early|mid|late)[-\s]+)?\b{_MONTH},?\s+(?:of\s+)?{_YEAR}"),
    re.compile(
        r"\b(?:in|by|on|since|until|from|before|after|during|early|late|mid|last|next|this)[\s-]+" + _MONTH_FULL
    ),
    re.compile(rf"\b(?P<part>early|mid|late)[-\s]+{_YEAR_ONLY}"),
    re.compile(rf"(?<![\w$€£¥.,/\-–]){_YEAR_ONLY}"),
]
_WEEKDAY = re.compile(r"\b(Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)\b")
_WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_ZONES = {
    "GMT": 0, "UTC": 0, "BST": 60, "CET": 60, "CEST": 120, "EET": 120, "EEST": 180,
    "MSK": 180, "IST": 330, "CST": -360, "CDT": -300, "EST": -300, "EDT": -240, "ET": -300,
    "MST": -420, "MDT": -360, "PST": -480, "PDT": -420, "PT": -480, "AKST": -540, "AKDT": -480,
    "HKT": 480, "JST": 540, "AEST": 600, "AEDT": 660,
}  # fmt: skip
_ZONE = r"(?:\s*\(?\s*(?P<zone>" + "|".join(_ZONES) + r"|local time|[A-Z][a-z]+ time)\b)?"
_TIME = re.compile(
    r"(?<![\w.:,])(?:(?P<h>[0-9]{1,2})(?::(?P<m>[0-5][0-9]))?\s*(?P<ampm>(?i:[ap]))\.?(?i:m)\b\.?"
    r"|(?P<h24>[01]?[0-9]|2[0-3]):(?P<m24>[0-5][0-9])(?![\w:])|(?P<word>(?i:noon|midnight))\b)" + _ZONE
)
_RELATION = re.compile(
    r"\b(shortly before|just before|shortly after|just after|before|by|until|till|after|from"
    r"|since|around|about|approximately|roughly|some|nearly|almost)\s+(?:the\s+)?$",
    re.I,
)
_RELATIONS = {
    "shortly before": "<~", "just before": "<~", "shortly after": ">~", "just after": ">~",
    "before": "<", "by": "<", "until": "<", "till": "<", "after": ">", "from": ">",
    "since": "since", "nearly": "<~", "almost": "<~",
}  # fmt: skip
_VALUE_GROUPS = ("part", "year", "mon", "day")


def _moment(text: str, start: int, end: int, kind: str, **fields) -> Moment:
    m = _RELATION.search(text, max(0, start - 20), start)
    relation = _RELATIONS.get(m.group(1).lower(), "~") if m else "="
    return Moment(text[m.start() if m else start : end], kind, start, end, relation=relation, **fields)


def _date_fields(m: re.Match) -> dict | None:
    g = m.groupdict()
    year = int(g["year"]) if g.get("year") else None
    mon = g.get("mon")
    month = (int(mon) if mon.isdigit() else _month_number(mon)) if mon else None
    day = int(g["day"]) if g.get("day") else None
    if (year and not 1800 <= year <= 2100) or (month and not 1 <= month <= 12):
        return None
    if day is not None and not 1 <= day <= 31:
        return None
    return {"year": year, "month": month, "day": day}


def _month_number(name: str) -> int:
    return "jan feb mar apr may jun jul aug sep oct nov dec".split().index(name[:3].lower()) + 1


def _clock(m: re.Match) -> tuple[int, str] | None:
    """Minutes after midnight (UTC when the zone is known) and the zone label."""
    if m.group("word"):
        minute = 720 if m.group("word").lower() == "noon" else 0
    elif m.group("ampm"):
        hour = int(m.group("h"))
        if not 1 <= hour <= 12:
            return None
        minute = (hour % 12 + (12 if m.group("ampm").lower() == "p" else 0)) * 60
        minute += int(m.group("m") or 0)
    else:
        minute = int(m.group("h24")) * 60 + int(m.group("m24"))
    zone = m.group("zone") or ""
    if zone in _ZONES:
        return (minute - _ZONES[zone]) % 1440, "UTC"
    return minute, zone.lower()


def _free(taken: list[tuple[int, int]], start: int, end: int) -> bool:
    return all(end <= a or start >= b for a, b in taken)


@lru_cache(maxsize=4096)
def moments(text: str) -> tuple[Moment, ...]:
    """Every clock time, date (year, month and day as far as given) and weekday in text."""
    found: list[Moment] = []
    for m in _TIME.finditer(text):
        if clock := _clock(m):
            found.append(_moment(text, *m.span(), "time", minute=clock[0], zone=clock[1]))
    for pattern in _DATES:
        for m in pattern.finditer(text):
            start = min(m.start(g) for g in _VALUE_GROUPS if g in m.re.groupindex and m.group(g))
            fields = _date_fields(m)
            if fields and _free([(f.start, f.end) for f in found], start, m.end()):
                found.append(_moment(text, start, m.end(), "date", **fields))
    for m in _WEEKDAY.finditer(text):
        found.append(_moment(text, *m.span(), "weekday", weekday=_WEEKDAYS.index(m.group(1))))
    return tuple(sorted(found, key=lambda m: m.start))


# --- quantities --------------------------------------------------------------------------------

_NUMBER = re.compile(
    r"(?:(?P<cur>US\$|[$€£¥])\s?)?(?<![\w.,/\-])(?P<num>[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)"
    r"(?P<frac>\.[0-9]+)?(?P<pct>\s?%|\s(?:percent|per cent)\b)?"
    r"(?P<mag>\s(?:thousand|million|billion|trillion)\b|(?:bn|mn|m|k|tn)\b)?(?![\w\-/]|[.,][0-9])"
)
_WORD_ALTS = "|".join(sorted((w for w in NUMBER_WORDS if w != "a"), key=len, reverse=True))
_NUMBER_IN_WORDS = re.compile(
    rf"(?<![\w\-])(?:a\s+(?=(?:hundred|thousand|million|billion)\b))?(?:{_WORD_ALTS})"
    rf"(?:[\s-]+(?:{_WORD_ALTS}))*\b(?![\-'’]\w)",
    re.I,
)
_MAGNITUDES = {"thousand": 1e3, "k": 1e3, "million": 1e6, "m": 1e6, "mn": 1e6, "billion": 1e9,
               "bn": 1e9, "trillion": 1e12, "tn": 1e12}  # fmt: skip
_CURRENCY_WORDS = {"dollar": "$", "usd": "$", "euro": "€", "eur": "€", "pound": "£",
                   "gbp": "£", "yen": "¥", "yuan": "¥", "ruble": "₽", "rouble": "₽"}  # fmt: skip
_APPROX = re.compile(
    r"\b(about|around|roughly|approximately|some|close to|nearly|almost|just under|more than"
    r"|over|above|upwards of|exceeding|just over|at least|less than|fewer than|under|below"
    r"|at most|up to)\s+$",
    re.I,
)
_BOUNDS = {"nearly": "<~", "almost": "<~", "just under": "<~", "more than": ">", "over": ">",
           "above": ">", "upwards of": ">", "exceeding": ">", "just over": ">", "at least": ">",
           "less than": "<", "fewer than": "<", "under": "<", "below": "<", "at most": "<",
           "up to": "<"}  # fmt: skip
_IRREGULAR_PLURALS = frozenset("people children men women police staff personnel cattle".split())
_NOUN = re.compile(r"\s+([^\W\d_][\w'’\-]*)")
_ID_BEFORE = re.compile(r"(?:\b([A-Z][\w\-]*)|No\.|#)\s*$")


def _head_noun(text: str, pos: int) -> str:
    """The noun a number counts: the first plural in the short phrase after it, else that
    phrase's last word ("1,550 deployed strategic warheads" → "warhead", "80 goals last season"
    → "goal", "a 25% chance" → "chance")."""
    words: list[str] = []
    for _ in range(3):
        m = _NOUN.match(text, pos)
        if not m:
            break
        raw = m.group(1).lower()
        word = lemma(raw)
        if word in STOPWORDS or (words and word.endswith(("ed", "ly"))):
            break
        if raw in _IRREGULAR_PLURALS or (word != raw and not _POSSESSIVE.search(raw)):
            return word
        words.append(word)
        pos = m.end()
    return words[-1] if words else ""


def _is_identifier(text: str, start: int, end: int) -> bool:
    """A number named by the capitalised word before it: "Article 5", "Boeing 737", "No. 3".
    At the start of a sentence the word may just be capitalised ("Exactly 12 jurors sat")."""
    m = _ID_BEFORE.search(text, max(0, start - 30), start)
    if not m:
        return False
    word = (m.group(1) or "").lower()
    if word in STOPWORDS or word.capitalize() in _WEEKDAYS or _APPROX.search(word + " "):
        return False
    opens_sentence = text[max(0, m.start() - 4) : m.start()].rstrip()[-1:] in '.!?"“:'
    return not (word and opens_sentence and _head_noun(text, end))


def _quantity(text: str, start: int, end: int, value: float, unit: str) -> Quantity:
    head = _head_noun(text, end)
    if head in _CURRENCY_WORDS:
        unit, head = unit or _CURRENCY_WORDS[head], ""
    m = _APPROX.search(text, max(0, start - 16), start)
    bound = _BOUNDS.get(m.group(1).lower(), "~") if m else "="
    return Quantity(text[m.start() if m else start : end], value, unit, head, bound, start, end)


def _digits(text: str, m: re.Match) -> Quantity | None:
    plain = not (m.group("cur") or m.group("pct") or m.group("mag"))
    if plain and _is_identifier(text, m.start(), m.end()):
        return None
    value = float(m.group("num").replace(",", "") + (m.group("frac") or ""))
    mag = (m.group("mag") or "").strip().lower()
    value *= _MAGNITUDES.get(mag, 1)
    unit = "%" if m.group("pct") else (m.group("cur") or "").replace("US$", "$")
    return _quantity(text, m.start(), m.end(), value, unit)


def _words(text: str, m: re.Match) -> Quantity | None:
    words = re.split(r"[\s-]+", m.group().lower())
    capitalised_inside = m.group()[0].isupper() and m.start() > 0
    if capitalised_inside and text[max(0, m.start() - 4) : m.start()].rstrip()[-1:] in '.!?"“:':
        capitalised_inside = False  # the first word of a sentence
    if words == ["one"] or capitalised_inside:  # "Formula One", "the Three Gorges"
        return None
    total = current = 0.0
    for word in words:
        n = NUMBER_WORDS[word]
        if n == 100:
            current = max(current, 1) * 100
        elif n >= 1000:
            total, current = total + max(current, 1) * n, 0
        else:
            current += n
    return _quantity(text, m.start(), m.end(), total + current, "")


@lru_cache(maxsize=4096)
def quantities(text: str) -> tuple[Quantity, ...]:
    """Every quantity in text: numerals and number words, not years, dates, times or ids."""
    taken: list = [(m.start, m.end) for m in moments(text)]
    found = []
    for pattern, parse in ((_NUMBER, _digits), (_NUMBER_IN_WORDS, _words)):
        for m in pattern.finditer(text):
            if _free(taken, *m.span()) and (q := parse(text, m)) is not None:
                found.append((m.start(), q))
                taken.append(m.span())
    return tuple(q for _, q in sorted(found, key=lambda f: f[0]))
