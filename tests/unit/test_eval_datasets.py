"""The evaluation datasets keep their contract: well-formed claims, evidence that exists and fits the
label, corpora identical to the sample articles, and perturbations that are real one-span edits of
a corpus sentence, reproduced exactly by scripts/make_perturbations.py."""

from __future__ import annotations

import difflib
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from factcheck.corpus.chunking import split_sentences

REPO = Path(__file__).resolve().parents[2]
SAMPLES = REPO / "examples" / "alaska-summit"
DATASETS = [REPO / "eval" / "alaska-summit", REPO / "eval" / "perturbations"]
PERTURBATIONS = REPO / "eval" / "perturbations"
SCRIPT = REPO / "scripts" / "make_perturbations.py"

LABELS = {"supported", "single-source", "contradicted", "unverified"}
REQUIRED = {"id", "claim", "label", "evidence"}
OPTIONAL = {"difficulty", "origin", "notes"}
DIFFICULTIES = {"easy", "medium", "hard"}
# A section heading run into the sentence after it: "…Political SignificanceKremlin spokesman …".
RUN_IN_HEADING = re.compile(r"^.*?[a-z](?=[A-Z][a-z])")
TOKEN = re.compile(r"\w+|[^\w\s]")
MAX_SPAN = 8  # tokens; "Ambassador to the U.S." is 7


def load_claims(dataset: Path) -> list[dict]:
    lines = (dataset / "claims.jsonl").read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


def corpus_ids(dataset: Path) -> set[str]:
    return {p.stem for p in (dataset / "corpus").iterdir() if p.is_file()}


def sentences(text: str) -> list[tuple[str, ...]]:
    """The document's sentences, each as written and, where it has one, without a run-in
    section heading."""
    found = []
    for a, b in split_sentences(text):
        s = text[a:b]
        found.append((s, RUN_IN_HEADING.sub("", s)) if RUN_IN_HEADING.match(s) else (s,))
    return found


def one_span_apart(a: str, b: str) -> bool:
    """a and b differ in exactly one short run of tokens (a value, a name, a title)."""
    ops = difflib.SequenceMatcher(None, TOKEN.findall(a), TOKEN.findall(b), autojunk=False).get_opcodes()
    changed = [(i2 - i1, j2 - j1) for op, i1, i2, j1, j2 in ops if op != "equal"]
    return len(changed) == 1 and max(changed[0]) <= MAX_SPAN


@pytest.mark.parametrize("dataset", DATASETS, ids=lambda p: p.name)
class TestContract:
    def test_every_line_is_a_well_formed_claim(self, dataset: Path) -> None:
        lines = (dataset / "claims.jsonl").read_text(encoding="utf-8").splitlines()
        assert lines
        for n, line in enumerate(lines, 1):
            claim = json.loads(line)
            assert isinstance(claim, dict), n
            assert REQUIRED <= claim.keys(), (n, REQUIRED - claim.keys())
            assert claim.keys() <= REQUIRED | OPTIONAL, (n, claim.keys() - REQUIRED - OPTIONAL)
            assert isinstance(claim["id"], str) and claim["id"], n
            assert isinstance(claim["claim"], str) and claim["claim"].strip(), n
            assert claim["label"] in LABELS, (n, claim["label"])
            assert isinstance(claim["evidence"], list), n
            assert all(isinstance(e, str) for e in claim["evidence"]), n
            assert claim.get("difficulty", "easy") in DIFFICULTIES, n
            assert isinstance(claim.get("notes", ""), str) and isinstance(claim.get("origin", ""), str)

    def test_ids_and_claims_are_unique(self, dataset: Path) -> None:
        claims = load_claims(dataset)
        ids = [c["id"] for c in claims]
        assert len(ids) == len(set(ids))
        texts = [c["claim"] for c in claims]
        assert len(texts) == len(set(texts))

    def test_evidence_exists_and_fits_the_label(self, dataset: Path) -> None:
        known = corpus_ids(dataset)
        for c in load_claims(dataset):
            evidence = c["evidence"]
            assert set(evidence) <= known, (c["id"], set(evidence) - known)
            assert len(evidence) == len(set(evidence)), c["id"]
            if c["label"] == "unverified":
                assert evidence == [], c["id"]
            elif c["label"] == "supported":
                assert len(evidence) >= 2, c["id"]
            elif c["label"] == "single-source":
                assert len(evidence) == 1, c["id"]
            else:
                assert len(evidence) >= 1, c["id"]

    def test_every_claim_explains_its_label(self, dataset: Path) -> None:
        for c in load_claims(dataset):
            assert c.get("notes", "").strip(), c["id"]

    def test_corpus_is_the_sample_articles_byte_for_byte(self, dataset: Path) -> None:
        ours = sorted(p.name for p in (dataset / "corpus").iterdir())
        assert ours == sorted(p.name for p in SAMPLES.glob("*.txt"))
        for name in ours:
            assert (dataset / "corpus" / name).read_bytes() == (SAMPLES / name).read_bytes(), name


def test_hand_written_set_covers_every_label() -> None:
    claims = load_claims(REPO / "eval" / "alaska-summit")
    assert len(claims) >= 64
    counts = {label: sum(c["label"] == label for c in claims) for label in LABELS}
    assert min(counts.values()) >= 12, counts
    assert all(c["id"] == f"as-{i:03d}" for i, c in enumerate(claims, 1))


def test_perturbation_set_is_balanced() -> None:
    claims = load_claims(PERTURBATIONS)
    counts = {label: sum(c["label"] == label for c in claims) for label in LABELS}
    for label in ("single-source", "contradicted", "unverified"):
        assert counts[label] >= len(claims) // 5, counts
    assert all(c["id"] == f"pt-{i:03d}" for i, c in enumerate(claims, 1))
    origins = {c.get("origin", "") for c in claims}
    for kind in ("number", "date", "name", "role"):
        assert f"perturbation:{kind}" in origins


def test_script_reproduces_the_committed_perturbations(tmp_path: Path) -> None:
    out = tmp_path / "perturbations"
    done = subprocess.run(
        [sys.executable, str(SCRIPT), "--out", str(out)],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    committed = sorted(p.relative_to(PERTURBATIONS) for p in PERTURBATIONS.rglob("*") if p.is_file())
    fresh = sorted(p.relative_to(out) for p in out.rglob("*") if p.is_file())
    assert fresh == committed
    for rel in committed:
        assert (out / rel).read_bytes() == (PERTURBATIONS / rel).read_bytes(), rel


def test_perturbations_change_exactly_one_span_of_one_sentence() -> None:
    for c in load_claims(PERTURBATIONS):
        origin = c.get("origin", "")
        source = (PERTURBATIONS / "corpus" / f"{c['evidence'][0]}.txt") if c["evidence"] else None
        if origin.startswith("perturbation:"):
            assert c["label"] == "contradicted", c["id"]
            text = source.read_text(encoding="utf-8")
            near = [s for s in sentences(text) if any(one_span_apart(v, c["claim"]) for v in s)]
            assert len(near) == 1, (c["id"], near)
            assert c["claim"] not in text, c["id"]
        elif origin == "corpus-sentence":
            assert c["label"] == "single-source", c["id"]
            forms = [v for s in sentences(source.read_text(encoding="utf-8")) for v in s]
            assert c["claim"] in forms, c["id"]
