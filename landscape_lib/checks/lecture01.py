r"""Self-checks of the exercises of lecture 01 (spin-glass intuition).

Each ``check_<name>(student_fn)`` runs the student's function on a few seeded cases and compares
it with the library (:mod:`landscape_lib.spin_glass`, :mod:`landscape_lib.spin_glass.complexity`); when the
answer is off by a recognisable factor (H instead of H/N, a missing projection, a missing shift) the
message says so.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable

import torch

from ..spin_glass import complexity as cx
from ..spin_glass import (
    pspin_energy,
    random_sphere_points,
    riemannian_gradient,
    sample_couplings,
    semicircle_radius,
    tangent_hessian_eigenvalues,
)
from ..spin_glass.descent import sphere_gradient_descent
from ._harness import (
    SelfCheckFailed,
    call_student,
    expect_close,
    expect_number,
    expect_tensor,
    passed,
)


def _cases(seed: int = 0) -> list[tuple[str, torch.Tensor, torch.Tensor]]:
    """(description, J, sigma) for p = 3 and p = 2 and p = 4 on small N."""
    out = []
    for k, (N, p) in enumerate(((12, 3), (9, 2), (6, 4))):
        g = torch.Generator().manual_seed(seed + k)
        J = sample_couplings(N, p, generator=g)
        sigma = random_sphere_points(N, generator=g)
        out.append((f"p = {p}, N = {N}", J, sigma))
    return out


def _ratio_hint(got: float, expected: float, N: int, p: int) -> str:
    if expected == 0 or got == 0:
        return ""
    ratio = got / expected
    known = [
        (float(N), "you returned H = N E: divide by N for the energy per spin"),
        (N ** ((p - 1) / 2), "the normalisation N^{-(p-1)/2} is missing"),
        (1 / N, "you divided by N once too often"),
        (-1.0, "the sign is flipped"),
    ]
    hints = [hint for factor, hint in known if math.isclose(ratio, factor, rel_tol=1e-6)]
    return f" -- {'; or '.join(hints)}" if hints else ""  # (for p = 3 the first two factors coincide)


def check_pspin_energy(pspin_energy_fn: Callable) -> None:
    r"""Check ``pspin_energy(J, sigma) -> E = N^{-(p-1)/2} J(\sigma,...,\sigma) / N`` (a scalar)."""
    name = "check_pspin_energy"
    for case, J, sigma in _cases():
        N, p = sigma.shape[0], J.ndim
        got = call_student(name, pspin_energy_fn, J.clone(), sigma.clone())
        value = expect_number(name, got, what=f"the energy for {case}")
        expected = float(pspin_energy(J, sigma))
        if not math.isclose(value, expected, rel_tol=1e-8, abs_tol=1e-10):
            hint = _ratio_hint(value, expected, N, p)
            if not hint and getattr(got, "dtype", None) in (torch.float32, torch.float16, torch.bfloat16):
                hint = f" -- your result has dtype {got.dtype}: keep J and sigma in float64"
            raise SelfCheckFailed(
                f"{name}: wrong energy for {case}: expected {expected:.10g}, got {value:.10g}{hint}"
            )
    passed(name, "energy per spin E = H/N matches the library for p = 2, 3, 4")


def check_riemannian_gradient(riemannian_gradient_fn: Callable) -> None:
    r"""Check ``riemannian_gradient(J, sigma) -> P_sigma grad H`` (shape (N,), orthogonal to sigma)."""
    name = "check_riemannian_gradient"
    for case, J, sigma in _cases(10):
        N, p = sigma.shape[0], J.ndim
        got = call_student(name, riemannian_gradient_fn, J.clone(), sigma.clone())
        got = expect_tensor(name, got, shape=(N,), what=f"the gradient for {case}")
        expected = riemannian_gradient(J, sigma)
        radial = float(got.to(sigma.dtype) @ sigma) / math.sqrt(N)
        if abs(radial) > 1e-6 * max(1.0, float(got.norm())):
            raise SelfCheckFailed(
                f"{name}: for {case} your gradient is not tangent to the sphere (its component along "
                f"sigma is {radial:.3g}); project it with P = I - sigma sigma^T / N"
            )
        dot = float(got.to(sigma.dtype) @ expected) / max(float(expected @ expected), 1e-300)
        if not torch.allclose(got.to(sigma.dtype), expected, rtol=1e-6, atol=1e-9):
            hint = _ratio_hint(dot, 1.0, N, p) if abs(dot) > 0 else ""
            if math.isclose(dot, 1 / N, rel_tol=1e-6):
                hint = " -- that is the gradient of E = H/N; the exercise asks for the gradient of H"
            expect_close(name, got, expected, case=f"{case}{hint}", rtol=1e-6, atol=1e-9)
    passed(name, "tangent to the sphere and equal to the projected gradient of H (p = 2, 3, 4)")


@functools.lru_cache(maxsize=4)  # the descent is most of the check's time; a re-run after a fix reuses it
def _descent_endpoints(N: int, p: int, n_starts: int, seed: int) -> tuple[torch.Tensor, torch.Tensor]:
    """Couplings of one seeded instance and ``n_starts`` gradient-descent endpoints on it (local minima)."""
    g = torch.Generator().manual_seed(seed)
    J = sample_couplings(N, p, generator=g)
    starts = random_sphere_points(N, (n_starts,), generator=g)
    dt = 0.7 / semicircle_radius(p)  # below the stability limit ~1 / R(p) near minima
    run = sphere_gradient_descent(J, starts, dt=dt, tol=1e-4, max_steps=20_000, progress=False)
    return J, run.sigma


def check_threshold_from_hessian(threshold_from_hessian_fn: Callable) -> None:
    r"""Check ``threshold_from_hessian(J, sigma) -> R_hat / p`` (estimate of $E_\infty$ from the spectrum of M)."""
    name = "check_threshold_from_hessian"
    for N, p, seed in ((60, 3, 0), (30, 4, 1)):
        J, sigma = _descent_endpoints(N, p, 8, seed)
        case = f"p = {p}, N = {N}, 8 gradient-descent endpoints (E about -1.5)"
        got = call_student(name, threshold_from_hessian_fn, J.clone(), sigma.clone())
        value = expect_number(name, got, what=f"the estimate for {case}")
        e_inf = cx.threshold_energy(p)
        eig = tangent_hessian_eigenvalues(J, sigma)
        energy = pspin_energy(J, sigma)
        unshifted = 2 * float((eig + p * energy[:, None]).pow(2).mean().sqrt())
        shifted = 2 * float(eig.pow(2).mean().sqrt())
        hint = ""
        if math.isclose(value, shifted / p, rel_tol=1e-3):
            hint = " -- you kept the shift -pE: add p E to the eigenvalues before taking moments"
        elif math.isclose(value, unshifted, rel_tol=1e-3):
            hint = " -- that is the radius R itself; the threshold is where -pE = R, i.e. E_inf = R / p"
        elif math.isclose(value, unshifted / (p - 1), rel_tol=1e-3):
            hint = " -- divide R by p (the shift is -pE), not by p - 1"
        if not abs(value - e_inf) < 0.06 * e_inf:
            raise SelfCheckFailed(
                f"{name}: for {case} your estimate is {value:.4f}, but E_inf = 2 sqrt((p-1)/p) = {e_inf:.4f} "
                f"(an estimate within 6% is expected at this N){hint}"
            )
        # Within 6% of E_inf is not enough: the closed form itself, or a spectrum taken at other points,
        # lands there too. The estimate from *these* points differs from E_inf by 1-3% at this N, while
        # equivalent ways of taking the moments (per point, then averaged) agree with it to 0.1%.
        estimate = unshifted / p
        if not abs(value - estimate) < 5e-3 * estimate:
            if math.isclose(value, e_inf, rel_tol=1e-6):
                hint = " -- that is the closed form E_inf itself; estimate it from the Hessian spectrum at the points given"
            else:
                hint = " -- use the tangent Hessian eigenvalues at the points `sigma` you are given, shifted by p E(sigma)"
            raise SelfCheckFailed(
                f"{name}: for {case} your estimate is {value:.4f}, but R_hat / p from the Hessian spectrum at these "
                f"points is {estimate:.4f} (E_inf = {e_inf:.4f}){hint}"
            )
    passed(name, "R_hat / p from the Hessian spectrum at descent endpoints is within 6% of E_inf (p = 3, 4)")


def _distinct_minima(J: torch.Tensor, starts: torch.Tensor) -> torch.Tensor:
    """Reference: energies of the distinct local minima reached from ``starts``, ascending."""
    N = starts.shape[-1]
    run = sphere_gradient_descent(J, starts, dt=0.1, tol=1e-6, max_steps=20_000, progress=False)
    lam_min = tangent_hessian_eigenvalues(J, run.sigma)[:, 0]
    keep = run.converged & (lam_min > 0)
    sigma, energy = run.sigma[keep], run.energy[keep]
    kept: list[int] = []
    for i in torch.argsort(energy).tolist():
        if all(float(sigma[i] @ sigma[j]) / N < 0.99 for j in kept):
            kept.append(i)
    return energy[kept]


def check_distinct_minima(distinct_minima_fn: Callable) -> None:
    r"""Check ``distinct_minima(J, starts) -> energies of the distinct minima found, ascending``."""
    name = "check_distinct_minima"
    for N, n_starts, seed in ((10, 60, 0), (16, 80, 1)):
        g = torch.Generator().manual_seed(100 + seed)
        J = sample_couplings(N, 3, generator=g)
        starts = random_sphere_points(N, (n_starts,), generator=g)
        case = f"p = 3, N = {N}, {n_starts} starts"
        got = call_student(name, distinct_minima_fn, J.clone(), starts.clone())
        got = expect_tensor(name, got, what=f"the energies for {case}")
        expected = _distinct_minima(J, starts)
        if got.ndim != 1:
            raise SelfCheckFailed(f"{name}: for {case} return a 1-D tensor of energies, got shape {tuple(got.shape)}")
        if len(got) != len(expected):
            hint = ""
            if len(got) == n_starts:
                hint = " -- you returned one energy per start: merge endpoints whose overlap sigma.sigma'/N exceeds 0.99"
            raise SelfCheckFailed(f"{name}: for {case} expected {len(expected)} distinct minima, got {len(got)}{hint}")
        got = got.to(expected.dtype)
        if torch.allclose(got, N * expected, atol=1e-5):
            raise SelfCheckFailed(f"{name}: for {case} you returned H = N E; return the energy per spin E")
        if not bool((got[1:] >= got[:-1]).all()):
            raise SelfCheckFailed(f"{name}: for {case} sort the energies in ascending order")
        expect_close(name, got, expected, case=case, rtol=0, atol=1e-5)
    passed(name, "the distinct minima reached from the starts match (p = 3, N = 10 and 16)")
