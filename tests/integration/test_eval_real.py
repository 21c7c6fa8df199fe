"""`factcheck eval` end to end with the real small models (minilm-l6 + smollm2-135m) on a slice of
eval/alaska-summit: it runs and its figures are well-formed and consistent. No accuracy threshold:
smollm2-135m is a smoke-test model."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from typer.testing import CliRunner

from factcheck.cli import app

runner = CliRunner()
SOURCE = Path(__file__).resolve().parents[2] / "eval" / "alaska-summit"
# One short article keeps the model's reading short (smollm2 takes seconds per document on two
# cores): the model reads it for the three claims about it and is not asked about the three
# off-topic ones.
DOCUMENTS = ("004_62a568f4fab62d01",)
CLAIM_IDS = ("as-014", "as-023", "as-057", "as-086", "as-087", "as-088")
SHARES = ("accuracy", "balanced_accuracy", "macro_f1", "evidence_recall", "error_rate")


def slice_of_alaska(folder: Path) -> Path:
    (folder / "corpus").mkdir(parents=True)
    for doc_id in DOCUMENTS:
        shutil.copy(SOURCE / "corpus" / f"{doc_id}.txt", folder / "corpus")
    lines = []
    for line in (SOURCE / "claims.jsonl").read_text(encoding="utf-8").splitlines():
        claim = json.loads(line)
        if claim["id"] in CLAIM_IDS:
            claim["evidence"] = [doc for doc in claim["evidence"] if doc in DOCUMENTS]
            lines.append(json.dumps(claim))
    (folder / "claims.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return folder


def test_real_eval_produces_consistent_figures(minilm_path, smollm_path, tmp_path, monkeypatch):
    monkeypatch.setenv("FACTCHECK_MODEL", "smollm2-135m")
    dataset = slice_of_alaska(tmp_path / "alaska-slice")
    # Weight 0.5 so that the model is asked (at its preset weight 0 it would not be).
    result = runner.invoke(app, ["eval", str(dataset), "--judge-weight", "0.5", "--format", "json"])
    assert result.exit_code == 0, result.output
    [scores] = json.loads(result.stdout)["datasets"]
    n = len(CLAIM_IDS)
    assert scores["n"] == n and len(scores["cases"]) == n
    assert [c["id"] for c in scores["cases"]] == list(CLAIM_IDS)
    assert sum(sum(row.values()) for row in scores["confusion"].values()) == n
    assert sum(s["support"] for s in scores["per_label"].values()) == n
    assert all(0.0 <= scores[key] <= 1.0 for key in SHARES)
    assert all(0.0 <= v <= 1.0 for s in scores["per_label"].values() for k, v in s.items() if k != "support")
    assert scores["accuracy"] == sum(c["correct"] for c in scores["cases"]) / n
    assert scores["model"] == "smollm2-135m" and scores["embedder"] == "minilm-l6"
    assert scores["tokens_per_claim"] > 0 and scores["seconds_per_claim"] > 0
    assert all(set(c["cited"]) <= set(DOCUMENTS) for c in scores["cases"])
