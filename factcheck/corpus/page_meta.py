"""A news page's metadata: its title (without the site's name), and the publication date it
states (meta tags, JSON-LD "datePublished", <time datetime>), read strictly: a value missing its
day, month or year is no date."""

from __future__ import annotations

import json
from datetime import date, datetime

from bs4 import BeautifulSoup, Tag
from dateutil import parser as dateparser

_DATE_META = ("article:published_time", "og:published_time", "datepublished", "date", "pubdate")
_TITLE_SEPARATORS = (" | ", " - ", " – ", " — ", " :: ", " · ")


def page_title(soup: BeautifulSoup, site: str) -> str:
    """og:title, else <title> less the site's name, else the first <h1>."""
    if og := meta_content(soup, "og:title"):
        return og
    return _without_site(html_title(soup), site)


def html_title(soup: BeautifulSoup) -> str:
    for tag in (soup.find("title"), soup.find("h1")):
        if isinstance(tag, Tag) and tag.get_text(strip=True):
            return " ".join(tag.get_text().split())
    return ""


def _without_site(title: str, site: str) -> str:
    for separator in _TITLE_SEPARATORS:
        head, sep, tail = title.rpartition(separator)
        if sep and site and head and tail.strip().lower() == site.lower():
            return head.strip()
    return title


def meta_content(soup: BeautifulSoup, name: str) -> str:
    tag = soup.find("meta", attrs={"property": name}) or soup.find("meta", attrs={"name": name})
    return " ".join(str(tag.get("content", "")).split()) if isinstance(tag, Tag) else ""


def stated_date(soup: BeautifulSoup) -> tuple[date | None, list[str]]:
    """The date the page's metadata gives, and a note when it gives one that cannot be read.

    An unreadable date is not replaced by a guess: it means the page meant to say something else.
    """
    candidates = [c.strip() for c in date_candidates(soup) if c.strip()]
    if found := first_date(candidates):
        return found, []
    if candidates:
        return None, [
            f"publication date {candidates[0]!r} in the page's metadata could not be read; stored without a date"
        ]
    return None, []


def date_candidates(soup: BeautifulSoup) -> list[str]:
    """Publication dates the page states: meta tags, JSON-LD "datePublished", <time datetime>."""
    candidates = [
        str(meta.get("content", ""))
        for meta in soup.find_all("meta")
        for key in ("property", "name", "itemprop")
        if str(meta.get(key, "")).lower() in _DATE_META
    ]
    for script in soup.find_all("script", type="application/ld+json"):
        candidates.extend(_json_ld_dates(script.get_text()))
    candidates.extend(str(t["datetime"]) for t in soup.find_all("time", datetime=True))
    return candidates


def first_date(candidates: list[str]) -> date | None:
    return next(filter(None, map(parse_date, candidates)), None)


def _json_ld_dates(raw: str) -> list[str]:
    """Every "datePublished" string in a JSON-LD block (they nest, e.g. under "@graph")."""
    found: list[str] = []

    def visit(item: object) -> None:
        if isinstance(item, dict):
            if isinstance(item.get("datePublished"), str):
                found.append(item["datePublished"])
            item = list(item.values())
        if isinstance(item, list):
            for child in item:
                visit(child)

    try:
        visit(json.loads(raw))
    except (ValueError, RecursionError):
        return []
    return found


def parse_date(value: str) -> date | None:
    """A full calendar date, or None; a value missing its day, month or year is no date."""
    value = value.strip()
    if not value or not any(ch.isdigit() for ch in value):
        return None
    try:
        first = dateparser.parse(value, default=datetime(1901, 1, 1))
        second = dateparser.parse(value, default=datetime(1902, 2, 2))
    except (ValueError, OverflowError):
        return None
    return first.date() if first.date() == second.date() else None
