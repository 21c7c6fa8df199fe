"""Finding and normalising numbers, dates and clock times in news sentences."""

from __future__ import annotations

import pytest

from factcheck.check.quantities import lemma, moments, quantities


def only_quantity(text: str):
    found = quantities(text)
    assert len(found) == 1, found
    return found[0]


def only_moment(text: str):
    found = moments(text)
    assert len(found) == 1, found
    return found[0]


class TestNumbers:
    @pytest.mark.parametrize(
        ("text", "value"),
        [
            ("The cap stands at 1,550 deployed warheads.", 1550),
            ("The economy grew 3.5 times faster than forecast.", 3.5),
            ("The club paid 2.5 million for the striker.", 2_500_000),
            ("Turnout reached 1,234,567 voters.", 1_234_567),
            ("The firm employs twenty-five engineers.", 25),
            ("Officials counted three hundred ballots.", 300),
            ("The deal affects a million households.", 1_000_000),
        ],
    )
    def test_numerals_and_number_words_are_normalised_to_a_value(self, text, value):
        assert only_quantity(text).value == pytest.approx(value)

    @pytest.mark.parametrize(
        ("text", "value", "unit"),
        [
            ("Unemployment fell to 4.2% in the spring.", 4.2, "%"),
            ("Support for the bill stood at 38 percent.", 38, "%"),
            ("The startup raised $3bn from investors.", 3e9, "$"),
            ("The fine was €1.2 billion.", 1.2e9, "€"),
            ("The budget grew by 40 million dollars.", 4e7, "$"),
        ],
    )
    def test_percentages_and_currencies_carry_their_unit(self, text, value, unit):
        q = only_quantity(text)
        assert (q.value, q.unit) == (pytest.approx(value), unit)

    def test_the_noun_counted_is_read_after_the_number_and_made_singular(self):
        assert only_quantity("Rescuers found 12 injured miners.").head == "miner"
        assert only_quantity("The storm left 40 casualties.").head == "casualty"

    @pytest.mark.parametrize(
        "text",
        [
            "Russia tested the 9M730 Burevestnik missile.",
            "COVID-19 cases rose again.",
            "Allies invoked Article 5 of the treaty.",
            "The team finished 3rd in the league.",
            "Regulators grounded Boeing 737 jets.",
            "Article 5 of the treaty was invoked.",
            "The report came from 24brussels.",
            "It was the first summit since 1988.",
            "Kick-off is at 19:30 GMT.",
            "The vote is on February 5.",
            "Chelsea and Arsenal meet in Formula One style.",
            "The one-on-one session ran long and the three-way talks stalled.",
        ],
    )
    def test_ids_names_ordinals_years_and_times_are_not_quantities(self, text):
        assert quantities(text) == ()

    @pytest.mark.parametrize(
        ("text", "bound"),
        [
            ("More than 1,000 fans were turned away.", ">"),
            ("At least 25 people were hurt.", ">"),
            ("Nearly 300 flights were cancelled.", "<~"),
            ("About 40 firms signed up.", "~"),
            ("Fewer than 10 seats changed hands.", "<"),
            ("Exactly 12 jurors sat.", "="),
            ("Police said 12 jurors sat.", "="),
        ],
    )
    def test_approximation_words_become_a_bound(self, text, bound):
        assert only_quantity(text).bound == bound

    def test_approximation_word_is_part_of_the_shown_text(self):
        assert only_quantity("More than 1,000 fans were turned away.").text == "More than 1,000"

    def test_the_position_is_that_of_the_number_itself(self):
        text = "Both sides could exceed the current cap of more than 1,550 deployed warheads."
        q = only_quantity(text)
        assert text[q.start : q.end] == "1,550"


class TestDates:
    @pytest.mark.parametrize(
        ("text", "fields"),
        [
            ("The treaty expires on February 5.", (None, 2, 5)),
            ("The treaty expires on 5 February 2026.", (2026, 2, 5)),
            ("The treaty expires on Feb. 5, 2026.", (2026, 2, 5)),
            ("The treaty expires on 2026-02-05.", (2026, 2, 5)),
            ("The treaty expires in February 2026.", (2026, 2, None)),
            ("The treaty expires in early 2026.", (2026, None, None)),
            ("The treaty expires in mid-2026.", (2026, None, None)),
            ("The reform has been in force since March.", (None, 3, None)),
            ("Alaska was sold to the U.S. in 1867.", (1867, None, None)),
        ],
    )
    def test_dates_keep_the_fields_they_give(self, text, fields):
        m = only_moment(text)
        assert (m.kind, m.year, m.month, m.day) == ("date", *fields)

    def test_a_leading_since_is_kept_as_the_relation(self):
        m = only_moment("It was the first summit on U.S. soil since 1988.")
        assert (m.relation, m.text) == ("since", "since 1988")

    def test_weekdays_are_found(self):
        assert only_moment("The leaders meet on Friday in Anchorage.").weekday == 4

    def test_a_number_with_a_unit_is_not_a_year(self):
        assert moments("Prices rose 2000 percent and 1,999 people left.") == ()


class TestTimes:
    @pytest.mark.parametrize(
        ("text", "minute", "zone"),
        [
            ("The talks began at 19:30 GMT.", 19 * 60 + 30, "UTC"),
            ("The talks began at 11:30 a.m. local time.", 11 * 60 + 30, "local time"),
            ("The polls close at 7 p.m. EDT.", 23 * 60, "UTC"),
            ("The polls close at 7pm.", 19 * 60, ""),
            ("The ceremony starts at noon.", 12 * 60, ""),
            ("The strike started at 6 a.m. Moscow time.", 6 * 60, "moscow time"),
        ],
    )
    def test_clock_times_are_minutes_after_midnight_in_utc_when_the_zone_is_known(self, text, minute, zone):
        m = only_moment(text)
        assert (m.kind, m.minute, m.zone) == ("time", minute, zone)

    def test_shortly_before_is_an_upper_bound_with_slack(self):
        m = only_moment("Shortly before 19:00 GMT, both delegations entered the press room.")
        assert m.relation == "<~"

    def test_a_time_and_its_conversion_in_brackets_are_two_times(self):
        found = moments("The talks start at 11:30 a.m. local time (19:30 GMT).")
        assert [(m.minute, m.zone) for m in found] == [(690, "local time"), (1170, "UTC")]


def test_lemma_strips_case_possessive_and_plural():
    assert [lemma(w) for w in ("Warheads", "Russia’s", "casualties", "press", "status")] == [
        "warhead", "russia", "casualty", "press", "status",
    ]  # fmt: skip
