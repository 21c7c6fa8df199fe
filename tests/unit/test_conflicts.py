"""compare(claim, evidence): deterministic number, date/time and role conflicts."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from factcheck.check import conflicts as conflicts_module
from factcheck.check import quantities, roles
from factcheck.check.conflicts import compare


def outcomes(claim: str, evidence: str) -> list[tuple[str, str, str, str]]:
    return [(r.kind, r.outcome, r.claim_value, r.evidence_value) for r in compare(claim, evidence)]


def conflicts(claim: str, evidence: str) -> list[tuple[str, str, str, str]]:
    return [o for o in outcomes(claim, evidence) if o[1] == "conflict"]


class TestNumbers:
    def test_a_different_cap_on_the_same_thing_conflicts(self):
        claim = "The New START treaty caps deployed strategic warheads at 1,000."
        evidence = "Both sides could exceed the current cap of 1,550 deployed strategic warheads."
        assert outcomes(claim, evidence) == [("number", "conflict", "1,000", "1,550")]

    def test_the_same_counted_noun_makes_numbers_comparable(self):
        claim = "The striker has scored 31 goals this season."
        evidence = "With 28 goals, he leads the Premier League scoring chart."
        assert conflicts(claim, evidence) == [("number", "conflict", "31", "28")]

    def test_the_same_value_written_differently_matches(self):
        claim = "The chipmaker raised $3bn in its share sale."
        evidence = "The chipmaker's share sale raised $3 billion, the company said."
        assert outcomes(claim, evidence) == [("number", "match", "$3bn", "$3 billion")]

    def test_percentages_about_the_same_thing_are_compared(self):
        claim = "The jobless rate rose to 4.5% in March."
        evidence = "The jobless rate climbed to 4.2 percent in March, the agency said."
        assert conflicts(claim, evidence) == [("number", "conflict", "4.5%", "4.2 percent")]

    def test_percentages_with_nothing_in_common_are_not_compared(self):
        claim = "Shares fell 3% in early trading."
        evidence = "The stock closed down 2.1% on the day."
        assert outcomes(claim, evidence) == []

    def test_a_number_is_compared_within_its_own_clause(self):
        claim = "The company reported revenue of $94.9 billion for the quarter."
        evidence = "iPhone sales rose to $46.2 billion, while services revenue grew 12%."
        assert outcomes(claim, evidence) == []

    def test_number_words_compare_with_numerals(self):
        claim = "Twenty-five people died when the bridge collapsed."
        evidence = "Officials said 31 people died in the bridge collapse."
        assert conflicts(claim, evidence) == [("number", "conflict", "Twenty-five", "31")]

    def test_an_approximate_claim_consistent_with_the_evidence_is_not_a_conflict(self):
        claim = "Both sides may keep more than 1,000 deployed strategic warheads."
        evidence = "Both sides could exceed the current cap of 1,550 deployed strategic warheads."
        [result] = compare(claim, evidence)
        assert result.outcome == "match"
        assert "consistent" in result.detail

    def test_an_approximation_that_cannot_hold_still_conflicts(self):
        claim = "Fewer than 500 fans attended the final."
        evidence = "A crowd of 62,000 fans attended the final at Wembley."
        assert conflicts(claim, evidence) == [("number", "conflict", "Fewer than 500", "62,000")]

    def test_nearly_allows_a_little_below_but_not_above(self):
        evidence = "The airline cancelled 290 flights on Monday."
        assert conflicts("The airline cancelled nearly 300 flights.", evidence) == []
        assert conflicts("The airline cancelled nearly 250 flights.", evidence) != []

    def test_numbers_counting_different_things_are_not_compared(self):
        claim = "The company cut 300 jobs."
        evidence = "The company opened 12 stores and cut costs."
        assert outcomes(claim, evidence) == []

    def test_a_different_unit_is_not_compared(self):
        assert outcomes("Sales rose 25% last year.", "Sales rose by $25 million last year.") == []

    def test_numbers_without_shared_context_are_not_compared(self):
        claim = "The probe travelled 6 billion kilometres."
        evidence = "The mission cost 3 billion, officials said."
        assert outcomes(claim, evidence) == []

    def test_ids_and_names_are_never_compared_as_numbers(self):
        claim = "COVID-19 spread after Article 5 talks on the 9M730 missile."
        evidence = "COVID-21 spread after Article 7 talks on the 9M731 missile."
        assert outcomes(claim, evidence) == []


class TestDatesAndTimes:
    def test_different_since_years_for_the_same_first_conflict(self):
        claim = "It was the first summit on U.S. soil since 1988."
        evidence = "The visit is the first by a Russian head of state to the U.S. since 2015."
        assert conflicts(claim, evidence) == [("date", "conflict", "since 1988", "since 2015")]

    def test_a_time_that_cannot_be_shortly_before_conflicts(self):
        claim = "Talks began at 19:30 GMT."
        evidence = (
            "Shortly before 19:00 GMT, both delegations entered the press room to signal "
            "the start of expanded negotiations."
        )
        assert conflicts(claim, evidence) == [("date", "conflict", "19:30 GMT", "Shortly before 19:00 GMT")]

    def test_times_in_known_zones_are_compared_in_utc(self):
        claim = "Polls closed at 7 p.m. EDT."
        evidence = "Polling stations closed at 23:00 GMT."
        assert outcomes(claim, evidence) == [("date", "match", "7 p.m. EDT", "23:00 GMT")]

    def test_local_time_is_not_compared_with_gmt(self):
        claim = "The talks begin at 11:30 a.m. local time."
        evidence = "The talks begin at 19:30 GMT."
        assert outcomes(claim, evidence) == []

    def test_year_granularity_match_between_early_and_a_month(self):
        claim = "The New START treaty expires in early 2026."
        evidence = "The New START treaty is set to expire in February 2026."
        assert outcomes(claim, evidence) == [("date", "match", "early 2026", "February 2026")]

    def test_a_date_without_a_year_is_compared_on_its_month(self):
        claim = "The treaty is set to expire in February 2026."
        evidence = "The treaty is set to expire on February 5 next year."
        assert outcomes(claim, evidence)[0][1] == "match"

    def test_a_different_day_of_the_same_event_conflicts(self):
        claim = "The general election was held on 4 July 2024."
        evidence = "Britain's general election was held on July 5, 2024."
        assert conflicts(claim, evidence) == [("date", "conflict", "4 July 2024", "July 5, 2024")]

    def test_different_weekdays_conflict(self):
        claim = "The central bank raised rates on Tuesday."
        evidence = "Rates were raised by the central bank on Wednesday."
        assert conflicts(claim, evidence) == [("date", "conflict", "Tuesday", "Wednesday")]

    def test_a_year_consistent_with_a_bound_matches(self):
        claim = "The probe reached Jupiter before 2020."
        evidence = "The probe reached Jupiter in 2016."
        assert outcomes(claim, evidence)[0][1] == "match"

    def test_a_year_outside_a_bound_conflicts(self):
        claim = "The probe reached Jupiter before 2010."
        evidence = "The probe reached Jupiter in 2016."
        assert outcomes(claim, evidence)[0][1] == "conflict"

    def test_since_is_not_compared_with_a_plain_year(self):
        claim = "It was the first Russia-U.S. summit since 2021."
        evidence = "The 2025 summit was held in Alaska."
        assert outcomes(claim, evidence) == []

    def test_years_in_unrelated_parts_of_sentences_are_not_compared(self):
        claim = "The 2025 summit between the two presidents took place in Anchorage."
        evidence = "Alaska was sold to the U.S. in 1867 by the Russian Empire."
        assert outcomes(claim, evidence) == []


class TestRoles:
    def test_a_different_portfolio_conflicts(self):
        claim = "Defence Minister Sergei Lavrov arrived."
        evidence = "Foreign Minister Sergei Lavrov arrived."
        assert conflicts(claim, evidence) == [
            ("role", "conflict", "Defence Minister Sergei Lavrov", "Foreign Minister Sergei Lavrov")
        ]

    def test_former_against_sitting_conflicts(self):
        claim = "Former President Donald Trump will meet Vladimir Putin."
        evidence = "U.S. President Donald Trump will meet Russian President Vladimir Putin."
        assert conflicts(claim, evidence) == [
            ("role", "conflict", "Former President Donald Trump", "U.S. President Donald Trump")
        ]

    def test_nationality_alone_is_a_match(self):
        assert outcomes("President Donald Trump spoke.", "U.S. President Donald Trump spoke.") == [
            ("role", "match", "President Donald Trump", "U.S. President Donald Trump")
        ]

    def test_appositive_and_lower_case_titles_are_compared(self):
        claim = "defence minister Lavrov said the talks went well."
        evidence = "Russia's foreign minister, Sergei Lavrov, said the talks went well."
        assert conflicts(claim, evidence)[0][:2] == ("role", "conflict")

    def test_manager_and_head_coach_are_the_same_job(self):
        claim = "Arsenal manager Mikel Arteta praised the fans."
        evidence = "Arsenal head coach Mikel Arteta praised the fans."
        assert outcomes(claim, evidence)[0][1] == "match"


class TestResults:
    def test_a_value_with_no_counterpart_gives_nothing(self):
        assert compare("The merger closed in 2019 for $4bn.", "The chief executive resigned.") == []

    def test_a_matching_counterpart_wins_over_a_conflicting_one(self):
        claim = "The plant employs 1,200 workers."
        evidence = "Of its 1,500 workers, the plant employs 1,200 workers on site."
        assert outcomes(claim, evidence) == [("number", "match", "1,200", "1,200")]

    def test_each_result_names_the_values_and_says_why(self):
        [result] = compare("The cap is 1,000 warheads.", "The cap is 1,550 warheads.")
        assert (result.claim_value, result.evidence_value) == ("1,000", "1,550")
        assert "1,000" in result.detail and "1,550" in result.detail


# --- properties --------------------------------------------------------------------------------

NOUNS = ["people", "warheads", "goals", "jobs", "votes", "tonnes", "troops", "passengers", "cases"]
SUBJECTS = ["The ministry", "Police", "The club", "Analysts", "The agency", "Organisers"]
VERBS = ["reported", "counted", "confirmed", "recorded", "estimated"]
TITLES = [
    "President",
    "former President",
    "Foreign Minister",
    "Defence Minister",
    "U.S. Senator",
    "Kremlin spokesman",
    "Chelsea manager",
    "Secretary of State",
    "Prime Minister",
]
NAMES = ["Donald Trump", "Sergei Lavrov", "Keir Starmer", "Enzo Maresca", "Ana Silva", "Li Wei"]
MONTHS = ["January", "February", "March", "July", "October", "December"]
WEEKDAYS = ["Monday", "Wednesday", "Friday", "Sunday"]


def number_text(value: int, style: int) -> str:
    return [f"{value:,}", f"{value:,}%", f"${value:,}", f"{value / 10:,.1f} million"][style]


numbers = st.builds(number_text, st.integers(0, 10**9), st.integers(0, 3))
dates = st.one_of(
    st.builds("{} {}".format, st.sampled_from(MONTHS), st.integers(1800, 2100)),
    st.builds("on {} {}, {}".format, st.sampled_from(MONTHS), st.integers(1, 28), st.integers(1800, 2100)),
    st.builds("since {}".format, st.integers(1800, 2100)),
    st.builds("at {}:{:02d} GMT".format, st.integers(0, 23), st.integers(0, 59)),
    st.builds("at {} p.m.".format, st.integers(1, 12)),
    st.sampled_from(WEEKDAYS),
)
people = st.builds("{} {}".format, st.sampled_from(TITLES), st.sampled_from(NAMES))
fillers = st.sampled_from(["said", "the", "talks", "in", "and", "about", "more than", ",", "."])
news_sentence = st.lists(
    st.one_of(numbers, dates, people, st.sampled_from(NOUNS), fillers), min_size=1, max_size=25
).map(" ".join)


@given(news_sentence)
@settings(max_examples=400, deadline=None)
def test_a_sentence_never_conflicts_with_itself(sentence):
    assert [r for r in compare(sentence, sentence) if r.outcome == "conflict"] == []


@given(
    st.integers(0, 10**7),
    st.integers(0, 10**7),
    st.sampled_from(NOUNS),
    st.sampled_from(SUBJECTS),
    st.sampled_from(VERBS),
    dates,
)
@settings(max_examples=300, deadline=None)
def test_swapping_a_number_in_an_identical_sentence_is_a_number_conflict(old, new, noun, subject, verb, when):
    if old == new:
        return
    claim = f"{subject} {verb} {old:,} {noun} {when}."
    evidence = f"{subject} {verb} {new:,} {noun} {when}."
    assert ("number", "conflict", f"{old:,}", f"{new:,}") in outcomes(claim, evidence)


@given(news_sentence, news_sentence)
@settings(max_examples=200, deadline=None)
def test_results_are_deterministic_and_do_not_depend_on_caches(claim, evidence):
    first = compare(claim, evidence)
    caches = (quantities.quantities, quantities.moments, roles.roles, conflicts_module._tokens, conflicts_module._near)
    for cached in caches:
        cached.cache_clear()
    assert compare(claim, evidence) == first == compare(claim, evidence)


@given(st.text(max_size=400), st.text(max_size=400))
@settings(max_examples=400, deadline=None)
def test_arbitrary_text_never_raises(claim, evidence):
    for result in compare(claim, evidence):
        assert result.kind in ("number", "date", "role")
        assert result.outcome in ("conflict", "match")


@pytest.mark.parametrize("text", ["", " ", "1", "$", "%", "Minister", "Minister ,", "since", "a.m"])
def test_fragments_without_comparable_values_give_no_results(text):
    assert compare(text, text) == []
    assert compare(text, "The cap is 1,550 warheads, Minister Ana Silva said on Friday.") == []
