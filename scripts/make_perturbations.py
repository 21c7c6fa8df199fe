#!/usr/bin/env python3
"""Build eval/perturbations/ from the sample corpus: real sentences, the same sentences with one
value swapped, and sentences the corpus never addresses.

    .venv/bin/python scripts/make_perturbations.py [--out eval/perturbations] [--corpus DIR]

Deterministic: a fixed seed, inputs read in sorted order, no set iteration reaches the output.
The committed eval/perturbations/ must equal a fresh run (tests/unit/test_eval_datasets.py).

Three kinds of claim, about a third each:

* single-source: a corpus sentence as it stands. Only sentences holding a checkable value (a
  number, date, person, proper noun or quotation) that no other article contains, with no
  similar sentence in another article, and with none of the phrases the articles are known to
  disagree on (KNOWN_CONFLICTS). Evidence: the one article.
* contradicted: a corpus sentence with one number, date, person's name or role swapped by a
  general rule (number scaled or shifted and written the same way; year +-1..9; month to another
  month; role title to another title of the same kind; a person's name to that of another person
  in the corpus who holds a different role). Evidence: the article the sentence comes from, then
  any other article that holds the same value (it states the fact the swap falsifies).
* unverified: hand-written sentences, off-topic or on-topic but absent from every article.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from factcheck.corpus.chunking import split_sentences  # noqa: E402

SEED = 20251115
DEFAULT_CORPUS = REPO / "examples" / "alaska-summit"
DEFAULT_OUT = REPO / "eval" / "perturbations"

# Phrases on which the sample articles disagree (see eval/alaska-summit/claims.jsonl): a sentence
# holding one is contradicted as it stands, so it is used for nothing here.
KNOWN_CONFLICTS = (
    "President Donald Trump",  # 000/002 "former President" vs 001/003/004 "U.S. President"
    "for the president",  # 001: Leavitt calls Trump "the president"
    "return to the White House",  # 003: Trump in office
    "surprise visit",  # 002 vs 001/003/004: a long-prepared summit
    "months of diplomatic efforts",  # 004 vs 002
    "GMT",  # 001 talks scheduled for 19:30 GMT vs 004 under way before 19:00 GMT
    "full ceasefire",  # 002 vs 001/003
    "phased ceasefire",  # 003 vs 001/002
    "full military objectives",  # 001 vs 002/003
)
# A photo caption run into the following sentence; not a sentence a reporter wrote.
CAPTION_MARKERS = ("Fist bump",)

MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September",
          "October", "November", "December")  # fmt: skip
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
CARDINALS = ("two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven",
             "twelve")  # fmt: skip
ORDINALS = ("second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth", "tenth")

# Role titles, by kind; a role is only ever swapped for one of the same kind and a different
# group (titles in one group name the same job: a US "Secretary of State" is a foreign minister).
ROLE_KINDS: dict[str, list[tuple[str, ...]]] = {
    "office": [
        ("Foreign Minister", "Secretary of State"),
        ("Defence Minister", "Defense Minister", "Defense Secretary"),
        ("Finance Minister", "Treasury Secretary"),
        ("Energy Minister",),
        ("Justice Minister", "Attorney General"),
        ("Economy Minister", "Commerce Secretary"),
        ("Deputy Foreign Minister",),
        ("Ambassador",),
    ],
    "staff": [
        ("spokesman", "spokeswoman", "press secretary"),
        ("special envoy",),
        ("foreign policy aide",),
        ("chief of staff",),
        ("national security adviser",),
        ("economic adviser",),
    ],
}
HEAD_OF_STATE = ("President", "Prime Minister", "Vice President")
_ROLE_ALTS = sorted(
    [t for groups in ROLE_KINDS.values() for g in groups for t in g] + list(HEAD_OF_STATE),
    key=len,
    reverse=True,
)
NAME = r"[A-Z][a-z]+(?: [A-Z][a-z]+){1,2}"
# "<role> [to the X] <Name Name>", e.g. "Ambassador to the U.S. Alexander Darchiev".
PERSON = re.compile(
    r"\b(?P<role>(?i:" + "|".join(map(re.escape, _ROLE_ALTS)) + r")(?: to (?:the )?[A-Z][\w.]*)?)"
    r" (?P<name>" + NAME + r")\b"
)
YEAR = re.compile(r"(?<![\w,.])(1[89]\d\d|20\d\d)(?!\w|,\d)")
MONTH = re.compile(r"\b(" + "|".join(MONTHS) + r")\b")
WEEKDAY = re.compile(r"\b(" + "|".join(WEEKDAYS) + r")\b")
NUMBER = re.compile(r"(?<![\w:.,$])(\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?)(%?)(?![\w:]|,\d)")
NUMBER_WORD = re.compile(r"\b(" + "|".join(CARDINALS + ORDINALS) + r")\b(?!-)", re.IGNORECASE)
DETERMINER = re.compile(r"\b(?:the|their|these|those|both)\s+$", re.IGNORECASE)
QUOTE = re.compile(r"“([^”]{3,})”")
PROPER = re.compile(r"(?<![“\"‘])\b[A-Z][a-z]+(?:(?: of| on| the)* [A-Z][a-z]+)*")
# A section heading run into the next sentence: "…Political SignificanceKremlin spokesman …".
# Capitalised only because they open a sentence or a clause; not part of a name.
LEADING_NOT_NAMES = frozenset(
    "A An And As At Beyond But By During Even For From He If In It Its Of On She So Such The Their"
    " There These They This Those To We When While With Within Without Former President Russian"
    " Ukrainian American European Western".split()
)
PRONOUN = re.compile(r"\b(?:he|she|they|their|he’s|she’s|they’re)\b", re.IGNORECASE)
SHINGLE = 4
MAX_SWAPS_PER_SENTENCE = 3
RUN_IN_HEADING = re.compile(r"^.*?[a-z](?=[A-Z][a-z])")
WORD = re.compile(r"[\w’'-]+")
STOPWORDS = frozenset(
    "about after also although among and another any are because been before being between both"
    " but can could did does down during each even from further had has have having here into its"
    " itself more most much must near next not now off once only other over same should since"
    " some such than that their them then there these they this those though through under until"
    " upon very was were what when where which while who whom will with would your said says".split()
)


@dataclass(frozen=True)
class Doc:
    id: str
    text: str
    sentences: tuple[str, ...]


@dataclass(frozen=True)
class Value:
    kind: str  # number | date | name | role | entity | quote
    text: str
    start: int
    end: int
    key: str  # what another article would have to contain to state the same value
    person: str = ""  # for a role: whose role it is


def load(corpus: Path) -> list[Doc]:
    docs = []
    for path in sorted(corpus.glob("*.txt")):
        text = path.read_text(encoding="utf-8")
        sentences = []
        for a, b in split_sentences(text):
            s = RUN_IN_HEADING.sub("", text[a:b]) if RUN_IN_HEADING.match(text[a:b]) else text[a:b]
            sentences.append(s)
        docs.append(Doc(path.stem, text, tuple(sentences)))
    return docs


def usable(sentence: str) -> bool:
    return (
        40 <= len(sentence) <= 320
        and sentence[-1] in '.”"?!'
        and not any(p in sentence for p in KNOWN_CONFLICTS + CAPTION_MARKERS)
    )


def find_values(sentence: str) -> list[Value]:
    values: list[Value] = []
    taken: list[tuple[int, int]] = []

    def add(v: Value) -> None:
        if not any(v.start < b and a < v.end for a, b in taken):
            values.append(v)
            taken.append((v.start, v.end))

    for m in PERSON.finditer(sentence):
        role, name = m.group("role"), m.group("name")
        if role.split()[0] not in HEAD_OF_STATE and role.lower() not in ("president", "prime minister"):
            add(Value("role", role, m.start("role"), m.end("role"), name, person=name))
        add(Value("name", name, m.start("name"), m.end("name"), name))
    for m in MONTH.finditer(sentence):
        add(Value("date", m.group(), m.start(), m.end(), m.group()))
    for m in WEEKDAY.finditer(sentence):
        add(Value("date", m.group(), m.start(), m.end(), m.group()))
    for m in YEAR.finditer(sentence):
        add(Value("date", m.group(), m.start(), m.end(), m.group()))
    for m in NUMBER.finditer(sentence):
        before = sentence[: m.start()].rstrip().split(" ")[-1]
        if before in MONTHS:  # the day of a date, "February 5"
            continue
        add(Value("number", m.group(), m.start(), m.end(), _with_next_words(sentence, m)))
    for m in NUMBER_WORD.finditer(sentence):
        if DETERMINER.search(sentence[: m.start()]):  # "the two leaders": a known pair
            continue
        add(Value("number", m.group(), m.start(), m.end(), _with_next_words(sentence, m)))
    for m in QUOTE.finditer(sentence):
        if len(WORD.findall(m.group(1))) >= SHINGLE:  # shorter ones are mere characterisations
            add(Value("quote", m.group(1), m.start(1), m.end(1), m.group(1)))
    for m in PROPER.finditer(sentence):
        words = m.group().split()
        while words and (words[0] in LEADING_NOT_NAMES or words[0] in ("Ambassador", "Secretary")):
            words = words[1:]
        at_start = not sentence[: m.start()].strip(' “"‘')
        if not words or (at_start and len(words) == 1 and words == m.group().split()):
            continue
        key = " ".join(words)
        add(Value("entity", key, m.end() - len(key), m.end(), key))
    return sorted(values, key=lambda v: v.start)


def _with_next_words(sentence: str, m: re.Match[str]) -> str:
    """A number with the two words after it ("1,550 deployed strategic"): what it counts."""
    return " ".join([m.group(), *WORD.findall(sentence[m.end() :])[:2]])


def holders(key: str, docs: list[Doc]) -> list[str]:
    """Ids of the documents that contain key (case-insensitive, whole words)."""
    pattern = re.compile(r"(?<!\w)" + re.escape(key) + r"(?!\w)", re.IGNORECASE)
    return [d.id for d in docs if pattern.search(d.text)]


def _shingles(text: str) -> set[tuple[str, ...]]:
    words = [w.lower() for w in WORD.findall(text)]
    return {tuple(words[i : i + SHINGLE]) for i in range(len(words) - SHINGLE + 1)}


def stated_elsewhere(v: Value, doc: Doc, docs: list[Doc]) -> list[str]:
    """The other documents holding the same value; for a quotation, any run of SHINGLE of its
    words (a paraphrase that keeps the phrase states the same thing)."""
    if v.kind == "quote":
        mine = _shingles(v.text)
        return [d.id for d in docs if d.id != doc.id and mine & _shingles(d.text)]
    return [d for d in holders(v.key, docs) if d != doc.id]


def content_words(sentence: str) -> set[str]:
    return {w for w in (x.lower().strip("’'-") for x in WORD.findall(sentence)) if len(w) >= 4 and w not in STOPWORDS}


def similar_elsewhere(sentence: str, doc: Doc, docs: list[Doc]) -> str | None:
    """A sentence of another article sharing at least 40% of this one's content words."""
    mine = content_words(sentence)
    for other in docs:
        if other.id == doc.id:
            continue
        for s in other.sentences:
            if mine and len(mine & content_words(s)) / len(mine) >= 0.4:
                return f"{other.id}: {s}"
    return None


# ---------------------------------------------------------------------------- swaps


def swap_number(text: str, rng: random.Random) -> str:
    low = text.lower()
    for words in (CARDINALS, ORDINALS):
        if low in words:
            choice = rng.choice([w for w in words if w != low])
            return choice.capitalize() if text[0].isupper() else choice
    percent = text.endswith("%")
    digits = text.rstrip("%")
    commas = "," in digits
    value = float(digits.replace(",", ""))
    decimals = len(digits.split(".")[1]) if "." in digits else 0
    stripped = digits.replace(",", "").split(".")[0]
    step = 10 ** min(len(stripped) - len(stripped.rstrip("0")), 3) if decimals == 0 else 1
    step = max(step, 10 if value >= 1000 else 1)
    while True:
        if rng.random() < 0.5:
            factor = rng.uniform(1.2, 2.0)
            new = value * factor if rng.random() < 0.5 else value / factor
        else:
            new = value + rng.choice([-1, 1]) * max(1.0, value * rng.uniform(0.1, 0.5))
        if percent:
            new = min(max(new, 1), 99)
        new = round(new / step) * step if decimals == 0 else round(new, decimals)
        if new > 0 and new != value:
            break
    body = f"{new:,.{decimals}f}" if commas else f"{new:.{decimals}f}"
    return body + ("%" if percent else "")


def swap_date(text: str, newest: int, rng: random.Random) -> str:
    """Another month or weekday; a year moved by 1-9, backwards where forwards would pass the
    newest year the corpus mentions (no "talks since 2028")."""
    if text in MONTHS:
        return rng.choice([m for m in MONTHS if m != text])
    if text in WEEKDAYS:
        return rng.choice([d for d in WEEKDAYS if d != text])
    year, shift = int(text), rng.choice([-1, 1]) * rng.randint(1, 9)
    if year + shift > max(newest, year):
        shift = -abs(shift)
    return str(year + shift)


def role_group(title: str) -> tuple[str, tuple[str, ...]] | None:
    base = title.split(" to ")[0].lower()
    for kind, groups in ROLE_KINDS.items():
        for g in groups:
            if base in (t.lower() for t in g):
                return kind, g
    return None


def swap_role(value: Value, sentence: str, used: Counter[str], rng: random.Random) -> str | None:
    """Another title of the same kind, not one the sentence already holds; the least used so far
    first, so the swaps do not all land on one title."""
    found = role_group(value.text)
    if found is None:
        return None
    kind, group = found
    in_sentence = sentence.lower()
    options = [g[0] for g in ROLE_KINDS[kind] if g != group and not any(t.lower() in in_sentence for t in g)]
    if not options:
        return None
    fewest = min(used[o.lower()] for o in options)
    new = rng.choice([o for o in options if used[o.lower()] == fewest])
    return new if value.text[0].isupper() or kind == "office" else new.lower()


def people(docs: list[Doc]) -> dict[str, str]:
    """Every "<role> <Name>" in the corpus: name -> role (the first seen)."""
    found: dict[str, str] = {}
    for d in docs:
        for m in PERSON.finditer(d.text):
            found.setdefault(m.group("name"), m.group("role"))
    return found


def swap_name(value: Value, sentence: str, cast: dict[str, str], rng: random.Random) -> str | None:
    mine = role_group(cast.get(value.text, ""))
    if mine is None:  # a head of state: "Ukrainian President <envoy>" is no test of reading
        return None
    options = []
    for name, role in cast.items():
        if name == value.text or name in sentence or name.split()[-1] in sentence:
            continue
        if role.split()[0] in HEAD_OF_STATE or role.lower() in ("president", "prime minister"):
            continue  # a head of state in a minister's chair is not a plausible slip
        theirs = role_group(role)
        if theirs is not None and theirs == mine:
            continue
        options.append(name)
    return rng.choice(options) if options else None


# ---------------------------------------------------------------------------- claims

OFF_TOPIC = [
    "Water boils at 100 degrees Celsius at sea level.",
    "The Amazon River empties into the Atlantic Ocean.",
    "Mount Kilimanjaro is the highest mountain in Africa.",
    "Risotto is traditionally made with short-grain rice such as Arborio.",
    "Argentina won the 2022 FIFA World Cup final on penalties.",
    "Sunlight takes a little over eight minutes to reach the Earth.",
    "Canberra, not Sydney, is the capital of Australia.",
    "A marathon is 42.195 kilometres long.",
    "Photosynthesis turns carbon dioxide and water into glucose and oxygen.",
    "Sourdough bread is leavened by a fermented starter of flour and water.",
    "The Danube flows through four European capitals.",
    "Roger Federer won eight Wimbledon singles titles.",
    "Mayonnaise is an emulsion of oil, egg yolk and an acid such as lemon juice.",
    "The Sahara is the largest hot desert on Earth.",
    "A regulation basketball hoop hangs ten feet above the floor.",
    "Saffron is harvested from the stigmas of the crocus flower.",
    "Jupiter is the largest planet in the Solar System.",
]
ON_TOPIC_ABSENT = [
    "Trump and Putin signed a memorandum on Arctic shipping routes at the Anchorage summit.",
    "The U.S. Treasury announced $3.2 billion in new sanctions on Russian oil exporters the week before the summit.",
    "Alaska Governor Mike Dunleavy greeted Putin when his plane landed in Anchorage.",
    "Vice President JD Vance took part in the expanded negotiations with the Russian delegation.",
    "About 1,200 journalists were accredited to cover the summit in Anchorage.",
    "Chinese President Xi Jinping sent an envoy to observe the Alaska talks.",
    "The Kremlin announced a prisoner exchange involving eight detained Americans after the summit.",
    "Russia agreed at the summit to reopen its consulate in Seattle.",
    "Putin flew to Alaska aboard an Il-96 presidential aircraft escorted by U.S. fighter jets.",
    "Hundreds of protesters waving Ukrainian flags gathered outside the base gates during the talks.",
    "Denali, in Alaska, is the highest peak in North America.",
    "The European Union's foreign policy chief called the summit a betrayal of Ukraine.",
]


def build(docs: list[Doc], rng: random.Random) -> list[dict]:
    cast = people(docs)
    newest = max(int(y) for d in docs for y in YEAR.findall(d.text))
    as_is: list[dict] = []
    chances: dict[tuple[str, str], list[tuple[Doc, str, Value]]] = {}
    for doc in docs:
        for sentence in doc.sentences:
            if not usable(sentence):
                continue
            values = find_values(sentence)
            unique = [v for v in values if not stated_elsewhere(v, doc, docs)]
            if unique and not similar_elsewhere(sentence, doc, docs):
                shown = "; ".join(f"{v.kind} “{v.text}”" for v in unique)
                note = (
                    f"Sentence of {doc.id} as written. Found in no other article: {shown};"
                    " no other article has a similar sentence."
                )
                difficulty = "easy"
                if PRONOUN.search(sentence):  # who "he" is, only the article's context says
                    difficulty = "medium"
                    note += " Its pronoun is resolved only by the article's context."
                as_is.append(claim(sentence, "single-source", [doc.id], difficulty, "corpus-sentence", note))
            for v in values:
                if v.kind in ("number", "date", "name", "role"):
                    chances.setdefault((v.kind, v.key.lower()), []).append((doc, sentence, v))

    # Each value is falsified once; a number or date twice (a second sentence holding it where
    # there is one), as those are what a reader most often gets subtly wrong.
    swapped: list[dict] = []
    per_sentence: Counter[str] = Counter()
    made: dict[tuple[str, str], list[tuple[str, str]]] = {}  # value -> (sentence, new) done
    roles_used: Counter[str] = Counter()
    order = list(chances.items())
    rng.shuffle(order)
    rounds = [order, [(k, p) for k, p in order if k[0] in ("number", "date")]]
    for todo in rounds:
        for (kind, key), places in todo:
            done = made.setdefault((kind, key), [])
            places = [p for p in places if per_sentence[p[1]] < MAX_SWAPS_PER_SENTENCE]
            fresh = [p for p in places if p[1] not in {s for s, _ in done}]
            places = fresh or places
            if not places:
                continue
            doc, sentence, v = places[rng.randrange(len(places))]
            if kind == "number":
                new, origin = swap_number(v.text, rng), "perturbation:number"
            elif kind == "date":
                new, origin = swap_date(v.text, newest, rng), "perturbation:date"
            elif kind == "role":
                new, origin = swap_role(v, sentence, roles_used, rng), "perturbation:role"
            else:
                new, origin = swap_name(v, sentence, cast, rng), "perturbation:name"
            if new is None or new == v.text or new in {n for _, n in done}:
                continue
            done.append((sentence, new))
            if kind == "role":
                roles_used[new.lower()] += 1
            text = sentence[: v.start] + new + sentence[v.end :]
            per_sentence[sentence] += 1
            others = stated_elsewhere(v, doc, docs)
            what = {"role": f"role of {v.person}", "name": "person"}.get(kind, kind)
            note = f"{what} {v.text} → {new} in a sentence of {doc.id}: “{sentence}”"
            if others:
                note += f" The same {what} ({v.key}) is also stated in {', '.join(others)}."
            difficulty = "medium" if kind in ("number", "date") else "hard"
            swapped.append(claim(text, "contradicted", [doc.id, *others], difficulty, origin, note))

    absent = [
        claim(s, "unverified", [], "easy", "hand-written:off-topic", "Off-topic; no article touches it.")
        for s in OFF_TOPIC
    ] + [
        claim(
            s,
            "unverified",
            [],
            "medium",
            "hand-written:absent",
            "On-topic but absent: no article mentions it (checked against all five).",
        )
        for s in ON_TOPIC_ABSENT
    ]
    claims = as_is + swapped + absent
    rng.shuffle(claims)
    for i, c in enumerate(claims, 1):
        c["id"] = f"pt-{i:03d}"
    return [{"id": c.pop("id"), **c} for c in claims]


def claim(text: str, label: str, evidence: list[str], difficulty: str, origin: str, notes: str) -> dict:
    return {
        "claim": text,
        "label": label,
        "evidence": evidence,
        "difficulty": difficulty,
        "origin": origin,
        "notes": notes,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="dataset folder to write")
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS, help="articles to draw from")
    args = parser.parse_args(argv)

    docs = load(args.corpus)
    claims = build(docs, random.Random(SEED))

    corpus_out = args.out / "corpus"
    corpus_out.mkdir(parents=True, exist_ok=True)
    for old in sorted(corpus_out.glob("*")):
        old.unlink()
    for path in sorted(args.corpus.glob("*.txt")):
        (corpus_out / path.name).write_bytes(path.read_bytes())
    with (args.out / "claims.jsonl").open("w", encoding="utf-8", newline="\n") as f:
        for c in claims:
            f.write(json.dumps(c, ensure_ascii=False) + "\n")

    counts = Counter(c["label"] for c in claims)
    origins = Counter(c["origin"] for c in claims)
    print(f"{len(claims)} claims in {args.out / 'claims.jsonl'}")
    for label in ("supported", "single-source", "contradicted", "unverified"):
        print(f"  {label:<14} {counts.get(label, 0)}")
    for origin, n in sorted(origins.items()):
        print(f"  origin {origin:<24} {n}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
