r"""Self-checks of the exercises of lecture 01 (spin-glass intuition).

Each ``check_<name>(student_fn)`` runs the student's function on a few seeded cases and compares
it with the library (:mod:`landscape_lib.spin_glass`, :mod:`landscape_lib.spin_glass.complexity`); when the
answer is off by a recognisable factor (H instead of H/N, a missing projection, no retraction) the
message says so.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import torch

from ..spin_glass import complexity as cx
from ..spin_glass import (
    project_to_sphere,
    pspin_energy,
    random_sphere_points,
    riemannian_gradient,
    sample_couplings,
)
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
            raise SelfCheckFailed(
                f"{name}: wrong energy for {case}: expected {expected:.6g}, got {value:.6g}"
                f"{_ratio_hint(value, expected, N, p)}"
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


def check_sphere_descent_step(sphere_descent_step_fn: Callable) -> None:
    r"""Check ``sphere_descent_step(J, sigma, dt) -> sqrt(N) (sigma - dt grad H)/|sigma - dt grad H|``."""
    name = "check_sphere_descent_step"
    for case, J, sigma in _cases(20):
        N = sigma.shape[0]
        for dt in (0.05, 0.2):
            got = call_student(name, sphere_descent_step_fn, J.clone(), sigma.clone(), dt)
            got = expect_tensor(name, got, shape=(N,), what=f"the new point for {case}, dt = {dt}")
            norm2 = float((got.to(sigma.dtype) ** 2).sum())
            if not math.isclose(norm2, N, rel_tol=1e-8):
                raise SelfCheckFailed(
                    f"{name}: for {case}, dt = {dt} the new point has |sigma|^2 = {norm2:.6g}, not N = {N}: "
                    "retract it onto the sphere, sigma <- sqrt(N) x / |x|"
                )
            expected = project_to_sphere(sigma - dt * riemannian_gradient(J, sigma))
            if torch.allclose(got.to(sigma.dtype), project_to_sphere(sigma + dt * riemannian_gradient(J, sigma)),
                              atol=1e-9):
                raise SelfCheckFailed(f"{name}: for {case} you stepped *up* the gradient: use sigma - dt * grad H")
            expect_close(name, got, expected, case=f"{case}, dt = {dt}", rtol=1e-7, atol=1e-9)
    passed(name, "one retracted gradient step matches the library (p = 2, 3, 4; dt = 0.05, 0.2)")


def check_complexity_minima(complexity_minima_fn: Callable) -> None:
    r"""Check ``complexity_minima(u, p) -> Theta_{0,p}(u)`` below and above the threshold -E_inf."""
    name = "check_complexity_minima"
    for p in (3, 4):
        e_inf = cx.threshold_energy(p)
        for u in (-e_inf - 0.05, -e_inf - 0.01, -e_inf, -e_inf + 0.2, -1.0):
            got = call_student(name, complexity_minima_fn, u, p)
            expected = cx.complexity(u, p, 0)
            side = "below" if u < -e_inf else ("at" if u == -e_inf else "above")
            hint = ""
            value = expect_number(name, got, what=f"Theta_0 at u = {u:.4f}, p = {p}")
            if side != "below" and not math.isclose(value, expected, abs_tol=1e-9):
                hint = " -- at and above -E_inf the complexity is the constant 1/2 log(p-1) - (p-2)/p"
            elif side == "below" and math.isclose(value, cx.complexity(u, p, 1), abs_tol=1e-9):
                hint = " -- that is the index-1 value: minima have the factor (k+1) = 1 in front of I_1"
            expect_close(name, value, expected, case=f"u = {u:.4f} ({side} -E_inf), p = {p}{hint}",
                         rtol=1e-8, atol=1e-9)
    passed(name, "Theta_{0,p}(u) matches ABC's formula below, at and above -E_inf (p = 3, 4)")


def check_ground_state_energy(ground_state_energy_fn: Callable) -> None:
    r"""Check ``ground_state_energy(p) -> E_0(p) > 0``, with -E_0 the zero of Theta_{0,p}."""
    name = "check_ground_state_energy"
    for p in (3, 4, 5):
        got = call_student(name, ground_state_energy_fn, p)
        value = expect_number(name, got, what=f"E_0({p})")
        expected = cx.ground_state_energy(p)
        hint = ""
        if math.isclose(value, -expected, rel_tol=1e-6):
            hint = " -- return E_0 > 0 (the ground-state energy is -E_0)"
        elif math.isclose(value, cx.threshold_energy(p), rel_tol=1e-6):
            hint = " -- that is E_inf, the threshold; E_0 is the zero of Theta_{0,p} below -E_inf"
        expect_close(name, value, expected, case=f"p = {p}{hint}", rtol=1e-7, atol=1e-7)
    passed(name, "E_0(p) matches the zero of Theta_{0,p} for p = 3, 4, 5 (E_0(3) = 1.656998)")
