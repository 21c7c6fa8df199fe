"""The training / held-out split of every eval dataset, fixed by each claim's id.

Thresholds are fitted on the training claims (scripts/fit_calibration.py) and figures are reported
on the held-out ones, which the fit never sees. The split is a hash of the claim's id, so it is
the same on every machine and for every run, needs no file of its own, and a claim added to a
dataset later falls on one side without moving any other.
"""

from __future__ import annotations

import enum
import hashlib
from collections.abc import Iterable
from typing import TypeVar

HELDOUT_SHARE = 0.3


class Split(str, enum.Enum):
    TRAIN = "train"
    HELDOUT = "heldout"
    ALL = "all"


def split_of(claim_id: str) -> Split:
    """TRAIN or HELDOUT, HELDOUT_SHARE of ids on average."""
    bucket = int.from_bytes(hashlib.sha256(claim_id.encode("utf-8")).digest()[:8], "big") / 2**64
    return Split.HELDOUT if bucket < HELDOUT_SHARE else Split.TRAIN


T = TypeVar("T")


def in_split(items: Iterable[T], split: Split, claim_id=lambda item: item.id) -> list[T]:
    """The items of one side of the split (all of them for Split.ALL)."""
    return [item for item in items if split is Split.ALL or split_of(claim_id(item)) is split]
