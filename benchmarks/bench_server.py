"""Claims per minute through a model server, `--parallel 1` against `--parallel 4`. Prints figures.

    .venv/bin/python benchmarks/bench_server.py [--url http://HOST:PORT/v1#NAME] [--local]

Without --url it starts llama-cpp-python's server (`python -m factcheck.models.llama_server`,
i.e. `python -m llama_cpp.server` with llama.cpp's extra buffer types off) serving smollm2-135m
on a free local port, and stops it afterwards. That server runs one request at a time (one model
behind one lock; it has no slots or --n_parallel), so on it `--parallel 4` can only overlap the
HTTP and JSON work with the model's; a server with slots (llama.cpp's `llama-server --parallel
4`, vLLM) is where it pays. --local adds the in-process llama.cpp judge (always one at a time)
on the same claims, for reference.

The claims are examples/alaska-summit-claims.txt, checked against examples/alaska-summit/ with
minilm-l6, judge weight 0.5 (smollm2's preset weight is 0, which would skip the model), nothing
cached. One claim is checked first to warm the server up.
"""

from __future__ import annotations

import argparse
import json
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from factcheck.check.claims import parse_claims  # noqa: E402
from factcheck.check.pipeline import ClaimInput  # noqa: E402
from factcheck.check.session import CheckOptions, CheckSession  # noqa: E402
from factcheck.config import load_settings  # noqa: E402
from factcheck.corpus.ingest import ChunkingPolicy, Ingestor  # noqa: E402
from factcheck.models.embedding import load_embedder  # noqa: E402
from factcheck.models.presets import PRESETS  # noqa: E402
from factcheck.models.provision import pull  # noqa: E402
from factcheck.models.resolve import store_key  # noqa: E402
from factcheck.schema import IngestSummary  # noqa: E402
from factcheck.store import CorpusStore  # noqa: E402

CLAIMS = REPO / "examples" / "alaska-summit-claims.txt"
CORPUS = REPO / "examples" / "alaska-summit"
MODELS = REPO / "models"


def start_server(model: Path) -> tuple[subprocess.Popen, str]:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    command = [
        sys.executable,
        "-m",
        "factcheck.models.llama_server",
        "--model",
        str(model),
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--n_ctx",
        "4096",
        "--model_alias",
        "smollm2-135m",
    ]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}/v1"
    import httpx

    for _ in range(240):
        if process.poll() is not None:
            raise SystemExit(f"the server exited with {process.returncode}")
        try:
            if httpx.get(f"{base}/models", timeout=2, trust_env=False).status_code == 200:
                return process, f"{base}#smollm2-135m"
        except httpx.TransportError:
            time.sleep(0.5)
    process.kill()
    raise SystemExit("the server did not start within 120 s")


def ingest(home: Path) -> None:
    settings = load_settings(home=home, models_dir=MODELS, embedder="minilm-l6")
    embedder = load_embedder(settings)
    store = CorpusStore(settings.store_dir, store_key(settings))
    policy = ChunkingPolicy.for_embedder(embedder, settings.chunk_tokens, settings.chunk_overlap_tokens)
    ingestor = Ingestor(store, embedder, policy, settings.max_file_bytes)
    files, _ = ingestor.plan([CORPUS])
    ingestor.run(files, IngestSummary())


def bench(home: Path, model: str, parallel: int | None, claims: list[ClaimInput]) -> tuple[dict, list]:
    settings = load_settings(home=home, models_dir=MODELS, embedder="minilm-l6", model=model)
    options = CheckOptions(judge_weight=0.5, use_cache=False, parallel=parallel)
    session = CheckSession(settings, options)
    session.check(claims[:1])  # warm up: the model's first evaluation, the embedder, the index
    started = time.perf_counter()
    results = session.check(claims)
    wall = time.perf_counter() - started
    stats = session.last_batch.as_dict()
    figures = {
        "parallel": session.parallel,
        "claims": len(claims),
        "seconds": round(wall, 2),
        "claims_per_min": round(60 * len(claims) / wall, 2),
        "judgements": stats["judgements"],
        "errors": stats["errors"],
    }
    return figures, [[(s.doc_id, s.stance.value, s.quote) for s in r.sources] for r in results]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", help="a running OpenAI-compatible server to bench instead of starting one")
    parser.add_argument("--local", action="store_true", help="also bench the in-process llama.cpp judge")
    args = parser.parse_args()
    pull(PRESETS["minilm-l6"], MODELS)
    smollm = pull(PRESETS["smollm2-135m"], MODELS)
    claims, _ = parse_claims(CLAIMS.read_text(encoding="utf-8"), str(CLAIMS))
    process, url = (None, args.url) if args.url else start_server(smollm)
    rows = []
    try:
        with tempfile.TemporaryDirectory() as tmp:
            home = Path(tmp)
            ingest(home)
            one, sources_one = bench(home, url, 1, claims)
            four, sources_four = bench(home, url, 4, claims)
            rows += [{"model": "server", **one}, {"model": "server", **four}]
            if args.local:
                local, _ = bench(home, "smollm2-135m", None, claims)
                rows.append({"model": "in-process", **local})
    finally:
        if process is not None:
            process.terminate()
            process.wait(timeout=15)
    for row in rows:
        print(json.dumps(row))
    print(f"same sources and stances with --parallel 1 and 4: {sources_one == sources_four}")


if __name__ == "__main__":
    main()
