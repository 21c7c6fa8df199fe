"""Reading a claims file (`check --claims`): plain lines or JSONL, bad lines named by number."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from factcheck.check.claims import parse_claims
from factcheck.errors import InputFileError

# A line of claim text: no line breaks, something besides spaces, and not read as a comment or JSON.
text = (
    st.text(st.characters(blacklist_categories=("Cc", "Cs", "Zl", "Zp")), min_size=1, max_size=40)
    .map(str.strip)
    .filter(lambda t: t and not t.startswith(("#", "{")))
)


def test_plain_lines_are_claims_named_by_their_line_and_blank_and_comment_lines_are_skipped():
    claims, problems = parse_claims("# a comment\nPutin met Trump.\n\n   \n  # indented comment\n  In Alaska.  \n", "f")
    assert [(c.id, c.claim) for c in claims] == [("line-2", "Putin met Trump."), ("line-6", "In Alaska.")]
    assert problems == []


def test_jsonl_lines_give_their_own_ids_and_blank_lines_are_skipped():
    lines = ['{"id": "a", "claim": " Putin met Trump. "}', "", '{"claim": "No id."}', '{"id": 7, "claim": "Seven."}']
    claims, problems = parse_claims("\n".join(lines), "f")
    assert [(c.id, c.claim) for c in claims] == [("a", "Putin met Trump."), ("line-3", "No id."), ("7", "Seven.")]
    assert problems == []
    assert all(c.exclude == () for c in claims)


def test_bad_jsonl_lines_are_named_by_line_number_and_the_rest_go_on():
    lines = [
        '{"id": "a", "claim": "Putin met Trump."}',
        "{not json}",
        '["a list"]',
        '{"id": "b"}',
        '{"id": "c", "claim": "   "}',
        '{"id": ["x"], "claim": "Bad id."}',
        '{"id": "a", "claim": "A duplicate id."}',
        '{"id": "d", "claim": "The summit was in Alaska."}',
    ]
    claims, problems = parse_claims("\n".join(lines), "f")
    assert [c.id for c in claims] == ["a", "d"]
    reasons = {p.line: p.reason for p in problems}
    assert sorted(reasons) == [2, 3, 4, 5, 6, 7]
    assert reasons[2].startswith("not valid JSON") and "column" in reasons[2]
    assert reasons[3] == "not a JSON object"
    assert reasons[4] == reasons[5] == 'no "claim" string'
    assert "id" in reasons[6]
    assert "duplicate id 'a'" in reasons[7]


@pytest.mark.parametrize("content", ["", "\n\n", "   \n\t\n"])
def test_a_file_without_claims_is_an_error_naming_it(content):
    with pytest.raises(InputFileError) as raised:
        parse_claims(content, "claims.txt")
    assert raised.value.path == "claims.txt"


@given(st.lists(text, min_size=1, max_size=10), st.lists(st.booleans(), min_size=10, max_size=10))
def test_plain_lines_come_back_in_order_with_their_line_numbers(lines, blank_before):
    body, expected = [], []
    for line, blank in zip(lines, blank_before, strict=False):
        if blank:
            body.append("")
        body.append(f"  {line} ")
        expected.append((f"line-{len(body)}", line))
    claims, problems = parse_claims("\n".join(body), "f")
    assert [(c.id, c.claim) for c in claims] == expected and problems == []


@given(st.lists(st.tuples(st.text(min_size=1, max_size=8), text), min_size=1, max_size=8, unique_by=lambda t: t[0]))
def test_jsonl_written_by_json_dumps_reads_back(rows):
    content = "\n".join(json.dumps({"id": i, "claim": c}) for i, c in rows)
    claims, problems = parse_claims(content, "f")
    assert [(c.id, c.claim) for c in claims] == list(rows) and problems == []
