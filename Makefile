# The two commands a newcomer needs:
#   make run    set up, provision models, ingest the sample corpus and show it
#   make test   set up and run the test suite (what CI runs)
VENV ?= .venv
PYTHON ?= python3
PY := $(VENV)/bin/python
FACTCHECK := $(VENV)/bin/factcheck
# llama-cpp-python compiles from source; the LLaVA part is unused here and costs a minute.
export CMAKE_ARGS ?= -DLLAVA_BUILD=OFF

.PHONY: setup run test bench eval lock clean

# Exactly the versions in requirements.lock, in a venv rebuilt whenever the lock, the build flags
# or the CPU change (scripts/setup-venv.sh says why); a no-op otherwise.
setup:
	VENV=$(VENV) PYTHON=$(PYTHON) bash scripts/setup-venv.sh

# Refresh the lock deliberately: resolve the newest versions pyproject.toml allows, for every
# platform, with hashes. Then run `make test` and commit requirements.lock if it passes.
lock:
	$(PYTHON) -m venv .lock-venv && .lock-venv/bin/pip install --quiet 'uv==0.13.9'
	.lock-venv/bin/uv pip compile pyproject.toml --extra test --universal --python-version 3.11 \
	  --generate-hashes --no-header --quiet -o requirements.lock

run: setup
	FACTCHECK=$(FACTCHECK) bash scripts/run-sample.sh

test: setup
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(PY) -m pytest -ra

bench: setup
	$(PY) benchmarks/bench_ingest.py
	$(PY) benchmarks/bench_check.py
	$(PY) benchmarks/bench_verifier.py
	$(PY) benchmarks/bench_ask.py

eval: setup
	$(PY) scripts/run_eval.py

clean:
	rm -rf $(VENV) .lock-venv .pytest_cache .hypothesis
