"""Finding people named with a title, and comparing two mentions of the same person."""

from __future__ import annotations

import pytest

from factcheck.check.roles import relate, roles, same_person


def only_role(text: str):
    found = roles(text)
    assert len(found) == 1, found
    return found[0]


def relation(claim: str, evidence: str) -> str | None:
    related = relate(only_role(claim), only_role(evidence))
    return related[0] if related else None


class TestFindingRoles:
    @pytest.mark.parametrize(
        ("text", "head", "portfolio", "last"),
        [
            ("Foreign Minister Sergei Lavrov arrived first.", "minister", {"foreign"}, "lavrov"),
            ("The defence minister Lavrov declined to comment.", "minister", {"defense"}, "lavrov"),
            ("Secretary of State Marco Rubio spoke to reporters.", "secretary", {"state"}, "rubio"),
            ("Sergei Lavrov, the foreign minister, said talks went well.", "minister", {"foreign"}, "lavrov"),
            ("Russia's foreign minister, Sergei Lavrov, said talks went well.", "minister", {"foreign"}, "lavrov"),
            (
                "Yury Ushakov, Putin’s foreign policy aide, briefed reporters.",
                "adviser",
                {"foreign", "policy"},
                "ushakov",
            ),
            ("Chelsea manager Enzo Maresca praised the defence.", "coach", set(), "maresca"),
            ("Deputy Prime Minister Chrystia Freeland resigned.", "deputy prime minister", set(), "freeland"),
            ("Sen. Ted Cruz objected.", "senator", set(), "cruz"),
        ],
    )
    def test_title_first_and_appositive_forms(self, text, head, portfolio, last):
        role = only_role(text)
        assert (role.head, set(role.portfolio), role.last) == (head, portfolio, last)

    @pytest.mark.parametrize(
        ("text", "modifier"),
        [
            ("Former President Barack Obama campaigned in Ohio.", "former"),
            ("The ex-president Jair Bolsonaro was barred.", "former"),
            ("It was then-President Barack Obama who signed it.", "then"),
            ("Acting Governor Kathy Hochul signed the order.", "acting"),
            ("Current President Emmanuel Macron replied.", "current"),
        ],
    )
    def test_modifiers_before_the_title_are_kept(self, text, modifier):
        assert only_role(text).modifier == modifier

    def test_nationality_and_organisation_words_are_not_part_of_the_office(self):
        role = only_role("Russian Ambassador to the U.S. Alexander Darchiev was upbeat.")
        assert (role.head, role.portfolio, role.first, role.last) == (
            "ambassador",
            frozenset(),
            "alexander",
            "darchiev",
        )

    def test_two_people_in_one_sentence_are_two_mentions(self):
        found = roles("U.S. President Donald Trump and Russian President Vladimir Putin met.")
        assert [r.last for r in found] == ["trump", "putin"]

    def test_a_title_without_a_name_is_not_a_mention(self):
        text = "The president said the minister would look the Russian leader in the eye."
        assert roles(text) == ()

    def test_transliterations_of_a_surname_fold_together(self):
        full, short = only_role("President Volodymyr Zelenskyy"), only_role("President Zelenskiy")
        assert full.last == short.last


class TestSamePerson:
    def test_surname_alone_matches_a_full_name(self):
        short, full = only_role("defence minister Lavrov"), only_role("Minister Sergei Lavrov")
        assert same_person(short, full)

    def test_different_first_names_are_different_people(self):
        a, b = only_role("Senator Ted Kennedy"), only_role("Senator Robert Kennedy")
        assert not same_person(a, b)

    def test_an_initial_matches_the_first_name_it_abbreviates(self):
        assert same_person(only_role("Governor J. Smith"), only_role("Governor John Smith"))


RELATIONS = [
    ("different portfolios conflict",
     "Defence Minister Sergei Lavrov", "Foreign Minister Sergei Lavrov", "conflict"),
    ("defence and defense are one portfolio",
     "Defence Minister Andrei Belousov", "Defense Minister Andrei Belousov", "match"),
    ("former against sitting conflicts",
     "former President Donald Trump", "U.S. President Donald Trump", "conflict"),
    ("former against current conflicts",
     "former CEO Tim Cook", "current chief executive Tim Cook", "conflict"),
    ("former on both sides matches",
     "former President Donald Trump", "former U.S. President Donald Trump", "match"),
    ("a former holder of one office may hold another",
     "former president Dmitry Medvedev", "deputy chairman Dmitry Medvedev", None),
    ("nationality alone never conflicts",
     "President Donald Trump", "U.S. President Donald Trump", "match"),
    ("different offices conflict",
     "Prime Minister Keir Starmer", "Chancellor Keir Starmer", "conflict"),
    ("spokeswoman and spokesperson are one office",
     "White House spokeswoman Karoline Leavitt", "press spokesperson Karoline Leavitt", "match"),
    ("aide and adviser are one office",
     "foreign policy aide Yury Ushakov", "foreign policy adviser Yury Ushakov", "match"),
    ("a generic title never conflicts with an office",
     "Russian leader Vladimir Putin", "President Vladimir Putin", "match"),
    ("a rank never conflicts with an office",
     "General Mark Milley", "chairman Mark Milley", "match"),
    ("a deputy is not the office itself",
     "Deputy Prime Minister Chrystia Freeland", "Prime Minister Chrystia Freeland", "conflict"),
    ("other people are not compared",
     "Foreign Minister Sergei Lavrov", "Defence Minister Andrei Belousov", None),
]  # fmt: skip


@pytest.mark.parametrize(("claim", "evidence", "expected"), [r[1:] for r in RELATIONS], ids=[r[0] for r in RELATIONS])
def test_relate(claim, evidence, expected):
    assert relation(claim, evidence) == expected


def test_a_title_after_a_copula_belongs_to_the_name_before_it():
    [role] = roles("Sergei Lavrov is Russia's defence minister.")
    assert (role.last, role.head, sorted(role.portfolio)) == ("lavrov", "minister", ["defense"])
    [role] = roles("Angela Merkel was still the German chancellor in 2020.")
    assert (role.last, role.head) == ("merkel", "chancellor")


def test_a_claim_of_a_sitting_president_conflicts_with_a_former_one():
    [claim] = roles("Donald Trump is the sitting U.S. president.")
    [evidence] = roles("On Friday, former President Donald Trump met the press.")
    assert relate(claim, evidence) == ("conflict", "former vs sitting president")
