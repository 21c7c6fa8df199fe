"""Page furniture on a news page: menus, the site's header, footers, elements named like cookie
banners, comments, share buttons or newsletter boxes, and blocks that are mostly links (menus,
story lists). html.py removes both kinds before trafilatura looks for the article."""

from __future__ import annotations

import re
from dataclasses import dataclass

from bs4 import BeautifulSoup, Comment, NavigableString, Tag

DROP_TAGS = ("script", "style", "noscript", "nav", "header", "footer", "aside", "form", "template")
BLOCK_TAGS = (
    "p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "li", "dt", "dd", "tr", "br",
    "blockquote", "pre", "section", "article", "main", "figcaption", "table", "ul", "ol",
)  # fmt: skip
_CONTAINER_TAGS = tuple(tag for tag in BLOCK_TAGS if tag != "br")
_HEADINGS = ("h1", "h2", "h3", "h4", "h5", "h6")

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


def has_prose(soup: BeautifulSoup) -> bool:
    """Whether any visible text is left outside headings (a page of headlines is no article)."""
    for string in (soup.body or soup).find_all(string=True):
        if isinstance(string, Comment) or not any(ch.isalnum() for ch in string):
            continue
        if string.find_parent([*DROP_TAGS, *_HEADINGS, "head", "title"]) is None:
            return True
    return False


def _text_of(tag: Tag) -> str:
    return " ".join(tag.get_text(" ").split())
