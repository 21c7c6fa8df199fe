"""factcheck installed from its wheel into a fresh venv, outside the checkout: the wheel carries
every module, the templates and the prompts, and the venv's own `factcheck` command ingests and
checks from another folder, reading its prompts from the installed package, not from the checkout.

The fresh venv gets its dependencies from the test's own venv (a .pth line naming that venv's
site-packages) rather than from the index: installing the lock again would compile llama.cpp for
minutes and would test pip, not the wheel. factcheck itself comes only from the wheel: the
checkout's editable install is a .pth hook, which Python does not run from a directory that
another .pth file adds."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
import venv
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
def fresh_venv(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A new venv holding the wheel, its dependencies borrowed (see the module docstring)."""
    root = tmp_path_factory.mktemp("installed") / "venv"
    venv.create(root, with_pip=False)
    python = root / "bin" / "python"
    where = "import sysconfig; print(sysconfig.get_path('purelib'))"
    site = Path(subprocess.check_output([python, "-c", where], text=True).strip())
    (site / "borrowed-dependencies.pth").write_text(sysconfig.get_path("purelib") + "\n", encoding="utf-8")
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check", "--python", str(python)]
    installed = subprocess.run([*pip, "install", "--no-deps", str(wheel)], capture_output=True, text=True)
    assert installed.returncode == 0, installed.stdout + installed.stderr
    return root


def run_installed(root: Path, cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """A command of the fresh venv (its python, or its factcheck script), from a folder that is
    not the checkout, with nothing of the checkout on the path."""
    env = {key: value for key, value in os.environ.items() if key not in ("PYTHONPATH", "VIRTUAL_ENV")}
    return subprocess.run([str(root / "bin" / args[0]), *args[1:]], cwd=cwd, env=env, capture_output=True, text=True)


def test_the_wheel_carries_every_module_the_templates_and_the_prompts(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    expected = {p.relative_to(REPO).as_posix() for p in (REPO / "factcheck").rglob("*.py")}
    expected |= {p.relative_to(REPO).as_posix() for p in (REPO / "factcheck").rglob("templates/*.j2")}
    expected |= {f"factcheck/prompts/{p.name}" for p in (REPO / "prompts").glob("*.txt")}
    assert expected - names == set()
    assert {"factcheck/prompts/stance.system.txt", "factcheck/prompts/ask.user.txt"} <= names


def test_the_installed_package_reads_its_own_prompts(fresh_venv, tmp_path):
    shown = run_installed(fresh_venv, tmp_path, "python", "-c", WHERE)
    assert shown.returncode == 0, shown.stderr
    module, prompts, stance_hash, _ask_hash = shown.stdout.splitlines()
    assert Path(module).is_relative_to(fresh_venv)
    assert Path(prompts) == Path(module).parent / "prompts"
    assert stance_hash == StancePrompt.load().prompt_hash  # the same templates as the checkout's


def test_the_installed_cli_ingests_and_checks_from_another_folder(fresh_venv, minilm_path, tmp_path):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    shutil.copytree(SAMPLE_CORPUS, elsewhere / "articles")
    ingested = run_installed(fresh_venv, elsewhere, "factcheck", "ingest", "articles")
    assert ingested.returncode == 0, ingested.stdout + ingested.stderr
    checked = run_installed(fresh_venv, elsewhere, "factcheck", "check", "--no-model", "--format", "json", *CLAIMS)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    verdicts = {c["claim"]: c["verdict"] for c in json.loads(checked.stdout)["claims"]}
    assert verdicts == {CLAIMS[0]: "contradicted", CLAIMS[1]: "unverified"}
