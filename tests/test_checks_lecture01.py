"""The lecture-01 self-checks fail on stubs, pass on correct answers and explain wrong ones."""

from __future__ import annotations

import math

import pytest
import torch
from scipy.optimize import brentq

from landscape_lib.checks._harness import NotImplementedYet, SelfCheckFailed
from landscape_lib.checks.lecture01 import (
    check_complexity_minima,
    check_ground_state_energy,
    check_pspin_energy,
    check_riemannian_gradient,
    check_sphere_descent_step,
)
from tests.helpers import stub


# -- reference answers, written as a student would (not by calling the library) -----------------
def energy(J, sigma):
    N, p = sigma.shape[0], J.ndim
    out = J
    for _ in range(p):
        out = out @ sigma
    return out / N ** ((p - 1) / 2) / N


def gradient(J, sigma):
    s = sigma.clone().requires_grad_(True)
    (g,) = torch.autograd.grad(energy(J, s) * sigma.shape[0], s)
    return g - sigma * (g @ sigma) / sigma.shape[0]


def step(J, sigma, dt):
    x = sigma - dt * gradient(J, sigma)
    return math.sqrt(sigma.shape[0]) * x / x.norm()


def theta0(u, p):
    e_inf = 2 * math.sqrt((p - 1) / p)
    if u >= -e_inf:
        return 0.5 * math.log(p - 1) - (p - 2) / p
    r = math.sqrt(u * u - e_inf**2)
    i1 = -(u / e_inf**2) * r - math.log(-u + r) + math.log(e_inf)
    return 0.5 * math.log(p - 1) - (p - 2) / (4 * (p - 1)) * u * u - i1


def e0(p):
    e_inf = 2 * math.sqrt((p - 1) / p)
    return -brentq(lambda u: theta0(u, p), -e_inf - 2, -e_inf, xtol=1e-14)


CHECKS = [
    (check_pspin_energy, energy),
    (check_riemannian_gradient, gradient),
    (check_sphere_descent_step, step),
    (check_complexity_minima, theta0),
    (check_ground_state_energy, e0),
]


@pytest.mark.parametrize(("check", "answer"), CHECKS, ids=[c.__name__ for c, _ in CHECKS])
def test_stub_is_not_implemented_yet(check, answer) -> None:
    with pytest.raises(NotImplementedYet, match=rf"{check.__name__}: `stub` is not implemented yet"):
        check(stub)


@pytest.mark.parametrize(("check", "answer"), CHECKS, ids=[c.__name__ for c, _ in CHECKS])
def test_correct_answer_passes(check, answer, capsys) -> None:
    check(answer)
    assert f"{check.__name__} passed" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("check", "wrong", "match"),
    [
        (check_pspin_energy, lambda J, s: energy(J, s) * s.shape[0],
         r"wrong energy for p = 3, N = 12: expected .*, got .* -- you returned H = N E: divide by N"),
        (check_pspin_energy, lambda J, s: energy(J, s) * s.shape[0] ** ((J.ndim - 1) / 2),
         r"the normalisation N\^\{-\(p-1\)/2\} is missing"),
        (check_pspin_energy, lambda J, s: torch.ones(2), r"the energy for p = 3, N = 12 should be a number"),
        (check_riemannian_gradient, lambda J, s: gradient(J, s) + s,  # forgot the projection
         r"not tangent to the sphere .* project it with P = I - sigma sigma\^T / N"),
        (check_riemannian_gradient, lambda J, s: gradient(J, s) / s.shape[0],
         r"wrong value for p = 3, N = 12 -- that is the gradient of E = H/N"),
        (check_riemannian_gradient, lambda J, s: gradient(J, s)[:-1], r"should have shape \(12,\), got shape \(11,\)"),
        (check_sphere_descent_step, lambda J, s, dt: s - dt * gradient(J, s),  # no retraction
         r"has \|sigma\|\^2 = .*, not N = 12: retract it onto the sphere"),
        (check_sphere_descent_step, lambda J, s, dt: step(J, s, -dt), r"you stepped \*up\* the gradient"),
        (check_complexity_minima, lambda u, p: theta0(min(u, -2 * math.sqrt((p - 1) / p)) - 1e-12, p)
         if u < -2 * math.sqrt((p - 1) / p) else 0.5 * math.log(p - 1),
         r"u = -1\.6330 \(at -E_inf\), p = 3 -- at and above -E_inf the complexity is the constant"),
        (check_complexity_minima,
         lambda u, p: theta0(u, p) - (0.5 * math.log(p - 1) - (p - 2) / (4 * (p - 1)) * u * u - theta0(u, p))
         if u < -2 * math.sqrt((p - 1) / p) else theta0(u, p),  # (k+1) = 2: the index-1 curve
         r"-- that is the index-1 value"),
        (check_ground_state_energy, lambda p: -e0(p), r"p = 3 -- return E_0 > 0"),
        (check_ground_state_energy, lambda p: 2 * math.sqrt((p - 1) / p), r"p = 3 -- that is E_inf, the threshold"),
        (check_ground_state_energy, lambda p: 1 / 0, r"your function raised ZeroDivisionError: division by zero"),
    ],
)
def test_wrong_answer_is_caught_with_an_actionable_message(check, wrong, match) -> None:
    with pytest.raises(SelfCheckFailed, match=match):
        check(wrong)
