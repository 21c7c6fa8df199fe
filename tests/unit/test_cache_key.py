"""The check cache's key must be the same in every process for the same inputs."""

from __future__ import annotations

import os
import subprocess
import sys

SCRIPT = (
    "from dataclasses import asdict;"
    "from factcheck.check.combine import Calibration;"
    "from factcheck.check.session import CheckOptions, _digest;"
    "print(_digest([asdict(Calibration()), asdict(CheckOptions())]))"
)


def test_the_key_of_a_calibration_with_a_set_of_signals_does_not_change_with_the_hash_seed():
    """A set's str() order follows the process's string hash seed; the key must not."""
    keys = set()
    for seed in ("1", "2", "3", "4"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        keys.add(
            subprocess.run([sys.executable, "-c", SCRIPT], env=env, capture_output=True, text=True, check=True).stdout
        )
    assert len(keys) == 1
