"""News pages: the article's text (one paragraph per line) and its metadata, without the menus,
cookie banners, comments, related links and newsletter boxes around it.

trafilatura finds the main text. Before it looks, we remove what we recognise as boilerplate by
tag and class name, and blocks that are mostly links: it would otherwise keep some widgets (a
newsletter promo after the article) and take a page of headlines for an article. Where it finds
no article, the page's remaining text is kept, and a note says so; where nothing is left but
headings, the page is refused. Dates come from the page's own metadata first.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from bs4 import BeautifulSoup

from factcheck.corpus.boilerplate import BLOCK_TAGS, DROP_TAGS, has_prose, remove_furniture, remove_link_lists
from factcheck.corpus.page_meta import date_candidates, first_date, html_title, meta_content, page_title, stated_date
from factcheck.errors import InputFileError


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
    published, date_notes = stated_date(soup)
    notes = list(date_notes)
    remove_furniture(soup)
    remove_link_lists(soup)
    extracted = main_text(str(soup)) or _NOTHING
    site = extracted.site or meta_content(soup, "og:site_name")
    title = page_title(soup, site) or extracted.title
    text = extracted.text
    if not text:  # reading the page's whole text takes its head: the metadata are read by now
        if not has_prose(soup):
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


# --- the whole page's text: the reader before trafilatura --------------------------------------


def basic_text(markup: str) -> tuple[str, str, date | None]:
    """Title, text (one block per line) and date of a page, keeping everything outside menus,
    headers and footers: how pages were read before trafilatura, and the fallback."""
    soup = BeautifulSoup(markup, "html.parser")
    return html_title(soup), page_text(soup), first_date(date_candidates(soup))


def page_text(soup: BeautifulSoup) -> str:
    """The visible text, one block per line. Removes tags from soup as it goes."""
    for tag in soup.find_all([*DROP_TAGS, "head", "title", "meta"]):
        tag.decompose()
    for tag in soup.find_all(BLOCK_TAGS):
        tag.insert_before("\n")
        tag.insert_after("\n")
    for cell in soup.find_all(["td", "th"]):
        cell.insert_after(" ")
    lines = (" ".join(line.split()) for line in soup.get_text().splitlines())
    return "\n".join(line for line in lines if line)
