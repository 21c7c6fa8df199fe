"""Near-duplicate documents are one origin; independent reports are not."""

from __future__ import annotations

from pathlib import Path

from factcheck.check.independence import origin_groups

SAMPLE = Path(__file__).resolve().parents[2] / "examples" / "alaska-summit"


def sample_texts() -> dict[str, str]:
    return {p.stem: p.read_text(encoding="utf-8") for p in sorted(SAMPLE.glob("*.txt"))}


def test_independent_articles_are_separate_origins():
    texts = sample_texts()
    assert origin_groups(texts) == [(doc_id,) for doc_id in sorted(texts)]


def test_a_syndicated_copy_with_a_new_headline_joins_its_original():
    texts = sample_texts()
    original = texts["003_4367fb0e076358f5"]
    texts["wire-copy"] = "Leaders meet in Alaska (Wire)\n" + original + "\nReporting by staff; editing by the desk."
    groups = origin_groups(texts)
    assert ("003_4367fb0e076358f5", "wire-copy") in groups
    assert len(groups) == 5


def test_a_lightly_rewritten_copy_joins_but_a_shared_quote_does_not():
    texts = sample_texts()
    sentences = texts["001_976a07284dc4f461"].split(". ")
    rewritten = ". ".join(s.replace("will", "is set to") if i % 4 == 0 else s for i, s in enumerate(sentences))
    texts["rewrite"] = rewritten
    texts["quoting"] = "An unrelated column about fishing quotas. " + sentences[3] + ". Boats were idle all week."
    groups = origin_groups(texts)
    assert ("001_976a07284dc4f461", "rewrite") in groups
    assert ("quoting",) in groups


def test_grouping_is_deterministic_and_a_partition():
    texts = sample_texts()
    texts["copy"] = texts["000_022d5beb5f24331b"]
    first, second = origin_groups(texts), origin_groups(texts)
    assert first == second
    flat = [d for g in first for d in g]
    assert sorted(flat) == sorted(texts)
