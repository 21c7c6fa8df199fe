"""Question-answering benchmark on the sample corpus with the real small models. Prints figures.

    .venv/bin/python benchmarks/bench_ask.py [--question Q] [--runs N]

For each run of `factcheck ask`'s flow (factcheck.ask.Asker) on a fresh store:
- retrieval: embedding the question, scoring every sentence, picking the passages (ms);
- prompt size, and time to first token: from the question to the first streamed token
  (retrieval + evaluating the prompt);
- answer time and tokens/s of generation (after the first token);
- check time: citations, and each claim of the answer checked against every document;
Results are not cached between runs (the check cache is off), so every run does the same work.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from factcheck.ask import Asker  # noqa: E402
from factcheck.check.session import CheckOptions, CheckSession  # noqa: E402
from factcheck.config import load_settings  # noqa: E402
from factcheck.corpus.ingest import ChunkingPolicy, Ingestor  # noqa: E402
from factcheck.models.embedding import load_embedder  # noqa: E402
from factcheck.models.presets import PRESETS  # noqa: E402
from factcheck.models.provision import pull  # noqa: E402
from factcheck.schema import IngestSummary  # noqa: E402
from factcheck.store import CorpusStore  # noqa: E402

QUESTION = "Where did the summit take place?"


def ingest(settings) -> None:
    embedder = load_embedder(settings)
    store = CorpusStore(settings.store_dir, embedder.id)
    policy = ChunkingPolicy.for_embedder(embedder, settings.chunk_tokens, settings.chunk_overlap_tokens)
    ingestor = Ingestor(store, embedder, policy, settings.max_file_bytes)
    ingestor.run(ingestor.plan([REPO / "examples/alaska-summit"])[0], IngestSummary())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--question", default=QUESTION)
    parser.add_argument("--runs", type=int, default=2, help="answers to time (the first also warms caches)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        settings = load_settings(home=Path(tmp), models_dir=REPO / "models", model="smollm2-135m")
        for name in ("minilm-l6", "smollm2-135m"):
            pull(PRESETS[name], settings.model_dir)
        ingest(settings)
        started = time.perf_counter()
        session = CheckSession(settings, CheckOptions(use_cache=False))
        asker = Asker.for_session(session)
        print(f"question: {args.question}")
        print(f"load (store, index, smollm2-135m)   {time.perf_counter() - started:8.2f} s")
        for run in range(1, args.runs + 1):
            answer = asker.answer(args.question)
            t = answer.timings
            rate = f"{t.tokens_per_s:8.1f}" if t.tokens_per_s is not None else "     n/a"
            first = f"{t.first_token_s:8.2f}" if t.first_token_s is not None else "     n/a"
            print(
                f"run {run}: {len(answer.passages)} passages, {t.tokens} tokens, {len(answer.claims)} claims, "
                f"{len(answer.citations)} citations"
            )
            prompt_tokens = asker.generator.count_tokens(asker.prompt.messages(answer.question, answer.passages))
            print(f"  prompt                            {prompt_tokens:8d} tokens (approx.)")
            print(f"  retrieval                         {1000 * t.retrieval_s:8.1f} ms")
            print(f"  time to first token               {first} s")
            print(f"  answer written                    {t.answer_s:8.2f} s")
            print(f"  generation                        {rate} tokens/s")
            print(f"  citations + claim checks          {t.check_s:8.2f} s")
            print(f"  total                             {t.total_s:8.2f} s")
        print(f"answer: {answer.text}")


if __name__ == "__main__":
    main()
