"""`python -m factcheck.models.llama_server ARGS`: llama-cpp-python's OpenAI-compatible server
(`python -m llama_cpp.server ARGS`, the same arguments) with llama.cpp's extra buffer types off.

llama_cpp.server has no option for them (its ModelSettings has no such field, and `kv_overrides`
sets GGUF metadata, not model parameters), so on a CPU with AMX it crashes at the first
multi-token decode like any other llama.cpp load (README, "CPUs with AMX";
factcheck/models/llama.py). This wrapper sets the field in llama_model_default_params() while the
server runs, with the loader's own model_defaults.
FACTCHECK_LLAMA_EXTRA_BUFFERS=1 leaves them on.

The server runs one request at a time (one model, one lock in llama_cpp.server.app): it has no
slots, so `--parallel` gains nothing from it beyond overlapping the network with the model.
llama.cpp's own `llama-server --parallel N` (and vLLM) serve several at once.
"""

from __future__ import annotations

from factcheck.config import load_settings
from factcheck.models.llama import model_defaults


def main() -> None:
    from llama_cpp.server.__main__ import main as serve

    # For the whole serve(): every model the server loads gets the setting (off unless
    # FACTCHECK_LLAMA_EXTRA_BUFFERS turns it on), as factcheck's own loader gives one load.
    with model_defaults(extra_buffers=load_settings().llama_extra_buffers):
        serve()


if __name__ == "__main__":
    main()
