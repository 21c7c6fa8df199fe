"""Every llama.cpp model is opened through factcheck/models/llama.py, so its workaround (extra
buffer types off: the AMX repack crash) covers models added later too."""

from __future__ import annotations

import ast
from pathlib import Path

import factcheck

PACKAGE = Path(factcheck.__file__).parent
LOADER = PACKAGE / "models" / "llama.py"


def _llama_constructions(path: Path) -> list[int]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    lines = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            if name in ("Llama", "from_pretrained"):
                lines.append(node.lineno)
    return lines


def test_only_the_loader_constructs_llama():
    offenders = {
        str(path.relative_to(PACKAGE)): lines
        for path in PACKAGE.rglob("*.py")
        if path != LOADER and (lines := _llama_constructions(path))
    }
    assert offenders == {}, f"load models with factcheck.models.llama.open_llama, not Llama(...): {offenders}"


def test_the_scan_sees_a_construction():
    assert _llama_constructions(LOADER), "the scan no longer recognises Llama(...) calls"
