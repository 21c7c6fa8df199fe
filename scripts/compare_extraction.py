"""How well each way of reading a news page keeps the article and drops the furniture around it.

For every page in tests/fixtures/pages/ with a NAME.expected.json beside it (the article's
paragraphs, its metadata, and phrases of boilerplate), and for each method:

  old parser   BeautifulSoup over the whole page, less nav/header/footer/aside (before trafilatura)
  trafilatura  trafilatura alone on the raw page, with the settings factcheck uses
  fallback     the old parser after factcheck removes what it recognises as boilerplate
               (what a page gets when trafilatura finds no article in it)
  factcheck    the whole path ingest takes: parse_document(..., kind=".html")

it prints the characters extracted, the share of the article's paragraphs recovered, the share of
the extracted characters that are neither article nor neutral (byline, caption: listed in the
expected file), and how many of the listed boilerplate phrases survived.

    .venv/bin/python scripts/compare_extraction.py
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path

from bs4 import BeautifulSoup

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from factcheck.corpus import boilerplate, html  # noqa: E402
from factcheck.corpus.reader import parse_document  # noqa: E402

PAGES = REPO / "tests" / "fixtures" / "pages"


def old_parser(markup: str) -> str:
    return html.basic_text(markup)[1]


def trafilatura_alone(markup: str) -> str:
    extracted = html.main_text(markup)
    return extracted.text if extracted else ""


def fallback(markup: str) -> str:
    soup = BeautifulSoup(markup, "html.parser")
    boilerplate.remove_furniture(soup)
    boilerplate.remove_link_lists(soup)
    return html.page_text(soup)


def factcheck(markup: str) -> str:
    return parse_document(markup.encode("utf-8"), source="page", doc_id="page", kind=".html").text


METHODS: dict[str, Callable[[str], str]] = {
    "old parser": old_parser,
    "trafilatura": trafilatura_alone,
    "fallback": fallback,
    "factcheck": factcheck,
}


def squash(text: str) -> str:
    return " ".join(text.split())


def measure(text: str, expected: dict) -> tuple[int, float, float, int]:
    """Characters, share of paragraphs recovered, share of characters that are boilerplate, and
    how many boilerplate phrases survived."""
    flat = squash(text)
    paragraphs = [squash(p) for p in expected["paragraphs"]]
    recovered = sum(p in flat for p in paragraphs) / len(paragraphs)
    content = [*paragraphs, squash(expected["title"]), *map(squash, expected.get("neutral", []))]
    lines = [squash(line) for line in text.splitlines() if line.strip()]
    other = sum(len(line) for line in lines if not any(line in c or c in line for c in content))
    survived = sum(phrase in flat for phrase in expected["boilerplate"])
    return len(flat), recovered, other / max(1, sum(map(len, lines))), survived


def metadata_row(markup: str, expected: dict) -> str:
    doc = parse_document(markup.encode("utf-8"), source="page", doc_id="page", kind=".html")
    checks = {
        "title": doc.title == expected["title"],
        "date": (doc.published.isoformat() if doc.published else None) == expected["published"],
        "authors": list(doc.authors) == expected["authors"],
        "site": doc.site == expected["site"],
    }
    return "  ".join(f"{key} {'ok' if ok else 'WRONG'}" for key, ok in checks.items())


def main() -> int:
    header = f"{'page':<20} {'method':<12} {'chars':>6} {'paragraphs':>11} {'boilerplate':>12} {'phrases kept':>13}"
    print(header)
    print("-" * len(header))
    metadata: list[str] = []
    for expected_file in sorted(PAGES.glob("*.expected.json")):
        name = expected_file.name.removesuffix(".expected.json")
        expected = json.loads(expected_file.read_text(encoding="utf-8"))
        markup = (PAGES / f"{name}.html").read_text(encoding="utf-8")
        for method, extract in METHODS.items():
            chars, recovered, other, survived = measure(extract(markup), expected)
            kept = f"{survived}/{len(expected['boilerplate'])}"
            print(f"{name:<20} {method:<12} {chars:>6} {recovered:>10.0%} {other:>11.0%} {kept:>13}")
        metadata.append(f"{name:<20} {metadata_row(markup, expected)}")
        print()
    print("metadata read by factcheck (title, publication date, authors, site) against the expected file:")
    print("\n".join(metadata))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
