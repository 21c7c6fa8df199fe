"""The one place factcheck opens a GGUF file with llama.cpp.

Every model (chat, judge, embedder, anything added later) is loaded through `open_llama`, so
that one workaround covers them all: llama.cpp's *extra buffer types* are off unless the user
turns them on. With them on, llama.cpp repacks weights into CPU-specific layouts; on CPUs with
AMX (Sapphire Rapids and later Xeons, most cloud servers) the AMX repack crashes the process
with a segmentation fault on the first multi-token decode (ggml-org/llama.cpp#20824, closed
without a fix). Without them, llama.cpp uses its plain CPU kernels: a little slower on some
CPUs, correct on all. `FACTCHECK_LLAMA_EXTRA_BUFFERS=1` turns them back on.

llama-cpp-python has no keyword for this (`Llama.__init__` fills `llama_model_params` from
`llama_model_default_params()` and loads the model before returning), so the default-params
function is wrapped for the duration of one load. `tests/integration/test_llama_loader.py`
fails if the library stops building its params that way or drops the field.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from factcheck.errors import ModelLoadError

EXTRA_BUFFERS_FIELD = "use_extra_bufts"  # llama_model_params field: "use extra buffer types"

# The wrapped default-params function is process-wide while a model loads: one load at a time.
_LOAD_LOCK = threading.Lock()


def open_llama(path: Path, *, extra_buffers: bool = False, **params: Any) -> Any:
    """A llama_cpp.Llama for the GGUF at path, with extra buffer types on or off; `params` are
    Llama's own keywords. A file llama.cpp cannot read becomes ModelLoadError."""
    from llama_cpp import Llama  # lazy: slow import, native code

    params.setdefault("verbose", False)
    try:
        with _LOAD_LOCK, model_defaults(extra_buffers=extra_buffers):
            return Llama(model_path=str(path), **params)
    except (ValueError, RuntimeError) as exc:
        raise ModelLoadError(f"llama.cpp could not load {path}: {exc}") from exc


@contextlib.contextmanager
def model_defaults(*, extra_buffers: bool) -> Iterator[None]:
    """While inside, llama_model_default_params() returns params with extra buffer types set."""
    import llama_cpp.llama_cpp as bindings

    original = bindings.llama_model_default_params

    def defaults() -> Any:
        params = original()
        # ctypes fields are class attributes; setting an unknown name would silently do nothing.
        if hasattr(type(params), EXTRA_BUFFERS_FIELD):
            setattr(params, EXTRA_BUFFERS_FIELD, extra_buffers)
        return params

    bindings.llama_model_default_params = defaults
    try:
        yield
    finally:
        bindings.llama_model_default_params = original
