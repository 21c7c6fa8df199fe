"""Text from articles made safe to print on a terminal: no escape sequences, no control characters."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from factcheck.terminal import printable

ALLOWED_CONTROLS = {"\n", "\t"}
BIDI_CONTROLS = {chr(c) for c in (*range(0x202A, 0x202F), *range(0x2066, 0x206A))}


def is_forbidden(ch: str) -> bool:
    code = ord(ch)
    control = code < 0x20 or 0x7F <= code <= 0x9F
    return (control and ch not in ALLOWED_CONTROLS) or ch in BIDI_CONTROLS


# Text as a hostile article might have it: ordinary characters mixed with escape sequences.
SEQUENCES = st.sampled_from(
    [
        "\x1b[2J",
        "\x1b[31;1m",
        "\x1b]0;pwned\x07",
        "\x1b]8;;http://x\x1b\\",
        "\x1bP1$r\x1b\\",
        "\x9b2J",
        "\x9d0;t\x9c",
        "\x1b(B",
        "\x1bc",
        "\x1b",
        "\x1b[",
        "\x1b]0;unterminated",
        "\r",
        "\x00",
        "\x7f",
        "\u202e",
    ]
)
HOSTILE = st.lists(st.one_of(st.text(max_size=8), SEQUENCES), max_size=12).map("".join)
PLAIN = st.text(
    alphabet=st.characters(blacklist_categories=("Cc", "Cs"), blacklist_characters="".join(BIDI_CONTROLS))
    | st.sampled_from(["\n", "\t"])
)


@given(st.one_of(st.text(), HOSTILE))
def test_the_output_has_no_escape_or_control_character_but_newline_and_tab(text: str) -> None:
    assert not any(is_forbidden(ch) for ch in printable(text))


@given(st.one_of(st.text(), HOSTILE))
def test_making_text_printable_twice_changes_nothing_more(text: str) -> None:
    once = printable(text)
    assert printable(once) == once


@given(PLAIN)
def test_plain_printable_text_passes_unchanged(text: str) -> None:
    assert printable(text) == text


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        ("before\x1b[2Jafter", "beforeafter"),  # clear screen
        ("a\x1b]0;pwned\x07b", "ab"),  # window title, ended by BEL
        ("a\x1b]0;pwned\x1b\\b", "ab"),  # window title, ended by ST
        ("a\x1b]8;;https://evil.example\x1b\\link\x1b]8;;\x1b\\b", "alinkb"),  # hyperlink
        ("a\x9b31mb", "ab"),  # the one-byte (C1) form of CSI
        ("a\x1b(Bb", "ab"),  # character set selection
        ("a\x1bcb", "ab"),  # full reset
        ("line one\r\nline two", "line one\nline two"),
        ("price: \u202e001$\u202c", "price: 001$"),  # right-to-left override
        ("tab\tand\nnewline", "tab\tand\nnewline"),
        ("Anchorage — “unprecedented” 東京", "Anchorage — “unprecedented” 東京"),
    ],
)
def test_known_sequences_are_removed_and_the_text_around_them_kept(raw: str, shown: str) -> None:
    assert printable(raw) == shown


def test_an_unterminated_title_change_does_not_swallow_the_rest_of_the_text() -> None:
    assert printable("a\x1b]0;title and then the article") == "a0;title and then the article"
