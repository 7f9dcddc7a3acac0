"""The public surface: every name the notebooks import exists and is the library's own object; the
top-level re-exports are the implementations of their home modules, documented and working; and
importing the core pulls in neither matplotlib nor ipywidgets."""

from __future__ import annotations

import ast
import importlib
import inspect
import math
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
import torch

import landscape_lib

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted(p for folder in ("lectures", "solutions", "exercises") for p in (ROOT / folder).glob("*.ipynb"))

# The top-level names the README and the lectures promise, and the module each one lives in.
HOME = {
    "Landscape": "landscape", "ModuleLandscape": "landscape", "AnalyticLandscape": "landscape",
    "connect": "dss", "connect_many": "dss", "DSSResult": "dss", "StopReason": "dss",
    "barrier": "paths", "normalized_geodesic_length": "paths", "path_length": "paths",
    "loss_along_segment": "paths", "loss_along_string": "paths",
    "count_components": "topology", "sublevel_mask": "topology", "evaluate_on_grid": "topology",
    "descend": "training", "set_seed": "seeding",
    "pspin_energy": "spin_glass", "riemannian_gradient": "spin_glass", "riemannian_hessian": "spin_glass",
    "sample_couplings": "spin_glass", "sphere_gradient_descent": "spin_glass",
    "ground_state_energy": "spin_glass", "threshold_energy": "spin_glass", "total_complexity": "spin_glass",
    "minimum_energy_path": "strings", "taut_string": "strings",
}


@pytest.mark.parametrize("name", sorted(HOME))
def test_top_level_name_is_its_home_modules_documented_object(name: str) -> None:
    home = importlib.import_module(f"landscape_lib.{HOME[name]}")
    obj = getattr(landscape_lib, name, None)
    assert obj is not None, f"landscape_lib.{name} is missing"
    assert obj is getattr(home, name), f"landscape_lib.{name} is not landscape_lib.{HOME[name]}.{name}"
    assert obj.__module__.startswith("landscape_lib."), f"{name} comes from {obj.__module__}"
    assert callable(obj) and inspect.getdoc(obj), f"landscape_lib.{name} has no docstring"


def _imports(path: Path) -> set[tuple[str, str]]:
    """(module, name) for every `from landscape_lib... import name` in the notebook's code cells."""
    from IPython.core.inputtransformer2 import TransformerManager

    transform, found = TransformerManager().transform_cell, set()
    for cell in nbformat.read(path, as_version=4).cells:
        if cell.cell_type != "code":
            continue
        for node in ast.walk(ast.parse(transform(cell.source))):
            if isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == "landscape_lib":
                found |= {(node.module, alias.name) for alias in node.names}
            elif isinstance(node, ast.Import):
                found |= {(alias.name, "") for alias in node.names if alias.name.split(".")[0] == "landscape_lib"}
    return found


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_every_name_a_notebook_imports_from_the_library_exists(path: Path) -> None:
    missing = []
    for module, name in sorted(_imports(path)):
        try:
            owner = importlib.import_module(module)
        except ImportError as exc:
            missing.append(f"module {module} ({exc})")
            continue
        if name and not hasattr(owner, name):
            try:  # `from package import submodule`
                importlib.import_module(f"{module}.{name}")
            except ImportError:
                missing.append(f"{module}.{name}")
    assert not missing, f"{path.name} imports names the library does not have: {missing}"


def test_top_level_functions_compute_what_they_promise() -> None:
    """A few closed forms through the top-level names (a wrong re-export or a stale copy fails)."""
    assert landscape_lib.threshold_energy(3) == pytest.approx(2 * math.sqrt(2 / 3))
    mask = torch.tensor([[1, 1, 0, 0], [0, 0, 0, 1], [1, 0, 0, 1]], dtype=torch.bool)
    assert landscape_lib.count_components(mask) == 3
    from landscape_lib.toys import double_well

    a, b = torch.tensor([-1.0, 0.0], dtype=torch.float64), torch.tensor([1.0, 0.0], dtype=torch.float64)
    assert landscape_lib.barrier(double_well(), a, b, 101) == pytest.approx(1.0)  # (x^2-1)^2 at x = 0
    beads = torch.tensor([[0.0, 0.0], [3.0, 4.0], [3.0, 0.0]], dtype=torch.float64)
    assert float(landscape_lib.path_length(beads)) == pytest.approx(9.0)
    g = landscape_lib.set_seed(5)
    assert isinstance(g, torch.Generator) and torch.equal(torch.rand(3, generator=g),
                                                          torch.rand(3, generator=torch.Generator().manual_seed(5)))


def test_core_import_is_light() -> None:
    code = ("import sys, landscape_lib; "
            "heavy = [m for m in ('matplotlib', 'ipywidgets', 'IPython') if m in sys.modules]; "
            "print(heavy); sys.exit(1 if heavy else 0)")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, f"import landscape_lib imported {result.stdout.strip()}"
