"""Text from articles (or from a model that read them) made safe to print on a terminal.

A terminal obeys escape sequences in what it is given: an article could clear the screen, retitle
the window, plant a hyperlink, or redraw lines so that a verdict seems to say something else.
Rich escapes its own markup, not these. Every place that prints article-derived text on a
terminal passes it through `printable`; JSON keeps the data as it is (json.dumps escapes control
characters itself).
"""

from __future__ import annotations

import re

# Strings a terminal reads up to a terminator, which may come after any text: OSC (ESC ], e.g. a
# window title or a hyperlink), DCS (ESC P), SOS (ESC X), PM (ESC ^) and APC (ESC _), also in
# their one-character C1 forms. They end with BEL or ST (ESC \ or U+009C). An unterminated one is
# not matched here: its introducer goes below and the rest stays readable text.
_CONTROL_STRING = r"(?:\x1b[\]PX^_]|[\x90\x98\x9d\x9e\x9f])[^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)"
# CSI (ESC [ or U+009B): cursor moves, clearing, colours; parameters, intermediates, a final byte.
_CSI = r"(?:\x1b\[|\x9b)[0-?]*[ -/]*[@-~]"
# Any other escape: ESC, intermediates, one final character (ESC c resets, ESC ( B picks a charset).
_ESCAPE = r"\x1b[ -/]*[0-~]"
_SEQUENCE = re.compile(f"{_CONTROL_STRING}|{_CSI}|{_ESCAPE}")

# What is left after the sequences: every C0 control but tab and newline (a lone ESC, BEL, a
# carriage return that would let a line overwrite itself), DEL and the C1 controls; and the
# Unicode bidi embeddings, overrides and isolates (U+202A-U+202E, U+2066-U+2069), which reorder
# what is shown so that "1,550" could read as "055,1" ("Trojan Source", CVE-2021-42574). The
# marks U+200E/U+200F stay: right-to-left text needs them, and they cannot reorder a run.
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def printable(text: str) -> str:
    """The text without terminal escape sequences and control characters (newline and tab kept).

    Removing every ESC and C1 control after the known sequences is what makes this safe on any
    input, and idempotent: what is left has nothing a second pass could match.
    """
    return _CONTROL.sub("", _SEQUENCE.sub("", text))
