"""`python -m factcheck.models.llama_server ARGS`: llama-cpp-python's OpenAI-compatible server
(`python -m llama_cpp.server ARGS`, the same arguments) with llama.cpp's extra buffer types off.

llama_cpp.server has no option for them (its ModelSettings has no such field, and `kv_overrides`
sets GGUF metadata, not model parameters), so on a CPU with AMX it crashes at the first
multi-token decode like any other llama.cpp load (README, "CPUs with AMX";
factcheck/models/llama.py). This wrapper sets the field in llama_model_default_params() for the
life of the process, the way factcheck's own loader does for one load.
FACTCHECK_LLAMA_EXTRA_BUFFERS=1 leaves them on.

The server runs one request at a time (one model, one lock in llama_cpp.server.app): it has no
slots, so `--parallel` gains nothing from it beyond overlapping the network with the model.
llama.cpp's own `llama-server --parallel N` (and vLLM) serve several at once.
"""

from __future__ import annotations

import os
from typing import Any

from factcheck.models.llama import EXTRA_BUFFERS_FIELD


def without_extra_buffers() -> None:
    """Make every llama.cpp model this process loads from now on load with extra buffer types off."""
    import llama_cpp.llama_cpp as bindings

    original = bindings.llama_model_default_params

    def defaults() -> Any:
        params = original()
        if hasattr(type(params), EXTRA_BUFFERS_FIELD):
            setattr(params, EXTRA_BUFFERS_FIELD, False)
        return params

    bindings.llama_model_default_params = defaults


def main() -> None:
    if os.environ.get("FACTCHECK_LLAMA_EXTRA_BUFFERS", "").strip().lower() not in ("1", "true", "yes", "on"):
        without_extra_buffers()
    from llama_cpp.server.__main__ import main as serve

    serve()


if __name__ == "__main__":
    main()
