"""The question prompt: prompts/ask.system.txt and prompts/ask.user.txt as a langchain
ChatPromptTemplate, with the passages numbered and delimited so the answer can cite them."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from pathlib import Path

from factcheck.errors import ConfigError
from factcheck.models.chat import Message
from factcheck.prompt_files import MESSAGE_ROLES as _ROLES
from factcheck.prompt_files import default_prompts_dir, neutralise, read_template
from factcheck.schema import Passage

SYSTEM_FILE = "ask.system.txt"
USER_FILE = "ask.user.txt"


def format_passages(passages: Sequence[Passage]) -> str:
    """Passages numbered from 1 (the number the answer cites) and fenced as data: the article text
    is neutralised so that it cannot close a passage early or spell a chat control token."""
    return "\n".join(
        f'<passage n="{n}" source="{neutralise(p.doc_id)}">\n{neutralise(p.text).strip()}\n</passage>'
        for n, p in enumerate(passages, 1)
    )


class AskPrompt:
    def __init__(self, system: str, user: str) -> None:
        from langchain_core.prompts import ChatPromptTemplate  # lazy: slow import

        try:
            self.template = ChatPromptTemplate.from_messages([("system", system), ("human", user)])
        except ValueError as exc:
            raise ConfigError(f"invalid ask prompt template ({exc}); write literal braces as {{{{ and }}}}") from exc
        if (
            set(self.template.input_variables) != {"question", "passages"}
            or "{question}" in system
            or "{passages}" in system
        ):
            raise ConfigError(f"{USER_FILE} must use exactly {{question}} and {{passages}}; {SYSTEM_FILE} neither")
        self.prompt_hash = hashlib.sha256(f"{system}\0{user}".encode()).hexdigest()

    @classmethod
    def load(cls, prompts_dir: Path | None = None) -> AskPrompt:
        folder = prompts_dir if prompts_dir is not None else default_prompts_dir()
        return cls(*(read_template(folder / name) for name in (SYSTEM_FILE, USER_FILE)))

    def messages(self, question: str, passages: Sequence[Passage]) -> list[Message]:
        formatted = self.template.format_messages(question=neutralise(question), passages=format_passages(passages))
        return [Message(_ROLES[m.type], str(m.content)) for m in formatted]
