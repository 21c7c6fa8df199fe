"""Rewriting an article's sentence into self-contained claims with the chat model (`--decompose`).

A sentence like "He said the talks would resume on Monday" cannot be checked on its own; the
model rewrites it with the names from the article's opening ("Trump said the Alaska talks would
resume on Monday"), one fact per claim. When the model's answer is invalid or cut off, the
sentence itself is used, and the failure is counted.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from factcheck.errors import ModelServerError
from factcheck.models.backend import ChatBackend, Message
from factcheck.prompt_files import default_prompts_dir, read_template

MAX_CLAIMS = 4
SCHEMA = {
    "type": "object",
    "properties": {
        "claims": {
            "type": "array",
            "items": {"type": "string", "minLength": 8, "maxLength": 300},
            "minItems": 1,
            "maxItems": MAX_CLAIMS,
        }
    },
    "required": ["claims"],
    "additionalProperties": False,
}


@dataclass(frozen=True)
class Decomposition:
    claims: tuple[str, ...]
    failed: str | None = None  # why the sentence itself was kept


class Decomposer:
    def __init__(self, model: ChatBackend, prompts_dir: Path | None = None, max_tokens: int = 400) -> None:
        from langchain_core.prompts import ChatPromptTemplate  # lazy: slow import

        folder = prompts_dir or default_prompts_dir()
        system, user = read_template(folder / "decompose.system.txt"), read_template(folder / "decompose.user.txt")
        self.template = ChatPromptTemplate.from_messages([("system", system), ("human", user)])
        self.model = model
        self.max_tokens = max_tokens

    def decompose(self, sentence: str, context: str) -> Decomposition:
        formatted = self.template.format_messages(sentence=sentence, context=context)
        roles = {"system": "system", "human": "user"}
        messages = [Message(roles[m.type], str(m.content)) for m in formatted]
        try:
            completion = self.model.generate(messages, max_tokens=self.max_tokens, json_schema=SCHEMA)
        except ModelServerError as exc:  # one request failed after its retries: this sentence stays
            return Decomposition((sentence,), failed=f"the model server failed ({exc})")
        if completion.finish_reason != "stop":
            return Decomposition((sentence,), failed=f"answer cut off ({completion.finish_reason})")
        try:
            claims = json.loads(completion.text)["claims"]
        except (json.JSONDecodeError, KeyError, TypeError):
            return Decomposition((sentence,), failed="answer is not the expected JSON")
        cleaned = tuple(" ".join(c.split()) for c in claims if isinstance(c, str) and c.strip())[:MAX_CLAIMS]
        return Decomposition(cleaned) if cleaned else Decomposition((sentence,), failed="no claims in the answer")
