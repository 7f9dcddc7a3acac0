"""Self-checks of the lecture 04 exercises (energy gap, intrinsic dimension, compressibility).

Each ``check_*`` runs the student's function on cases with known answers -- closed forms or the
library's own implementation (:mod:`landscape_lib.topology.energy_gap`,
:mod:`landscape_lib.models.one_hidden_relu`, :func:`landscape_lib.dss.fit_power_law`) -- and
prints one line on success or raises ``SelfCheckFailed`` with the case, the expected value and the
value returned.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable

import numpy as np
import torch
from torch import Tensor

from ..dss import fit_power_law
from ..landscape import AnalyticLandscape
from ..models.one_hidden_relu import intrinsic_dimension, merge_closest_units
from ..topology.energy_gap import OracleAnswer, energy_gap
from ..validation import describe
from ._harness import (
    SelfCheckFailed,
    call_student,
    expect_close,
    expect_inputs_unchanged,
    expect_number,
    expect_tensor,
    hinted,
    passed,
)

_F64 = torch.float64


def _library_bracket(barrier: float, lower: float, upper: float, rtol: float) -> tuple[float, float]:
    """The bracket :func:`energy_gap` reaches with the exact oracle "connected iff L0 >= barrier"."""
    def oracle(landscape, a, b, thresholds):
        return [OracleAnswer(bool(t >= barrier), float(t), float(t), None) for t in thresholds.tolist()]

    flat = AnalyticLandscape(lambda t: 1e-12 + 0 * t.sum(), 1)  # endpoints far below any threshold
    one, two = torch.zeros(1, dtype=_F64), torch.ones(1, dtype=_F64)
    gap = energy_gap(flat, one, two, lower=lower, upper=upper, rtol=rtol, max_rounds=200, oracle=oracle,
                     progress=False)
    return gap.lower, gap.upper


def check_bisect_threshold(bisect_threshold: Callable[[Callable[[float], bool], float, float, float], tuple[float, float]]) -> None:
    r"""``bisect_threshold(connects, lower, upper, rtol)``: geometric bisection to ``upper/lower - 1 <= rtol``."""
    name = "check_bisect_threshold"
    cases = [
        (1.0, 0.1, 10.0, 0.01, "a barrier at 1 in the bracket [0.1, 10], rtol 0.01"),
        (0.37, 0.001, 2.0, 0.05, "a barrier at 0.37 in [0.001, 2], rtol 0.05 (a wide bracket)"),
        (5.0, 4.9, 5.2, 0.001, "a barrier at 5 in the narrow bracket [4.9, 5.2], rtol 0.001"),
        # upper / lower - 1 = 0.0105 > rtol but (upper - lower) / upper = 0.01039 <= rtol: exactly one step is due
        (1.004, 1.0, 1.0105, 0.0104, "a barrier at 1.004 in [1, 1.0105], rtol 0.0104 (exactly one step is due)"),
        (2.0, 1.5, 2.5, 1.0, "a barrier at 2 in [1.5, 2.5], rtol 1 (already narrow enough: no step, no oracle call)"),
    ]
    for barrier, lower, upper, rtol, case in cases:
        calls: list[float] = []

        def connects(L0: float, barrier: float = barrier, calls: list[float] = calls) -> bool:
            calls.append(float(L0))
            return float(L0) >= barrier

        got = call_student(name, bisect_threshold, connects, lower, upper, rtol)
        if not isinstance(got, tuple) or len(got) != 2:
            raise SelfCheckFailed(f"{name}: for {case} return a tuple (lower, upper), got {type(got).__name__} {got!r}")
        lo, hi = (expect_number(name, x, what=f"the bracket end for {case}") for x in got)
        if not (lo < barrier <= hi):
            raise SelfCheckFailed(f"{name}: for {case} the bracket ({lo:.6g}, {hi:.6g}) must contain the barrier "
                                  f"{barrier}: `lower` must fail to connect and `upper` must connect")
        exp_lo, exp_hi = _library_bracket(barrier, lower, upper, rtol)
        with hinted("thresholds are multiplicative: bisect at the geometric mean sqrt(lower * upper) and stop "
                    "once upper / lower - 1 <= rtol"):
            expect_close(name, lo, exp_lo, case=f"{case} (lower end)", rtol=1e-9)
            expect_close(name, hi, exp_hi, case=f"{case} (upper end)", rtol=1e-9)
        needed = math.ceil(math.log2(math.log(upper / lower) / math.log1p(rtol)))
        if len(calls) > needed + 2:
            raise SelfCheckFailed(f"{name}: for {case} your function called the oracle {len(calls)} times; "
                                  f"bisection needs about {needed} (each call is a whole DSS run)")
    passed(name, "brackets match the library's geometric bisection on three barriers")


def check_intrinsic_dimension_by_rank(intrinsic_dimension_by_rank: Callable[..., int]) -> None:
    r"""``intrinsic_dimension_by_rank(rho, input_dim)`` = rank of $[\rho(\langle w_k, x_i\rangle)]_{ik}$ for many random $w, x$."""
    name = "check_intrinsic_dimension_by_rank"
    cases = [
        (lambda z: z**2, 3, intrinsic_dimension(3, 2), "rho(z) = z^2, n = 3 (expected n(n+1)/2)"),
        (lambda z: z**3, 3, intrinsic_dimension(3, 3), "rho(z) = z^3, n = 3"),
        (lambda z: z, 5, intrinsic_dimension(5, 1), "rho(z) = z (linear), n = 5"),
        (lambda z: z**2 + z, 3, intrinsic_dimension(3, 2) + intrinsic_dimension(3, 1),
         "rho(z) = z^2 + z, n = 3 (quadratic forms plus linear forms)"),
        (lambda z: z**4, 2, intrinsic_dimension(2, 4), "rho(z) = z^4, n = 2"),
    ]
    for rho, n, expected, case in cases:
        got = call_student(name, intrinsic_dimension_by_rank, rho, n)
        if isinstance(got, (Tensor, np.ndarray, np.generic)) and (
                got.numel() if isinstance(got, Tensor) else np.size(got)) == 1:
            got = got.item()  # a 0-d tensor, or the np.int64 of np.linalg.matrix_rank: a correct answer
        if isinstance(got, float) and got.is_integer():
            got = int(got)
        if isinstance(got, bool) or not isinstance(got, numbers.Integral):
            raise SelfCheckFailed(f"{name}: the result for {case} should be an integer rank, got {describe(got)}"
                                  " (return the rank of the feature matrix rho(x @ w.T), e.g. torch.linalg.matrix_rank)")
        expect_close(name, got, expected, case=case)
    passed(name, "numerical ranks match the monomial counts C(n+d-1, d) (and their sum for z^2 + z)")


def check_merge_closest_units(merge: Callable[[Tensor, Tensor], tuple[Tensor, Tensor]]) -> None:
    r"""``merge(w, u)``: the two rows closest in angle become one unit on their bisector, weight $u_i\lVert w_i\rVert+u_j\lVert w_j\rVert$."""
    name = "check_merge_closest_units"
    g = torch.Generator().manual_seed(7)
    phi = torch.tensor([0.0, 2.0, 0.3, 4.0, 5.5], dtype=_F64)
    circle = torch.stack([torch.cos(phi), torch.sin(phi)], dim=1)
    rows = torch.randn(6, 3, generator=g, dtype=_F64)
    cases = [
        (circle, torch.tensor([1.0, -0.5, 2.0, 0.7, -1.2], dtype=_F64), "five unit rows on the circle (units 0 and 2 closest)"),
        (circle * torch.tensor([[1.0], [0.6], [0.5], [0.9], [0.8]], dtype=_F64), torch.tensor([1.0, -0.5, 2.0, 0.7, -1.2], dtype=_F64),
         "the same rows with norms below 1 (the unit ball)"),
        (rows, torch.randn(6, generator=g, dtype=_F64), "six random rows in R^3"),
    ]
    for w, u, case in cases:
        exp_w, exp_u, _ = merge_closest_units(w, u)
        given_w, given_u = w.clone(), u.clone()
        got = call_student(name, merge, given_w, given_u)
        expect_inputs_unchanged(name, case, w=(given_w, w), u=(given_u, u))
        if not isinstance(got, tuple) or len(got) < 2:
            raise SelfCheckFailed(f"{name}: for {case} return a tuple (w_new, u_new), got {type(got).__name__}")
        got_w = expect_tensor(name, got[0], shape=exp_w.shape, what=f"w_new for {case}")
        got_u = expect_tensor(name, got[1], shape=exp_u.shape, what=f"u_new for {case}")
        with hinted("merge the pair i < j with the largest cosine (the smallest angle: not the smallest distance, "
                    "and the sign counts); put the unit bisector at index i, delete row j; the output weight is "
                    "u_i |w_i| + u_j |w_j| (relu is positively homogeneous)"):
            expect_close(name, got_w, exp_w, case=f"{case} (rows)", rtol=1e-9, atol=1e-12)
            expect_close(name, got_u, exp_u, case=f"{case} (output weights)", rtol=1e-9, atol=1e-12)
    passed(name, "the closest pair is merged onto its unit bisector with the homogeneous output weight")


def check_gap_slope(gap_slope: Callable[[list[int], list[list[float]]], float]) -> None:
    r"""``gap_slope(widths, gaps)`` = slope $k$ of the least-squares line through $(\log m, \log\operatorname{median}\varepsilon_m)$."""
    name = "check_gap_slope"
    widths = [2, 4, 8, 16, 32]
    g = np.random.default_rng(11)
    exact = [[3.0 * m**-0.5] * 3 for m in widths]
    noisy = [list(0.8 * m**-1.2 * np.exp(0.3 * g.standard_normal(5))) for m in widths]
    outlier = [[m**-0.5, m**-0.5, 50 * m**-0.5] if m == 2 else [m**-0.5] * 3 for m in widths]
    cases = [
        (exact, "exact gaps 3 m^-0.5 (three equal pairs per width)"),
        (noisy, "five noisy pairs per width around 0.8 m^-1.2"),
        (outlier, "m^-0.5 with one outlying pair at m = 2 (the median ignores it, the mean does not)"),
    ]
    for gaps, case in cases:
        expected = fit_power_law(widths, [float(np.median(v)) for v in gaps])[1]
        got = call_student(name, gap_slope, list(widths), [list(v) for v in gaps])
        with hinted("fit a least-squares line to the log median gap against log width (every width, its median "
                    "over pairs) and return its slope"):
            expect_close(name, got, expected, case=case, rtol=1e-6, atol=1e-9)
    passed(name, "slopes of the log median gap against log width match the least-squares fit")
