"""The two ways to install the course name the same packages with the same lower bounds."""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CONDA_NAMES = {"pytorch": "torch"}  # conda-forge name -> PyPI name


def _split(requirement: str) -> tuple[str, str]:
    name, bound = re.match(r"^([A-Za-z0-9_.\-]+)\s*(.*)$", requirement.strip()).groups()
    return name.lower().replace("_", "-"), bound.replace(" ", "")


def _toml_list(key: str) -> list[str]:
    """A list of strings assigned to ``key`` in pyproject.toml (tomllib needs Python 3.11; we support 3.10)."""
    match = re.search(rf"^{key} = (\[.*?\])", (ROOT / "pyproject.toml").read_text(), re.M | re.S)
    return ast.literal_eval(re.sub(r"#.*", "", match.group(1)))


def test_environment_yml_matches_pyproject() -> None:
    pip = dict(_split(r) for r in _toml_list("dependencies") + _toml_list("test"))
    conda = {}
    text = (ROOT / "environment.yml").read_text().split("dependencies:", 1)[1]
    for line in text.splitlines():
        # top-level conda dependencies, and the PyPI-only ones under `pip:` (but not the course itself)
        match = re.match(r"^  - ([A-Za-z].*)$", line) or re.match(r"^      - ([A-Za-z][A-Za-z0-9_.\-]*\s*[<>=!~].*)$", line)
        if match and not match.group(1).startswith(("python", "pip")):
            name, bound = _split(match.group(1))
            conda[CONDA_NAMES.get(name, name)] = bound
    assert conda == pip


def test_package_metadata_uses_lower_bounds_only() -> None:
    for requirement in _toml_list("dependencies"):
        assert "==" not in requirement and "<" not in requirement, requirement
