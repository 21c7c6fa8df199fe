"""Retrieval at scale: per-claim cost on corpora of about 50, 500 and 5,000 documents.

    .venv/bin/python benchmarks/bench_scaling.py [--sizes 50,500,5000] [--claims N] [--no-real]

Each corpus is generated from the sample articles (examples/alaska-summit): copies with other
people's names, other places and other numbers, chosen by a seeded generator (the same corpus
every run). Every size is embedded with the same hashing embedder (HashingEmbedder below: words
and word pairs hashed into 384 dimensions; like the real minilm-l6 in size, not in meaning), so
the sizes compare like with like; the real minilm-l6 would take about 40 minutes for the
5,000-document corpus on 2 cores. With the real embedder downloaded, the 50-document corpus is
also ingested with it (unless --no-real), to compare ingest throughput with the raw batched
embedding rate.

Ingest: `factcheck ingest`'s path (Ingestor: per document, chunk, embed its chunks and sentences
in one batched call, replace what is stored, commit) for 50 documents; 500 and 5,000 go through a
direct store write instead (the same rows, embedded in batches of 1,024 texts and added to Chroma
about 4,000 rows at a time), which is what keeps this run under ten minutes: Ingestor's cost is
Chroma's per-call commit (three adds and three deletes per document, ~27 ms per add), not the
embedding. Both are timed.

Checking: each size is checked in a fresh process (so peak memory is that size's alone): the
index is opened twice (the first builds the BM25 index and saves it beside the store, the second
loads it), then every claim is checked without a model. Printed per size: start-up, per-claim
retrieval time (candidates from the vector index and BM25, and reading the documents judged),
per-claim check time, documents considered and judged per claim, and peak memory (Python
allocations by tracemalloc; the process's peak RSS, Chroma's own included, by getrusage). The
last line is the ratio of the per-claim retrieval time at 5,000 documents to that at 500.
Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
import zlib
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from factcheck.check.combine import Calibration  # noqa: E402
from factcheck.check.pipeline import Checker, ClaimInput, judged_documents  # noqa: E402
from factcheck.corpus.chunking import chunk_text, split_sentences  # noqa: E402
from factcheck.corpus.ingest import ChunkingPolicy, Ingestor  # noqa: E402
from factcheck.corpus.reader import read_document  # noqa: E402
from factcheck.models.embedding import trim_to_tokens  # noqa: E402
from factcheck.retrieve import MAX_DOCS_PER_CLAIM, EvidenceIndex  # noqa: E402
from factcheck.schema import IngestSummary  # noqa: E402
from factcheck.store import (  # noqa: E402
    CorpusStore,
    _chunk_metadata,
    _doc_metadata,
    _mean_unit,
    _sentence_metadata,
    chunk_id,
    sentence_id,
)

SAMPLES = REPO / "examples" / "alaska-summit"
CLAIMS_FILE = REPO / "examples" / "alaska-summit-claims.txt"
SEED = 20250815
DIRECT_WRITE_FROM = 500  # corpora this large are written directly, in batches (see the docstring)

# What the generator swaps: every name and place of the samples that it knows, for another.
PEOPLE = ["Putin", "Trump", "Lavrov", "Rubio", "Witkoff", "Zelensky", "Ushakov", "Dmitriev", "Peskov", "Vance"]
OTHER_PEOPLE = ["Novak", "Halvorsen", "Okafor", "Brandt", "Moreau", "Tanaka", "Ruiz", "Kowalski", "Haddad", "Lindqvist",
                "Petrov", "Nakamura", "Fischer", "Duarte", "Abara", "Castellanos", "Ivers", "Sato", "Keller", "Marsh"]  # fmt: skip
PLACES = ["Anchorage", "Alaska", "Helsinki", "Moscow", "Washington", "Kyiv", "Geneva", "Elmendorf-Richardson"]
OTHER_PLACES = ["Reykjavik", "Tromso", "Oslo", "Vienna", "Lisbon", "Tallinn", "Valletta", "Bern", "Halifax",
                "Juneau", "Fairbanks", "Nuuk", "Riga", "Dublin", "Porto", "Bergen"]  # fmt: skip


class HashingEmbedder:
    """Words and adjacent word pairs hashed (crc32: the same in every process) into 384
    dimensions, L2-normalised: texts sharing words get similar vectors. Deterministic and fast."""

    id = "hashing-384"
    dimension = 384
    max_tokens = 256

    def count_tokens(self, text: str) -> int:
        return len(re.findall(r"\w+", text)) + 2  # like [CLS] ... [SEP]

    def embed(self, texts):
        import numpy as np

        out = np.zeros((len(texts), self.dimension), dtype=np.float32)
        for row, text in enumerate(texts):
            words = re.findall(r"\w+", text.lower())
            for feature in [*words, *(a + " " + b for a, b in zip(words, words[1:], strict=False))]:
                out[row, zlib.crc32(feature.encode()) % self.dimension] += 1.0
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        return (out / np.where(norms > 0, norms, 1.0)).tolist()


# --- the corpus ------------------------------------------------------------------------------


def variant(text: str, rng: random.Random) -> str:
    """The text with its people, places and numbers swapped, consistently within the text."""
    people = dict(zip(PEOPLE, rng.sample(OTHER_PEOPLE, len(PEOPLE)), strict=True))
    places = dict(zip(PLACES, rng.sample(OTHER_PLACES, len(PLACES)), strict=True))
    swaps = {**people, **places}
    text = re.sub(r"\b(" + "|".join(map(re.escape, swaps)) + r")\b", lambda m: swaps[m.group(1)], text)
    return re.sub(r"\d+", lambda m: _other_number(m.group(), rng), text)


def _other_number(digits: str, rng: random.Random) -> str:
    first = str(rng.randint(1, 9)) if len(digits) > 1 else str(rng.randint(0, 9))
    return first + "".join(str(rng.randint(0, 9)) for _ in digits[1:])


def make_corpus(folder: Path, size: int) -> list[Path]:
    """size documents: the samples first as they are, then seeded variants of them in turn."""
    samples = sorted(SAMPLES.glob("*.txt"))
    texts = [p.read_text(encoding="utf-8") for p in samples]
    folder.mkdir(parents=True, exist_ok=True)
    files = []
    for i in range(size):
        base = i % len(samples)
        text = texts[base] if i < len(samples) else variant(texts[base], random.Random(f"{SEED}-{i}"))
        path = folder / f"{samples[base].stem[:3]}-{i:05d}.txt"
        path.write_text(text, encoding="utf-8")
        files.append(path)
    return files


def claims(n: int) -> list[str]:
    """The sample claims, then seeded variants of them (other names, places, numbers)."""
    lines = [ln for ln in CLAIMS_FILE.read_text(encoding="utf-8").splitlines() if ln and not ln.startswith("#")]
    out = list(lines)
    rng = random.Random(SEED)
    while len(out) < n:
        out.append(variant(lines[len(out) % len(lines)], rng))
    return out[:n]


# --- ingest ----------------------------------------------------------------------------------


def ingest(store: CorpusStore, embedder, files: list[Path]) -> dict:
    """Ingest the files, through Ingestor or the direct batched write; wall time and texts embedded."""
    policy = ChunkingPolicy.for_embedder(embedder, 192, 48)
    started = time.perf_counter()
    if len(files) >= DIRECT_WRITE_FROM:
        n_texts, embed_s = direct_write(store, embedder, policy, files)
        path = "direct, batched"
    else:
        timed = TimedEmbedder(embedder)
        Ingestor(store, timed, policy, max_bytes=10 << 20).run(files, IngestSummary())
        n_texts, embed_s, path = timed.texts, timed.seconds, "Ingestor"
    return {"path": path, "seconds": time.perf_counter() - started, "texts": n_texts, "embed_seconds": embed_s}


class TimedEmbedder:
    """An embedder that counts what it embeds and how long that takes."""

    def __init__(self, inner) -> None:
        self.inner, self.texts, self.seconds = inner, 0, 0.0
        self.id, self.dimension, self.max_tokens = inner.id, inner.dimension, inner.max_tokens

    def count_tokens(self, text: str) -> int:
        return self.inner.count_tokens(text)

    def embed(self, texts):
        started = time.perf_counter()
        vectors = self.inner.embed(texts)
        self.seconds += time.perf_counter() - started
        self.texts += len(texts)
        return vectors


def direct_write(store: CorpusStore, embedder, policy: ChunkingPolicy, files: list[Path]) -> tuple[int, float]:
    """The rows Ingestor would write (the same ids and metadata), embedded in batches of 1,024
    texts and added in batches; each batch's records last, as the commit marker."""
    pending: list[tuple] = []
    n_texts, embed_s = 0, 0.0
    for path in files:
        doc = read_document(path, max_bytes=10 << 20)
        spans = chunk_text(
            doc.text,
            count_tokens=embedder.count_tokens,
            max_tokens=policy.max_tokens,
            overlap_tokens=policy.overlap_tokens,
        )
        sentences = split_sentences(doc.text)
        pending.append((doc, spans, sentences))
        if sum(len(s) + len(c) for _, s, c in pending) >= 4000 or path == files[-1]:
            texts = [
                t
                for d, s, c in pending
                for t in [*(x.text for x in s), *(trim_to_tokens(embedder, d.text[a:b]) for a, b in c)]
            ]
            started = time.perf_counter()
            vectors = [v for i in range(0, len(texts), 1024) for v in embedder.embed(texts[i : i + 1024])]
            embed_s += time.perf_counter() - started
            n_texts += len(texts)
            _add(store, pending, vectors, policy)
            pending = []
    return n_texts, embed_s


def _add(store: CorpusStore, batch: list[tuple], vectors: list, policy: ChunkingPolicy) -> None:
    chunks, sents, docs = ([], [], [], []), ([], [], [], []), ([], [], [], [])
    at = 0
    for doc, spans, sentences in batch:
        chunk_vectors, sentence_vectors = vectors[at : at + len(spans)], vectors[at + len(spans) :][: len(sentences)]
        at += len(spans) + len(sentences)
        _extend(
            chunks,
            [chunk_id(doc.doc_id, doc.sha256, s.index) for s in spans],
            chunk_vectors,
            [s.text for s in spans],
            [_chunk_metadata(doc, s) for s in spans],
        )
        _extend(
            sents,
            [sentence_id(doc.doc_id, doc.sha256, i) for i in range(len(sentences))],
            sentence_vectors,
            [doc.text[a:b] for a, b in sentences],
            _sentence_metadata(doc, spans, sentences),
        )
        _extend(
            docs,
            [doc.doc_id],
            [_mean_unit(chunk_vectors)],
            [doc.text],
            [_doc_metadata(doc, len(spans), policy.signature)],
        )
    with store.writing():
        for handle, rows in ((store._chunks, chunks), (store._sentences, sents), (store._docs, docs)):
            handle.add(ids=rows[0], embeddings=rows[1], documents=rows[2], metadatas=rows[3])


def _extend(rows: tuple, ids, embeddings, documents, metadatas) -> None:
    for column, values in zip(rows, (ids, embeddings, documents, metadatas), strict=True):
        column.extend(values)


# --- checking (in a process of its own per size) -----------------------------------------------


def check_worker(store_dir: Path, embedder_key: str, n_claims: int, memory: bool) -> dict:
    """Open the index (building, then loading, its BM25) and check every claim; with memory,
    the same under tracemalloc, for the peak of Python's allocations (it slows Python down, so
    the timings come from a run without it)."""
    if memory:
        tracemalloc.start()
    store = CorpusStore(store_dir, embedder_key)
    embedder = HashingEmbedder()
    started = time.perf_counter()
    EvidenceIndex(store, embedder)  # builds the BM25 index and saves it beside the store (or loads it)
    build_s = time.perf_counter() - started
    started = time.perf_counter()
    index = EvidenceIndex(store, embedder)  # loads it
    load_s = time.perf_counter() - started
    checker = Checker(index, [], Calibration())
    texts = claims(n_claims)
    vectors = index.embed(texts)
    retrieval, checking, considered, judged = [], [], [], []
    for n, (text, vector) in enumerate(zip(texts, vectors, strict=True)):
        started = time.perf_counter()
        found = index.candidates(text, vector, wanted=checker.max_docs)
        docs = judged_documents(found.ranked, checker.max_docs, lambda d, f=found, t=text: checker._fires(t, f.best[d]))
        index.read(found, docs)
        retrieval.append(time.perf_counter() - started)
        index._docs.clear()  # the check below reads its documents from the store again
        started = time.perf_counter()
        result = checker.check(ClaimInput(f"c{n}", text, vector=vector))
        checking.append(time.perf_counter() - started)
        considered.append(result.documents_considered)
        judged.append(result.documents_judged)
        index._docs.clear()  # each claim reads from the store, as the first claim of a batch does
    figures = {
        "sentences": index._source.lexical.size if index._source.lexical else 0,
        "build_s": build_s,
        "load_s": load_s,
        "retrieval_ms": 1000 * statistics.median(retrieval),
        "retrieval_p90_ms": 1000 * sorted(retrieval)[int(0.9 * (len(retrieval) - 1))],
        "check_ms": 1000 * statistics.median(checking),
        "considered": statistics.mean(considered),
        "judged": statistics.mean(judged),
        "rss_peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }
    if memory:
        figures["python_peak_mb"] = tracemalloc.get_traced_memory()[1] / 2**20
    return figures


def check(store_dir: Path, n_claims: int) -> dict:
    """check_worker's figures, each pass in a fresh process: timings and RSS, then Python's peak."""
    worker = [sys.executable, __file__, "--claims", str(n_claims), "--check-worker", str(store_dir), HashingEmbedder.id]
    timed = json.loads(subprocess.run(worker, check=True, capture_output=True, text=True).stdout)
    traced = json.loads(subprocess.run([*worker, "--memory"], check=True, capture_output=True, text=True).stdout)
    return {**timed, "python_peak_mb": traced["python_peak_mb"]}


def raw_embedding_rate(embedder, files: list[Path]) -> tuple[float, float]:
    """texts/s of the embedder alone on the texts ingest embeds: one call per document (as
    ingest makes), and in batches of 256 texts across documents."""
    policy = ChunkingPolicy.for_embedder(embedder, 192, 48)
    per_doc = []
    for path in files:
        text = read_document(path, max_bytes=10 << 20).text
        spans = chunk_text(
            text, count_tokens=embedder.count_tokens, max_tokens=policy.max_tokens, overlap_tokens=policy.overlap_tokens
        )
        per_doc.append(
            [s.text for s in spans] + [trim_to_tokens(embedder, text[a:b]) for a, b in split_sentences(text)]
        )
    n = sum(map(len, per_doc))
    started = time.perf_counter()
    for texts in per_doc:
        embedder.embed(texts)
    one_call_per_doc = n / (time.perf_counter() - started)
    flat = [t for texts in per_doc for t in texts]
    started = time.perf_counter()
    for i in range(0, len(flat), 256):
        embedder.embed(flat[i : i + 256])
    return one_call_per_doc, n / (time.perf_counter() - started)


def real_embedder():
    """minilm-l6 when it is downloaded (models/), else None."""
    from factcheck.config import load_settings
    from factcheck.models.embedding import load_embedder
    from factcheck.models.presets import PRESETS

    settings = load_settings(models_dir=str(REPO / "models"))
    if not (settings.model_dir / PRESETS["minilm-l6"].filename).exists():
        return None
    return load_embedder(settings)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="50,500,5000")
    parser.add_argument("--claims", type=int, default=24)
    parser.add_argument("--no-real", action="store_true", help="skip the real-embedder ingest comparison")
    parser.add_argument("--check-worker", nargs=2, metavar=("STORE", "KEY"), help=argparse.SUPPRESS)
    parser.add_argument("--memory", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.check_worker:
        store_dir, key = args.check_worker
        print(json.dumps(check_worker(Path(store_dir), key, args.claims, args.memory)))
        return
    sizes = [int(s) for s in args.sizes.split(",")]
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        if not args.no_real and (embedder := real_embedder()) is not None:
            compare_ingest(Path(tmp) / "real", embedder)
        for size in sizes:
            files = make_corpus(Path(tmp) / f"corpus-{size}", size)
            store = CorpusStore(Path(tmp) / f"store-{size}", HashingEmbedder.id)
            done = ingest(store, HashingEmbedder(), files)
            figures = check(Path(tmp) / f"store-{size}", args.claims)
            rows.append((size, done, figures))
            print_row(size, done, figures, flush=True)
    by_size = {size: figures for size, _, figures in rows}
    if 500 in by_size and 5000 in by_size:
        ratio = by_size[5000]["retrieval_ms"] / by_size[500]["retrieval_ms"]
        check_ratio = by_size[5000]["check_ms"] / by_size[500]["check_ms"]
        print(
            f"per-claim retrieval, 5,000 vs 500 documents: {ratio:.2f}x (target: at most 2x); "
            f"whole check: {check_ratio:.2f}x"
        )


HEADER_DONE = False


def print_row(size: int, done: dict, f: dict, flush: bool = False) -> None:
    global HEADER_DONE
    if not HEADER_DONE:
        print(
            f"hashing embedder ({HashingEmbedder.dimension} dims), max_docs_per_claim {MAX_DOCS_PER_CLAIM}; "
            "times per claim are medians"
        )
        print(
            f"{'docs':>5} {'sentences':>9} {'ingest':>16} {'texts/s':>8} {'embed/s':>8} {'bm25 build':>10} "
            f"{'load':>6} {'retrieval':>9} {'p90':>6} {'check':>7} {'considered':>10} {'judged':>6} "
            f"{'py peak':>8} {'rss peak':>8}"
        )
        HEADER_DONE = True
    print(
        f"{size:>5} {f['sentences']:>9} {done['seconds']:>7.1f} s {done['path'][:8]:>7} "
        f"{done['texts'] / done['seconds']:>8.0f} {done['texts'] / max(done['embed_seconds'], 1e-9):>8.0f} "
        f"{f['build_s']:>8.2f} s {f['load_s']:>4.2f} s {f['retrieval_ms']:>6.1f} ms {f['retrieval_p90_ms']:>4.0f} "
        f"{f['check_ms']:>4.0f} ms {f['considered']:>10.1f} {f['judged']:>6.1f} {f['python_peak_mb']:>5.0f} MB "
        f"{f['rss_peak_mb']:>5.0f} MB",
        flush=flush,
    )


def compare_ingest(folder: Path, embedder) -> None:
    files = make_corpus(folder / "corpus", 50)
    store = CorpusStore(folder / "store", embedder.id)
    done = ingest(store, embedder, files)
    per_doc, batched = raw_embedding_rate(embedder, files)
    rate = done["texts"] / done["seconds"]
    print(
        f"real embedder {embedder.id}, 50 documents, {done['texts']} texts: ingest {rate:.0f} texts/s "
        f"({done['seconds']:.1f} s, of which embedding {done['embed_seconds']:.1f} s); raw embedding "
        f"{per_doc:.0f} texts/s one call per document (as ingest), {batched:.0f} texts/s in batches of 256 "
        f"across documents; ingest / raw per-document rate {rate / per_doc:.2f}",
        flush=True,
    )


if __name__ == "__main__":
    main()
