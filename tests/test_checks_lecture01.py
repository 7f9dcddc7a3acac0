"""The lecture-01 self-checks fail on stubs, pass on correct answers and explain wrong ones."""

from __future__ import annotations

import math

import pytest
import torch

from landscape_lib.checks._harness import NotImplementedYet, SelfCheckFailed
from landscape_lib.checks.lecture01 import (
    check_distinct_minima,
    check_pspin_energy,
    check_riemannian_gradient,
    check_threshold_from_hessian,
)
from landscape_lib.spin_glass import pspin_energy, tangent_hessian_eigenvalues
from landscape_lib.spin_glass.descent import sphere_gradient_descent
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


def moments_threshold(J, sigma, shift=True, divide=None):
    """R_hat / p with R_hat = 2 sqrt(mean of (lambda + pE)^2) over all tangent eigenvalues at the points."""
    p = J.ndim
    eig = tangent_hessian_eigenvalues(J, sigma)
    if shift:
        eig = eig + p * pspin_energy(J, sigma)[:, None]
    return 2 * float(eig.pow(2).mean().sqrt()) / (p if divide is None else divide)


def minima(J, starts, merge=True, scale=1.0):
    """Descend, keep converged positive-definite endpoints, merge those with overlap > 0.99."""
    N = starts.shape[-1]
    r = sphere_gradient_descent(J, starts, dt=0.1, tol=1e-6, max_steps=20_000, progress=False)
    ok = r.converged & (tangent_hessian_eigenvalues(J, r.sigma)[:, 0] > 0)
    sig, E = r.sigma[ok], r.energy[ok]
    order = torch.argsort(E).tolist()
    reps = []
    for i in order:
        if not merge or all(float(sig[i] @ sig[j]) / N < 0.99 for j in reps):
            reps.append(i)
    return E[reps] * scale


CHECKS = [
    (check_pspin_energy, energy),
    (check_riemannian_gradient, gradient),
    (check_threshold_from_hessian, moments_threshold),
    (check_distinct_minima, minima),
]


@pytest.mark.parametrize(("check", "answer"), CHECKS, ids=[c.__name__ for c, _ in CHECKS])
def test_stub_is_not_implemented_yet(check, answer) -> None:
    with pytest.raises(NotImplementedYet, match=rf"{check.__name__}: `stub` is not implemented yet"):
        check(stub)


@pytest.mark.parametrize(("check", "answer"), CHECKS, ids=[c.__name__ for c, _ in CHECKS])
def test_correct_answer_passes(check, answer, capsys) -> None:
    check(answer)
    assert f"{check.__name__} passed" in capsys.readouterr().out


# -- plausible wrong answers, one table per exercise (issue 13: >= 5 each, all rejected) ---------
def _threshold_mean_abs(J, sigma):  # 2 E|m| instead of 2 sqrt(E m^2)
    p = J.ndim
    m = tangent_hessian_eigenvalues(J, sigma) + p * pspin_energy(J, sigma)[:, None]
    return 2 * float(m.abs().mean()) / p


def _threshold_per_point(J, sigma):  # a tensor of per-point estimates instead of one number
    p = J.ndim
    m = tangent_hessian_eigenvalues(J, sigma) + p * pspin_energy(J, sigma)[:, None]
    return 2 * m.pow(2).mean(dim=1).sqrt() / p


def _threshold_at_random_points(J, sigma):  # ignores `sigma`: the spectrum at fresh random points
    from landscape_lib.spin_glass import random_sphere_points
    g = torch.Generator().manual_seed(7)
    return moments_threshold(J, random_sphere_points(sigma.shape[-1], (sigma.shape[0],), generator=g))


def _threshold_no_sqrt(J, sigma):  # R^2 / p: forgot the square root of the second moment
    p = J.ndim
    m = tangent_hessian_eigenvalues(J, sigma) + p * pspin_energy(J, sigma)[:, None]
    return 4 * float(m.pow(2).mean()) / p


def _gradient_projected_without_1_over_N(J, sigma):  # P = I - sigma sigma^T, but |sigma|^2 = N
    x = sigma.clone().requires_grad_(True)
    (g,) = torch.autograd.grad(energy(J, x) * sigma.shape[0], x)
    return g - sigma * (g @ sigma)


def _minima_sigma(J, starts):  # returns the minimisers instead of their energies
    r = sphere_gradient_descent(J, starts, dt=0.1, tol=1e-6, max_steps=20_000, progress=False)
    return r.sigma[:3]


ENERGY_WRONG = [
    (lambda J, s: energy(J, s) * s.shape[0],
     r"wrong energy for p = 3, N = 12: expected .*, got .* -- you returned H = N E: divide by N"),
    (lambda J, s: energy(J, s) * s.shape[0] ** ((J.ndim - 1) / 2), r"the normalisation N\^\{-\(p-1\)/2\} is missing"),
    (lambda J, s: -energy(J, s), r"the sign is flipped"),
    (lambda J, s: energy(J, s) / s.shape[0], r"you divided by N once too often"),
    (lambda J, s: energy(J.float(), s.float()), r"dtype torch.float32: keep J and sigma in float64"),
    (lambda J, s: energy(J, s) * s.shape[0] ** ((J.ndim - 1) / 2) / s.shape[0] ** (J.ndim / 2),  # N^(-p/2)
     r"wrong energy for p = 3, N = 12"),
    (lambda J, s: J @ s, r"the energy for p = 3, N = 12 should be a number"),  # contracted once, not p times
    (lambda J, s: torch.ones(2), r"the energy for p = 3, N = 12 should be a number"),
]

GRADIENT_WRONG = [
    (lambda J, s: gradient(J, s) + s, r"not tangent to the sphere .* project it with P = I - sigma sigma\^T / N"),
    (lambda J, s: gradient(J, s) / s.shape[0], r"wrong value for p = 3, N = 12 -- that is the gradient of E = H/N"),
    (lambda J, s: gradient(J, s)[:-1], r"should have shape \(12,\), got shape \(11,\)"),
    (lambda J, s: -gradient(J, s), r"wrong value for p = 3, N = 12 -- the sign is flipped"),
    (_gradient_projected_without_1_over_N, r"not tangent to the sphere"),
    (lambda J, s: gradient(J, s) / J.ndim, r"wrong value for p = 3, N = 12"),  # forgot the factor p of a symmetric J
    (lambda J, s: gradient(J, s).numpy(), r"should be a torch.Tensor, got numpy array"),
]

THRESHOLD_WRONG = [
    (lambda J, s: moments_threshold(J, s, shift=False), r"you kept the shift -pE"),
    (lambda J, s: moments_threshold(J, s, divide=1), r"that is the radius R itself"),
    (lambda J, s: moments_threshold(J, s, divide=J.ndim - 1), r"divide R by p"),
    (lambda J, s: 2 * math.sqrt((J.ndim - 1) / J.ndim), r"that is the closed form E_inf itself"),
    (_threshold_at_random_points, r"R_hat / p from the Hessian spectrum at these points"),
    (_threshold_mean_abs, r"your estimate is .* but E_inf"),
    (_threshold_no_sqrt, r"your estimate is .* but E_inf"),
    (_threshold_per_point, r"should be a number, got .*did you forget"),
]

MINIMA_WRONG = [
    (lambda J, s: minima(J, s, merge=False), r"you returned one energy per start"),
    (lambda J, s: minima(J, s, scale=s.shape[-1]), r"you returned H = N E"),
    (lambda J, s: minima(J, s).flip(0), r"sort the energies in ascending order"),
    (lambda J, s: minima(J, s)[:1], r"expected \d+ distinct minima, got 1"),  # only the ground state
    (_minima_sigma, r"return a 1-D tensor of energies, got shape \(3, 10\)"),
    (lambda J, s: minima(J, s).tolist(), r"should be a torch.Tensor, got list"),
]

WRONG = ([(check_pspin_energy, w, m) for w, m in ENERGY_WRONG]
         + [(check_riemannian_gradient, w, m) for w, m in GRADIENT_WRONG]
         + [(check_threshold_from_hessian, w, m) for w, m in THRESHOLD_WRONG]
         + [(check_distinct_minima, w, m) for w, m in MINIMA_WRONG])


@pytest.mark.parametrize(("check", "wrong", "match"), WRONG)
def test_wrong_answer_is_caught_with_an_actionable_message(check, wrong, match) -> None:
    with pytest.raises(SelfCheckFailed, match=match):
        check(wrong)


@pytest.mark.parametrize("table", [ENERGY_WRONG, GRADIENT_WRONG, THRESHOLD_WRONG, MINIMA_WRONG])
def test_every_exercise_has_at_least_five_wrong_answers(table) -> None:
    assert len(table) >= 5


def test_equivalent_moments_per_point_then_averaged_pass(capsys) -> None:
    """The 0.5% tolerance around the sample estimate leaves room for an equivalent way of averaging."""
    check_threshold_from_hessian(lambda J, s: float(_threshold_per_point(J, s).mean()))
    assert "passed" in capsys.readouterr().out
