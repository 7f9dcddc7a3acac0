"""The public surface exists, and importing the core pulls in neither matplotlib nor ipywidgets."""

from __future__ import annotations

import subprocess
import sys

import landscape_lib


def test_public_names_exist() -> None:
    for name in ("Landscape", "ModuleLandscape", "AnalyticLandscape", "connect", "DSSResult", "barrier",
                 "normalized_geodesic_length", "count_components", "descend", "set_seed", "pspin_energy",
                 "ground_state_energy", "threshold_energy", "minimum_energy_path", "taut_string"):
        assert hasattr(landscape_lib, name), name


def test_core_import_is_light() -> None:
    code = ("import sys, landscape_lib; "
            "heavy = [m for m in ('matplotlib', 'ipywidgets', 'IPython') if m in sys.modules]; "
            "print(heavy); sys.exit(1 if heavy else 0)")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, f"import landscape_lib imported {result.stdout.strip()}"
