"""Lecture 07 self-checks: fail on the stub, pass on a correct answer, catch wrong answers."""

from __future__ import annotations

import math

import pytest
import torch

from landscape_lib.checks._harness import SelfCheckFailed
from landscape_lib.checks.lecture07 import (
    check_mean_field_step,
    check_relu_kernel,
    check_subset_sum_index,
    check_tensor_power_iteration,
)
from tests.helpers import assert_check_contract


# -- correct answers, written independently of the library --------------------------------
def power_ok(Y, x0, n_iter):
    x = x0
    for _ in range(n_iter):
        F = torch.einsum("ijk,sj,sk->si", Y, x, x)
        x = F / F.norm(dim=-1, keepdim=True)
    return x


def _hessian(A, u, *, shift=True, project=True, factor=12.0):
    c = A @ u
    d = A.shape[1]
    H = factor * (A.T * c**2) @ A
    if shift:
        H = H - 4 * (c**4).sum() * torch.eye(d, dtype=A.dtype)
    if project:
        P = torch.eye(d, dtype=A.dtype) - torch.outer(u, u)
        H = P @ H @ P
    return H


def _u(A, subset):
    u = A[list(subset)].sum(0)
    return u / u.norm()


def index_ok(A, subset):
    return int((torch.linalg.eigvalsh(_hessian(A, _u(A, subset))) > 1e-8).sum())


def step_ok(a, W, x, y, lr):
    m = a.shape[1]
    a_, W_ = a.clone().requires_grad_(True), W.clone().requires_grad_(True)
    f = (torch.relu(W_ @ x.T) * a_[..., None]).mean(1)
    ga, gW = torch.autograd.grad(0.5 * ((f - y) ** 2).mean(-1).sum(), (a_, W_))
    return a - lr * m * ga, W - lr * m * gW


def _kernel(u, v, *, angle=lambda th: math.pi - th, scale=2 * math.pi):
    nu, nv = float(u.norm()), float(v.norm())
    c = max(-1.0, min(1.0, float(u @ v) / (nu * nv)))
    th = math.acos(c)
    return nu * nv / scale * (math.sin(th) + angle(th) * c)


def kernel_ok(u, v):
    return _kernel(u, v)


CHECKS = [
    (check_tensor_power_iteration, power_ok),
    (check_subset_sum_index, index_ok),
    (check_mean_field_step, step_ok),
    (check_relu_kernel, kernel_ok),
]


@pytest.mark.parametrize("check, solution", CHECKS, ids=lambda c: getattr(c, "__name__", ""))
def test_check_passes_on_a_correct_answer_and_fails_on_the_stub(check, solution, capsys) -> None:
    assert_check_contract(check, solution, capsys)


# -- plausible wrong answers ------------------------------------------------------------------
def _power_off_by_one(Y, x0, n_iter):
    return power_ok(Y, x0, max(n_iter - 1, 0)) if n_iter > 1 else x0


def _power_shifted(Y, x0, n_iter):  # x <- normalise(x + Y(., x, x)): a different (SS-HOPM) iteration
    x = x0
    for _ in range(n_iter):
        F = torch.einsum("ijk,sj,sk->si", Y, x, x) + x
        x = F / F.norm(dim=-1, keepdim=True)
    return x


def _power_unnormalised(Y, x0, n_iter):
    x = x0
    for _ in range(n_iter):
        x = torch.einsum("ijk,sj,sk->si", Y, x, x)
    return x


def _index_unprojected(A, subset):  # counts the radial direction too
    return int((torch.linalg.eigvalsh(_hessian(A, _u(A, subset), project=False)) > 1e-8).sum())


def _index_no_shift(A, subset):  # forgets the sphere's curvature term -4T(u) I
    return int((torch.linalg.eigvalsh(_hessian(A, _u(A, subset), shift=False)) > 1e-8).sum())


def _index_descent(A, subset):  # counts the negative eigenvalues
    return int((torch.linalg.eigvalsh(_hessian(A, _u(A, subset))) < -1e-8).sum())


def _step_without_m(a, W, x, y, lr):  # standard scaling: particles of a wide net barely move
    a1, W1 = step_ok(a, W, x, y, lr)
    m = a.shape[1]
    return a + (a1 - a) / m, W + (W1 - W) / m


def _step_sum_loss(a, W, x, y, lr):  # sums over the samples instead of averaging
    a1, W1 = step_ok(a, W, x, y, lr)
    n = x.shape[0]
    return a + n * (a1 - a), W + n * (W1 - W)


def _kernel_theta(u, v):
    return _kernel(u, v, angle=lambda th: th)


def _kernel_no_2pi(u, v):
    return _kernel(u, v, scale=math.pi)


def _kernel_cos_only(u, v):  # forgets the sin term
    return float(u @ v) / 4


def _power_wrong_axis(Y, x0, n_iter):  # normalises over the S points (dim 0), not over each point
    x = x0
    for _ in range(n_iter):
        F = torch.einsum("ijk,sj,sk->si", Y, x, x)
        x = F / F.norm(dim=0, keepdim=True)
    return x


def _power_first_row(Y, x0, n_iter):  # iterates the first starting point only
    return power_ok(Y, x0[:1], n_iter)[0]


def _power_float32(Y, x0, n_iter):
    return power_ok(Y.float(), x0.float(), n_iter)


def _power_in_place(Y, x0, n_iter):  # right iterates, but overwrites the caller's x0
    for _ in range(n_iter):
        F = torch.einsum("ijk,sj,sk->si", Y, x0, x0)
        x0.copy_(F / F.norm(dim=-1, keepdim=True))
    return x0


def _power_fixed_steps(Y, x0, n_iter):  # ignores n_iter
    return power_ok(Y, x0, 10)


def _index_unsymmetrised(A, subset):  # P H instead of P H P: eigvalsh reads only one triangle
    u = _u(A, subset)
    P = torch.eye(A.shape[1], dtype=A.dtype) - torch.outer(u, u)
    return int((torch.linalg.eigvalsh(P @ _hessian(A, u, project=False)) > 1e-8).sum())


def _index_counts_zero(A, subset):  # >= 0 (up to rounding) also counts the radial zero eigenvalue
    return int((torch.linalg.eigvalsh(_hessian(A, _u(A, subset))) > -1e-8).sum())


def _index_unnormalised_u(A, subset):  # u = sum of the components, not normalised
    u = A[list(subset)].sum(0)
    return int((torch.linalg.eigvalsh(_hessian(A, u)) > 1e-8).sum())


def _index_closed_form(A, subset):  # |S| - 1: true only for orthonormal components
    return len(subset) - 1


def _index_factor_4(A, subset):  # the Hessian of sum <a_i, u>^4 is 12 sum c_i^2 a_i a_i^T, not 4
    return int((torch.linalg.eigvalsh(_hessian(A, _u(A, subset), factor=4.0)) > 1e-8).sum())


def _step_in_place(a, W, x, y, lr):  # a -= ...: the right values, but the caller's particles change
    a1, W1 = step_ok(a, W, x, y, lr)
    a.copy_(a1)
    W.copy_(W1)
    return a, W


def _step_mean_over_runs(a, W, x, y, lr):  # averages the loss over the R independent runs
    a1, W1 = step_ok(a, W, x, y, lr)
    R = a.shape[0]
    return a + (a1 - a) / R, W + (W1 - W) / R


def _step_sum_over_units(a, W, x, y, lr):  # f = sum_i a_i relu(w_i . x): forgets the 1/m of the mean field
    m = a.shape[1]
    a_, W_ = a.clone().requires_grad_(True), W.clone().requires_grad_(True)
    f = (torch.relu(W_ @ x.T) * a_[..., None]).sum(1)
    ga, gW = torch.autograd.grad(0.5 * ((f - y) ** 2).mean(-1).sum(), (a_, W_))
    return a - lr * m * ga, W - lr * m * gW


def _step_only_a(a, W, x, y, lr):  # updates the output weights only
    return step_ok(a, W, x, y, lr)[0], W


def _step_float32(a, W, x, y, lr):
    a1, W1 = step_ok(a.float(), W.float(), x.float(), y.float(), lr)
    return a1, W1


def _step_fixed_lr(a, W, x, y, lr):  # ignores the lr argument
    return step_ok(a, W, x, y, 0.1)


def _kernel_no_clamp(u, v):  # acos of a cosine rounded to 1.0000000000000002 raises
    nu, nv = float(u.norm()), float(v.norm())
    th = math.acos(float(u @ v) / (nu * nv))
    return nu * nv / (2 * math.pi) * (math.sin(th) + (math.pi - th) * math.cos(th))


def _kernel_unit_vectors(u, v):  # the formula for unit vectors: forgets |u| |v|
    return _kernel(u / u.norm(), v / v.norm())


def _kernel_float32(u, v):
    return _kernel(u.float(), v.float())


def _kernel_monte_carlo(u, v):  # an estimate, not the closed form
    x = torch.randn(200_000, len(u), generator=torch.Generator().manual_seed(0), dtype=torch.float64)
    return float((torch.relu(x @ u) * torch.relu(x @ v)).mean())


WRONG = [
    (check_tensor_power_iteration, _power_off_by_one, r"wrong value for pure noise \(lambda = 0\), one iteration"),
    (check_tensor_power_iteration, _power_shifted, r"wrong value for pure noise"),
    (check_tensor_power_iteration, _power_unnormalised, r"should have norm 1 \(normalise each iterate\)"),
    (check_tensor_power_iteration, _power_wrong_axis, r"should have norm 1"),
    (check_tensor_power_iteration, _power_first_row, r"should have shape \(5, 8\), got shape \(8,\)"),
    (check_tensor_power_iteration, _power_float32, r"compute in float64"),
    (check_tensor_power_iteration, _power_in_place, r"changed its input `x0` in place"),
    (check_tensor_power_iteration, _power_fixed_steps, r"wrong value for pure noise \(lambda = 0\), one iteration"),
    (check_subset_sum_index, _index_unprojected, r"radial direction"),
    (check_subset_sum_index, _index_no_shift, r"wrong value for non-orthogonal random components, S = \(0, 2\): expected 1, got 4 -- at the unit vector"),
    (check_subset_sum_index, _index_descent, r"\*descent\* directions"),
    (check_subset_sum_index, _index_unsymmetrised, r"wrong value for non-orthogonal.*P H P is symmetric"),
    (check_subset_sum_index, _index_counts_zero, r"radial direction"),
    (check_subset_sum_index, _index_unnormalised_u, r"wrong value for orthonormal, \|S\| = 2: expected 1, got 2"),
    (check_subset_sum_index, _index_closed_form, r"wrong value for non-orthogonal random components"),
    (check_subset_sum_index, _index_factor_4, r"wrong value for orthonormal, \|S\| = 2: expected 1, got 0 -- at the unit vector"),
    (check_mean_field_step, _step_without_m, r"without the mean-field factor m"),
    (check_mean_field_step, _step_sum_loss, r"wrong value for a_new, width m = 3"),
    (check_mean_field_step, _step_in_place, r"changed its input `a` in place"),
    (check_mean_field_step, _step_mean_over_runs, r"wrong value for a_new, width m = 3.*summed over the R independent runs \(not averaged\)"),
    (check_mean_field_step, _step_sum_over_units, r"wrong value for a_new, width m = 3.*the 1/m of the mean field"),
    (check_mean_field_step, _step_only_a, r"wrong value for W_new, width m = 3"),
    (check_mean_field_step, _step_float32, r"compute in float64"),
    (check_mean_field_step, _step_fixed_lr, r"wrong value for a_new, width m = 3, lr = 0.5"),
    (check_relu_kernel, _kernel_theta, r"wrong value for parallel vectors \(phi = 0\): expected 3, got 0 -- k\(u, v\)"),
    (check_relu_kernel, _kernel_no_2pi, r"wrong value for parallel vectors"),
    (check_relu_kernel, _kernel_cos_only, r"wrong value for parallel vectors \(phi = 0\): expected 3, got 1.5"),
    (check_relu_kernel, _kernel_no_clamp, r"raised ValueError: math domain error.* -- for parallel vectors u and 2.5 u .*clamp it"),
    (check_relu_kernel, _kernel_unit_vectors, r"wrong value for parallel vectors .*expected 3, got 0.5"),
    (check_relu_kernel, _kernel_float32, r"wrong value for nearly opposite vectors.*in float64"),
    (check_relu_kernel, _kernel_monte_carlo, r"wrong value for parallel vectors"),
]


@pytest.mark.parametrize("check, wrong, message", WRONG, ids=lambda c: getattr(c, "__name__", None))
def test_check_rejects_a_plausible_wrong_answer(check, wrong, message) -> None:
    with pytest.raises(SelfCheckFailed, match=message):
        check(wrong)
