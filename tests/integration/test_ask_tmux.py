"""The `factcheck ask` prompt in a real terminal (tmux), with the real small models: type a
question and cancel it with Ctrl-C; type it again and watch the streamed answer, its citation
marker and its verdict badges appear; recall it with the Up key; leave with /quit.

Skipped only where tmux is missing outside CI; in CI (CI=true) a missing tmux fails the test.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from factcheck.cli import app
from tests.conftest import MODELS_DIR, SAMPLE_CORPUS

IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}
TMUX = shutil.which("tmux")
pytestmark = pytest.mark.skipif(TMUX is None and not IN_CI, reason="tmux is not installed (apt-get install tmux)")

QUESTION = "Where did the summit take place?"
BADGE = re.compile(r"\b(supported|contradicted|single-source|unverified)\b")
MARKER = re.compile(r"\[\d+\]")
# Loading the two models, then answering. On a busy 2-core machine SmolLM2-135M evaluates about
# 50 tokens/s: the answer's prompt is ~1,300 tokens, and each claim of the answer is then judged
# against every document (~3,000 tokens), so an answer can take a few minutes there; on an idle
# machine it takes well under one.
START_TIMEOUT_S = 120
ANSWER_TIMEOUT_S = 420


class Terminal:
    """One tmux server of our own (its own socket), one 160x50 window."""

    def __init__(self, socket: Path, name: str) -> None:
        self.base = [TMUX or "tmux", "-S", str(socket)]
        self.name = name

    def tmux(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        return subprocess.run([*self.base, *args], capture_output=True, text=True, check=check, timeout=30)

    def start(self, command: str) -> None:
        self.tmux("new-session", "-d", "-x", "160", "-y", "50", "-s", self.name, command)

    def type(self, text: str) -> None:
        self.tmux("send-keys", "-t", self.name, "-l", text)
        self.tmux("send-keys", "-t", self.name, "Enter")

    def screen(self) -> str:
        result = self.tmux("capture-pane", "-p", "-J", "-t", self.name, check=False)
        return result.stdout

    def alive(self) -> bool:
        return self.tmux("has-session", "-t", self.name, check=False).returncode == 0

    def wait_for(self, done, timeout: float, what: str) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            screen = self.screen()
            if done(screen):
                return screen
            if not self.alive():
                break
            time.sleep(0.5)
        pytest.fail(f"waited {timeout:.0f} s for {what}; the screen shows:\n{self.screen()}")

    def kill(self) -> None:
        self.tmux("kill-server", check=False)


def answered(screen: str) -> bool:
    """The last question's answer is complete: its claims with their badges, then the timings."""
    last = screen.rsplit(QUESTION, 1)[-1]
    return "\nclaims\n" in last and bool(BADGE.search(last.split("\nclaims\n")[-1])) and "total" in last


@pytest.fixture(scope="module")
def home(minilm_path, smollm_path, tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("home")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("FACTCHECK_HOME", str(folder))
        result = CliRunner().invoke(app, ["ingest", str(SAMPLE_CORPUS)])
    assert result.exit_code == 0, result.output
    return folder


def test_the_prompt_answers_with_a_citation_and_verdicts_in_a_terminal(home, tmp_path):
    assert TMUX is not None, "tmux is required in CI: apt-get install tmux"
    env = {
        "FACTCHECK_HOME": str(home),
        "FACTCHECK_MODELS_DIR": str(MODELS_DIR),
        "FACTCHECK_MODEL": "smollm2-135m",
        "TERM": "xterm-256color",
        "PYTHONPATH": str(Path(__file__).resolve().parents[2]),
    }
    assignments = " ".join(f"{key}={shlex.quote(value)}" for key, value in env.items())
    # The command's output is kept in a log as well, to show if the session dies early.
    log = tmp_path / "ask.log"
    command = f"env {assignments} {shlex.quote(sys.executable)} -m factcheck ask 2> {shlex.quote(str(log))}"
    terminal = Terminal(tmp_path / "tmux.sock", "factcheck-ask")
    try:
        terminal.start(command)
        terminal.wait_for(lambda s: "ask>" in s, START_TIMEOUT_S, f"the prompt (stderr: {log})")
        # Ctrl-C while an answer is being prepared cancels that answer, not the session. (A machine
        # that answers within half a second finishes first; the Ctrl-C then clears the next prompt.)
        terminal.type(QUESTION)
        time.sleep(0.5)
        terminal.tmux("send-keys", "-t", terminal.name, "C-c")
        screen = terminal.wait_for(
            lambda s: s.count("ask>") >= 2 and s.rstrip().endswith("ask>"), 90, "the prompt after Ctrl-C"
        )
        assert "cancelled" in screen or "total" in screen, screen
        terminal.type(QUESTION)
        screen = terminal.wait_for(answered, ANSWER_TIMEOUT_S, "the answer and its verdicts")
        (tmp_path / "screen.txt").write_text(screen)
        answer, _, listing = screen.rsplit(QUESTION, 1)[1].partition("\nsources\n")
        assert MARKER.search(answer), screen  # the streamed answer cites a passage
        assert re.search(r"^\[\d+\] .+ · \S+ · chunk \d+ +“", listing, re.M), screen  # title, doc, chunk, quote
        # The arrow keys recall earlier questions; Ctrl-C at the prompt only clears the line.
        terminal.tmux("send-keys", "-t", terminal.name, "Up")
        terminal.wait_for(lambda s: s.rstrip().endswith(f"ask> {QUESTION}"), 15, "Up to recall the question")
        terminal.tmux("send-keys", "-t", terminal.name, "C-c")
        terminal.wait_for(lambda s: s.rstrip().endswith("ask>"), 15, "Ctrl-C to clear the line")
        terminal.type("/quit")
        deadline = time.monotonic() + 15
        while terminal.alive() and time.monotonic() < deadline:
            time.sleep(0.2)
        assert not terminal.alive(), "/quit did not end the prompt"
        assert QUESTION in (home / "ask_history").read_text()  # prompt_toolkit's history, under FACTCHECK_HOME
    finally:
        terminal.kill()
