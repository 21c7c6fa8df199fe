# The two commands a newcomer needs:
#   make run    set up, provision models, ingest the sample corpus and show it
#   make test   set up and run the test suite (what CI runs)
VENV ?= .venv
PYTHON ?= python3
PY := $(VENV)/bin/python
FACTCHECK := $(VENV)/bin/factcheck
# llama-cpp-python compiles from source; the LLaVA part is unused here and costs a minute.
export CMAKE_ARGS ?= -DLLAVA_BUILD=OFF

.PHONY: setup run test bench eval clean

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	# pip keeps the compiled llama-cpp-python wheel in its cache, so only the first install compiles.
	$(PY) -m pip install --quiet -e '.[test]'
	touch $@

setup: $(VENV)/.installed

run: setup
	FACTCHECK=$(FACTCHECK) bash scripts/run-sample.sh

test: setup
	$(PY) -m pytest -ra

bench: setup
	$(PY) benchmarks/bench_ingest.py
	$(PY) benchmarks/bench_check.py
	$(PY) benchmarks/bench_ask.py

eval: setup
	$(PY) scripts/run_eval.py

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis
