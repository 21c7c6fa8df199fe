#!/usr/bin/env bash
# Create .venv/ with exactly the versions in requirements.lock (called by `make setup`).
#
# The venv is rebuilt from scratch whenever the lock, pyproject.toml, the llama.cpp build flags
# (CMAKE_ARGS), the CPU or the Python change. llama-cpp-python compiles for the CPU it is built on,
# and pip keeps that build in its wheel cache under a key that knows none of these, so when the
# lock, the flags, the CPU or the Python change the cached build is dropped too: a build made for
# another version or another machine can never stand in for a fresh one.
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=${VENV:-.venv}
PYTHON=${PYTHON:-python3}
LOCK=requirements.lock
# The pip that the lock was tested with; uv does not lock pip itself.
PIP_VERSION=26.3

cpu_flags() { grep -m1 '^flags' /proc/cpuinfo 2>/dev/null || uname -m; }
build_key=$( { cat "$LOCK"; echo "CMAKE_ARGS=${CMAKE_ARGS:-}"; cpu_flags; "$PYTHON" -V; } | sha256sum | cut -c1-16)
key=$( { echo "$build_key"; cat pyproject.toml; } | sha256sum | cut -c1-16)

if [ "$(cat "$VENV/.installed" 2>/dev/null)" = "$key" ]; then
  exit 0
fi

echo "setting up $VENV (build key $key): a fresh venv from $LOCK" >&2
rm -rf "$VENV"
"$PYTHON" -m venv "$VENV"
PY="$VENV/bin/python"
"$PY" -m pip install --quiet "pip==$PIP_VERSION"
stamp="$("$PY" -m pip cache dir 2>/dev/null || echo /nonexistent)/factcheck-build-key"
if [ "$(cat "$stamp" 2>/dev/null)" != "$build_key" ]; then
  echo "new lock, build flags, CPU or Python: dropping pip's cached llama-cpp-python build, so it compiles here (4-5 min)" >&2
  "$PY" -m pip cache remove llama_cpp_python >/dev/null 2>&1 || true
fi
# Hashes in the lock make pip refuse anything but the files CI tested.
"$PY" -m pip install --quiet --require-hashes -r "$LOCK"
"$PY" -m pip install --quiet --no-deps -e .
"$PY" -m pip check
mkdir -p "$(dirname "$stamp")" && echo "$build_key" >"$stamp" || true
echo "$key" >"$VENV/.installed"
