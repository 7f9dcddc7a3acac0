"""The lectures' assertions can fail: inject a bug into the code they guard and watch them fail.

Each test runs tagged cells of a lecture notebook (cell metadata ``tags``) in this process, first
unchanged (they must pass), then with one library function replaced by a plausible wrong version
(``monkeypatch``).  The notebook's own ``assert`` must then raise.  Where an assertion was replaced
because it could not fail, the test also shows that the old assertion stays silent under the bug.
"""

from __future__ import annotations

import math
from pathlib import Path

import matplotlib
import nbformat
import pytest
import torch

import landscape_lib.spin_glass as spin_glass
import landscape_lib.spin_glass.model as model
import landscape_lib.strings as strings_module
import landscape_lib.topology.sublevel as sublevel

matplotlib.use("Agg")
ROOT = Path(__file__).resolve().parents[1]
LECTURE_00 = ROOT / "lectures" / "00_landscapes_and_level_sets.ipynb"
LECTURE_01 = ROOT / "lectures" / "01_spin_glass_intuition.ipynb"


def run_cells(path: Path, *tags: str) -> dict:
    """Execute the code cells carrying ``tags`` (in notebook order) in one fresh namespace."""
    nb = nbformat.read(path, as_version=4)
    chosen = [c for c in nb.cells if c.cell_type == "code" and set(c.metadata.get("tags", [])) & set(tags)]
    found = {t for c in chosen for t in c.metadata["tags"]}
    assert found >= set(tags), f"{path.name}: no cell tagged {set(tags) - found}"
    namespace: dict = {"__name__": "lecture"}
    for cell in chosen:
        exec(compile(cell.source, f"{path.name}[{cell.metadata['tags'][0]}]", "exec"), namespace)
    return namespace


@pytest.fixture(autouse=True)
def _quiet(monkeypatch):
    import matplotlib.pyplot as plt

    monkeypatch.setattr(plt, "show", lambda *a, **k: None)  # Agg cannot show; the cells call it
    yield
    plt.close("all")


# -- lecture 01: the model checks ---------------------------------------------------------------
def test_lecture01_model_checks_pass_on_the_library() -> None:
    ns = run_cells(LECTURE_01, "setup", "check-model")
    assert ns["grad_err"] < 1e-10 and ns["hess_err"] < 1e-10


def test_wrong_coupling_normalisation_fails_the_variance_check(monkeypatch) -> None:
    """Couplings of variance 2 (e.g. mixing ABC's and Crisanti-Sommers' conventions)."""
    good = spin_glass.sample_couplings

    def variance_two(*args, **kwargs):
        return math.sqrt(2) * good(*args, **kwargs)

    monkeypatch.setattr(spin_glass, "sample_couplings", variance_two)
    with pytest.raises(AssertionError, match=r"var\(E\) = 1/N"):
        run_cells(LECTURE_01, "setup", "check-model")
    # The assertion it replaced, E(-sigma) = -E(sigma), cannot see this bug.
    J = variance_two(12, 3, generator=torch.Generator().manual_seed(0))
    s = spin_glass.random_sphere_points(12, (5,), generator=torch.Generator().manual_seed(1))
    assert torch.allclose(spin_glass.pspin_energy(J, -s), -spin_glass.pspin_energy(J, s))


def test_wrong_normalisation_in_the_gradient_fails_euler(monkeypatch) -> None:
    """The gradient's N^{-(p-1)/2} written as N^{-p/2}: energies stay right, the gradient does not."""
    good = model._field_and_energy

    def wrong_field(J, sigma, p):
        grad, energy = good(J, sigma, p)
        return grad / math.sqrt(sigma.shape[-1]), energy

    monkeypatch.setattr(model, "_field_and_energy", wrong_field)
    with pytest.raises(AssertionError, match=r"Euler's identity"):
        run_cells(LECTURE_01, "setup", "check-model")


@pytest.mark.parametrize("bug", ["gradient of E instead of H", "projection without 1/N"])
def test_wrong_gradient_projection_fails_the_autograd_check(monkeypatch, bug: str) -> None:
    good = model._tangent
    if bug == "gradient of E instead of H":  # still tangent: the old tangency check passes
        def wrong(sigma, v):
            return good(sigma, v) / sigma.shape[-1]
    else:  # the unit-sphere formula on the sphere of radius sqrt(N): not even tangent
        def wrong(sigma, v):
            return v - sigma * (sigma * v).sum(-1, keepdim=True)
    monkeypatch.setattr(model, "_tangent", wrong)
    with pytest.raises(AssertionError, match=r"projected gradient of H"):
        run_cells(LECTURE_01, "setup", "check-model")
    if bug == "gradient of E instead of H":  # the replaced assertion (tangency) stays silent
        J = spin_glass.sample_couplings(20, 3, generator=torch.Generator().manual_seed(2))
        s = spin_glass.random_sphere_points(20, (5,), generator=torch.Generator().manual_seed(3))
        assert float((spin_glass.riemannian_gradient(J, s) * s).sum(-1).abs().max()) < 1e-10


def test_wrong_sign_of_the_curvature_shift_fails_the_hessian_check(monkeypatch) -> None:
    """Hess = P(grad^2 H + pE I)P instead of -pE: the semicircle would sit on the wrong side."""
    good = model.pspin_energy_unchecked
    calls = {"n": 0}

    def flipped(J, sigma, p):  # only riemannian_hessian's own call sees the flipped energy
        import inspect

        caller = inspect.stack()[1].function
        calls["n"] += caller == "riemannian_hessian"
        return -good(J, sigma, p) if caller == "riemannian_hessian" else good(J, sigma, p)

    monkeypatch.setattr(model, "pspin_energy_unchecked", flipped)
    with pytest.raises(AssertionError, match=r"Riemannian Hessian must match autograd"):
        run_cells(LECTURE_01, "setup", "check-model")
    assert calls["n"] > 0


# -- lecture 00: the grid and the taut string ----------------------------------------------------
def test_lecture00_cells_pass_on_the_library() -> None:
    ns = run_cells(LECTURE_00, "setup", "grid-artefact")
    assert ns["artefact"][201, 1e-4] > 10


def test_diagonal_neighbours_hide_the_grid_artefact(monkeypatch) -> None:
    """8-connectivity (diagonal steps connect) glues the broken annulus back: the lecture's claim must fail."""
    from scipy import ndimage

    def count_8(mask):
        return int(ndimage.label(mask.numpy(), structure=[[1, 1, 1], [1, 1, 1], [1, 1, 1]])[1])

    monkeypatch.setattr(sublevel, "count_components", count_8)
    with pytest.raises(AssertionError, match=r"breaks into fake components"):
        run_cells(LECTURE_00, "setup", "grid-artefact")


def test_a_string_that_is_not_pushed_back_fails_the_geodesic_check(monkeypatch) -> None:
    """A taut string that only shortens (no projection onto Omega) cuts through the hole."""
    good = strings_module.taut_string

    def shorten_only(landscape, a, b, level, **kwargs):
        beads = good(landscape, a, b, level, **kwargs)
        return strings_module.straight_string(beads[0], beads[-1], len(beads))

    monkeypatch.setattr(strings_module, "taut_string", shorten_only)
    with pytest.raises(AssertionError, match=r"leaves Omega"):
        run_cells(LECTURE_00, "setup", "grid-artefact", "ring-paths", "geodesic")


# -- lecture 01: the complexity and the Hessian at the endpoints -----------------------------------
def test_a_wrong_large_deviation_function_fails_the_quadrature_check(monkeypatch) -> None:
    """I_1 with E_inf instead of E_inf^2 in the first term: the old ordering checks stay silent."""
    import numpy as np

    import landscape_lib.spin_glass.complexity as cx

    def wrong_i1(u, p):
        e_inf = cx.threshold_energy(p)
        x = np.minimum(np.asarray(u, dtype=float), -e_inf)
        root = np.sqrt(np.maximum(x**2 - e_inf**2, 0.0))
        value = -(x / e_inf) * root - np.log(-x + root) + np.log(e_inf)
        return float(value) if np.ndim(u) == 0 else value

    monkeypatch.setattr(cx, "large_deviation_i1", wrong_i1)
    with pytest.raises(AssertionError, match=r"closed form of I_1"):
        run_cells(LECTURE_01, "setup", "complexity")
    e_k = [cx.critical_energy(3, k) for k in range(4)]  # the replaced assertion: still ordered
    assert e_k[0] > e_k[1] > e_k[2] > e_k[3] > cx.threshold_energy(3)


def test_a_wrong_curvature_shift_fails_the_endpoint_hessian_checks(monkeypatch) -> None:
    """Hess = P(grad^2 H + pE I)P: at the endpoints (E ~ -1.55) the spectrum moves below zero."""
    good = model.riemannian_hessian

    def wrong(J, sigma):
        hess = good(J, sigma)
        N, p = sigma.shape[-1], J.ndim
        energy = spin_glass.pspin_energy(J, sigma)
        proj = torch.eye(N, dtype=sigma.dtype) - sigma[..., :, None] * sigma[..., None, :] / N
        return hess + 2 * p * energy[..., None, None] * proj

    ns = run_cells(LECTURE_01, "setup", "check-protocol", "descent-100", "complexity")
    monkeypatch.setattr(model, "riemannian_hessian", wrong)
    hessian_cell = next(c for c in nbformat.read(LECTURE_01, as_version=4).cells
                        if "hessian" in c.metadata.get("tags", []))
    with pytest.raises(AssertionError, match=r"local minimum|semicircle|half of the directions"):
        exec(compile(hessian_cell.source, "hessian", "exec"), ns)
