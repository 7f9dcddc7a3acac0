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
    i, j = _closest_pair(w)
    w2[i] = (w[i] + w[j]) / 2
    return w2, u2


def _merge_pair(w, u, i, j):  # the right merge of a given pair i < j
    norms = w.norm(dim=1)
    b = w[i] / norms[i] + w[j] / norms[j]
    keep = [k for k in range(len(w)) if k != j]
    w2, u2 = w[keep].clone(), u[keep].clone()
    w2[i], u2[i] = b / b.norm(), u[i] * norms[i] + u[j] * norms[j]
    return w2, u2


def _merge_by_distance(w, u):  # closest in Euclidean distance, not in angle
    d = torch.cdist(w, w)
    d.fill_diagonal_(float("inf"))
    return _merge_pair(w, u, *sorted(divmod(int(d.argmin()), len(w))))


def _bisect_reversed(connects, lower, upper, rtol):  # returns (upper, lower)
    lo, hi = bisect_ok(connects, lower, upper, rtol)
    return hi, lo


def _bisect_fixed_steps(connects, lower, upper, rtol):  # ten halvings whatever rtol says
    for _ in range(10):
        mid = math.sqrt(lower * upper)
        lower, upper = (lower, mid) if connects(mid) else (mid, upper)
    return lower, upper


def _bisect_midpoint(connects, lower, upper, rtol):  # returns the final midpoint, not the bracket
    lo, hi = bisect_ok(connects, lower, upper, rtol)
    return math.sqrt(lo * hi)


def _bisect_relative_to_upper(connects, lower, upper, rtol):  # stops on (upper - lower) / upper: one step early
    while (upper - lower) / upper > rtol:
        mid = math.sqrt(lower * upper)
        lower, upper = (lower, mid) if connects(mid) else (mid, upper)
    return lower, upper


def _bisect_do_while(connects, lower, upper, rtol):  # tests the stopping rule after the first step
    while True:
        mid = math.sqrt(lower * upper)
        lower, upper = (lower, mid) if connects(mid) else (mid, upper)
        if upper / lower - 1 <= rtol:
            return lower, upper


def _rank_without_rho(rho, input_dim, n_units=200, n_samples=300, seed=0):  # forgets to apply rho
    return rank_ok(lambda z: z, input_dim, n_units, n_samples, seed)


def _rank_fixed_rho(rho, input_dim, n_units=200, n_samples=300, seed=0):  # ignores the `rho` argument
    return rank_ok(lambda z: z**2, input_dim, n_units, n_samples, seed)


def _rank_few_samples(rho, input_dim, n_units=200, n_samples=300, seed=0):  # as many samples as inputs
    return rank_ok(rho, input_dim, n_units, n_samples=input_dim + 2, seed=seed)


def _rank_returns_features(rho, input_dim, n_units=200, n_samples=300, seed=0):  # the matrix, not its rank
    g = torch.Generator().manual_seed(seed)
    x = torch.randn(n_samples, input_dim, generator=g, dtype=torch.float64)
    w = torch.randn(n_units, input_dim, generator=g, dtype=torch.float64)
    return rho(x @ w.T)


def _merge_ignores_norms(w, u):  # u_i + u_j: forgets that relu(c z) = c relu(z) moves |w| into u
    w2, u2 = merge_ok(w, u)
    i, j = _closest_pair(w)
    u2[i] = u[i] + u[j]
    return w2, u2


def _merge_abs_cosine(w, u):  # closest *line* (|cos|): pairs nearly opposite units
    cos = (torch.nn.functional.normalize(w, dim=1) @ torch.nn.functional.normalize(w, dim=1).T).abs()
    cos.fill_diagonal_(-2)
    return _merge_pair(w, u, *sorted(divmod(int(cos.argmax()), len(w))))


def _merge_in_place(w, u):  # right values, but overwrites the caller's w and u
    w2, u2 = merge_ok(w, u)
    w[: len(w2)], u[: len(u2)] = w2, u2
    return w[: len(w2)], u[: len(u2)]


def _merge_appends(w, u):  # removes both units and appends the merged one at the end
    w2, u2 = merge_ok(w, u)
    i, _ = _closest_pair(w)
    order = [k for k in range(len(w2)) if k != i] + [i]
    return w2[order], u2[order]


def _slope_swapped_axes(m, g):  # regresses log width on log gap
    return float(np.polyfit(np.log([np.median(v) for v in g]), np.log(m), 1)[0])


def _slope_every_pair(m, g):  # fits all pairs instead of the medians (the outlier pulls the line)
    x = np.concatenate([[np.log(w)] * len(v) for w, v in zip(m, g)])
    return float(np.polyfit(x, np.log(np.concatenate(g)), 1)[0])


def _slope_decay_exponent(m, g):  # reports -k (a decay "rate"), a sign error
    return -slope_ok(m, g)


def _slope_both_coefficients(m, g):  # returns np.polyfit's whole array
    return np.polyfit(np.log(m), np.log([np.median(v) for v in g]), 1)


def _slope_median_wrong_axis(m, g):  # median over the pairs axis of the (widths, pairs) table
    return float(np.polyfit(np.log(m), np.log(np.median(np.asarray(g), axis=0)), 1)[0])


def _slope_endpoints(m, g):  # slope from the first and last width only
    y = np.log([np.median(v) for v in g])
    return float((y[-1] - y[0]) / (np.log(m[-1]) - np.log(m[0])))


WRONG = [
    (check_bisect_threshold, _bisect_arithmetic,
     r"wrong value for a barrier at 1 in the bracket \[0.1, 10\], rtol 0.01 \(lower end\).* geometric mean"),
    (check_bisect_threshold, _bisect_absolute, r"wrong value for a barrier at 0.37 in \[0.001, 2\]"),
    (check_bisect_threshold, _bisect_swapped, r"the bracket .* must contain the barrier 1.0"),
    (check_bisect_threshold, lambda c, lo, hi, r: (lo, hi), r"wrong value for a barrier at 1 .*\(lower end\)"),
    (check_bisect_threshold, _bisect_reversed, r"the bracket \(1, 0.991046\) must contain the barrier 1.0: `lower` must fail"),
    (check_bisect_threshold, _bisect_fixed_steps, r"wrong value for .*upper / lower - 1 <= rtol"),
    (check_bisect_threshold, _bisect_midpoint, r"return a tuple \(lower, upper\), got float"),
    (check_bisect_threshold, _bisect_relative_to_upper, r"wrong value for a barrier at 1.004 in \[1, 1.0105\].* stop once upper / lower - 1 <= rtol"),
    (check_bisect_threshold, _bisect_do_while, r"wrong value for a barrier at 2 in \[1.5, 2.5\], rtol 1 .*\(lower end\)"),
    (check_intrinsic_dimension_by_rank, lambda rho, n: rank_ok(rho, n, n_units=n), r"wrong value for rho\(z\) = z\^2, n = 3"),
    (check_intrinsic_dimension_by_rank, lambda rho, n: n * (n + 1) // 2, r"wrong value for rho\(z\) = z\^3, n = 3"),
    (check_intrinsic_dimension_by_rank, lambda rho, n: math.comb(n + 2, 2), r"wrong value for rho\(z\) = z\^2, n = 3 .*expected 6, got 10"),
    (check_intrinsic_dimension_by_rank, lambda rho, n: float(rank_ok(rho, n)) + 0.5, r"should be an integer rank"),
    (check_intrinsic_dimension_by_rank, _rank_without_rho, r"wrong value for rho\(z\) = z\^2, n = 3 .*expected 6, got 3"),
    (check_intrinsic_dimension_by_rank, _rank_fixed_rho, r"wrong value for rho\(z\) = z\^3, n = 3: expected 10, got 6"),
    (check_intrinsic_dimension_by_rank, _rank_few_samples, r"wrong value for rho\(z\) = z\^2, n = 3 .*expected 6, got 5"),
    (check_intrinsic_dimension_by_rank, _rank_returns_features, r"should be an integer rank, got tensor of shape \(300, 200\).*matrix_rank"),
    (check_merge_closest_units, _merge_average, r"five unit rows on the circle .*\(output weights\)"),
    (check_merge_closest_units, _merge_unnormalised, r"five unit rows on the circle .*\(rows\)"),
    (check_merge_closest_units, _merge_by_distance, r"wrong value for six random rows in R\^3 \(rows\)"),
    (check_merge_closest_units, lambda w, u: (w, u), r"w_new for five unit rows .* should have shape \(4, 2\), got shape \(5, 2\)"),
    (check_merge_closest_units, _merge_ignores_norms, r"norms below 1 .*\(output weights\).*u_i \|w_i\| \+ u_j \|w_j\|"),
    (check_merge_closest_units, _merge_abs_cosine, r"wrong value for .*\(rows\).*largest cosine"),
    (check_merge_closest_units, _merge_in_place, r"changed its input `w`.*clone"),
    (check_merge_closest_units, _merge_appends, r"wrong value for five unit rows .*\(rows\).*at index i"),
    (check_gap_slope, lambda m, g: slope_ok(m, [[float(np.mean(v))] for v in g]), r"wrong value for five noisy pairs per width"),
    (check_gap_slope, lambda m, g: float(np.polyfit(np.log(m), [np.median(v) for v in g], 1)[0]),
     r"wrong value for exact gaps 3 m\^-0.5"),
    (check_gap_slope, lambda m, g: float(np.polyfit(np.log(m), np.log([np.median(v) for v in g]), 1)[1]),
     r"wrong value for exact gaps"),
    (check_gap_slope, _slope_swapped_axes, r"wrong value for exact gaps .*expected -0.5, got -2.*log median gap against log width"),
    (check_gap_slope, _slope_every_pair, r"wrong value for .*log median gap against log width"),
    (check_gap_slope, _slope_decay_exponent, r"wrong value for exact gaps .*expected -0.5, got 0.5"),
    (check_gap_slope, _slope_both_coefficients, r"should be a number, got numpy array of shape \(2,\)"),
    (check_gap_slope, _slope_median_wrong_axis, r"your function raised"),
    (check_gap_slope, _slope_endpoints, r"wrong value for five noisy pairs per width"),
]


@pytest.mark.parametrize("check, wrong, message", WRONG, ids=lambda c: getattr(c, "__name__", None))
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


def test_numpy_and_tensor_ranks_are_accepted(capsys) -> None:
    check_intrinsic_dimension_by_rank(lambda rho, n: np.int64(rank_ok(rho, n)))
    check_intrinsic_dimension_by_rank(lambda rho, n: torch.tensor(rank_ok(rho, n)))
    assert capsys.readouterr().out.count("passed") == 2


def test_a_student_exception_is_reported_briefly() -> None:
    with pytest.raises(SelfCheckFailed, match=r"check_merge_closest_units: your function raised IndexError"):
        check_merge_closest_units(lambda w, u: (w[99], u))
    with pytest.raises(SelfCheckFailed) as info:
        check_gap_slope(stub)
    assert "not implemented yet" in info.value._render_traceback_()[0]
