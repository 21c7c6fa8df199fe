"""The one llama.cpp loader: extra buffer types are off unless asked for, and a real chat model
loaded through factcheck's own loaders generates (the AMX repack crashed here: issue 8)."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from factcheck.models.llama import EXTRA_BUFFERS_FIELD, open_llama


def test_the_library_still_has_the_field_we_turn_off():
    import llama_cpp.llama_cpp as bindings

    fields = [name for name, *_ in bindings.llama_model_params._fields_]
    assert EXTRA_BUFFERS_FIELD in fields, "llama_model_params lost use_extra_bufts: revisit factcheck/models/llama.py"
    # llama.cpp's own default is on; that default is what crashes on AMX CPUs.
    assert getattr(bindings.llama_model_default_params(), EXTRA_BUFFERS_FIELD) is True


@pytest.mark.parametrize("extra_buffers", [False, True])
def test_the_setting_reaches_the_loaded_model(smollm_path: Path, extra_buffers: bool):
    """Fails if Llama stops building its params from llama_model_default_params()."""
    import llama_cpp.llama_cpp as bindings

    llm = open_llama(smollm_path, n_ctx=256, extra_buffers=extra_buffers)
    try:
        assert getattr(llm.model_params, EXTRA_BUFFERS_FIELD) is extra_buffers
    finally:
        llm.close()
    assert getattr(bindings.llama_model_default_params(), EXTRA_BUFFERS_FIELD) is True, "defaults not restored"


GENERATE = textwrap.dedent(
    """
    from factcheck.config import load_settings
    from factcheck.check.judge import load_judge
    from factcheck.models.chat import LlamaBackend, Message
    from factcheck.models.embedding import load_embedder

    settings = load_settings(model="smollm2-135m", embedder="minilm-l6")
    chat = LlamaBackend.load(settings)
    out = chat.generate([Message("user", "Name three colours of the rainbow.")], max_tokens=24)
    assert out.completion_tokens > 1 and out.text.strip(), out
    judge = load_judge(settings)
    assert judge.llm(" The capital of France is", max_tokens=8)["choices"][0]["text"] is not None
    vectors = load_embedder(settings).embed(["Putin met Trump in Anchorage.", "The summit ended early."])
    assert len(vectors) == 2
    print("generated:", out.completion_tokens, "tokens")
    """
)


def test_real_models_load_and_generate_through_the_project_loaders(smollm_path: Path, minilm_path: Path):
    """In a child process, so that a segfault (the AMX repack crash) is reported, not fatal."""
    env = {**os.environ, "FACTCHECK_MODELS_DIR": str(smollm_path.parent)}
    env.pop("FACTCHECK_LLAMA_EXTRA_BUFFERS", None)
    done = subprocess.run([sys.executable, "-c", GENERATE], capture_output=True, text=True, env=env, timeout=600)
    crashed = done.returncode < 0
    assert done.returncode == 0, (
        f"{'crashed with signal ' + str(-done.returncode) if crashed else 'failed'}:\n{done.stderr[-3000:]}"
    )
    assert "generated:" in done.stdout
