"""News pages: the article's text (one paragraph per line) and its metadata, without the menus,
cookie banners, comments, related links and newsletter boxes around it.

trafilatura finds the main text. Before it looks, we remove what we recognise as boilerplate by
tag and class name, and blocks that are mostly links: it would otherwise keep some widgets (a
newsletter promo after the article) and take a page of headlines for an article. Where it finds
no article, the page's remaining text is kept, and a note says so; where nothing is left but
headings, the page is refused. Dates come from the page's own metadata first.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import date, datetime

from bs4 import BeautifulSoup, Comment, NavigableString, Tag
from dateutil import parser as dateparser

from factcheck.errors import InputFileError

_DROP_TAGS = ("script", "style", "noscript", "nav", "header", "footer", "aside", "form", "template")
_BLOCK_TAGS = (
    "p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "li", "dt", "dd", "tr", "br",
    "blockquote", "pre", "section", "article", "main", "figcaption", "table", "ul", "ol",
)  # fmt: skip
_CONTAINER_TAGS = tuple(tag for tag in _BLOCK_TAGS if tag != "br")
_HEADINGS = ("h1", "h2", "h3", "h4", "h5", "h6")
_DATE_META = ("article:published_time", "og:published_time", "datepublished", "date", "pubdate")
_TITLE_SEPARATORS = (" | ", " - ", " – ", " — ", " :: ", " · ")

# Words in class and id names that mark page furniture, never the article itself.
_BOILERPLATE_WORDS = frozenset(
    "cookie cookies consent cmp gdpr newsletter newsletters nl signup subscribe subscription paywall promo "
    "comment comments disqus related recommended outbrain taboola share sharing social breadcrumb breadcrumbs "
    "ad ads advert advertisement sponsored sidebar popup modal menu nav navigation footer masthead".split()
)
_NAME_WORDS = re.compile(r"[A-Z]?[a-z0-9]+|[A-Z]+(?![a-z])")
_FURNITURE_TAGS = ("nav", "aside", "footer", "noscript", "template")
_INVISIBLE_TAGS = ("script", "style", "noscript", "template")
_PROSE_TAGS = ("p", "div", "li", "dd", "td", "blockquote", "section", "article")
_MOSTLY = 0.5  # an element holding at least this share of the page's text is never furniture
_LINK_HEAVY = 0.5  # a block whose text is more links than this is a link list
_PROSE_CHARS = 40  # a block of prose is longer than a label ("You may also like")


@dataclass(frozen=True)
class HtmlArticle:
    """What a news page says: its title, article text and metadata, and notes for the user."""

    title: str
    text: str
    published: date | None
    authors: tuple[str, ...] = ()
    site: str = ""
    notes: tuple[str, ...] = ()


def read_html(markup: str, *, source: str) -> HtmlArticle:
    """The article on a page, or InputFileError naming source when the page holds none."""
    soup = BeautifulSoup(markup, "html.parser")
    published, date_notes = _published(soup)
    notes = list(date_notes)
    remove_furniture(soup)
    remove_link_lists(soup)
    extracted = main_text(str(soup)) or _NOTHING
    site = extracted.site or _meta(soup, "og:site_name")
    title = _title(soup, site) or extracted.title
    text = extracted.text
    if not text:  # reading the page's whole text takes its head: the metadata are read by now
        if not _has_prose(soup):
            raise InputFileError(source, "no text after removing markup and boilerplate (menus, banners, links)")
        notes.append("no article found on the page; kept all of its text outside menus, banners and link lists")
        text = page_text(soup)
    if published is None and not date_notes:  # the page's metadata gives no date at all: trafilatura's guess
        published = extracted.published
    return HtmlArticle(title, text, published, extracted.authors, site, tuple(notes))


# --- the main text, by trafilatura ------------------------------------------------------------


@dataclass(frozen=True)
class Extracted:
    """trafilatura's reading of a page: text is "" when it found no article."""

    text: str
    title: str
    published: date | None
    authors: tuple[str, ...]
    site: str


_NOTHING = Extracted(text="", title="", published=None, authors=(), site="")


def main_text(markup: str) -> Extracted | None:
    """The article text and metadata as trafilatura finds them, or None if it finds nothing."""
    import trafilatura  # imported here: it takes a tenth of a second, and most commands never read a page

    # No extensive date search: it reads dates out of the prose ("since 2011" became 2011-01-01).
    date_params = {"original_date": True, "extensive_search": False, "max_date": date.today().isoformat()}
    doc = trafilatura.bare_extraction(
        markup, include_comments=False, with_metadata=True, date_extraction_params=date_params
    )
    if doc is None:
        return None
    lines = body_lines(doc.body)
    has_article = any(not heading for _, heading in lines)  # a lone headline is no article
    return Extracted(
        text="\n".join(line for line, _ in lines) if has_article else "",
        title=" ".join((doc.title or "").split()),
        published=_iso_date(doc.date),
        authors=tuple(a.strip() for a in (doc.author or "").split(";") if a.strip()),
        site=" ".join((doc.sitename or "").split()),
    )


_LINE_BLOCKS = frozenset({"p", "head", "item", "quote", "row", "list", "table", "code", "graphic"})


def body_lines(body) -> list[tuple[str, bool]]:
    """Each paragraph of trafilatura's output tree as one line, and whether it is a heading.

    trafilatura's own text output puts "- " before list items; we want the words as written.
    """
    lines: list[tuple[str, bool]] = []
    words: list[str] = []
    heading = False

    def flush() -> None:
        nonlocal heading
        line = " ".join("".join(words).split())
        if line:
            lines.append((line, heading))
        words.clear()
        heading = False

    def visit(element) -> None:
        nonlocal heading
        block = element.tag in _LINE_BLOCKS
        if block or element.tag == "lb":
            flush()
        heading = heading or element.tag == "head"
        words.append(element.text or "")
        for child in element:
            visit(child)
        if block:
            flush()
        words.append(" " if element.tag == "cell" else "")
        words.append(element.tail or "")

    if body is not None:
        visit(body)
        flush()
    return lines


def _iso_date(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value[:10]) if value else None
    except ValueError:
        return None


# --- recognising boilerplate -------------------------------------------------------------------


def remove_furniture(soup: BeautifulSoup) -> None:
    """Remove menus, footers, the site's header, and elements named like banners, comments, share
    buttons or newsletter boxes. A form or a so-named element holding most of the page's text
    stays: a whole page can sit in a <form>, and a class like "share-enabled" on the article's own
    container must not cost the article."""
    body = soup.body or soup
    total = len(_text_of(body))
    stack = [child for child in body.children if isinstance(child, Tag)]
    while stack:
        tag = stack.pop()
        if _is_furniture(tag) or (_maybe_furniture(tag) and len(_text_of(tag)) < _MOSTLY * total):
            tag.decompose()
        else:
            stack.extend(child for child in tag.children if isinstance(child, Tag))


def _is_furniture(tag: Tag) -> bool:
    if tag.name in _FURNITURE_TAGS:
        return True
    # The site's header; an article's own header holds its headline and byline.
    return tag.name == "header" and tag.find_parent(["article", "main"]) is None


def _maybe_furniture(tag: Tag) -> bool:
    names = " ".join([*tag.get("class", []), str(tag.get("id", ""))])
    return tag.name == "form" or any(word.lower() in _BOILERPLATE_WORDS for word in _NAME_WORDS.findall(names))


def remove_link_lists(soup: BeautifulSoup) -> None:
    """Remove blocks that are mostly links (menus, story lists, pagination), keeping any that hold
    a paragraph of prose: trafilatura would take a list of headlines for an article."""
    sizes = _measure(soup)
    root = soup.body or soup
    stack = [child for child in root.children if isinstance(child, Tag)]
    while stack:
        tag = stack.pop()
        size = sizes[id(tag)]
        if size.chars and size.link_chars > _LINK_HEAVY * size.chars and not size.prose:
            tag.decompose()
        else:
            stack.extend(child for child in tag.children if isinstance(child, Tag))


@dataclass(frozen=True)
class _Size:
    chars: int = 0  # visible characters
    link_chars: int = 0  # of those, inside links
    blocks: bool = False  # whether a block element is inside
    prose: bool = False  # whether a paragraph of prose is in it: a block with no blocks inside, not a
    # heading, of some length, mostly not links


def _measure(soup: BeautifulSoup) -> dict[int, _Size]:
    """The _Size of every element (by id), in one pass from the leaves up."""
    sizes: dict[int, _Size] = {}
    for tag in reversed(soup.find_all(True)):  # children before their parents
        if tag.name in _INVISIBLE_TAGS:
            sizes[id(tag)] = _Size()
            continue
        inner = [sizes[id(c)] for c in tag.children if isinstance(c, Tag)]
        own = sum(len(s.strip()) for s in tag.children if isinstance(s, NavigableString) and not isinstance(s, Comment))
        chars = own + sum(i.chars for i in inner)
        links = chars if tag.name == "a" else sum(i.link_chars for i in inner)
        blocks = any(i.blocks for i in inner) or any(
            c.name in _CONTAINER_TAGS for c in tag.children if isinstance(c, Tag)
        )
        prose = tag.name in _PROSE_TAGS and not blocks and chars >= _PROSE_CHARS and links <= _LINK_HEAVY * chars
        sizes[id(tag)] = _Size(chars, links, blocks, prose or any(i.prose for i in inner))
    return sizes


def _has_prose(soup: BeautifulSoup) -> bool:
    """Whether any visible text is left outside headings (a page of headlines is no article)."""
    for string in (soup.body or soup).find_all(string=True):
        if isinstance(string, Comment) or not any(ch.isalnum() for ch in string):
            continue
        if string.find_parent([*_DROP_TAGS, *_HEADINGS, "head", "title"]) is None:
            return True
    return False


def _text_of(tag: Tag) -> str:
    return " ".join(tag.get_text(" ").split())


# --- the whole page's text: the reader before trafilatura --------------------------------------


def basic_text(markup: str) -> tuple[str, str, date | None]:
    """Title, text (one block per line) and date of a page, keeping everything outside menus,
    headers and footers: how pages were read before trafilatura, and the fallback."""
    soup = BeautifulSoup(markup, "html.parser")
    return _html_title(soup), page_text(soup), _first_date(date_candidates(soup))


def page_text(soup: BeautifulSoup) -> str:
    """The visible text, one block per line. Removes tags from soup as it goes."""
    for tag in soup.find_all([*_DROP_TAGS, "head", "title", "meta"]):
        tag.decompose()
    for tag in soup.find_all(_BLOCK_TAGS):
        tag.insert_before("\n")
        tag.insert_after("\n")
    for cell in soup.find_all(["td", "th"]):
        cell.insert_after(" ")
    lines = (" ".join(line.split()) for line in soup.get_text().splitlines())
    return "\n".join(line for line in lines if line)


# --- metadata ------------------------------------------------------------------------------------


def _title(soup: BeautifulSoup, site: str) -> str:
    """og:title, else <title> less the site's name, else the first <h1>."""
    if og := _meta(soup, "og:title"):
        return og
    return _without_site(_html_title(soup), site)


def _html_title(soup: BeautifulSoup) -> str:
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


def _meta(soup: BeautifulSoup, name: str) -> str:
    tag = soup.find("meta", attrs={"property": name}) or soup.find("meta", attrs={"name": name})
    return " ".join(str(tag.get("content", "")).split()) if isinstance(tag, Tag) else ""


def _published(soup: BeautifulSoup) -> tuple[date | None, list[str]]:
    """The date the page's metadata gives, and a note when it gives one that cannot be read.

    An unreadable date is not replaced by a guess: it means the page meant to say something else.
    """
    candidates = [c.strip() for c in date_candidates(soup) if c.strip()]
    if found := _first_date(candidates):
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


def _first_date(candidates: list[str]) -> date | None:
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
