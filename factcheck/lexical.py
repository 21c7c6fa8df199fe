"""The lexical half of retrieval: BM25 (bm25s) over the corpus's sentences, with the idf of their
content terms (factcheck.check.coverage), built once per corpus state and saved beside the store.

A saved index is a folder `<store>/bm25/<embedder key>/<state>/`, where the state digests exactly
the sentences it was built from (retrieve.py: every committed sentence's id and text, of the
documents read). A session whose sentences digest to a saved state loads it; any other builds
its own and saves it. Saving writes a temporary folder and renames it into place, so a reader
never loads half an index; readers need no lock, and a store folder that cannot be written to
only means the index is built in memory each time.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

FORMAT = "bm25s-sentences/1"  # bump when what is saved, or how text is tokenised, changes
KEEP = 3  # saved states per store: the corpus now, and an --as-of subset or two
_MANIFEST = "manifest.json"

Row = tuple[str, int, str]  # (doc id, sentence index, text)


def tokens(texts: Sequence[str]) -> list[list[str]]:
    """Lower-cased, stemmed words without English stopwords: how BM25 reads text."""
    import bm25s
    import Stemmer

    stemmer = Stemmer.Stemmer("english")
    return bm25s.tokenize(list(texts), stopwords="en", stemmer=stemmer, return_ids=False, show_progress=False)


class LexicalIndex:
    """BM25 over sentences held in (doc id, sentence index) order, and the idf of their terms.
    Row r is the sentence (doc_ids[d], indices[r]) for starts[d] <= r < starts[d + 1]."""

    def __init__(self, bm25: Any, doc_ids: list[str], starts: Any, indices: Any, idf: dict[str, float]) -> None:
        self._bm25 = bm25
        self.doc_ids = doc_ids
        self._starts = starts  # numpy int64, len(doc_ids) + 1
        self._indices = indices  # numpy int32, one per row
        self._doc_number = {d: n for n, d in enumerate(doc_ids)}
        self.idf = idf

    @classmethod
    def build(cls, rows: Sequence[Row]) -> LexicalIndex:
        """From rows sorted by (doc id, sentence index)."""
        import bm25s
        import numpy as np

        from factcheck.check.coverage import idf_weights

        bm25 = bm25s.BM25()
        bm25.index(tokens([text for *_, text in rows]), show_progress=False)
        doc_ids: list[str] = []
        starts: list[int] = []
        for row, (doc_id, _, _) in enumerate(rows):
            if not doc_ids or doc_ids[-1] != doc_id:
                doc_ids.append(doc_id)
                starts.append(row)
        starts.append(len(rows))
        indices = np.asarray([index for _, index, _ in rows], dtype=np.int32)
        idf = idf_weights(text for *_, text in rows)
        return cls(bm25, doc_ids, np.asarray(starts, dtype=np.int64), indices, idf)

    @property
    def size(self) -> int:
        return len(self._indices)

    def scores(self, query: Sequence[str]) -> Any:
        """BM25 of every row for the query's tokens (tokens()); zeros for no tokens."""
        import numpy as np

        if not query:
            return np.zeros(self.size, dtype=np.float32)
        return self._bm25.get_scores(list(query))

    def key(self, row: int) -> tuple[str, int]:
        import numpy as np

        number = int(np.searchsorted(self._starts, row, side="right")) - 1
        return self.doc_ids[number], int(self._indices[row])

    def row(self, doc_id: str, index: int) -> int | None:
        import numpy as np

        number = self._doc_number.get(doc_id)
        if number is None:
            return None
        start, end = int(self._starts[number]), int(self._starts[number + 1])
        found = start + int(np.searchsorted(self._indices[start:end], index))
        return found if found < end and int(self._indices[found]) == index else None

    def save(self, folder: Path) -> None:
        import numpy as np

        self._bm25.save(str(folder / "bm25"), show_progress=False)
        np.save(folder / "starts.npy", self._starts)
        np.save(folder / "indices.npy", self._indices)
        (folder / "docs.json").write_text(json.dumps(self.doc_ids), encoding="utf-8")
        (folder / "idf.json").write_text(json.dumps(self.idf), encoding="utf-8")

    @classmethod
    def load(cls, folder: Path) -> LexicalIndex:
        import bm25s
        import numpy as np

        # mmap: the score matrix stays on disk and is paged in as queries touch it.
        bm25 = bm25s.BM25.load(str(folder / "bm25"), mmap=True, show_progress=False)
        return cls(
            bm25,
            json.loads((folder / "docs.json").read_text(encoding="utf-8")),
            np.load(folder / "starts.npy"),
            np.load(folder / "indices.npy"),
            json.loads((folder / "idf.json").read_text(encoding="utf-8")),
        )


def saved(root: Path, state: str) -> LexicalIndex | None:
    """The index saved for this state under root, or None (none saved, or unreadable)."""
    folder = root / state
    try:
        manifest = json.loads((folder / _MANIFEST).read_text(encoding="utf-8"))
        if manifest != {"format": FORMAT, "state": state}:
            return None
        return LexicalIndex.load(folder)
    except (OSError, ValueError, KeyError):  # missing, half-deleted by another reader, or another format
        return None


def save(root: Path, state: str, index: LexicalIndex) -> bool:
    """Save index as root/state (atomically), keeping the KEEP most recently used states.
    False when the folder cannot be written (a read-only store): the index is still usable."""
    try:
        root.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=".building-", dir=root))
        index.save(tmp)
        # The manifest last: a folder without one is never loaded.
        (tmp / _MANIFEST).write_text(json.dumps({"format": FORMAT, "state": state}), encoding="utf-8")
        if saved(root, state) is None:  # not there, or a reader killed mid-save left it unusable
            shutil.rmtree(root / state, ignore_errors=True)
        try:
            os.rename(tmp, root / state)
        except OSError:  # another reader saved the same state just now: theirs is as good
            shutil.rmtree(tmp, ignore_errors=True)
        _forget_old(root)
        return True
    except OSError:
        return False


def touch(root: Path, state: str) -> None:
    """Mark a saved state as just used (it is then among the KEEP kept)."""
    try:
        os.utime(root / state)
    except OSError:
        pass


def _forget_old(root: Path) -> None:
    """Delete all but the KEEP most recently used states, and what a killed reader left building."""
    used = sorted(((_mtime(p), p) for p in root.iterdir() if not p.name.startswith(".")), reverse=True)
    for _, old in used[KEEP:]:
        shutil.rmtree(old, ignore_errors=True)
    an_hour_ago = time.time() - 3600
    for stale in root.glob(".building-*"):
        if _mtime(stale) < an_hour_ago:
            shutil.rmtree(stale, ignore_errors=True)


def _mtime(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except OSError:  # deleted by another reader meanwhile
        return 0.0
