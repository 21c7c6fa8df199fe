"""One real Chroma server for the tests in this folder (or the one FACTCHECK_TEST_CHROMA_URL
names), and a database of its own on it for each test."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import pytest

from factcheck.store_client import ServerStore
from tests.chroma_server import chroma_server
from tests.http_server import no_proxies

TEST_SERVER_VARIABLE = "FACTCHECK_TEST_CHROMA_URL"


@pytest.fixture(scope="session")
def chroma_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    if given := os.environ.get(TEST_SERVER_VARIABLE):
        yield given.rstrip("/")
        return
    folder = tmp_path_factory.mktemp("chroma")
    with chroma_server(folder / "data", folder / "chroma.log") as server:
        yield server.url


@pytest.fixture
def server_store(chroma_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[ServerStore]:
    """Every command of the test uses the server, in a database no other test uses (created by
    the test's first write, dropped afterwards)."""
    no_proxies(monkeypatch)
    database = f"factcheck-test-{uuid.uuid4().hex[:12]}"
    monkeypatch.setenv("FACTCHECK_STORE_URL", chroma_url)
    monkeypatch.setenv("FACTCHECK_STORE_DATABASE", database)
    yield ServerStore(chroma_url, database)
    drop_databases(chroma_url, database)


def drop_databases(url: str, prefix: str) -> None:
    """Remove the test's databases (and the eval-style ones named after them)."""
    import chromadb
    from chromadb.config import Settings

    settings = Settings(
        anonymized_telemetry=False,
        chroma_api_impl="chromadb.api.fastapi.FastAPI",
        chroma_server_host=url,
        chroma_server_http_port=8000,
    )
    admin = chromadb.AdminClient(settings)
    for database in admin.list_databases():
        if database["name"].startswith(prefix):
            admin.delete_database(database["name"])
