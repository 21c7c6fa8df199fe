"""The signals beside similarity: coverage, clauses, negation, places. Pure functions."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from factcheck.check.clauses import clauses, parts, windows
from factcheck.check.coverage import anchors, best_coverage, coverage, idf_weights, terms
from factcheck.check.places import place_mismatch, places
from factcheck.check.polarity import negated, negations, polarity_mismatch
from factcheck.evaluation.split import HELDOUT_SHARE, Split, in_split, split_of

LONG = (
    "U.S. President Donald Trump and Russian President Vladimir Putin met on Friday at Joint Base "
    "Elmendorf-Richardson in Anchorage, marking their first face-to-face talks in years."
)
CLAIM = "The meeting took place at Joint Base Elmendorf-Richardson."
CITY, STATE, COUNTRY = frozenset({"city"}), frozenset({"state"}), frozenset({"country"})
KNOWN = {"anchorage": CITY, "helsinki": CITY, "alaska": STATE, "ukraine": COUNTRY, "geneva": CITY}


# --- coverage ----------------------------------------------------------------------------------


def test_terms_are_stemmed_content_words_and_numbers_without_separators():
    assert terms("The meetings were held in 2025, with 1,550 warheads.") == {"meet", "held", "2025", "1550", "warhead"}
    assert {"elmendorf-richardson", "elmendorf", "richardson"} <= terms(CLAIM)


def test_a_long_sentence_covers_a_short_claim_that_its_cosine_would_dilute():
    idf = idf_weights([LONG, "Talks took place in the morning.", "The meeting was long."])
    assert coverage(terms(CLAIM), terms(LONG), idf) > 0.6
    assert coverage(terms(CLAIM), terms("The weather was fine."), idf) == 0.0


def test_rare_terms_weigh_more_than_common_ones():
    idf = idf_weights(["the meeting", "the meeting began", "a meeting in Anchorage", "meeting"])
    rare = coverage(terms("meeting Anchorage"), terms("Anchorage"), idf)
    common = coverage(terms("meeting Anchorage"), terms("meeting"), idf)
    assert rare > common


words = st.lists(
    st.sampled_from(["summit", "Anchorage", "held", "talks", "Friday", "2025", "base", "war"]), min_size=1, max_size=8
)


@given(words, words, words)
def test_coverage_is_a_share_and_more_text_never_covers_less(claim, sentence, extra):
    idf = idf_weights([" ".join(sentence), " ".join(extra)])
    c, s = terms(" ".join(claim)), terms(" ".join(sentence))
    value = coverage(c, s, idf)
    assert 0.0 <= value <= 1.0
    assert coverage(c, s | terms(" ".join(extra)), idf) >= value
    assert coverage(c, c, idf) == (1.0 if c else 0.0)


def test_two_adjacent_sentences_can_cover_what_neither_does_and_the_better_one_is_quoted():
    sentences = ["The leaders met in Anchorage.", "The talks lasted three hours.", "It rained."]
    idf = idf_weights(sentences)
    value, where, complete = best_coverage(
        "Leaders met in Anchorage for talks that lasted three hours.", sentences, idf
    )
    assert (
        value
        > best_coverage("Leaders met in Anchorage for talks that lasted three hours.", sentences, idf, window=1)[0]
    )
    assert where in (0, 1) and complete
    assert best_coverage("anything", [], idf) == (0.0, -1, False)


def test_a_passage_without_the_claims_names_or_numbers_does_not_hold_it_whatever_else_it_covers():
    assert anchors("The summit was held in Helsinki on 15 August.") == {"helsinki", "15", "august"}
    sentences = ["The summit was held on Friday in Anchorage, on 15 August."]
    idf = idf_weights(sentences + ["Other things happened."])
    value, _, complete = best_coverage("The summit was held in Helsinki on 15 August.", sentences, idf)
    assert value > 0.4 and not complete
    assert best_coverage("The summit was held in Anchorage on 15 August.", sentences, idf)[2]


# --- clauses -----------------------------------------------------------------------------------


def test_a_long_sentence_is_split_into_clauses_and_claim_sized_windows():
    assert "marking their first face-to-face talks in years." in clauses(LONG)
    pieces = parts(LONG, CLAIM)
    assert pieces and all(p != LONG and len(p.split()) < len(LONG.split()) for p in pieces)
    assert parts("The meeting was at the base.", CLAIM) == []  # not longer than the claim: nothing to split


@given(st.lists(st.sampled_from("a b c d e f g".split()), min_size=0, max_size=40), st.integers(1, 12))
def test_windows_cover_every_word_of_a_longer_sentence(words, size):
    sentence = " ".join(words)
    found = windows(sentence, size)
    if len(words) <= size:
        assert found == []
    else:
        assert all(len(w.split()) == size for w in found)
        assert found[0].split()[0] == words[0] and found[-1].split()[-1] == words[-1]


# --- negation ----------------------------------------------------------------------------------


def test_negations_count_negators_and_contractions_but_not_fixed_phrases():
    assert negations("Putin did not attend.") == 1
    assert negations("Putin didn’t attend and never planned to.") == 2
    assert negations("It was not only big but late.") == 0
    assert negated("There are no tests that can detect it.") and not negated("It is not unlikely that nobody came.")


def test_a_mismatch_is_exactly_one_side_negated():
    flip = polarity_mismatch("Surgical masks were not effective.", "Surgical masks significantly reduced detection.")
    assert flip is not None and flip.claim_negated
    assert polarity_mismatch("Masks did not help.", "Masks did not reduce spread.") is None
    assert polarity_mismatch("Masks helped.", "Masks reduced spread.") is None


# --- places ------------------------------------------------------------------------------------


def test_places_come_from_the_gazetteer_with_the_word_before_them():
    found = places("The summit was held in Anchorage, Alaska, far from Geneva.", KNOWN)
    assert [(p.name, p.before) for p in found] == [("Anchorage", "in"), ("Alaska", "anchorage"), ("Geneva", "from")]
    assert places("Joint Base Elmendorf-Richardson hosted it.", KNOWN) == []


def test_the_real_gazetteer_knows_countries_and_large_cities():
    assert {p.name for p in places("They met in Helsinki, then flew to Finland and Anchorage.")} == {
        "Helsinki",
        "Finland",
        "Anchorage",
    }


def test_a_place_in_the_same_role_is_a_mismatch_and_one_named_by_the_document_is_not():
    moved = place_mismatch("The summit was held in Helsinki.", "The leaders met in Anchorage on Friday.", set(), KNOWN)
    assert moved is not None and (moved.claimed, moved.stated) == ("Helsinki", "Anchorage")
    assert (
        place_mismatch("The summit was held in Helsinki.", "The leaders met in Anchorage.", {"helsinki"}, KNOWN) is None
    )
    # different roles: where the summit was against where a delegation came from
    assert place_mismatch("The summit was held in Helsinki.", "A delegation came from Anchorage.", set(), KNOWN) is None
    assert place_mismatch("The summit was held in Helsinki.", "The summit was held in Helsinki.", set(), KNOWN) is None


def test_a_city_is_not_contradicted_by_the_state_or_country_it_may_be_in():
    assert place_mismatch("The talks were held in Anchorage.", "The talks were held in Alaska.", set(), KNOWN) is None
    assert place_mismatch("The talks were held in Anchorage.", "The war in Ukraine went on.", set(), KNOWN) is None
    assert (
        place_mismatch("The talks were held in Anchorage.", "The talks were held in Geneva.", set(), KNOWN) is not None
    )


# --- the split ---------------------------------------------------------------------------------


def test_the_split_is_fixed_by_the_id_and_holds_out_about_the_share_asked():
    ids = [f"claim-{n}" for n in range(4000)]
    held = sum(split_of(i) is Split.HELDOUT for i in ids) / len(ids)
    assert abs(held - HELDOUT_SHARE) < 0.03
    assert [split_of(i) for i in ids[:50]] == [split_of(i) for i in ids[:50]]
    train, heldout = in_split(ids, Split.TRAIN, str), in_split(ids, Split.HELDOUT, str)
    assert sorted(train + heldout) == sorted(ids) and not set(train) & set(heldout)
    assert in_split(ids, Split.ALL, str) == ids
