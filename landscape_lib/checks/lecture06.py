"""Self-checks of the lecture 06 exercises (curvature and Hessian spectra).

Each ``check_*`` runs the student's function on cases with known answers -- closed forms, dense
eigendecompositions, or the library's own implementation in :mod:`landscape_lib.curvature` -- and
prints one line on success or raises ``SelfCheckFailed`` with the case, the expected value and the
value returned.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import torch
from torch import Tensor, nn

from ..curvature import MatrixOperator, slq_density
from ..curvature.trace import hutchinson_variance
from ..landscape import AnalyticLandscape, ModuleLandscape
from ..models import mlp
from ._harness import (
    SelfCheckFailed,
    call_student,
    expect_close,
    expect_number,
    expect_tensor,
    hinted,
    passed,
)

_F64 = torch.float64


def _symmetric_with_spectrum(eigenvalues: list[float], seed: int) -> Tensor:
    """Q diag(eigenvalues) Q^T with a seeded random orthogonal Q (exactly symmetrised)."""
    n = len(eigenvalues)
    Q = torch.linalg.qr(torch.randn(n, n, generator=torch.Generator().manual_seed(seed), dtype=_F64)).Q
    A = (Q * torch.tensor(eigenvalues, dtype=_F64)) @ Q.T
    return (A + A.T) / 2


def check_hessian_vector_product(hessian_vector_product: Callable[[Callable, Tensor, Tensor], Tensor]) -> None:
    r"""``hessian_vector_product(loss_fn, theta, v)`` = $\nabla^2F(\theta)\,v$, exactly (double backward)."""
    name = "check_hessian_vector_product"
    g = torch.Generator().manual_seed(60)
    A = _symmetric_with_spectrum([3.0, 1.0, -0.5, 2.0], 61)
    b = torch.randn(4, generator=g, dtype=_F64)

    def quadratic(t: Tensor) -> Tensor:
        return 0.5 * t @ A @ t + b @ t

    def rosenbrock(t: Tensor) -> Tensor:
        return ((1 - t[:-1]) ** 2).sum() + 10 * ((t[1:] - t[:-1] ** 2) ** 2).sum()

    x = torch.randn(30, 3, generator=g, dtype=_F64)
    y = torch.randint(0, 3, (30,), generator=g)
    net = ModuleLandscape(mlp((3, 5, 3), activation="tanh", seed=62), x, y, nn.functional.cross_entropy)
    cases = [
        (quadratic, torch.randn(4, generator=g, dtype=_F64), "a quadratic 0.5 t^T A t + b^T t (answer: A v)"),
        (rosenbrock, torch.tensor([0.3, -0.7, 1.2, 0.5, 0.9], dtype=_F64), "the Rosenbrock function in R^5"),
        (net.evaluate, net.flatten(net.model), f"a 3-5-3 tanh network's cross-entropy (P = {net.dim})"),
    ]
    for fn, theta, case in cases:
        v = torch.randn(len(theta), generator=g, dtype=_F64)
        expected = AnalyticLandscape(fn, dim=len(theta)).hvp(theta, v)
        got = call_student(name, hessian_vector_product, fn, theta.clone(), v.clone())
        got = expect_tensor(name, got, shape=theta.shape, what=f"the result for {case}")
        with hinted("build the gradient with create_graph=True, then differentiate the scalar (gradient . v) "
                    "once more (no finite differences)"):
            expect_close(name, got.detach(), expected, case=case, rtol=1e-10, atol=1e-12)
    passed(name, "exact Hv on a quadratic, the Rosenbrock function and a small network")


def check_power_iteration(power_iteration: Callable[[Callable, int, int, torch.Generator], float]) -> None:
    r"""``power_iteration(matvec, dim, n_iter, generator)`` = the Rayleigh quotient $v^\top Av$ after ``n_iter`` steps."""
    name = "check_power_iteration"
    cases = [
        (torch.diag(torch.tensor([5.0, 2.0, 1.0, 0.5, 0.1, -0.3], dtype=_F64)), 200, "diag(5, 2, 1, 0.5, 0.1, -0.3)"),
        (_symmetric_with_spectrum([4.0, 3.2, 1.0, 0.5] + [0.01] * 16, 63), 400,
         "a 20 x 20 matrix with eigenvalues 4, 3.2, 1, 0.5, 0.01 ... (ratio 0.8)"),
        (_symmetric_with_spectrum([-6.0, 3.0, 1.0, 0.2, 0.0], 64), 200,
         "eigenvalues -6, 3, 1, 0.2, 0: the dominant one is negative (the Rayleigh quotient keeps its sign)"),
    ]
    for A, n_iter, case in cases:
        ev = torch.linalg.eigvalsh(A)
        expected = float(ev[ev.abs().argmax()])
        calls = [0]

        def matvec(v: Tensor, A: Tensor = A, calls: list[int] = calls) -> Tensor:
            calls[0] += 1
            return A @ v

        got = call_student(name, power_iteration, matvec, A.shape[0], n_iter, torch.Generator().manual_seed(65))
        got = expect_number(name, got, what=f"the result for {case}")
        if calls[0] < n_iter:
            raise SelfCheckFailed(f"{name}: for {case} your function called `matvec` {calls[0]} times; "
                                  f"expected at least n_iter = {n_iter}")
        with hinted("normalise v after every product and return v . (A v) for the final unit v"):
            expect_close(name, got, expected, case=case, rtol=1e-6, atol=1e-9)
    passed(name, "top eigenvalues of three matrices to 1e-6, including a negative dominant one")


def check_hutchinson_trace(hutchinson_trace: Callable[[Callable, int, int, torch.Generator], tuple[float, float]]) -> None:
    r"""``hutchinson_trace(matvec, dim, n_probes, generator)`` = (mean of $z^\top Az$, its standard error), Rademacher $z$."""
    name = "check_hutchinson_trace"

    def run(A: Tensor, n: int, case: str) -> tuple[float, float]:
        got = call_student(name, hutchinson_trace, lambda v: A @ v, A.shape[0], n, torch.Generator().manual_seed(66))
        if not isinstance(got, (tuple, list)) or len(got) != 2:
            raise SelfCheckFailed(f"{name}: for {case} return a pair (estimate, standard error), got {type(got).__name__}")
        return (expect_number(name, got[0], what=f"the estimate for {case}"),
                expect_number(name, got[1], what=f"the standard error for {case}"))

    D = torch.diag(torch.tensor([3.0, -1.0, 0.5, 2.0, 7.0, 0.25], dtype=_F64))
    est, se = run(D, 10, "a diagonal matrix, 10 probes")
    with hinted("average z^T A z over Rademacher probes z_i = +-1 (then z^T D z = trace D exactly; Gaussian or "
                "{0, 1} probes are not)"):
        expect_close(name, est, float(torch.trace(D)), case="a diagonal matrix (Rademacher probes: z_i^2 = 1, exact)",
                     rtol=1e-12, atol=1e-12)
    if abs(se) > 1e-10:
        raise SelfCheckFailed(f"{name}: for a diagonal matrix every Rademacher probe gives the exact trace, so the "
                              f"standard error must be 0; got {se:.3g} (Gaussian probes?)")
    A = _symmetric_with_spectrum([float(x) for x in torch.linspace(-1, 3, 30)], 67) + 0.3
    n = 3000
    est, se = run(A, n, f"a dense 30 x 30 matrix, {n} probes")
    predicted = math.sqrt(hutchinson_variance(A) / n)
    true = float(torch.trace(A))
    if not abs(se / predicted - 1) < 0.1:
        raise SelfCheckFailed(f"{name}: the standard error for a dense 30 x 30 matrix, {n} probes should be about "
                              f"sqrt(2(|A|_F^2 - sum A_ii^2) / n) = {predicted:.4g}, got {se:.4g} "
                              "(sample standard deviation of the n values z^T A z, divided by sqrt(n))")
    if not abs(est - true) < 4 * predicted:
        raise SelfCheckFailed(f"{name}: the estimate for a dense 30 x 30 matrix should lie within 4 standard errors "
                              f"of the trace {true:.4g}, got {est:.4g} (the mean of z^T A z over the probes)")
    passed(name, "exact on a diagonal matrix; unbiased with the right error bar on a dense one")


def check_outliers_from_density(outliers_from_density: Callable[[Tensor, Tensor, int, float], float]) -> None:
    r"""``outliers_from_density(nodes, weights, dim, edge)`` = $P\cdot\frac1{n_v}\sum_v\sum_j\tau_j^{(v)}[\theta_j^{(v)}>\text{edge}]$."""
    name = "check_outliers_from_density"
    spectrum = [9.0, 7.5, 6.0, 5.0, 4.2] + [0.02 * i for i in range(-20, 75)]
    A = _symmetric_with_spectrum(spectrum, 68)
    res = slq_density(MatrixOperator(A), n_probes=12, steps=30, generator=torch.Generator().manual_seed(69))
    cases = [(3.0, "edge 3 (5 outliers in a spectrum of P = 100)"), (1.0, "edge 1"), (6.5, "edge 6.5 (2 above it)"),
             (-10.0, "edge -10 (every eigenvalue is above it)"),
             # a node sitting exactly on the edge is not above it: the count is of theta_j > edge
             (float(res.nodes[0, -2]), "an edge exactly at a Ritz value (strictly above counts)")]
    for edge, case in cases:
        expected = res.count_above(edge)
        got = call_student(name, outliers_from_density, res.nodes.clone(), res.weights.clone(), res.dim, edge)
        with hinted("the mass above the edge is the weights of the nodes above it, averaged over probes; times P "
                    "it counts eigenvalues"):
            expect_close(name, got, expected, case=case, rtol=1e-9, atol=1e-9)
    passed(name, "eigenvalue counts from SLQ quadrature rules match P x (mass above the edge)")
