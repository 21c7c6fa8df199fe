"""The prompt files: where they are, reading one, and defusing article text before it goes in.

The templates live in the top-level prompts/ folder of the source tree. A wheel carries a copy
inside the package (factcheck/prompts/, see pyproject.toml), which is where an installed
factcheck finds them; an editable install has no such copy and reads the checkout's folder.
"""

from __future__ import annotations

import re
from importlib.resources import files
from pathlib import Path

from factcheck.errors import ConfigError

# langchain's message types as the roles of a chat template.
MESSAGE_ROLES = {"system": "system", "human": "user", "ai": "assistant"}

_CHECKOUT_PROMPTS = Path(__file__).resolve().parent.parent / "prompts"


def default_prompts_dir() -> Path:
    """The installed package's prompts/ folder, or the checkout's for an editable install."""
    packaged = files("factcheck") / "prompts"
    if isinstance(packaged, Path) and packaged.is_dir():
        return packaged
    return _CHECKOUT_PROMPTS


def read_template(path: Path) -> str:
    """A prompt file's text; a missing one is a ConfigError naming it."""
    try:
        return path.read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        raise ConfigError(
            f"prompt template {path} is missing; factcheck reads its prompts from the package's "
            "prompts/ folder, or the checkout's for an editable install"
        ) from None


_TAG = re.compile(r"<(/?passage\b)", re.IGNORECASE)


def neutralise(text: str) -> str:
    """Article text as inert data: it cannot close a passage early or spell a chat-template
    control token such as <|im_end|> (the prompt is tokenised with special tokens parsed)."""
    return _TAG.sub(r"‹\1", text).replace("<|", "< |").replace("|>", "| >")
