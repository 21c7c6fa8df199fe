"""page_at: which page of a paged document holds a character offset."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from factcheck.schema import page_at


def test_not_paged_is_none():
    assert page_at((), 10) is None


def test_offsets_fall_on_their_pages():
    pages = (0, 100, 250)
    assert [page_at(pages, o) for o in (0, 99, 100, 249, 250, 10_000)] == [1, 1, 2, 2, 3, 3]


@given(st.lists(st.integers(1, 500), min_size=1, max_size=20), st.integers(0, 20_000))
def test_the_page_starts_at_or_before_the_offset(lengths, offset):
    starts = [0]
    for length in lengths[:-1]:
        starts.append(starts[-1] + length)
    page = page_at(tuple(starts), offset)
    assert 1 <= page <= len(starts)
    assert starts[page - 1] <= offset
    assert page == len(starts) or offset < starts[page]
