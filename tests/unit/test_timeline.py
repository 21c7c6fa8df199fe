"""A claim's sources in time (factcheck/check/timeline.py), and --as-of's choice of documents
(session.published_by): pure functions, tested with hypothesis properties and a few examples."""

from __future__ import annotations

from datetime import date

from hypothesis import given
from hypothesis import strategies as st

from factcheck.check.session import published_by
from factcheck.check.timeline import SIDES, timeline
from factcheck.report.sources import latest_text, timeline_text
from factcheck.schema import DocumentRecord, SourceStance, Stance

DAYS = st.one_of(st.none(), st.dates(min_value=date(2025, 8, 10), max_value=date(2025, 8, 20)))


def source(doc_id: str, stance: Stance) -> SourceStance:
    return SourceStance(doc_id, stance, 0.9, None, None, 0.5)


@st.composite
def claims(draw: st.DrawFn) -> tuple[list[SourceStance], dict[str, date | None]]:
    """Sources with distinct ids, any stance, and each document's date (or none)."""
    ids = draw(st.lists(st.text("abcdef", min_size=1, max_size=3), unique=True, max_size=8))
    sources = [source(doc_id, draw(st.sampled_from(list(Stance)))) for doc_id in ids]
    return sources, {doc_id: draw(DAYS) for doc_id in ids}


@given(claims())
def test_the_timeline_holds_each_source_that_took_a_side_once(claim):
    sources, published = claim
    line = timeline(sources, published)
    assert sorted(e.doc_id for e in line.entries) == sorted(s.doc_id for s in sources if s.stance in SIDES)
    assert all(e.published == published[e.doc_id] for e in line.entries)


@given(claims())
def test_dated_sources_come_oldest_first_and_undated_ones_after(claim):
    line = timeline(*claim)
    days = [e.published for e in line.entries]
    undated_from = days.index(None) if None in days else len(days)
    assert all(d is None for d in days[undated_from:])
    dated = days[:undated_from]
    assert dated == sorted(dated)


@given(claims())
def test_the_order_is_stable_for_one_day_and_for_the_undated(claim):
    sources, published = claim
    line = timeline(sources, published)
    given_order = [s.doc_id for s in sources]
    for day in {e.published for e in line.entries}:
        same_day = [e.doc_id for e in line.entries if e.published == day]
        assert same_day == sorted(same_day, key=given_order.index)


@given(claims())
def test_the_latest_are_the_sources_of_the_greatest_date(claim):
    line = timeline(*claim)
    dates = [e.published for e in line.entries if e.published is not None]
    if not dates:
        assert line.latest == () and line.latest_stance is None
        return
    assert {e.published for e in line.latest} == {max(dates)}
    assert {e.doc_id for e in line.latest} == {e.doc_id for e in line.entries if e.published == max(dates)}
    sides = {e.stance for e in line.latest}
    assert line.latest_stance == (sides.pop() if len(sides) == 1 else None)


@given(claims())
def test_sources_disagree_when_some_support_and_some_refute(claim):
    sources, published = claim
    stances = {s.stance for s in sources}
    assert timeline(sources, published).disagree == (Stance.SUPPORTS in stances and Stance.REFUTES in stances)


def test_a_later_correction_is_the_latest_and_its_side_is_said():
    sources = [source("early", Stance.SUPPORTS), source("late", Stance.REFUTES), source("nodate", Stance.SUPPORTS)]
    published = {"early": date(2025, 8, 14), "late": date(2025, 8, 15), "nodate": None}
    line = timeline(sources, published)
    assert [e.doc_id for e in line.entries] == ["early", "late", "nodate"]
    assert line.latest_stance is Stance.REFUTES and line.worth_showing
    assert timeline_text(line) == "2025-08-14 early supports → 2025-08-15 late refutes; undated: nodate supports"
    assert latest_text(line) == "the sources disagree; the latest, late (2025-08-15), refutes"


def test_sources_of_one_day_on_both_sides_have_no_latest_side():
    day = date(2025, 8, 15)
    line = timeline([source("a", Stance.SUPPORTS), source("b", Stance.REFUTES)], {"a": day, "b": day})
    assert line.latest_stance is None
    assert latest_text(line) == "the sources disagree; the latest, a, b (2025-08-15), are on both sides"


def test_one_dated_source_that_agrees_with_the_rest_is_not_worth_a_timeline():
    line = timeline([source("a", Stance.SUPPORTS), source("b", Stance.SUPPORTS)], {"a": date(2025, 8, 14)})
    assert not line.worth_showing
    assert not timeline([source("a", Stance.SUPPORTS), source("b", Stance.REFUTES)], {}).worth_showing


def test_documents_that_say_nothing_are_not_on_the_timeline():
    sources = [source("a", Stance.NOT_MENTIONED), source("b", Stance.ERROR), source("c", Stance.SUPPORTS)]
    assert [e.doc_id for e in timeline(sources, {}).entries] == ["c"]


# --- --as-of: which documents a check reads ----------------------------------------------------


def record(doc_id: str, published: date | None) -> DocumentRecord:
    return DocumentRecord(doc_id, doc_id, f"/corpus/{doc_id}.txt", "0" * 64, 1, 10, published=published)


@given(st.lists(DAYS, max_size=8), st.dates(min_value=date(2025, 8, 10), max_value=date(2025, 8, 20)))
def test_as_of_keeps_what_was_published_by_that_day_and_counts_the_rest(days, as_of):
    records = [record(f"d{i}", day) for i, day in enumerate(days)]
    kept, left_out = published_by(records, as_of)
    assert kept == [r for r in records if r.published is not None and r.published <= as_of]
    assert left_out.undated == days.count(None)
    assert len(kept) + left_out.later + left_out.undated == len(records)


def test_without_as_of_every_document_is_kept():
    records = [record("a", None), record("b", date(2030, 1, 1))]
    kept, left_out = published_by(records, None)
    assert kept == records and (left_out.later, left_out.undated) == (0, 0)
