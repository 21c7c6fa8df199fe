"""Ingest and start-up benchmarks. Prints figures; asserts nothing (targets are read, not timed tests).

    .venv/bin/python benchmarks/bench_ingest.py [--copies N] [--repeat R] [--startup-only]

1. ingest wall time / pure embedding time for the same texts (each document's chunks and its
   sentences, which ingest embeds too), on the sample corpus copied N times under distinct ids,
   with the real minilm-l6 embedder;
2. `factcheck --help` wall time / `python -c pass` wall time (median of R runs each).
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from factcheck.config import load_settings  # noqa: E402
from factcheck.corpus.chunking import chunk_text, split_sentences  # noqa: E402
from factcheck.corpus.ingest import ChunkingPolicy, Ingestor  # noqa: E402
from factcheck.corpus.reader import read_document  # noqa: E402
from factcheck.models.embedding import load_embedder, trim_to_tokens  # noqa: E402
from factcheck.models.presets import PRESETS  # noqa: E402
from factcheck.models.provision import pull  # noqa: E402
from factcheck.schema import IngestSummary  # noqa: E402
from factcheck.store import CorpusStore  # noqa: E402


def make_corpus(dest: Path, copies: int) -> list[Path]:
    for source in sorted((REPO / "examples" / "alaska-summit").glob("*.txt")):
        for i in range(copies):
            shutil.copy(source, dest / f"{source.stem}-copy{i:03d}.txt")
    return sorted(dest.glob("*.txt"))


def bench_ingest(copies: int) -> None:
    settings = load_settings(models_dir=str(REPO / "models"))
    pull(PRESETS["minilm-l6"], settings.model_dir)
    t0 = time.perf_counter()
    embedder = load_embedder(settings)
    load_s = time.perf_counter() - t0
    policy = ChunkingPolicy.for_embedder(embedder, settings.chunk_tokens, settings.chunk_overlap_tokens)
    with tempfile.TemporaryDirectory() as tmp:
        files = make_corpus(Path(tmp), copies)
        store = CorpusStore(Path(tmp) / "store", embedder.id)
        ingestor = Ingestor(store, embedder, policy, settings.max_file_bytes)
        summary = IngestSummary()
        t0 = time.perf_counter()
        ingestor.run(files, summary)
        ingest_s = time.perf_counter() - t0
        # The same texts (each document's chunks, then its sentences), embedded the same way (one
        # call per document), with nothing else around them.
        texts = [_texts_embedded_for(f, embedder, policy, settings.max_file_bytes) for f in files]
        t0 = time.perf_counter()
        for batch in texts:
            embedder._llm.embed(batch, normalize=True)  # the raw llama.cpp call, no token checks
        embed_s = time.perf_counter() - t0
    n_texts = sum(len(t) for t in texts)
    n_chunks = summary.chunks_written
    print(
        f"ingest: {len(files)} documents, {n_chunks} chunks + {n_texts - n_chunks} sentences embedded "
        f"(chunking {policy.signature})"
    )
    print(f"  embedder load            {load_s:8.3f} s (not counted below)")
    print(f"  ingest wall time         {ingest_s:8.3f} s  ({n_texts / ingest_s:.1f} texts/s)")
    print(f"  pure embedding time      {embed_s:8.3f} s  ({n_texts / embed_s:.1f} texts/s)")
    print(f"  ratio ingest / embedding {ingest_s / embed_s:8.2f}")


def _texts_embedded_for(path: Path, embedder, policy: ChunkingPolicy, max_bytes: int) -> list[str]:
    text = read_document(path, max_bytes=max_bytes).text
    spans = chunk_text(
        text, count_tokens=embedder.count_tokens, max_tokens=policy.max_tokens, overlap_tokens=policy.overlap_tokens
    )
    return [s.text for s in spans] + [trim_to_tokens(embedder, text[a:b]) for a, b in split_sentences(text)]


def median_wall(command: list[str], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def bench_help(repeat: int) -> None:
    factcheck = Path(sys.executable).with_name("factcheck")
    env_cmd = [str(factcheck)] if factcheck.exists() else [sys.executable, "-m", "factcheck"]
    baseline = median_wall([sys.executable, "-c", "pass"], repeat)
    help_s = median_wall([*env_cmd, "--help"], repeat)
    print(f"start-up: median of {repeat} runs")
    print(f"  python -c pass           {baseline:8.3f} s")
    print(f"  factcheck --help         {help_s:8.3f} s")
    print(f"  ratio help / python      {help_s / baseline:8.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--copies", type=int, default=10, help="copies of the sample corpus to ingest")
    parser.add_argument("--repeat", type=int, default=21, help="runs per start-up measurement")
    parser.add_argument("--startup-only", action="store_true", help="only the --help / python start-up ratio")
    args = parser.parse_args()
    os.environ.setdefault("COLUMNS", "100")
    if not args.startup_only:
        bench_ingest(args.copies)
    bench_help(args.repeat)


if __name__ == "__main__":
    main()
