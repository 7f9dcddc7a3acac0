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


WRONG = [
    (check_tensor_power_iteration, _power_off_by_one, "wrong value"),
    (check_tensor_power_iteration, _power_shifted, "wrong value"),
    (check_tensor_power_iteration, _power_unnormalised, "norm 1"),
    (check_subset_sum_index, _index_unprojected, "radial direction"),
    (check_subset_sum_index, _index_no_shift, "wrong value"),
    (check_subset_sum_index, _index_descent, "descent"),
    (check_mean_field_step, _step_without_m, "mean-field factor m"),
    (check_mean_field_step, _step_sum_loss, "wrong value"),
    (check_relu_kernel, _kernel_theta, "wrong value"),
    (check_relu_kernel, _kernel_no_2pi, "wrong value"),
    (check_relu_kernel, _kernel_cos_only, "wrong value"),
]


@pytest.mark.parametrize("check, wrong, message", WRONG, ids=lambda c: getattr(c, "__name__", str(c)))
def test_check_rejects_a_plausible_wrong_answer(check, wrong, message) -> None:
    with pytest.raises(SelfCheckFailed, match=message):
        check(wrong)
