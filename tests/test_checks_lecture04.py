"""Lecture 04 self-checks: fail on the stub, pass on a correct answer, catch plausible wrong answers."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from landscape_lib.checks._harness import SelfCheckFailed
from landscape_lib.checks.lecture04 import (
    check_bisect_threshold,
    check_gap_slope,
    check_intrinsic_dimension_by_rank,
    check_merge_closest_units,
)
from tests.helpers import assert_check_contract, stub


# -- correct answers, written independently of the library --------------------------------
def bisect_ok(connects, lower, upper, rtol):
    while upper / lower - 1 > rtol:
        mid = math.sqrt(lower * upper)
        if connects(mid):
            upper = mid
        else:
            lower = mid
    return lower, upper


def rank_ok(rho, input_dim, n_units=200, n_samples=300, seed=0):
    g = torch.Generator().manual_seed(seed)
    x = torch.randn(n_samples, input_dim, generator=g, dtype=torch.float64)
    w = torch.randn(n_units, input_dim, generator=g, dtype=torch.float64)
    return int(torch.linalg.matrix_rank(rho(x @ w.T)))


def merge_ok(w, u):
    norms = w.norm(dim=1)
    unit = w / norms[:, None]
    best = None
    for i in range(len(w)):
        for j in range(i + 1, len(w)):
            c = float(unit[i] @ unit[j])
            if best is None or c > best[0]:
                best = (c, i, j)
    _, i, j = best
    b = unit[i] + unit[j]
    keep = [k for k in range(len(w)) if k != j]
    w2, u2 = w[keep].clone(), u[keep].clone()
    w2[i], u2[i] = b / b.norm(), u[i] * norms[i] + u[j] * norms[j]
    return w2, u2


def slope_ok(widths, gaps):
    x = np.log(np.asarray(widths, dtype=float))
    y = np.log([np.median(g) for g in gaps])
    return float(np.polyfit(x, y, 1)[0])


CHECKS = [
    (check_bisect_threshold, bisect_ok),
    (check_intrinsic_dimension_by_rank, rank_ok),
    (check_merge_closest_units, merge_ok),
    (check_gap_slope, slope_ok),
]


@pytest.mark.parametrize("check, solution", CHECKS, ids=lambda c: getattr(c, "__name__", ""))
def test_check_passes_on_a_correct_answer_and_fails_on_the_stub(check, solution, capsys) -> None:
    assert_check_contract(check, solution, capsys)


# -- plausible wrong answers ---------------------------------------------------------------
def _bisect_arithmetic(connects, lower, upper, rtol):
    while upper / lower - 1 > rtol:
        mid = (lower + upper) / 2
        lower, upper = (lower, mid) if connects(mid) else (mid, upper)
    return lower, upper


def _bisect_absolute(connects, lower, upper, rtol):  # an absolute tolerance
    while upper - lower > rtol:
        mid = math.sqrt(lower * upper)
        lower, upper = (lower, mid) if connects(mid) else (mid, upper)
    return lower, upper


def _bisect_swapped(connects, lower, upper, rtol):  # moves the wrong end
    for _ in range(60):
        if upper / lower - 1 <= rtol:
            break
        mid = math.sqrt(lower * upper)
        lower, upper = (mid, upper) if connects(mid) else (lower, mid)
    return lower, upper


def _closest_pair(w):
    cos = torch.nn.functional.normalize(w, dim=1) @ torch.nn.functional.normalize(w, dim=1).T
    cos.fill_diagonal_(-2)
    return sorted(divmod(int(cos.argmax()), len(w)))


def _merge_average(w, u):  # averages the output weights instead of adding them
    w2, u2 = merge_ok(w, u)
    norms, (i, j) = w.norm(dim=1), _closest_pair(w)
    u2[i] = (u[i] * norms[i] + u[j] * norms[j]) / 2
    return w2, u2


def _merge_unnormalised(w, u):  # keeps the raw mean of the rows (not on the unit sphere)
    w2, u2 = merge_ok(w, u)
    norms, (i, j) = w.norm(dim=1), _closest_pair(w)
    w2[i] = (w[i] + w[j]) / 2
    return w2, u2


def _merge_by_distance(w, u):  # closest in Euclidean distance, not in angle
    d = torch.cdist(w, w)
    d.fill_diagonal_(float("inf"))
    i, j = sorted(divmod(int(d.argmin()), len(w)))
    norms = w.norm(dim=1)
    b = w[i] / norms[i] + w[j] / norms[j]
    keep = [k for k in range(len(w)) if k != j]
    w2, u2 = w[keep].clone(), u[keep].clone()
    w2[i], u2[i] = b / b.norm(), u[i] * norms[i] + u[j] * norms[j]
    return w2, u2


@pytest.mark.parametrize("check, wrong, message", [
    (check_bisect_threshold, _bisect_arithmetic,
     r"wrong value for a barrier at 1 in the bracket \[0.1, 10\], rtol 0.01 \(lower end\).* geometric mean"),
    (check_bisect_threshold, _bisect_absolute, r"wrong value for a barrier at 0.37 in \[0.001, 2\]"),
    (check_bisect_threshold, _bisect_swapped, r"the bracket .* must contain the barrier 1.0"),
    (check_bisect_threshold, lambda c, lo, hi, r: (lo, hi), r"wrong value for a barrier at 1 .*\(lower end\)"),
    (check_intrinsic_dimension_by_rank, lambda rho, n: rank_ok(rho, n, n_units=n), r"wrong value for rho\(z\) = z\^2, n = 3"),
    (check_intrinsic_dimension_by_rank, lambda rho, n: n * (n + 1) // 2, r"wrong value for rho\(z\) = z\^3, n = 3"),
    (check_intrinsic_dimension_by_rank, lambda rho, n: math.comb(n + 2, 2), r"wrong value for rho\(z\) = z\^2, n = 3 .*expected 6, got 10"),
    (check_intrinsic_dimension_by_rank, lambda rho, n: float(rank_ok(rho, n)) + 0.5, r"should be an integer rank"),
    (check_merge_closest_units, _merge_average, r"five unit rows on the circle .*\(output weights\)"),
    (check_merge_closest_units, _merge_unnormalised, r"five unit rows on the circle .*\(rows\)"),
    (check_merge_closest_units, _merge_by_distance, r"wrong value for six random rows in R\^3 \(rows\)"),
    (check_merge_closest_units, lambda w, u: (w, u), r"w_new for five unit rows .* should have shape \(4, 2\), got shape \(5, 2\)"),
    (check_gap_slope, lambda m, g: slope_ok(m, [[float(np.mean(v))] for v in g]), r"wrong value for five noisy pairs per width"),
    (check_gap_slope, lambda m, g: float(np.polyfit(np.log(m), [np.median(v) for v in g], 1)[0]),
     r"wrong value for exact gaps 3 m\^-0.5"),
    (check_gap_slope, lambda m, g: float(np.polyfit(np.log(m), np.log([np.median(v) for v in g]), 1)[1]),
     r"wrong value for exact gaps"),
])
def test_check_catches_wrong_answers_with_an_actionable_message(check, wrong, message) -> None:
    with pytest.raises(SelfCheckFailed, match=message):
        check(wrong)


def test_a_bisection_that_wastes_oracle_calls_is_caught() -> None:
    def wasteful(connects, lower, upper, rtol):
        for _ in range(50):
            connects(upper)
        return bisect_ok(connects, lower, upper, rtol)

    with pytest.raises(SelfCheckFailed, match=r"called the oracle \d+ times; bisection needs about \d+"):
        check_bisect_threshold(wasteful)


def test_a_student_exception_is_reported_briefly() -> None:
    with pytest.raises(SelfCheckFailed, match=r"check_merge_closest_units: your function raised IndexError"):
        check_merge_closest_units(lambda w, u: (w[99], u))
    with pytest.raises(SelfCheckFailed) as info:
        check_gap_slope(stub)
    assert "not implemented yet" in info.value._render_traceback_()[0]
