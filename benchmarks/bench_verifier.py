"""The verifier judge against the LLM judge on the same claims and documents. Prints figures.

    .venv/bin/python benchmarks/bench_verifier.py [--verifier NAME_OR_FOLDER]

- pairs per second (sentence, claim) through the cross-encoder, and claims per minute;
- claims per minute and seconds per judgement for the LLM judge (smollm2-135m on llama.cpp);
- both on the claims of examples/alaska-summit-claims.txt against examples/alaska-summit/,
  every document judged for every claim (the same Checker, only the judge differs).

The verifier is the preset nli-deberta-v3-xsmall when it is downloaded (`factcheck models pull
nli-deberta-v3-xsmall`), else a folder given with --verifier, else the tiny random-weight model the
tests build (tests/verifier_model.py): the output says which. The tiny model measures the plumbing
(tokenising, padding, ONNX Runtime, the judge), not what a real 70M-parameter model costs.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from factcheck.check.claims import parse_claims  # noqa: E402
from factcheck.check.combine import Calibration  # noqa: E402
from factcheck.check.independence import origin_groups  # noqa: E402
from factcheck.check.llama_judge import LlamaJudge  # noqa: E402
from factcheck.check.pipeline import Checker, ClaimInput  # noqa: E402
from factcheck.check.verifier_judge import VerifierJudge  # noqa: E402
from factcheck.config import load_settings  # noqa: E402
from factcheck.corpus.ingest import ChunkingPolicy, Ingestor  # noqa: E402
from factcheck.models.embedding import load_embedder  # noqa: E402
from factcheck.models.presets import DEFAULT_VERIFIER, PRESETS, ModelRole  # noqa: E402
from factcheck.models.provision import pull  # noqa: E402
from factcheck.models.resolve import resolve  # noqa: E402
from factcheck.retrieve import EvidenceIndex  # noqa: E402
from factcheck.schema import IngestSummary  # noqa: E402
from factcheck.store import CorpusStore  # noqa: E402

CORPUS = REPO / "examples/alaska-summit"
CLAIMS = REPO / "examples/alaska-summit-claims.txt"


class CountingJudge:
    """Wraps a judge and counts the (sentence, claim) pairs it was given."""

    def __init__(self, judge):
        from factcheck.check.judge import quote_candidates

        self.inner, self.pairs, self._candidates = judge, 0, quote_candidates
        self.name, self.smoke_test, self.prompt_hash = judge.name, judge.smoke_test, judge.prompt_hash

    def judge(self, claim, doc_id, passages):
        self.pairs += len(self._candidates(passages))
        return self.inner.judge(claim, doc_id, passages)


def verifier_folder(spec: str | None, models_dir: Path, tmp: Path) -> tuple[str, Path, str]:
    """(what it is, its folder, a note) for the verifier to measure."""
    from factcheck.models.cross_encoder import locate_verifier

    if spec is not None:
        found = locate_verifier(spec, models_dir)
        return found.name, found.folder, "given with --verifier"
    preset = models_dir / PRESETS[DEFAULT_VERIFIER].filename
    if preset.is_dir():
        return DEFAULT_VERIFIER, preset, "the default preset"
    from tests.verifier_model import build_verifier, corpus_texts

    folder = build_verifier(tmp / "tiny-verifier", texts=corpus_texts(CORPUS))
    note = (
        f"{DEFAULT_VERIFIER} is not downloaded here (no hub access): this is the TINY random-weight test model "
        "(tests/verifier_model.py, 16 dimensions), so the figures measure the plumbing, not a real verifier"
    )
    return "tiny-test-verifier", folder, note


def run(checker: Checker, claims: list[ClaimInput]) -> float:
    started = time.perf_counter()
    [checker.check(claim) for claim in claims]
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--verifier", help="a verifier preset or folder (default: the preset if pulled, else tiny)")
    parser.add_argument("--no-llm", action="store_true", help="measure the verifier only")
    args = parser.parse_args()
    settings = load_settings(models_dir=str(REPO / "models"))
    pull(PRESETS["minilm-l6"], settings.model_dir)
    embedder = load_embedder(settings)
    claims, _ = parse_claims(CLAIMS.read_text(encoding="utf-8"), CLAIMS.name)
    with tempfile.TemporaryDirectory() as tmp:
        store = CorpusStore(Path(tmp) / "store", embedder.id)
        policy = ChunkingPolicy.for_embedder(embedder, settings.chunk_tokens, settings.chunk_overlap_tokens)
        ingestor = Ingestor(store, embedder, policy, settings.max_file_bytes)
        ingestor.run(ingestor.plan([CORPUS])[0], IngestSummary())
        index = EvidenceIndex(store, embedder)
        groups = origin_groups({r.doc_id: store.text(r.doc_id) for r in store.documents()})

        def checker_for(judge) -> Checker:
            # judge_min_similarity=-1: every document is judged, so both judges read the same documents.
            return Checker(index, groups, Calibration(judge_weight=0.5), judge, judge_min_similarity=-1.0)

        print(f"{len(claims)} claims from {CLAIMS.relative_to(REPO)} against {len(store.documents())} documents")

        name, folder, note = verifier_folder(args.verifier, settings.model_dir, Path(tmp))
        from factcheck.models.cross_encoder import CrossEncoder

        loaded = time.perf_counter()
        verifier = CountingJudge(
            VerifierJudge(CrossEncoder.load(folder, n_threads=settings.n_threads), name=name, model_sha256="-")
        )
        load_s = time.perf_counter() - loaded
        run(checker_for(verifier), claims[:1])  # warm-up: ONNX Runtime plans the graph on the first run
        verifier.pairs = 0
        checker = checker_for(verifier)
        wall = run(checker, claims)
        print(f"verifier: {name} ({folder})")
        print(f"  note: {note}")
        print(f"  load                       {load_s:8.2f} s")
        print(f"  judgements                 {checker.stats.judgements:8d}")
        print(f"  pairs scored               {verifier.pairs:8d}")
        print(
            f"  pairs per second           {verifier.pairs / max(checker.stats.usage.seconds, 1e-9):8.1f}  (inside the judge)"
        )
        print(f"  claims per minute          {60 * len(claims) / wall:8.1f}  (whole check)")
        print(f"  seconds per judgement      {checker.stats.usage.seconds / max(1, checker.stats.judgements):8.4f}")

        if args.no_llm:
            return
        pull(PRESETS["smollm2-135m"], settings.model_dir)
        model = resolve("smollm2-135m", ModelRole.LLM, settings.model_dir)
        loaded = time.perf_counter()
        llm = CountingJudge(
            LlamaJudge.load(
                model, n_ctx=settings.n_ctx, n_threads=settings.n_threads, extra_buffers=settings.llama_extra_buffers
            )
        )
        load_s = time.perf_counter() - loaded
        checker = checker_for(llm)
        wall = run(checker, claims)
        print("LLM judge: smollm2-135m (llama.cpp; a smoke-test model, the smallest chat preset)")
        print(f"  load                       {load_s:8.2f} s")
        print(f"  judgements                 {checker.stats.judgements:8d}")
        print(f"  sentences in its prompts   {llm.pairs:8d}")
        print(
            f"  sentences per second       {llm.pairs / max(checker.stats.usage.seconds, 1e-9):8.1f}  (inside llama.cpp)"
        )
        print(f"  claims per minute          {60 * len(claims) / wall:8.1f}  (whole check)")
        print(f"  seconds per judgement      {checker.stats.usage.seconds / max(1, checker.stats.judgements):8.4f}")


if __name__ == "__main__":
    main()
