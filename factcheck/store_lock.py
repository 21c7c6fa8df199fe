"""One writer at a time per store folder, across processes.

Embedded Chroma is not process-safe, and an ingest's orphan clean-up would delete the chunks of a
document another process has written but not yet committed. So every writer holds an exclusive
lock on a file in the store's folder (HOME/store/writer.lock; inside, so the eval's folder of
per-dataset stores holds stores only) for as long as it writes.
Readers do not take it: a committed record is the only thing they trust (see store.py).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from factcheck.errors import StoreBusy

# Short: the other writer is usually a whole ingest, so waiting longer would rarely help and
# would only make the refusal slow.
WAIT_SECONDS = 3.0


def lock_path(store_dir: Path) -> Path:
    return store_dir / "writer.lock"


class StoreLock:
    """Re-entrant within one holder (a write inside a write nests), exclusive across holders."""

    def __init__(self, store_dir: Path) -> None:
        import filelock

        self.path = lock_path(store_dir)
        self._lock = filelock.FileLock(str(self.path))

    @contextmanager
    def held(self) -> Iterator[None]:
        import filelock

        try:
            self._lock.acquire(timeout=WAIT_SECONDS)
        except filelock.Timeout:
            raise StoreBusy(
                f"another factcheck process is writing to the store at {self.path.parent}; wait for it to finish"
            ) from None
        except OSError as exc:
            raise StoreBusy(f"cannot lock the store at {self.path}: {exc}") from exc
        try:
            yield
        finally:
            self._lock.release()
