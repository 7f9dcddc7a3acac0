"""Lecture 06 self-checks: fail on the stub, pass on a correct answer, catch plausible wrong answers."""

from __future__ import annotations

import math

import pytest
import torch

from landscape_lib.checks._harness import SelfCheckFailed
from landscape_lib.checks.lecture06 import (
    check_hessian_vector_product,
    check_hutchinson_trace,
    check_outliers_from_density,
    check_power_iteration,
)
from tests.helpers import assert_check_contract


# -- correct answers, written independently of the library --------------------------------
def hvp_ok(loss_fn, theta, v):
    theta = theta.detach().requires_grad_(True)
    (grad,) = torch.autograd.grad(loss_fn(theta), theta, create_graph=True)
    return torch.autograd.grad(grad @ v, theta)[0]


def power_ok(matvec, dim, n_iter, generator):
    v = torch.randn(dim, generator=generator, dtype=torch.float64)
    v = v / v.norm()
    for _ in range(n_iter):
        w = matvec(v)
        v = w / w.norm()
    return float(v @ matvec(v))


def hutchinson_ok(matvec, dim, n_probes, generator):
    z = torch.randint(0, 2, (n_probes, dim), generator=generator).double() * 2 - 1
    s = torch.stack([zi @ matvec(zi) for zi in z])
    return float(s.mean()), float(s.std() / math.sqrt(n_probes))


def outliers_ok(nodes, weights, dim, edge):
    return dim * float(((nodes > edge) * weights).sum(1).mean())


CHECKS = [
    (check_hessian_vector_product, hvp_ok),
    (check_power_iteration, power_ok),
    (check_hutchinson_trace, hutchinson_ok),
    (check_outliers_from_density, outliers_ok),
]


@pytest.mark.parametrize("check, solution", CHECKS, ids=lambda c: getattr(c, "__name__", ""))
def test_check_passes_on_a_correct_answer_and_fails_on_the_stub(check, solution, capsys) -> None:
    assert_check_contract(check, solution, capsys)


# -- plausible wrong answers ----------------------------------------------------------------
def _hvp_gradient(loss_fn, theta, v):  # forgets the second derivative: returns the gradient
    theta = theta.detach().requires_grad_(True)
    return torch.autograd.grad(loss_fn(theta), theta)[0]


def _hvp_finite_difference(loss_fn, theta, v, eps=1e-4):  # central differences of the gradient
    def grad_at(t):
        t = t.detach().requires_grad_(True)
        return torch.autograd.grad(loss_fn(t), t)[0]
    return (grad_at(theta + eps * v) - grad_at(theta - eps * v)) / (2 * eps)


def _hvp_no_graph(loss_fn, theta, v):  # forgets create_graph=True: the second backward raises
    theta = theta.detach().requires_grad_(True)
    (grad,) = torch.autograd.grad(loss_fn(theta), theta)
    return torch.autograd.grad(grad @ v, theta)[0]


def _power_norm(matvec, dim, n_iter, generator):  # |A v| loses the sign of a negative dominant eigenvalue
    v = torch.randn(dim, generator=generator, dtype=torch.float64)
    for _ in range(n_iter):
        w = matvec(v / v.norm())
        v = w
    return float(v.norm())


def _power_few_iterations(matvec, dim, n_iter, generator):  # stops after 10 products
    return power_ok(matvec, dim, min(n_iter, 10), generator)


def _power_unnormalised(matvec, dim, n_iter, generator):  # never normalises: v^T A v of a huge vector
    v = torch.randn(dim, generator=generator, dtype=torch.float64)
    for _ in range(n_iter):
        v = matvec(v)
    return float(v @ matvec(v))


def _hutchinson_gaussian(matvec, dim, n_probes, generator):  # Gaussian probes: unbiased but noisier, not exact
    z = torch.randn(n_probes, dim, generator=generator, dtype=torch.float64)
    s = torch.stack([zi @ matvec(zi) for zi in z])
    return float(s.mean()), float(s.std() / math.sqrt(n_probes))


def _hutchinson_std_not_se(matvec, dim, n_probes, generator):  # reports the spread, not the standard error
    est, se = hutchinson_ok(matvec, dim, n_probes, generator)
    return est, se * math.sqrt(n_probes)


def _hutchinson_sum(matvec, dim, n_probes, generator):  # sums instead of averaging
    est, se = hutchinson_ok(matvec, dim, n_probes, generator)
    return est * n_probes, se


def _outliers_mass_only(nodes, weights, dim, edge):  # forgets the factor P
    return float(((nodes > edge) * weights).sum(1).mean())


def _outliers_sum_over_probes(nodes, weights, dim, edge):  # sums the probes instead of averaging them
    return dim * float(((nodes > edge) * weights).sum())


def _outliers_count_nodes(nodes, weights, dim, edge):  # counts Ritz values instead of weighing them
    return float((nodes > edge).sum(1).double().mean())


WRONG = [
    (check_hessian_vector_product, _hvp_gradient),
    (check_hessian_vector_product, _hvp_finite_difference),
    (check_hessian_vector_product, _hvp_no_graph),
    (check_power_iteration, _power_norm),
    (check_power_iteration, _power_few_iterations),
    (check_power_iteration, _power_unnormalised),
    (check_hutchinson_trace, _hutchinson_gaussian),
    (check_hutchinson_trace, _hutchinson_std_not_se),
    (check_hutchinson_trace, _hutchinson_sum),
    (check_outliers_from_density, _outliers_mass_only),
    (check_outliers_from_density, _outliers_sum_over_probes),
    (check_outliers_from_density, _outliers_count_nodes),
]


@pytest.mark.parametrize("check, wrong", WRONG, ids=lambda c: getattr(c, "__name__", ""))
def test_check_rejects_a_plausible_wrong_answer(check, wrong) -> None:
    with pytest.raises(SelfCheckFailed):
        check(wrong)


def test_power_iteration_check_says_how_many_products_it_saw() -> None:
    def no_products(matvec, dim, n_iter, generator):
        return 5.0
    with pytest.raises(SelfCheckFailed, match="called `matvec` 0 times"):
        check_power_iteration(no_products)
