"""Claim-checking benchmark on the sample corpus with the real small models. Prints figures.

    .venv/bin/python benchmarks/bench_check.py [--claims N]

- claims per minute, model tokens per claim;
- wall time / time inside llama.cpp calls (target <= 1.10);
- KV-cache reuse ratio (prompt tokens taken from the cache / prompt tokens), and the same batch
  with prefix reuse switched off, to show what the reuse saves.
The claims are the first N of eval/alaska-summit/claims.jsonl; nothing is cached between runs.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from factcheck.check.combine import Calibration  # noqa: E402
from factcheck.check.independence import origin_groups  # noqa: E402
from factcheck.check.llama_judge import LlamaJudge  # noqa: E402
from factcheck.check.pipeline import Checker, ClaimInput  # noqa: E402
from factcheck.config import load_settings  # noqa: E402
from factcheck.corpus.ingest import ChunkingPolicy, Ingestor  # noqa: E402
from factcheck.models.embedding import load_embedder  # noqa: E402
from factcheck.models.presets import PRESETS, ModelRole  # noqa: E402
from factcheck.models.provision import pull  # noqa: E402
from factcheck.models.resolve import resolve  # noqa: E402
from factcheck.retrieve import EvidenceIndex  # noqa: E402
from factcheck.schema import IngestSummary  # noqa: E402
from factcheck.store import CorpusStore  # noqa: E402


def run(checker: Checker, claims: list[ClaimInput]) -> float:
    started = time.perf_counter()
    [checker.check(claim) for claim in claims]
    return time.perf_counter() - started


def report(label: str, wall: float, checker: Checker) -> None:
    stats = checker.stats
    tokens = stats.usage.tokens
    print(f"{label}: {stats.claims} claims, {stats.judgements} judgements")
    print(f"  claims per minute          {60 * stats.claims / wall:8.2f}")
    print(f"  model tokens per claim     {tokens / stats.claims:8.1f}")
    print(f"  wall time                  {wall:8.2f} s")
    print(f"  inside llama.cpp           {stats.usage.seconds:8.2f} s")
    print(f"  wall / llama.cpp           {wall / stats.usage.seconds:8.3f}")
    print(f"  KV reuse ratio             {stats.usage.reused_tokens / max(1, stats.usage.prompt_tokens):8.3f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--claims", type=int, default=10, help="how many eval claims to check")
    args = parser.parse_args()
    settings = load_settings(models_dir=str(REPO / "models"))
    for name in ("minilm-l6", "smollm2-135m"):
        pull(PRESETS[name], settings.model_dir)
    embedder = load_embedder(settings)
    rows = [json.loads(line) for line in (REPO / "eval/alaska-summit/claims.jsonl").read_text().splitlines()]
    claims = [ClaimInput(r["id"], r["claim"]) for r in rows[: args.claims]]
    with tempfile.TemporaryDirectory() as tmp:
        store = CorpusStore(Path(tmp), embedder.id)
        policy = ChunkingPolicy.for_embedder(embedder, settings.chunk_tokens, settings.chunk_overlap_tokens)
        ingestor = Ingestor(store, embedder, policy, settings.max_file_bytes)
        ingestor.run(ingestor.plan([REPO / "examples/alaska-summit"])[0], IngestSummary())
        index = EvidenceIndex(store, embedder)
        groups = origin_groups({r.doc_id: store.text(r.doc_id) for r in store.documents()})
        model = resolve("smollm2-135m", ModelRole.LLM, settings.model_dir)
        for reuse in (True, False):
            judge = LlamaJudge.load(
                model,
                n_ctx=settings.n_ctx,
                n_threads=settings.n_threads,
                extra_buffers=settings.llama_extra_buffers,
                reuse_prefix=reuse,
            )
            checker = Checker(index, groups, Calibration(), judge)
            wall = run(checker, claims)
            report(f"smollm2-135m, KV prefix reuse {'on' if reuse else 'off'}", wall, checker)


if __name__ == "__main__":
    main()
