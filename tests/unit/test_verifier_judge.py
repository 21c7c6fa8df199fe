"""The verifier judge: label mapping, softmax, padding and the choice of sentence as pure functions,
and the whole judge on a tiny random-weight ONNX cross-encoder built by the test (tests/verifier_model.py)."""

from __future__ import annotations

import itertools
import math
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from factcheck.check.combine import mix
from factcheck.check.verifier_judge import (
    CompositeJudge,
    VerifierJudge,
    composite_probabilities,
    most_probable,
    session_weight,
    strongest,
)
from factcheck.config import Settings
from factcheck.errors import ConfigError, ModelLoadError, ModelNotProvisioned
from factcheck.models.cross_encoder import (
    CrossEncoder,
    label_stances,
    locate_verifier,
    pad_batch,
    softmax,
    stance_probabilities,
)
from factcheck.schema import JUDGED_STANCES, Judgement, ModelUsage, Passage, Stance
from tests.judge_fakes import FakeJudge
from tests.verifier_model import build_verifier

S, R, N = Stance.SUPPORTS, Stance.REFUTES, Stance.NOT_MENTIONED
TEXT = "The summit was held in Anchorage, Alaska. Putin met Trump at Joint Base Elmendorf-Richardson. Talks ended."
PASSAGES = [Passage("doc", "doc:0", TEXT, "The summit was held in Anchorage, Alaska.", 0.7, 1.0)]


@pytest.fixture(scope="module")
def tiny(tmp_path_factory) -> Path:
    return build_verifier(tmp_path_factory.mktemp("verifier") / "tiny")


# --- the labels ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("id2label", "expected"),
    [
        ({"0": "contradiction", "1": "entailment", "2": "neutral"}, (R, S, N)),  # cross-encoder/nli-*
        ({"0": "entailment", "1": "neutral", "2": "contradiction"}, (S, N, R)),  # MoritzLaurer/*-mnli-fever-anli
        ({0: "ENTAILMENT", 1: "Neutral", 2: "Contradiction"}, (S, N, R)),
        ({"0": "entailment", "1": "not_entailment"}, (S, N)),  # a binary verifier
        ({"1": "Supported", "0": "not-supported"}, (N, S)),  # keys out of order
        ({"0": "hallucinated", "1": "consistent"}, (N, S)),  # HHEM-style
    ],
)
def test_labels_map_to_stances_in_logit_order_whatever_their_order_and_case(id2label, expected):
    assert label_stances(id2label) == expected


@given(st.permutations(["entailment", "neutral", "contradiction"]))
def test_any_order_of_the_three_nli_labels_is_read_by_name(order):
    stances = label_stances(dict(enumerate(order)))
    meaning = {"entailment": S, "neutral": N, "contradiction": R}
    assert stances == tuple(meaning[label] for label in order)


@pytest.mark.parametrize(
    "id2label",
    [
        {"0": "LABEL_0", "1": "LABEL_1"},  # unnamed labels: guessing would be a coin toss
        {"0": "entailment", "1": "entails"},  # the same stance twice
        {"0": "entailment"},  # one label
        {"0": "neutral", "2": "entailment"},  # a gap in the indices
        {"0": "contradiction", "1": "neutral"},  # no entailment
    ],
)
def test_labels_that_cannot_be_read_are_a_config_error(id2label):
    with pytest.raises(ConfigError):
        label_stances(id2label)


def test_a_binary_verifier_gives_refutes_probability_0():
    probabilities = stance_probabilities([0.3, 0.7], label_stances({"0": "not_entailment", "1": "entailment"}))
    assert probabilities == {"supports": 0.7, "refutes": 0.0, "not_mentioned": 0.3}


finite = st.floats(-50, 50, allow_nan=False)


@given(st.lists(st.lists(finite, min_size=3, max_size=3), min_size=1, max_size=6), finite)
def test_softmax_rows_are_distributions_unchanged_by_a_shift(rows, shift):
    logits = np.array(rows)
    probabilities = softmax(logits)
    assert np.allclose(probabilities.sum(axis=1), 1.0)
    assert np.all(probabilities >= 0)
    assert np.allclose(softmax(logits + shift), probabilities)


# --- padding and the choice of sentence ---------------------------------------------------------

encodings = st.lists(st.lists(st.integers(1, 99), min_size=1, max_size=12), min_size=1, max_size=8)


@given(encodings)
def test_padding_fills_every_row_to_the_longest_and_masks_only_the_padding(ids):
    batch = pad_batch(ids, [[0] * len(row) for row in ids], pad_id=0)
    assert batch.input_ids.shape == (len(ids), max(map(len, ids)))
    assert batch.input_ids.dtype == np.int64 and batch.attention_mask.dtype == np.int64
    for n, row in enumerate(ids):
        assert list(batch.input_ids[n, : len(row)]) == row
        assert batch.attention_mask[n].sum() == len(row)
        assert not batch.input_ids[n, len(row) :].any()


distributions = st.lists(st.floats(0.0, 1.0), min_size=3, max_size=3).filter(lambda p: sum(p) > 1e-3)


def as_distribution(values) -> dict[str, float]:
    total = sum(values)
    return {stance.value: v / total for stance, v in zip(JUDGED_STANCES, values)}


@given(st.lists(distributions, min_size=1, max_size=10))
def test_the_strongest_sentence_has_the_most_evidence_either_way(rows):
    rows = [as_distribution(r) for r in rows]
    best = strongest(rows)
    strength = max(rows[best]["supports"], rows[best]["refutes"])
    assert all(strength >= max(r["supports"], r["refutes"]) for r in rows)
    assert all(strength > max(r["supports"], r["refutes"]) for r in rows[:best])  # first on a tie


def test_a_refuting_sentence_outweighs_a_neutral_one_and_a_weaker_support():
    rows = [
        {"supports": 0.1, "refutes": 0.0, "not_mentioned": 0.9},
        {"supports": 0.6, "refutes": 0.1, "not_mentioned": 0.3},
        {"supports": 0.05, "refutes": 0.9, "not_mentioned": 0.05},
    ]
    assert strongest(rows) == 2 and most_probable(rows[2]) is R


def test_a_tie_is_not_mentioned():
    assert most_probable({"supports": 0.5, "refutes": 0.0, "not_mentioned": 0.5}) is N


# --- the model ----------------------------------------------------------------------------------

PAIRS = [
    ("The summit was held in Anchorage.", "The summit was held in Helsinki."),
    ("Putin met Trump at Joint Base Elmendorf-Richardson on August 15, 2025.", "Putin met Trump."),
    ("Talks ended without a deal.", "A ceasefire in Ukraine was agreed at the summit in Alaska."),
]


@pytest.mark.parametrize("token_types", [True, False], ids=["with-token-types", "without"])
def test_a_batch_gives_the_same_probabilities_as_each_pair_alone(tmp_path, token_types):
    encoder = CrossEncoder.load(build_verifier(tmp_path / "v", token_types=token_types))
    together = encoder.score(PAIRS).probabilities
    alone = np.vstack([encoder.score([pair]).probabilities for pair in PAIRS])
    assert together.shape == (3, 3)
    assert np.allclose(together, alone, atol=1e-6)
    assert np.allclose(together.sum(axis=1), 1.0)


def test_a_long_pair_is_cut_to_the_models_length_and_keeps_the_claim(tiny):
    encoder = CrossEncoder.load(tiny, max_tokens=24)
    premise = " ".join(["the summit was held in anchorage"] * 40)
    batch = encoder.encode([(premise, "putin met trump"), ("talks ended", "putin met trump")])
    assert batch.input_ids.shape[1] == 24
    assert batch.attention_mask[0].sum() == 24  # the long one is cut
    assert batch.attention_mask[1].sum() < 24  # the short one is padded
    assert 1 in batch.token_type_ids[0]  # the claim (second segment) survived the cut
    assert encoder.score([(premise, "putin met trump")]).probabilities.shape == (1, 3)


def test_the_same_logits_read_with_labels_in_another_order_give_the_matching_stances(tmp_path):
    cross = CrossEncoder.load(build_verifier(tmp_path / "a", labels=("contradiction", "entailment", "neutral")))
    other = CrossEncoder.load(build_verifier(tmp_path / "b", labels=("entailment", "neutral", "contradiction")))
    [a] = [stance_probabilities(r, cross.stances) for r in cross.score(PAIRS[:1]).probabilities]
    [b] = [stance_probabilities(r, other.stances) for r in other.score(PAIRS[:1]).probabilities]
    # Same seed, same logits: logit 0 is "refutes" for one and "supports" for the other.
    assert math.isclose(a["refutes"], b["supports"]) and math.isclose(a["supports"], b["not_mentioned"])


# --- the judge ----------------------------------------------------------------------------------


def judge_for(folder: Path) -> VerifierJudge:
    return VerifierJudge(CrossEncoder.load(folder), name="tiny", model_sha256="0" * 64)


def test_the_quote_is_a_sentence_of_the_passages_verbatim_with_its_chunk(tiny):
    passages = [
        *PASSAGES,
        Passage("doc", "doc:1", "Leaders did not take part. The summit was on August 15.", "", 0.5, 0.5),
    ]
    verdicts = set()
    for claim in ("The summit was held in Helsinki.", "Putin met Trump.", "Leaders did not take part in talks."):
        judgement = judge_for(tiny).judge(claim, "doc", passages)
        assert judgement.stance in JUDGED_STANCES
        assert math.isclose(sum(judgement.probabilities.values()), 1.0)
        verdicts.add(judgement.stance)
        if judgement.stance is not N:
            chunk = {p.chunk_id: p.text for p in passages}[judgement.quote_chunk_id]
            assert judgement.quote in chunk
        assert judgement.usage.prompt_tokens > 0
    assert verdicts  # the random model answers something for each claim


def test_the_documents_distribution_is_that_of_its_strongest_sentence(tiny):
    judge = judge_for(tiny)
    claim = "The summit was held in Helsinki."
    from factcheck.check.judge import quote_candidates

    sentences = quote_candidates(PASSAGES)
    rows = [
        stance_probabilities(r, judge.encoder.stances)
        for r in judge.encoder.score([(s, claim) for s in sentences]).probabilities
    ]
    judgement = judge.judge(claim, "doc", PASSAGES)
    assert judgement.probabilities == pytest.approx(rows[strongest(rows)])


def test_no_passages_means_not_mentioned_without_running_the_model(tiny):
    judgement = judge_for(tiny).judge("Anything.", "doc", [])
    assert judgement.stance is N and judgement.probabilities["not_mentioned"] == 1.0 and judgement.quote is None


def test_the_prompt_hash_follows_the_model_file_and_the_label_mapping(tiny, tmp_path):
    base = judge_for(tiny)
    other_file = VerifierJudge(base.encoder, name="tiny", model_sha256="1" * 64)
    relabelled = judge_for(build_verifier(tmp_path / "r", labels=("entailment", "neutral", "contradiction")))
    assert len({base.prompt_hash, other_file.prompt_hash, relabelled.prompt_hash}) == 3
    assert base.smoke_test is False


@pytest.mark.parametrize(
    ("name", "content"),
    [("model.onnx", b"not a model"), ("tokenizer.json", b"{broken"), ("config.json", b"[1, 2")],
)
def test_a_broken_file_is_our_load_error_naming_it(tmp_path, name, content):
    folder = build_verifier(tmp_path / "broken")
    (folder / name).write_bytes(content)
    with pytest.raises(ModelLoadError, match=name.split(".")[0]):
        CrossEncoder.load(folder)


def test_a_folder_missing_a_file_says_which(tmp_path):
    folder = build_verifier(tmp_path / "partial")
    (folder / "tokenizer.json").unlink()
    with pytest.raises(ModelNotProvisioned, match="tokenizer.json"):
        locate_verifier(str(folder), tmp_path)


def test_a_verifier_preset_not_pulled_says_how_to_pull_it(tmp_path):
    with pytest.raises(ModelNotProvisioned, match="factcheck models pull nli-deberta-v3-xsmall"):
        locate_verifier("nli-deberta-v3-xsmall", tmp_path)


def test_a_chat_preset_is_not_a_verifier(tmp_path):
    with pytest.raises(ConfigError, match="not a verifier model"):
        locate_verifier("smollm2-135m", tmp_path)


# --- two judges as one --------------------------------------------------------------------------

strict = st.lists(st.floats(0.01, 1.0), min_size=3, max_size=3).map(as_distribution)
weights = st.floats(0.01, 1.0)


@given(strict, strict, strict, weights, weights)
def test_the_composite_mixed_with_the_summed_weight_counts_each_judge_with_its_own(p_sim, p_llm, p_ver, w1, w2):
    total = w1 + w2
    if total > 1:  # the exact identity holds while the weights sum to at most 1; above, W is clipped
        w1, w2 = w1 / total, w2 / total
    pooled = composite_probabilities([(p_llm, w1), (p_ver, w2)])
    mixed = mix({Stance(k): v for k, v in p_sim.items()}, {Stance(k): v for k, v in pooled.items()}, w1 + w2)
    direct = {s: p_sim[s.value] ** (1 - w1 - w2) * p_llm[s.value] ** w1 * p_ver[s.value] ** w2 for s in JUDGED_STANCES}
    norm = sum(direct.values())
    for stance in JUDGED_STANCES:
        assert mixed[stance] == pytest.approx(direct[stance] / norm, rel=1e-6, abs=1e-9)


@given(strict, weights)
def test_one_judge_pooled_alone_is_itself(p, w):
    assert composite_probabilities([(p, w)]) == pytest.approx(p)


@given(st.lists(weights, min_size=1, max_size=4))
def test_the_session_weight_is_the_sum_clipped_to_1(ws):
    assert session_weight(ws) == pytest.approx(min(1.0, sum(ws)))


def judgement(stance: Stance, p: float, quote: str | None = None, **fields) -> Judgement:
    probabilities = {s.value: (p if s is stance else (1 - p) / 2) for s in JUDGED_STANCES}
    return Judgement(
        stance=stance, probabilities=probabilities, quote=quote, quote_chunk_id="doc:0" if quote else None, **fields
    )


def fake(*answers: Judgement) -> FakeJudge:
    judge = FakeJudge()
    judge.enqueue(answers)
    return judge


def test_the_composite_asks_both_quotes_the_agreeing_one_and_sums_the_counters():
    llm = fake(
        judgement(S, 0.6, "The summit was held in Anchorage, Alaska.", usage=ModelUsage(prompt_tokens=100, seconds=2.0))
    )
    verifier = fake(judgement(S, 0.9, None, usage=ModelUsage(prompt_tokens=30, seconds=0.1)))
    composite = CompositeJudge([(llm, 0.4), (verifier, 0.3)])
    answer = composite.judge("The summit was in Alaska.", "doc", PASSAGES)
    assert answer.stance is S and answer.quote == "The summit was held in Anchorage, Alaska."
    assert answer.usage.prompt_tokens == 130 and answer.usage.seconds == pytest.approx(2.1)
    assert llm.history and verifier.history
    assert composite.weight == pytest.approx(0.7)


def test_a_failing_part_makes_the_composite_answer_an_error():
    composite = CompositeJudge([(fake(Judgement(Stance.ERROR, error="cut off")), 0.5), (fake(judgement(S, 0.9)), 0.5)])
    answer = composite.judge("c", "doc", PASSAGES)
    assert answer.stance is Stance.ERROR and answer.error == "cut off"


def test_a_composite_needs_two_judges_that_count():
    with pytest.raises(ValueError):
        CompositeJudge([(FakeJudge(), 0.5)])
    with pytest.raises(ValueError):
        CompositeJudge([(FakeJudge(), 0.5), (FakeJudge(), 0.0)])


# --- the setting --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("given_value", "judges"),
    [
        ("llm", ("llm",)),
        ("verifier", ("verifier",)),
        ("verifier+llm", ("llm", "verifier")),
        ("LLM + Verifier", ("llm", "verifier")),
        ("none", ()),
    ],
)
def test_the_judge_setting_is_read_in_any_order_and_case(given_value, judges):
    assert Settings(judge=given_value).judges == judges


@pytest.mark.parametrize("bad", ["gpt", "llm+none", "", "verifier+verifier+gpt"])
def test_an_unknown_judge_is_refused(bad):
    with pytest.raises(ValueError):
        Settings(judge=bad)


def test_every_permutation_of_the_two_judges_is_one_setting():
    spellings = {"+".join(p) for p in itertools.permutations(["llm", "verifier"])}
    assert {Settings(judge=s).judge for s in spellings} == {"llm+verifier"}
