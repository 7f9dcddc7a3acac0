"""landscape_lib.curvature against dense Hessians, closed forms and brute force."""

from __future__ import annotations

import math

import pytest
import torch
from torch import nn
from torch.func import functional_call, jacrev

from landscape_lib.curvature import (
    FunctionOperator,
    GaussNewtonOperator,
    HessianOperator,
    MatrixOperator,
    dense,
    hutchinson,
    lanczos,
    largest_gap,
    power_iteration,
    slq_density,
)
from landscape_lib.curvature.trace import hutchinson_variance
from landscape_lib.data import digits
from landscape_lib.landscape import AnalyticLandscape, ModuleLandscape
from landscape_lib.models import mlp
from landscape_lib.threads import torch_threads
from landscape_lib.training import descend
from tests.helpers import F64, small_mlp_landscape


@pytest.fixture(autouse=True, scope="module")
def one_thread():
    """Tiny products: one thread is fastest (see landscape_lib.threads)."""
    with torch_threads(1):
        yield


@pytest.fixture(scope="module")
def digits_net(one_thread):
    """A 64-5-10 ReLU net (P = 385) trained briefly on 150 digits: outliers, a bulk, some negative curvature."""
    with torch.random.fork_rng():  # module-scoped: keep the global generator out of it (tests/conftest.py)
        data = digits(n_train=150)
        model = mlp((64, 5, 10), seed=0)
        F = ModuleLandscape(model, data.x_train, data.y_train, nn.functional.cross_entropy)
        theta = descend(F, F.flatten(model), lr=3e-3, max_steps=150, progress=False).theta
    H = F.hessian(theta)
    return F, theta, H, torch.linalg.eigvalsh(H)


def test_hessian_operator_matches_the_dense_hessian_with_and_without_minibatches(digits_net) -> None:
    F, theta, H, _ = digits_net
    for batch_size in (None, 64, 7):
        op = HessianOperator(F, theta, batch_size=batch_size)
        assert torch.allclose(dense(op), H, rtol=0, atol=1e-12 * float(H.abs().max()))
        assert math.isclose(float(op.loss), float(F(theta)), rel_tol=1e-12)
        assert torch.allclose(op.gradient, F.grad(theta), atol=1e-13)


def test_hessian_operator_on_an_analytic_landscape() -> None:
    A = torch.tensor([[3.0, 1.0, 0.0], [1.0, 2.0, 0.5], [0.0, 0.5, -1.0]], dtype=F64)
    F = AnalyticLandscape(lambda t: 0.5 * t @ A @ t + t.sum() ** 3 / 6, dim=3)
    theta = torch.tensor([0.1, -0.2, 0.3], dtype=F64)
    expected = A + theta.sum() * torch.ones(3, 3, dtype=F64)  # d^2/dt^2 of s^3/6 is s * 11^T
    assert torch.allclose(dense(HessianOperator(F, theta)), expected, atol=1e-14)


@pytest.mark.parametrize("method", ["lanczos", "power"])
def test_top5_match_eigvalsh_to_relative_1e6(digits_net, method) -> None:
    F, theta, H, ev = digits_net
    top = ev.flip(0)[:5]
    op = HessianOperator(F, theta)
    g = torch.Generator().manual_seed(1)
    res = lanczos(op, 5, generator=g) if method == "lanczos" else power_iteration(op, 5, tol=1e-8, generator=g)
    rel = ((res.eigenvalues - top) / top).abs()
    assert res.converged, res
    assert float(rel.max()) < 1e-6, f"{method}: relative errors {rel.tolist()}"
    # The reported residuals are real: recompute them from the dense matrix.
    again = (res.eigenvectors @ H - res.eigenvalues[:, None] * res.eigenvectors).norm(dim=1)
    assert torch.allclose(again, res.residuals, rtol=1e-3, atol=1e-12)
    assert res.matvecs >= int(res.iterations.max())


def test_lanczos_smallest_and_small_problems() -> None:
    F = small_mlp_landscape()
    theta = F.flatten(F.model)
    ev = torch.linalg.eigvalsh(F.hessian(theta))
    op = HessianOperator(F, theta)
    low = lanczos(op, 3, which="smallest", generator=torch.Generator().manual_seed(0))
    assert torch.allclose(low.eigenvalues, ev[:3], rtol=1e-8, atol=1e-10)
    full = lanczos(op, F.dim, generator=torch.Generator().manual_seed(0))  # k = P: the whole spectrum
    assert torch.allclose(full.eigenvalues, ev.flip(0), atol=1e-9)


def test_lanczos_on_a_matrix_with_a_repeated_eigenvalue_and_low_rank() -> None:
    Q = torch.linalg.qr(torch.randn(50, 50, generator=torch.Generator().manual_seed(2), dtype=F64)).Q
    vals = torch.cat([torch.tensor([5.0, 5.0, 3.0], dtype=F64), torch.zeros(47, dtype=F64)])
    A = (Q * vals) @ Q.T
    A = (A + A.T) / 2
    res = lanczos(A, 3, generator=torch.Generator().manual_seed(3))
    # A Krylov space sees one copy of a repeated eigenvalue; the restart after breakdown finds the other.
    assert torch.allclose(res.eigenvalues, vals[:3], atol=1e-9), res


def test_gauss_newton_matches_the_explicit_formula(digits_net) -> None:
    F, theta, H, _ = digits_net
    n = len(F.inputs)
    J = jacrev(lambda t: functional_call(F.model, F.unflatten(t), (F.inputs,)))(theta)  # (n, C, P)
    p = torch.softmax(F.outputs(theta), dim=1)
    M = torch.diag_embed(p) - p[:, :, None] * p[:, None, :]
    expected = torch.einsum("ncp,ncd,ndq->pq", J, M, J) / n
    for batch_size in (None, 50):
        G = dense(GaussNewtonOperator(F, theta, batch_size=batch_size))
        assert torch.allclose(G, expected, atol=1e-12)
    assert float(torch.linalg.eigvalsh(expected)[0]) > -1e-10  # positive semi-definite


def test_slq_density_integrates_to_one_and_matches_the_first_two_moments(digits_net) -> None:
    F, theta, H, ev = digits_net
    P = F.dim
    res = slq_density(HessianOperator(F, theta), n_probes=40, steps=30, generator=torch.Generator().manual_seed(4))
    assert torch.allclose(res.weights.sum(1), torch.ones(40, dtype=F64), atol=1e-12)
    grid = torch.linspace(float(ev[0]) - 1, float(ev[-1]) + 1, 20001, dtype=F64)
    assert abs(float(torch.trapezoid(res.density(grid, 0.02), grid)) - 1) < 1e-6
    per_probe = res.density_per_probe(grid, 0.02)
    assert per_probe.shape == (40, len(grid))
    assert torch.allclose(torch.trapezoid(per_probe, grid), torch.ones(40, dtype=F64), atol=1e-6)
    # Gauss quadrature with m >= 2 nodes is exact for x and x^2 per probe: the means are unbiased
    # estimates of tr(H)/P and tr(H^2)/P.  Tolerance: 4 standard errors across the 40 probes.
    for order, exact in ((1, float(ev.sum()) / P), (2, float((ev**2).sum()) / P)):
        mean, se = res.moment(order)
        assert abs(mean - exact) < 4 * se, f"moment {order}: {mean:.5g} +/- {se:.2g} vs {exact:.5g}"
    # Per probe the quadrature moments are exactly q^T H q and q^T H^2 q for the unit probe q.
    one = slq_density(H, n_probes=1, steps=P, generator=torch.Generator().manual_seed(5))
    assert torch.allclose(one.nodes[0], ev, atol=1e-8)  # m = P: the nodes are the eigenvalues


def test_hutchinson_within_three_standard_errors_and_its_standard_error_is_right(digits_net) -> None:
    F, theta, H, _ = digits_net
    res = hutchinson(HessianOperator(F, theta), 300, generator=torch.Generator().manual_seed(6))
    true = float(torch.trace(H))
    assert abs(res.estimate - true) < 3 * res.stderr, f"{res} vs trace {true:.6g}"
    predicted = math.sqrt(hutchinson_variance(H) / 300)
    assert abs(res.stderr / predicted - 1) < 0.25, f"stderr {res.stderr:.4g} vs predicted {predicted:.4g}"
    assert res.samples.shape == (300,)
    lo, hi = res.interval(3)
    assert lo < res.estimate < hi


def test_deflated_hutchinson_is_unbiased_and_tighter(digits_net) -> None:
    F, theta, H, _ = digits_net
    op = HessianOperator(F, theta)
    top = lanczos(op, 10, tol=1e-4, generator=torch.Generator().manual_seed(7))  # loose vectors on purpose
    plain = hutchinson(op, 200, generator=torch.Generator().manual_seed(8))
    deflated = hutchinson(op, 200, deflate=top, generator=torch.Generator().manual_seed(8))
    true = float(torch.trace(H))
    assert abs(deflated.estimate - true) < 3 * deflated.stderr, f"{deflated} vs {true:.6g}"
    assert deflated.stderr < 0.5 * plain.stderr, f"{deflated} vs {plain}"
    # The deflated estimator's expectation is exact: average over all 2^P probes = closed form.
    Pp = torch.eye(F.dim, dtype=F64) - top.eigenvectors.T @ top.eigenvectors
    expected = float(torch.trace(top.eigenvectors @ H @ top.eigenvectors.T) + torch.trace(Pp @ H @ Pp))
    assert math.isclose(expected, true, rel_tol=1e-10)


def test_hutchinson_is_exact_on_a_diagonal_matrix() -> None:
    D = torch.diag(torch.arange(1.0, 11.0, dtype=F64))
    res = hutchinson(D, 5, generator=torch.Generator().manual_seed(0))
    assert res.estimate == 55.0 and res.stderr == 0.0


def test_largest_gap() -> None:
    ev = torch.tensor([9.0, 7.0, 6.0, 2.0, 1.8, 1.7, 1.5], dtype=F64)
    assert largest_gap(ev) == (3, 3.0)
    with pytest.raises(ValueError, match="largest_gap: argument `eigenvalues`"):
        largest_gap(ev.flip(0))


# -- bad inputs ------------------------------------------------------------------------------
def test_k_larger_than_P_is_a_clear_error() -> None:
    A = torch.eye(4, dtype=F64)
    for algorithm in (lanczos, power_iteration):
        with pytest.raises(ValueError, match=r"argument `k` must be an integer between 1 and P = 4, got 5"):
            algorithm(A, 5)
    with pytest.raises(ValueError, match=r"slq_density: argument `steps` must be an integer between 1 and P = 4"):
        slq_density(A, steps=9)


def test_non_symmetric_operators_are_refused() -> None:
    A = torch.tensor([[1.0, 2.0], [0.0, 1.0]], dtype=F64)
    with pytest.raises(ValueError, match="MatrixOperator: argument `matrix` is not symmetric"):
        lanczos(A, 1)
    op = FunctionOperator(lambda v: A @ v, 2, name="upper triangular")
    for algorithm in (lanczos, power_iteration, hutchinson, slq_density):
        with pytest.raises(ValueError, match=r"argument `operator` \(upper triangular\) is not symmetric"):
            algorithm(op)
    sym = FunctionOperator(lambda v: (A + A.T) @ v, 2)
    assert math.isclose(float(lanczos(sym, 1).eigenvalues[0]), 4.0, rel_tol=1e-10)


def test_nan_loss_is_a_clear_error(digits_net) -> None:
    F, theta, _, _ = digits_net
    x = F.inputs.clone()
    x[3, 5] = math.nan
    with pytest.raises(ValueError, match=r"ModuleLandscape.with_data: argument `inputs` contains nan"):
        F.with_data(x, F.targets)  # NaN data is refused when the landscape is built ...
    bad = F.with_data(F.inputs, F.targets)
    bad.inputs = x  # ... and still caught by the operators if it is changed afterwards
    for operator in (HessianOperator, GaussNewtonOperator):
        with pytest.raises(ValueError, match=rf"{operator.__name__}: the loss at argument `theta` is nan"):
            operator(bad, theta)
    with pytest.raises(ValueError, match="contains nan"):
        HessianOperator(F, torch.full_like(theta, math.nan))


def test_other_bad_inputs() -> None:
    F = small_mlp_landscape()
    theta = F.flatten(F.model)
    with pytest.raises(TypeError, match="lanczos: argument `operator` must be a CurvatureOperator"):
        lanczos([[1.0]])
    with pytest.raises(ValueError, match="HessianOperator: argument `theta` must be one point"):
        HessianOperator(F, theta[None].repeat(2, 1))
    with pytest.raises(ValueError, match="argument `batch_size` must be None or an integer >= 1, got 0"):
        HessianOperator(F, theta, batch_size=0)
    with pytest.raises(ValueError, match="hutchinson: argument `n_probes` must be an integer >= 2"):
        hutchinson(torch.eye(3, dtype=F64), 1)
    with pytest.raises(ValueError, match="lanczos: argument `which`"):
        lanczos(torch.eye(3, dtype=F64), 1, which="biggest")
    with pytest.raises(TypeError, match="GaussNewtonOperator: argument `landscape` must be a ModuleLandscape"):
        GaussNewtonOperator(AnalyticLandscape(lambda t: (t**2).sum(), dim=2), torch.zeros(2, dtype=F64))


# -- figures and the widget ------------------------------------------------------------------
def test_plots_return_labelled_figures_and_the_widget_builds(digits_net) -> None:
    from matplotlib.figure import Figure

    from landscape_lib.plots.curvature import (plot_curvature_along_strings, plot_curvature_during_training,
                                               plot_pspin_vs_network, plot_spectral_density, plot_top_eigenvalues)
    from landscape_lib.widgets.curvature import density_at, density_widget

    F, theta, H, ev = digits_net
    res = slq_density(HessianOperator(F, theta), n_probes=2, steps=10, generator=torch.Generator().manual_seed(9))
    curve = {"s": torch.linspace(0, 1, 3).numpy(), "loss": [1.0, 2, 1], "lam_max": [1.0, 3, 1], "trace": [2.0, 5, 2],
             "trace_se": [0.1, 0.2, 0.1]}
    curve = {k: torch.as_tensor(v).numpy() for k, v in curve.items()}
    figures = [
        plot_spectral_density({"a": res, "b": res}, sigma=0.05, exact=ev),
        plot_top_eigenvalues({"H": ev.flip(0)[:8]}, outliers={"H": 3}),
        plot_curvature_during_training([0, 10, 100], [1.0, 2.0, 3.0], [-0.5, -0.1, -0.01], [2.3, 1.0, 0.1]),
        plot_curvature_along_strings({"L0 = 1": curve}),
        plot_pspin_vs_network(torch.linspace(0.1, 9.0, 50), -1.6, 3, res, sigma=0.05),
        density_at({0: res, 1: res}, 1),
    ]
    for fig in figures:
        assert isinstance(fig, Figure)
        for ax in fig.axes:
            assert ax.get_xlabel() and ax.get_ylabel(), f"unlabelled axes in {ax.get_title()!r}"
    with pytest.raises(ValueError, match="density_at: argument `key` must be one of"):
        density_at({0: res}, 5)
    assert density_widget({0: res, 1: res}) is not None
