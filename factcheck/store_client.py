"""Where a store's collections live: an embedded Chroma in a folder (the default), or a Chroma
server (settings.store_url). store.py asks this module for collections and a writer lock and
never learns which of the two it has; every Chroma failure comes out of here as a one-line
StoreError naming the store, whichever call it happened in.

A server is reached with `chromadb.HttpClient`. The token, where one is set, goes in both
headers Chroma's token auth reads: `X-Chroma-Token` (what Chroma 1.x and Chroma Cloud read) and
`Authorization: Bearer` (the default of Chroma's own token provider, and what proxies in front
of a server usually check). Note that the `chroma run` server of chromadb 1.x checks no token
itself (its authentication is a no-op); a token matters where a proxy or a hosted Chroma checks it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from factcheck.errors import FactcheckError, StoreError
from factcheck.store_lock import ServerLock, StoreLock

DEFAULT_DATABASE = "default_database"  # Chroma's own, on every server
# Short: a server that is down refuses at once; one that takes longer than this to accept a
# connection is not one to wait for. Reads and writes of a big batch may take longer.
CONNECT_TIMEOUT_S = 3.0
PROBE_TIMEOUT_S = 5.0
REQUEST_TIMEOUT_S = 120.0


@dataclass(frozen=True)
class ServerStore:
    """A store on a Chroma server: its URL (http(s)://HOST[:PORT][/PATH]), the database on it,
    and the token, which is never printed."""

    url: str
    database: str = DEFAULT_DATABASE
    token: str | None = field(default=None, repr=False)

    def __str__(self) -> str:
        return f"{self.url} (database {self.database})"


def dataset_database(database: str, folder: Path) -> str:
    """The server's stand-in for a store folder (the eval keeps one store per dataset, named by
    its corpus hash): a database of its own beside the settings' one, `DATABASE.FOLDER-NAME`."""
    name = re.sub(r"\.{2,}", ".", re.sub(r"[^A-Za-z0-9._-]+", "-", f"{database}.{folder.name}"))
    return name[:512].strip("-._")


def open_space(where: Path | ServerStore) -> EmbeddedSpace | ServerSpace:
    return ServerSpace(where) if isinstance(where, ServerStore) else EmbeddedSpace(where)


class EmbeddedSpace:
    """Chroma in a folder, with a file lock beside its data (store_lock.StoreLock)."""

    def __init__(self, path: Path) -> None:
        import chromadb  # lazy: ~0.7 s to import
        from chromadb.config import Settings as ChromaSettings

        self.location = str(path)
        self.database: str | None = None
        try:
            path.mkdir(parents=True, exist_ok=True)
            self._client = chromadb.PersistentClient(
                path=str(path), settings=ChromaSettings(anonymized_telemetry=False)
            )
        except Exception as exc:  # chromadb raises many types; all mean "store unusable"
            raise StoreError(f"cannot open the store at {path}: {exc}") from exc
        self.lock: StoreLock | ServerLock = StoreLock(path)

    def collection(self, name: str, *, create: bool) -> Any | None:
        return _collection(self._client, name, create, self.location)


class ServerSpace:
    """A database on a Chroma server. Opening checks that the server answers and takes the token,
    and creates nothing: a database that does not exist yet reads as an empty store, and the
    first write creates it."""

    def __init__(self, server: ServerStore) -> None:
        import httpx

        self.server = server
        self.location = server.url
        self.database: str | None = server.database
        timeout = httpx.Timeout(PROBE_TIMEOUT_S, connect=CONNECT_TIMEOUT_S)
        self._http = httpx.Client(base_url=f"{server.url}/api/v2", headers=_headers(server.token), timeout=timeout)
        self._probe()
        self._admin = _connect(server, admin=True)
        self._client: Any | None = _connect(server) if self._has_database() else None
        self.lock: StoreLock | ServerLock = ServerLock(
            lambda: self.collection(ServerLock.COLLECTION, create=True), self.now, where=str(server)
        )

    def collection(self, name: str, *, create: bool) -> Any | None:
        if self._client is None:
            if not create:
                return None
            self._create_database()
            self._client = _connect(self.server)
        return _collection(self._client, name, create, str(self.server), self.server)

    def now(self) -> float:
        """The server's clock, in seconds: one clock for every writer's lease, however far apart
        the writers' own clocks are."""
        return int(self._get("/heartbeat").json()["nanosecond heartbeat"]) / 1e9

    def _probe(self) -> None:
        """Fail fast and in words: a server that is down, is not a Chroma server, or refuses the
        token. chromadb's own client waits without a timeout, and says less."""
        self._get("/auth/identity")  # answers only with a valid token, where one is needed

    def _get(self, path: str) -> Any:
        import httpx

        try:
            answer = self._http.get(path)
        except httpx.HTTPError as exc:
            raise _failure(exc, self.server) from exc
        if answer.status_code in (401, 403):
            raise StoreError(_refused(self.server))
        if answer.status_code != 200:
            raise StoreError(
                f"{self.server.url} does not answer as a Chroma server does "
                f"(HTTP {answer.status_code} from {answer.request.url.path})"
            )
        return answer

    def _has_database(self) -> bool:
        from chromadb.errors import NotFoundError

        try:
            self._admin.get_database(self.server.database)
        except NotFoundError:
            return False
        except Exception as exc:  # as in _connect
            raise _failure(exc, self.server) from exc
        return True

    def _create_database(self) -> None:
        try:
            self._admin.create_database(self.server.database)
        except Exception as exc:
            if "already exists" not in str(exc):  # another writer created it a moment ago: fine
                raise _failure(exc, self.server) from exc


def _collection(client: Any, name: str, create: bool, where: str, server: ServerStore | None = None) -> Any | None:
    from chromadb.errors import NotFoundError

    try:
        if create:
            # embedding_function=None: we always pass our own vectors; Chroma's default would
            # download a model at run time.
            config: Any = {"hnsw": {"space": "cosine"}}
            found = client.get_or_create_collection(name, embedding_function=None, configuration=config)
        else:
            found = client.get_collection(name, embedding_function=None)
    except NotFoundError:
        return None
    except Exception as exc:  # as in EmbeddedSpace: any chromadb failure means "store unusable"
        if server is not None:
            raise _failure(exc, server) from exc
        raise StoreError(f"cannot open the store at {where}: {exc}") from exc
    return _Guarded(found, where, server)


# --- the server ---------------------------------------------------------------------------------


def _headers(token: str | None) -> dict[str, str]:
    return {"X-Chroma-Token": token, "Authorization": f"Bearer {token}"} if token else {}


def _connect(server: ServerStore, *, admin: bool = False) -> Any:
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    # A new Settings each time: chromadb writes the host and port into the object it is given.
    settings = ChromaSettings(anonymized_telemetry=False)
    try:
        if admin:
            settings.chroma_api_impl = "chromadb.api.fastapi.FastAPI"
            settings.chroma_server_host = server.url  # a URL: chromadb then takes its port, not this one
            settings.chroma_server_http_port = 8000  # required all the same
            settings.chroma_server_headers = _headers(server.token)
            client = chromadb.AdminClient(settings)
        else:
            client = chromadb.HttpClient(
                host=server.url, headers=_headers(server.token), settings=settings, database=server.database
            )
    except Exception as exc:  # chromadb raises many types (ValueError for "cannot connect")
        raise _failure(exc, server) from exc
    _limit_waits(client)
    return client


def _limit_waits(client: Any) -> None:
    """chromadb's HTTP session waits forever (timeout=None) and has no setting for it; a server
    that stops answering mid-command must not hang the command."""
    import httpx

    session = getattr(getattr(client, "_server", None), "_session", None)
    if isinstance(session, httpx.Client):
        session.timeout = httpx.Timeout(REQUEST_TIMEOUT_S, connect=CONNECT_TIMEOUT_S)


def _refused(server: ServerStore) -> str:
    if server.token is None:
        return f"the Chroma server at {server.url} asks for a token: set FACTCHECK_STORE_TOKEN"
    return f"the Chroma server at {server.url} refused the token in FACTCHECK_STORE_TOKEN"


def _failure(exc: Exception, server: ServerStore | None, where: str | None = None) -> StoreError:
    """One line for a failed call: what a user can act on, never the token."""
    import httpx
    from chromadb.errors import AuthorizationError, ChromaAuthError

    if server is not None:
        if isinstance(exc, httpx.TimeoutException):
            return StoreError(f"the Chroma server at {server.url} did not answer in time ({type(exc).__name__})")
        if isinstance(exc, httpx.TransportError):
            return StoreError(f"cannot reach the Chroma server at {server.url}: {_first_line(exc)}; is it running?")
        if "Could not connect" in str(exc):  # chromadb's own words for a transport error
            return StoreError(f"cannot reach the Chroma server at {server.url}; is it running?")
        if isinstance(exc, ChromaAuthError | AuthorizationError):
            return StoreError(_refused(server))
    return StoreError(f"the store at {where or server} failed: {_first_line(exc)}")


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    line = text[0] if text else type(exc).__name__
    return line if len(line) <= 200 else line[:199] + "…"


# --- failures as StoreErrors --------------------------------------------------------------------


class _Guarded:
    """A Chroma collection whose failures are StoreErrors: a server that goes
    away mid-command, or a store that breaks, is one line at the CLI, not a traceback. TypeError
    and AttributeError are ours (a wrong call), and stay what they are. (No __slots__: tests
    replace a method on it.)"""

    def __init__(self, target: Any, where: str, server: ServerStore | None = None) -> None:
        self._target = target
        self._where = where
        self._server = server

    def __getattr__(self, name: str) -> Any:
        value = getattr(self._target, name)
        if not callable(value):
            return value

        def guarded(*args: Any, **kwargs: Any) -> Any:
            try:
                return value(*args, **kwargs)
            except (FactcheckError, TypeError, AttributeError):
                raise
            except Exception as exc:
                raise _failure(exc, self._server, self._where) from exc

        return guarded
