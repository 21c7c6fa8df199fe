"""The size of the library's code: modules and their lines, and how long its functions are.

    .venv/bin/python scripts/module_sizes.py            # the summary and the ten largest of each
    .venv/bin/python scripts/module_sizes.py --all      # every module

A function's length is its lines from `def` to its last statement, docstring included; nested
functions count on their own and inside their parent.
"""

from __future__ import annotations

import argparse
import ast
import statistics
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "factcheck"


def functions(tree: ast.AST) -> list[tuple[str, int]]:
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            found.append((node.name, (node.end_lineno or node.lineno) - node.lineno + 1))
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--all", action="store_true", help="list every module, not only the ten largest")
    args = parser.parse_args()
    modules: list[tuple[str, int]] = []
    lengths: list[tuple[int, str]] = []
    for path in sorted(PACKAGE.rglob("*.py")):
        name = path.relative_to(PACKAGE.parent).as_posix()
        source = path.read_text(encoding="utf-8")
        modules.append((name, len(source.splitlines())))
        lengths += [(n, f"{name}:{fn}") for fn, n in functions(ast.parse(source))]
    sizes = [n for _, n in modules]
    fn_sizes = [n for n, _ in lengths]
    print(f"modules {len(modules)}, lines {sum(sizes)}, median module {statistics.median(sizes):.0f} lines")
    over = {limit: sum(n > limit for n in fn_sizes) for limit in (40, 50)}
    print(
        f"functions {len(lengths)}, median {statistics.median(fn_sizes):.0f} lines, over 40: {over[40]}, over 50: {over[50]}"
    )
    shown = modules if args.all else sorted(modules, key=lambda m: -m[1])[:10]
    print("\nmodule                                   lines")
    for name, n in shown:
        print(f"{name:40} {n:5}")
    print("\nlongest functions                                          lines")
    for n, name in sorted(lengths, reverse=True)[:10]:
        print(f"{name:58} {n:5}")


if __name__ == "__main__":
    main()
