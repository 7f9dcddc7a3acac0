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


def _hvp_float32(loss_fn, theta, v):  # single precision: Hv to 1e-7 at best
    theta = theta.detach().float().requires_grad_(True)
    (grad,) = torch.autograd.grad(loss_fn(theta), theta, create_graph=True)
    return torch.autograd.grad(grad @ v.float(), theta)[0]


def _hvp_full_hessian(loss_fn, theta, v):  # returns the whole Hessian, not its product with v
    return torch.autograd.functional.hessian(loss_fn, theta)


def _hvp_quadratic_form(loss_fn, theta, v):  # v^T H v: a number, not a vector
    return v @ hvp_ok(loss_fn, theta, v)


def _hvp_ignores_v(loss_fn, theta, v):  # differentiates grad.sum(): H times the all-ones vector
    return hvp_ok(loss_fn, theta, torch.ones_like(v))


def _power_returns_vector(matvec, dim, n_iter, generator):  # the eigenvector, not the eigenvalue
    v = torch.randn(dim, generator=generator, dtype=torch.float64)
    for _ in range(n_iter):
        w = matvec(v)
        v = w / w.norm()
    return v


def _power_float32_start(matvec, dim, n_iter, generator):  # torch.randn's default dtype is float32
    v = torch.randn(dim, generator=generator)
    for _ in range(n_iter):
        w = matvec(v / v.norm())
        v = w
    return float(v @ matvec(v) / (v @ v))


def _power_abs(matvec, dim, n_iter, generator):  # "the largest eigenvalue in modulus": loses the sign
    return abs(power_ok(matvec, dim, n_iter, generator))


def _hutchinson_bernoulli(matvec, dim, n_probes, generator):  # {0, 1} probes: forgot "* 2 - 1"
    z = torch.randint(0, 2, (n_probes, dim), generator=generator).double()
    s = torch.stack([zi @ matvec(zi) for zi in z])
    return float(s.mean()), float(s.std() / math.sqrt(n_probes))


def _hutchinson_variance(matvec, dim, n_probes, generator):  # returns the variance of the mean, not its sqrt
    est, se = hutchinson_ok(matvec, dim, n_probes, generator)
    return est, se**2


def _hutchinson_one_probe(matvec, dim, n_probes, generator):  # draws one probe and reuses it n times
    z = (torch.randint(0, 2, (dim,), generator=generator).double() * 2 - 1).expand(n_probes, dim)
    s = torch.stack([zi @ matvec(zi) for zi in z])
    return float(s.mean()), float(s.std() / math.sqrt(n_probes))


def _hutchinson_over_n(matvec, dim, n_probes, generator):  # divides the spread by n instead of sqrt(n)
    est, se = hutchinson_ok(matvec, dim, n_probes, generator)
    return est, se / math.sqrt(n_probes)


def _outliers_at_edge(nodes, weights, dim, edge):  # >=: counts a Ritz value sitting exactly on the edge
    return dim * float(((nodes >= edge) * weights).sum(1).mean())


def _outliers_wrong_axis(nodes, weights, dim, edge):  # sums over probes, averages over nodes
    return dim * float(((nodes > edge) * weights).sum(0).mean())


def _outliers_below(nodes, weights, dim, edge):  # the mass below the edge
    return dim * float(((nodes < edge) * weights).sum(1).mean())


def _outliers_first_probe(nodes, weights, dim, edge):  # one probe only
    return dim * float(((nodes[0] > edge) * weights[0]).sum())


WRONG = [
    (check_hessian_vector_product, _hvp_gradient, r"wrong value for a quadratic .*create_graph=True"),
    (check_hessian_vector_product, _hvp_finite_difference, r"wrong value for .*no finite differences"),
    (check_hessian_vector_product, _hvp_no_graph, r"your function raised RuntimeError"),
    (check_hessian_vector_product, _hvp_float32, r"raised RuntimeError|compute in float64"),
    (check_hessian_vector_product, _hvp_full_hessian, r"should have shape \(4,\), got shape \(4, 4\)"),
    (check_hessian_vector_product, _hvp_quadratic_form, r"should have shape \(4,\), got shape \(\)"),
    (check_hessian_vector_product, _hvp_ignores_v, r"wrong value for a quadratic"),
    (check_power_iteration, _power_norm, r"wrong value for eigenvalues -6, .*expected -6, got 6"),
    (check_power_iteration, _power_few_iterations, r"called `matvec` 11 times; expected at least n_iter = 200"),
    (check_power_iteration, _power_unnormalised, r"wrong value for diag|should be finite"),
    (check_power_iteration, _power_returns_vector, r"should be a number, got tensor of shape \(6,\)"),
    (check_power_iteration, _power_float32_start, r"your function raised RuntimeError"),
    (check_power_iteration, _power_abs, r"the dominant one is negative .*expected -6, got 6"),
    (check_power_iteration, lambda matvec, dim, n_iter, generator: 5.0, r"called `matvec` 0 times"),
    (check_hutchinson_trace, _hutchinson_gaussian, r"wrong value for a diagonal matrix .*Gaussian or \{0, 1\} probes are not"),
    (check_hutchinson_trace, _hutchinson_std_not_se, r"standard error for a dense 30 x 30 matrix.*divided by sqrt\(n\)"),
    (check_hutchinson_trace, _hutchinson_sum, r"wrong value for a diagonal matrix"),
    (check_hutchinson_trace, _hutchinson_bernoulli, r"wrong value for a diagonal matrix .*Rademacher probes z_i = \+-1"),
    (check_hutchinson_trace, _hutchinson_variance, r"standard error for a dense 30 x 30 matrix"),
    (check_hutchinson_trace, _hutchinson_one_probe, r"standard error for a dense 30 x 30 matrix"),
    (check_hutchinson_trace, _hutchinson_over_n, r"standard error for a dense 30 x 30 matrix"),
    (check_outliers_from_density, _outliers_mass_only, r"wrong value for edge 3 .*times P it counts"),
    (check_outliers_from_density, _outliers_sum_over_probes, r"wrong value for edge 3 .*averaged over probes"),
    (check_outliers_from_density, _outliers_count_nodes, r"wrong value for edge 3"),
    (check_outliers_from_density, _outliers_at_edge, r"wrong value for an edge exactly at a Ritz value"),
    (check_outliers_from_density, _outliers_wrong_axis, r"wrong value for edge 3"),
    (check_outliers_from_density, _outliers_below, r"wrong value for edge 3"),
    (check_outliers_from_density, _outliers_first_probe, r"wrong value for edge"),
]


@pytest.mark.parametrize("check, wrong, message", WRONG, ids=lambda c: getattr(c, "__name__", None))
def test_check_rejects_a_plausible_wrong_answer(check, wrong, message) -> None:
    with pytest.raises(SelfCheckFailed, match=message):
        check(wrong)


def test_power_iteration_check_says_how_many_products_it_saw() -> None:
    def no_products(matvec, dim, n_iter, generator):
        return 5.0
    with pytest.raises(SelfCheckFailed, match="called `matvec` 0 times"):
        check_power_iteration(no_products)
