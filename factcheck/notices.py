"""What factcheck says about a smoke-test model, in one wording: the check and audit reports carry
it, and `eval`, `ask` and `models pull` print it, so that a reader meets the same sentence wherever
the model shows up."""

from __future__ import annotations

SMOKE_TEST_NOTICE = (
    "{model} is a smoke-test model: it shows that the pipeline runs, not what the articles say; "
    "do not read its labels, verdicts or answers as a judgement."
)


def smoke_test_notice(model: str) -> str:
    return SMOKE_TEST_NOTICE.format(model=model)
