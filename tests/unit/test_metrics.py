"""Eval metrics against values computed by hand, zero divisions included; scoring of checker
results; the oracle's stances; comparing two runs."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from factcheck.evaluation import metrics
from factcheck.evaluation.compare import compare_runs, datasets_of
from factcheck.evaluation.dataset import GoldClaim, parse_gold_claims
from factcheck.evaluation.run import OracleJudge, gold_stance, score
from factcheck.schema import ClaimResult, SourceStance, Stance, Verdict

S, SS, C, U = "supported", "single-source", "contradicted", "unverified"


def scores_of(gold, predicted):
    confusion = metrics.confusion_matrix(gold, predicted)
    return confusion, metrics.per_label(confusion)


def test_every_figure_of_a_small_mixed_example_matches_the_hand_computation():
    # S row: S 1, SS 1 · SS row: SS 1 · C row: C 1 · U row: U 1, S 1
    confusion, per_label = scores_of([S, S, SS, C, U, U], [S, SS, SS, C, U, S])
    assert confusion[S] == {S: 1, SS: 1, C: 0, U: 0}
    assert confusion[U] == {S: 1, SS: 0, C: 0, U: 1}
    assert metrics.accuracy(confusion) == pytest.approx(4 / 6)
    assert per_label[S] == metrics.LabelScores(0.5, 0.5, pytest.approx(0.5), 2)
    assert per_label[SS] == metrics.LabelScores(0.5, 1.0, pytest.approx(2 / 3), 1)
    assert per_label[C] == metrics.LabelScores(1.0, 1.0, 1.0, 1)
    assert per_label[U] == metrics.LabelScores(1.0, 0.5, pytest.approx(2 / 3), 2)
    assert metrics.balanced_accuracy(confusion) == pytest.approx((0.5 + 1 + 1 + 0.5) / 4)
    assert metrics.macro_f1(confusion) == pytest.approx((0.5 + 2 / 3 + 1 + 2 / 3) / 4)


def test_a_label_never_predicted_and_one_never_in_gold_score_zero_not_an_error():
    confusion, per_label = scores_of([C, C], [U, U])
    assert per_label[C] == metrics.LabelScores(0.0, 0.0, 0.0, 2)  # never predicted: precision 0/0
    assert per_label[U] == metrics.LabelScores(0.0, 0.0, 0.0, 0)  # not in gold: recall 0/0
    assert metrics.accuracy(confusion) == 0.0
    assert metrics.balanced_accuracy(confusion) == 0.0
    assert metrics.macro_f1(confusion) == 0.0


def test_balanced_accuracy_averages_gold_labels_and_macro_f1_the_labels_seen():
    confusion, per_label = scores_of([S, S, U], [S, S, S])
    assert per_label[S].precision == pytest.approx(2 / 3) and per_label[S].f1 == pytest.approx(0.8)
    assert metrics.balanced_accuracy(confusion) == pytest.approx(0.5)  # (1 + 0) / 2, not / 4
    assert metrics.macro_f1(confusion) == pytest.approx(0.4)  # (0.8 + 0) / 2: SS and C never seen


def test_nothing_to_score_gives_zeros():
    confusion = metrics.confusion_matrix([], [])
    assert metrics.total(confusion) == 0
    assert metrics.accuracy(confusion) == metrics.balanced_accuracy(confusion) == metrics.macro_f1(confusion) == 0.0
    assert metrics.evidence_recall([]) == 0.0


def test_evidence_recall_needs_the_stance_the_gold_label_asks_for():
    cases = [
        (S, ["a", "b"], {"a": "supports", "b": "refutes"}),  # 1 of 2: b refutes a supported claim
        (C, ["c"], {"c": "refutes"}),  # 1 of 1
        (U, [], {"a": "supports"}),  # needs nothing
        (SS, ["d"], {}),  # 0 of 1
    ]
    assert metrics.evidence_recall(cases) == pytest.approx(2 / 4)
    assert metrics.evidence_recall([(U, ["a"], {"a": "supports"})]) == 0.0  # 0 / 0


def test_mismatched_lengths_and_unknown_labels_are_refused():
    with pytest.raises(ValueError, match="2 gold labels but 1"):
        metrics.confusion_matrix([S, S], [S])
    with pytest.raises(ValueError, match="true"):
        metrics.confusion_matrix(["true"], [S])


labels = st.sampled_from(metrics.LABELS)
pairs = st.lists(st.tuples(labels, labels), max_size=40)


@given(pairs)
def test_scores_are_shares_and_counts_add_up(pairs):
    gold, predicted = [g for g, _ in pairs], [p for _, p in pairs]
    confusion, per_label = scores_of(gold, predicted)
    assert metrics.total(confusion) == len(pairs)
    assert sum(s.support for s in per_label.values()) == len(pairs)
    for value in (metrics.accuracy(confusion), metrics.balanced_accuracy(confusion), metrics.macro_f1(confusion)):
        assert 0.0 <= value <= 1.0
    assert all(0.0 <= x <= 1.0 for s in per_label.values() for x in (s.precision, s.recall, s.f1))


@given(st.lists(labels, min_size=1, max_size=40))
def test_perfect_predictions_score_one_everywhere(gold):
    confusion = metrics.confusion_matrix(gold, gold)
    assert metrics.accuracy(confusion) == metrics.balanced_accuracy(confusion) == metrics.macro_f1(confusion) == 1.0


# --- scoring checker results -----------------------------------------------------------------


def gold(claim_id, label, evidence=()):
    return GoldClaim(id=claim_id, claim=f"claim {claim_id}", label=label, evidence=tuple(evidence), line=1)


def result(claim_id, verdict, **stances):
    sources = tuple(SourceStance(doc, Stance(s), 0.9, None, None, 0.5) for doc, s in stances.items())
    return ClaimResult(claim_id, f"claim {claim_id}", Verdict(verdict), 0.9, 0, sources)


def test_score_turns_results_into_cases_and_counts_error_stances():
    claims = [gold("1", S, ["a", "b"]), gold("2", C, ["b"]), gold("3", U)]
    results = [
        result("1", S, a="supports", b="supports", c="not_mentioned"),
        result("2", SS, a="supports", b="error"),
        result("3", U, a="not_mentioned"),
    ]
    scored = score("tiny", claims, results, seconds=3.0, model_tokens=300, model="m", embedder="e")
    assert [c.correct for c in scored.cases] == [True, False, True]
    assert scored.cases[1].as_json() == {
        "id": "2",
        "gold": C,
        "predicted": SS,
        "cited": {"a": "supports"},
        "correct": False,
    }
    assert scored.evidence_recall == pytest.approx(2 / 3)  # a and b for 1; b does not refute 2
    assert scored.error_rate == pytest.approx(1 / 6)
    assert (scored.seconds_per_claim, scored.tokens_per_claim) == (1.0, 100.0)
    assert scored.accuracy == pytest.approx(2 / 3)


def test_the_oracle_answers_the_gold_stance_with_certainty():
    claims = [gold("1", S, ["a"]), gold("2", C, ["a"]), gold("3", U)]
    assert [gold_stance(claims[0], d) for d in "ab"] == [Stance.SUPPORTS, Stance.NOT_MENTIONED]
    assert gold_stance(claims[1], "a") is Stance.REFUTES
    assert gold_stance(claims[2], "a") is Stance.NOT_MENTIONED
    judgement = OracleJudge(claims).judge("claim 2", "a", [])
    assert judgement.stance is Stance.REFUTES
    assert judgement.probabilities == {"supports": 0.0, "refutes": 1.0, "not_mentioned": 0.0}


def test_gold_claims_name_each_bad_line():
    text = "\n".join(
        [
            '{"id": "1", "claim": "x", "label": "supported", "evidence": ["a"]}',
            '{"id": "2", "claim": "x", "label": "true", "evidence": []}',
            "",
            '{"id": "3", "claim": "x", "label": "unverified", "evidence": ["zzz"]}',
            '{"id": "1", "claim": "y", "label": "unverified", "evidence": []}',
            "[1, 2]",
            '{"id": "5", "claim": "x", "label": "unverified"}',
        ]
    )
    claims, problems = parse_gold_claims(text, {"a"})
    assert [c.id for c in claims] == ["1"]
    assert [line for line, _ in problems] == [2, 4, 5, 6, 7]
    reasons = dict(problems)
    assert "label 'true'" in reasons[2] and "'zzz' not in the corpus" in reasons[4]
    assert "duplicate id '1'" in reasons[5] and "'evidence'" in reasons[7]


# --- comparing runs ------------------------------------------------------------------------------


def saved(predicted, accuracy):
    cases = [{"id": i, "gold": S, "predicted": p} for i, p in enumerate(predicted)]
    return {"dataset": "d", "accuracy": accuracy, "macro_f1": 0.5, "cases": cases}


def test_compare_lists_flipped_cases_and_metric_changes():
    comparison = compare_runs([saved([S, U, U], 1 / 3)], [saved([S, S, C], 2 / 3)])
    assert [(f.id, f.before, f.after, f.correct) for f in comparison.flips] == [(1, U, S, True), (2, U, C, False)]
    deltas = {d.metric: d.change for d in comparison.deltas}
    assert deltas == {"accuracy": pytest.approx(1 / 3), "macro_f1": 0.0}


def test_compare_names_datasets_missing_from_either_run():
    comparison = compare_runs([saved([S], 1.0)], [{**saved([S], 1.0), "dataset": "other"}])
    assert comparison.flips == () and comparison.only_now == ("other",) and comparison.only_before == ("d",)


def test_a_saved_run_must_hold_datasets_with_cases():
    assert datasets_of({"datasets": [saved([S], 1.0)]}) == datasets_of([saved([S], 1.0)])
    with pytest.raises(ValueError):
        datasets_of({"claims": []})
    with pytest.raises(ValueError):
        datasets_of([{"dataset": "d", "cases": [{"id": 1}]}])
