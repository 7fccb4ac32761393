"""Packaging and the two commands of issue 2: pyproject's metadata and console script, the
README's quick start, and .ci/run running the README's test command in a fresh environment."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from diffkit.cli import main

ROOT = Path(__file__).resolve().parents[1]
TEST_COMMAND = 'pip install ".[test]" && pytest'


def _pyproject() -> dict:
    tomllib = pytest.importorskip("tomllib")  # Python >= 3.11
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))


def test_pyproject_declares_the_package_its_dependencies_and_the_command() -> None:
    project = _pyproject()["project"]
    assert project["name"] == "diffkit" and project["requires-python"] == ">=3.10"
    names = {re.split(r"[<>=\[ ]", d)[0] for d in project["dependencies"]}
    assert names == {"numpy", "sympy", "matplotlib"}
    test = {re.split(r"[<>=\[ ]", d)[0] for d in project["optional-dependencies"]["test"]}
    assert {"pytest", "hypothesis", "nbclient", "nbformat", "ipykernel"} <= test  # notebooks are executed
    assert project["scripts"] == {"diffkit": "diffkit.cli:main"}


def test_diffkit_help_works(capsys) -> None:
    with pytest.raises(SystemExit) as done:
        main(["--help"])
    assert done.value.code == 0 and "tour" in capsys.readouterr().out


def test_readme_quick_start_has_exactly_the_two_commands() -> None:
    quick_start = (ROOT / "README.md").read_text(encoding="utf-8").split("## Quick start", 1)[1].split("\n## ", 1)[0]
    commands = re.findall(r"```bash\n(.*?)\n```", quick_start, re.S)
    assert commands == ["pip install . && diffkit tour", TEST_COMMAND]


def test_ci_installs_the_oracle_and_runs_the_readme_command_in_a_fresh_venv() -> None:
    lines = [line.split("#")[0].strip() for line in (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()]
    venv = next(line for line in lines if " -m venv " in line)
    assert "--clear" in venv.split()  # a venv left by an earlier run would not be fresh
    assert any(line.startswith("pip install torch==2.13.0") for line in lines)
    assert TEST_COMMAND in lines
    assert any('"$status" -eq 5' in line for line in lines)  # pytest's "no tests collected"
