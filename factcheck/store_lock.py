"""One writer at a time per store, across processes and, on a Chroma server, across machines.

Embedded Chroma is not process-safe, and an ingest's orphan clean-up would delete the chunks of a
document another process has written but not yet committed. So every writer holds an exclusive
lock on a file in the store's folder (HOME/store/writer.lock; inside, so the eval's folder of
per-dataset stores holds stores only) for as long as it writes (StoreLock).

On a Chroma server a file lock protects nothing: the other writer may be on another machine. There
the lock is a lease kept in the server itself (ServerLock), in a small collection of the store's
database, so the same rule holds for both: a writer commits (writes the document's record, see
store.py) before it lets go of the lock, hence whoever holds the lock finds every uncommitted row
to be a dead writer's, and may delete it.

Readers take neither: a committed record is the only thing they trust (see store.py).
"""

from __future__ import annotations

import os
import socket
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from factcheck.errors import StoreBusy, StoreError

# Short: the other writer is usually a whole ingest, so waiting longer would rarely help and
# would only make the refusal slow.
WAIT_SECONDS = 3.0

# On a server, writers are expected to take turns (that is what a server is for), one document at
# a time: a writer waits for the others, up to this long, rather than being refused.
SERVER_WAIT_SECONDS = 120.0
# A holder renews its lease every LEASE_SECONDS / 5; one that stops (killed, cut off) loses the
# lock this long after its last renewal, and a waiting writer takes over.
LEASE_SECONDS = 30.0
POLL_SECONDS = 0.1
# A holder that has just let go and wants the lock again lets a waiting writer go first for this
# long: without it, an ingest that releases and re-takes the lock between documents would starve
# the other, which polls.
COURTESY_SECONDS = 1.0
# Old generations are deleted once this many have piled up, not at every taking: each write to the
# server costs tens of milliseconds, and the lock is taken once per document.
KEEP_LEASES = 32


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


@dataclass(frozen=True)
class _Lease:
    n: int  # the generation: each taking of the lock adds the next one
    owner: str
    expires: float  # server seconds
    released: bool
    released_at: float

    @property
    def id(self) -> str:
        return lease_id(self.n)

    def free(self, now: float) -> bool:
        return self.released or self.expires <= now


def lease_id(n: int) -> str:
    return f"lease-{n:012d}"


class ServerLock:
    """The writer lock of a store on a Chroma server: a lease, re-entrant within one holder.

    Chroma has no compare-and-swap, but `add` of an id that exists keeps the first row and drops
    the second, in the server's one order of writes. So taking the lock is adding the lease of
    the next generation (`lease-<n+1>`, once `lease-<n>` is released or expired) and reading it
    back: of two writers adding the same generation, exactly one reads back its own name. Expiry
    is on the server's clock (its heartbeat), so writers' clocks need not agree.

    While held, a thread renews the lease. A holder that stalled past its lease (and so may have
    been overtaken) finds out at its next write, which then raises StoreBusy instead of writing.
    """

    COLLECTION = "factcheck-writer-lock"

    def __init__(self, records: Callable[[], Any], now: Callable[[], float], *, where: str) -> None:
        """records: the lock's collection (created on first use); now: the server's clock."""
        self._records = records
        self._now = now
        self.where = where
        self.owner = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self._depth = 0
        self._lease: _Lease | None = None
        self._lost = threading.Event()
        self._stop = threading.Event()
        self._renewer: threading.Thread | None = None
        self._handle: Any | None = None

    @contextmanager
    def held(self) -> Iterator[None]:
        if self._depth == 0:
            self._acquire()
        else:
            self._still_held()
        self._depth += 1
        try:
            yield
        finally:
            self._depth -= 1
            if self._depth == 0:
                self._release()

    # --- taking and giving back -----------------------------------------------------------------

    def _acquire(self) -> None:
        deadline = time.monotonic() + SERVER_WAIT_SECONDS
        records = self._collection()
        marked_at: float | None = None  # when we last said that we are waiting
        try:
            while True:
                now = self._now()
                leases, waiters = self._read(records)
                current = leases[-1] if leases else None
                if (current is None or current.free(now)) and not self._courteous(current, waiters, now):
                    if self._claim(records, current.n + 1 if current else 0, now):
                        if len(leases) >= KEEP_LEASES:  # older generations: nobody needs them any more
                            records.delete(ids=[lease.id for lease in leases])
                        return
                    continue  # another writer took that generation first: look again
                if time.monotonic() >= deadline:
                    holder = f" ({current.owner})" if current is not None and not current.free(now) else ""
                    raise StoreBusy(
                        f"another factcheck process is writing to the store at {self.where}{holder}; "
                        "wait for it to finish"
                    )
                if marked_at is None or time.monotonic() - marked_at >= LEASE_SECONDS / 5:
                    self._mark_waiting(records, now)
                    marked_at = time.monotonic()
                time.sleep(POLL_SECONDS)
        finally:
            if marked_at is not None:
                with suppress(StoreError):  # it expires by itself
                    records.delete(ids=[self._waiting_id])

    def _collection(self) -> Any:
        if self._handle is None:
            self._handle = self._records()
        return self._handle

    def _still_held(self) -> None:
        """Before each write under the lock: raise if another writer has taken it over (our lease
        expired while we stalled), so that we write nothing more. A read, a few milliseconds.
        Expired but not taken over is fine: then nobody else has written."""
        lease = self._lease
        if lease is not None and not self._lost.is_set():
            leases, _ = self._read(self._collection())
            if leases and leases[-1].n == lease.n and leases[-1].owner == self.owner:
                return
            self._lost.set()
        raise StoreBusy(
            f"this process lost the writer lock of the store at {self.where} (the server did not hear "
            f"from it for {LEASE_SECONDS:g} s, and another writer took over); it stopped writing: run the command again"
        )

    def _claim(self, records: Any, n: int, now: float) -> bool:
        lease = _Lease(n, self.owner, now + LEASE_SECONDS, released=False, released_at=0.0)
        try:
            records.add(ids=[lease.id], embeddings=[[1.0]], metadatas=[_metadata(lease)])
        except StoreError as exc:  # a Chroma that refuses an existing id, rather than dropping the add
            if type(exc.__cause__).__name__ not in ("IDAlreadyExistsError", "DuplicateIDError"):
                raise
        got = records.get(ids=[lease.id], include=["metadatas"])
        if not got["ids"] or got["metadatas"][0].get("owner") != self.owner:
            return False
        self._lease = lease
        self._lost.clear()
        self._stop.clear()
        self._renewer = threading.Thread(target=self._renew, args=(records,), daemon=True, name="store-lease")
        self._renewer.start()
        return True

    def _release(self) -> None:
        self._stop.set()
        if self._renewer is not None:
            self._renewer.join(timeout=LEASE_SECONDS)
        lease, self._lease = self._lease, None
        if lease is None or self._lost.is_set():
            return
        with suppress(StoreError):  # the server went away: the lease expires by itself
            update = {"released": True, "released_at": self._now()}
            self._collection().update(ids=[lease.id], metadatas=[update])

    def _renew(self, records: Any) -> None:
        """Keep the lease alive; give it up as lost once another writer has overtaken it, or once
        the server has not been reached for a whole lease."""
        last_renewed = time.monotonic()
        while not self._stop.wait(LEASE_SECONDS / 5):
            lease = self._lease
            if lease is None:
                return
            try:
                leases, _ = self._read(records)
                if not leases or leases[-1].n != lease.n or leases[-1].owner != self.owner:
                    self._lost.set()
                    return
                records.update(ids=[lease.id], metadatas=[{"expires": self._now() + LEASE_SECONDS}])
                last_renewed = time.monotonic()
            except StoreError:
                if time.monotonic() - last_renewed >= LEASE_SECONDS:
                    self._lost.set()
                    return

    # --- the records ----------------------------------------------------------------------------

    @property
    def _waiting_id(self) -> str:
        return f"waiting-{self.owner}"

    def _mark_waiting(self, records: Any, now: float) -> None:
        meta = {"owner": self.owner, "expires": now + LEASE_SECONDS}
        records.upsert(ids=[self._waiting_id], embeddings=[[1.0]], metadatas=[meta])

    def _courteous(self, current: _Lease | None, waiters: list[tuple[str, float]], now: float) -> bool:
        """Whether to let another writer go first: we let go of the lock a moment ago, and someone
        is waiting for it."""
        if current is None or current.owner != self.owner or not current.released:
            return False
        if now - current.released_at >= COURTESY_SECONDS:
            return False
        return any(owner != self.owner and expires > now for owner, expires in waiters)

    @staticmethod
    def _read(records: Any) -> tuple[list[_Lease], list[tuple[str, float]]]:
        """The leases, oldest generation first, and the (owner, expiry) of each waiting writer."""
        got = records.get(include=["metadatas"])
        leases, waiters = [], []
        for rid, meta in zip(got["ids"], got["metadatas"], strict=True):
            if rid.startswith("lease-"):
                leases.append(
                    _Lease(
                        n=int(rid.removeprefix("lease-")),
                        owner=str(meta["owner"]),
                        expires=float(meta["expires"]),
                        released=bool(meta["released"]),
                        released_at=float(meta.get("released_at", 0.0)),
                    )
                )
            elif rid.startswith("waiting-"):
                waiters.append((str(meta["owner"]), float(meta["expires"])))
        return sorted(leases, key=lambda lease: lease.n), waiters


def _metadata(lease: _Lease) -> dict[str, Any]:
    return {
        "owner": lease.owner,
        "expires": lease.expires,
        "released": lease.released,
        "released_at": lease.released_at,
    }
