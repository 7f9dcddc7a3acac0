"""The lecture-01 self-checks fail on stubs, pass on correct answers and explain wrong ones."""

from __future__ import annotations

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
        (check_threshold_from_hessian, lambda J, s: moments_threshold(J, s, shift=False), r"you kept the shift -pE"),
        (check_threshold_from_hessian, lambda J, s: moments_threshold(J, s, divide=1), r"that is the radius R itself"),
        (check_threshold_from_hessian, lambda J, s: moments_threshold(J, s, divide=J.ndim - 1), r"divide R by p"),
        (check_distinct_minima, lambda J, s: minima(J, s, merge=False), r"you returned one energy per start"),
        (check_distinct_minima, lambda J, s: minima(J, s, scale=s.shape[-1]), r"you returned H = N E"),
        (check_distinct_minima, lambda J, s: minima(J, s).flip(0), r"sort the energies in ascending order"),
    ],
)
def test_wrong_answer_is_caught_with_an_actionable_message(check, wrong, match) -> None:
    with pytest.raises(SelfCheckFailed, match=match):
        check(wrong)

