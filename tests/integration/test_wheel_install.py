"""factcheck installed from its wheel, outside the checkout: the wheel carries every module, the
templates and the prompts, and the installed CLI ingests and checks from another folder, reading
its prompts from the installed package, not from the checkout."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import zipfile
from importlib.metadata import version
from pathlib import Path

import pytest

from factcheck.check.judge import StancePrompt
from tests.conftest import REPO, SAMPLE_CORPUS

CLAIMS = [
    "The New START treaty caps deployed strategic warheads at 1,000.",  # 1,000 vs 1,550: a deterministic conflict
    "The Eiffel Tower is in Paris.",  # nothing in the corpus
]
WHERE = """
import factcheck
from factcheck.ask.prompt import AskPrompt
from factcheck.check.judge import StancePrompt
from factcheck.prompt_files import default_prompts_dir
print(factcheck.__file__)
print(default_prompts_dir())
print(StancePrompt.load().prompt_hash)
print(AskPrompt.load().prompt_hash)
"""


def build_wheel(dest: Path) -> Path:
    """The wheel of a clean copy of the source tree (building in the checkout would leave build/
    there, and setuptools packs whatever a stale build/lib still holds)."""
    source = dest / "source"
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    shutil.copytree(REPO / "factcheck", source / "factcheck", ignore=ignore)
    shutil.copytree(REPO / "prompts", source / "prompts")
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(REPO / name, source / name)
    # pyproject.toml needs setuptools>=77; without it here, pip builds in an isolated env from the index.
    isolation = [] if int(version("setuptools").split(".")[0]) < 77 else ["--no-build-isolation"]
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check"]
    built = subprocess.run(
        [*pip, "wheel", str(source), "--no-deps", *isolation, "-w", str(dest / "dist")], capture_output=True, text=True
    )
    assert built.returncode == 0, built.stdout + built.stderr
    [wheel] = (dest / "dist").glob("factcheck-*.whl")
    return wheel


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_wheel(tmp_path_factory.mktemp("wheel"))


@pytest.fixture(scope="module")
def site(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    target = tmp_path_factory.mktemp("installed") / "site"
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check"]
    installed = subprocess.run(
        [*pip, "install", "--no-deps", "--target", str(target), str(wheel)], capture_output=True, text=True
    )
    assert installed.returncode == 0, installed.stdout + installed.stderr
    return target


def run_installed(site: Path, cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """Python with the installed copy first on the path, from a folder that is not the checkout
    (`python -m` puts the working directory first on sys.path)."""
    env = {**os.environ, "PYTHONPATH": str(site)}
    return subprocess.run([sys.executable, *args], cwd=cwd, env=env, capture_output=True, text=True)


def test_the_wheel_carries_every_module_the_templates_and_the_prompts(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    expected = {p.relative_to(REPO).as_posix() for p in (REPO / "factcheck").rglob("*.py")}
    expected |= {p.relative_to(REPO).as_posix() for p in (REPO / "factcheck").rglob("templates/*.j2")}
    expected |= {f"factcheck/prompts/{p.name}" for p in (REPO / "prompts").glob("*.txt")}
    assert expected - names == set()
    assert {"factcheck/prompts/stance.system.txt", "factcheck/prompts/ask.user.txt"} <= names


def test_the_installed_package_reads_its_own_prompts(site, tmp_path):
    shown = run_installed(site, tmp_path, "-c", WHERE)
    assert shown.returncode == 0, shown.stderr
    module, prompts, stance_hash, _ask_hash = shown.stdout.splitlines()
    assert Path(module).is_relative_to(site)
    assert Path(prompts) == site / "factcheck" / "prompts"
    assert stance_hash == StancePrompt.load().prompt_hash  # the same templates as the checkout's


def test_the_installed_cli_ingests_and_checks_from_another_folder(site, minilm_path, tmp_path):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    shutil.copytree(SAMPLE_CORPUS, elsewhere / "articles")
    ingested = run_installed(site, elsewhere, "-m", "factcheck", "ingest", "articles")
    assert ingested.returncode == 0, ingested.stdout + ingested.stderr
    checked = run_installed(site, elsewhere, "-m", "factcheck", "check", "--no-model", "--format", "json", *CLAIMS)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    verdicts = {c["claim"]: c["verdict"] for c in json.loads(checked.stdout)["claims"]}
    assert verdicts == {CLAIMS[0]: "contradicted", CLAIMS[1]: "unverified"}
