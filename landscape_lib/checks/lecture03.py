"""Self-checks of the lecture 03 exercises (Dynamic String Sampling).

Each ``check_*`` runs the student's function on cases with known answers -- closed forms or the
library's own implementation in :mod:`landscape_lib.dss` -- and prints one line on success or
raises ``SelfCheckFailed`` with the case, the expected value and the value returned.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import torch
from torch import Tensor

from .. import paths, toys
from ..dss import reference, segments
from ..landscape import Landscape
from ._harness import SelfCheckFailed, call_student, expect_close, expect_tensor, passed

_F64 = torch.float64


def _pt(*xs: float) -> Tensor:
    return torch.tensor(xs, dtype=_F64)


def check_segment_max_loss(segment_max_loss: Callable[[Landscape, Tensor, Tensor, int], float]) -> None:
    r"""``segment_max_loss(F, a, b, n_grid)`` = $\max_t F((1-t)a + tb)$ on ``n_grid`` points, ends included."""
    name = "check_segment_max_loss"
    cases = [
        (toys.ring_valley(), _pt(1, 0), _pt(-1, 0), 3, "opposite points of the ring valley, n_grid = 3 (t = 0, 0.5, 1)"),
        (toys.ring_valley(), _pt(1, 0), _pt(0, 1), 100, "a quarter-circle chord of the ring valley, n_grid = 100"),
        (toys.double_well(), _pt(-1, 0), _pt(1, 0.2), 100, "the double well between its wells, n_grid = 100"),
        (toys.convex_bowl(), _pt(0.2, 0), _pt(1.5, 1), 4, "the convex bowl, maximum at the end t = 1 (n_grid = 4)"),
    ]
    for F, a, b, n_grid, case in cases:
        got = call_student(name, segment_max_loss, F, a.clone(), b.clone(), n_grid)
        expected = float(paths.segment_max(F, a[None], b[None], n_grid)[0][0])
        try:
            expect_close(name, got, expected, case=case, rtol=1e-9, atol=1e-12)
        except SelfCheckFailed as exc:
            raise SelfCheckFailed(f"{exc} -- use t = torch.linspace(0, 1, n_grid) (both ends included) "
                                  "and the points (1 - t) a + t b") from None
    passed(name, "grid maxima match on the ring valley, the double well and the bowl (ends included)")


def check_insertion_step(insertion_step: Callable[[Tensor, Tensor, float], Tensor]) -> None:
    r"""``insertion_step(beads, segment_max, level)``: a midpoint bead in every segment whose maximum > level."""
    name = "check_insertion_step"
    g = torch.Generator().manual_seed(3)
    beads = torch.randn(5, 3, generator=g, dtype=_F64)
    cases = [
        (_pt(0.1, 0.9, 0.2, 0.3), 0.5, "one failing segment (index 1) of a 5-bead string"),
        (_pt(0.9, 0.2, 0.3, 0.9), 0.5, "the first and the last segment failing"),
        (_pt(0.9, 0.9, 0.9, 0.1), 0.5, "three neighbouring failing segments"),
        (_pt(0.1, 0.2, 0.5, 0.3), 0.5, "no failing segment (a maximum equal to the level passes)"),
    ]
    for seg_max, level, case in cases:
        expected = beads
        for j in reversed([j for j, m in enumerate(seg_max.tolist()) if m > level]):
            expected = segments.insert_bead(expected, j, 0.5)
        got = call_student(name, insertion_step, beads.clone(), seg_max.clone(), level)
        got = expect_tensor(name, got, what=f"the result for {case}")
        if got.shape != expected.shape:
            raise SelfCheckFailed(
                f"{name}: for {case} expected {len(expected)} beads (one new bead per failing segment, "
                f"old beads kept), got shape {tuple(got.shape)}")
        expect_close(name, got, expected, case=case, rtol=1e-12, atol=1e-12)
    passed(name, "new midpoint beads land in every failing segment, in order, old beads untouched")


def check_weights_normalized_length(weights_normalized_length: Callable[[Tensor, Tensor], float]) -> None:
    r"""``weights_normalized_length(beads, mask)`` = $\sum_i\lVert (b_{i+1}-b_i)_{M}\rVert / \lVert (b_k-b_0)_{M}\rVert$."""
    name = "check_weights_normalized_length"
    n = 40
    angles = torch.linspace(0, math.pi, n + 1, dtype=_F64)
    # A half circle in the first two coordinates, a large wiggle in the third (masked out).
    circle = torch.stack([torch.cos(angles), torch.sin(angles), 5 * torch.sin(7 * angles)], dim=1)
    g = torch.Generator().manual_seed(4)
    random = torch.randn(7, 12, generator=g, dtype=_F64)
    random_mask = torch.rand(12, generator=g) < 0.6
    cases = [
        (circle, torch.tensor([True, True, False]), n * math.sin(math.pi / (2 * n)),
         "a half circle whose third coordinate (a 'bias', masked out) wiggles"),
        (circle[[0, 20, 40]], torch.tensor([True, False, True]), None, "three beads, mask on coordinates 0 and 2"),
        (random, random_mask, None, "7 random beads in R^12 with a random mask"),
        (random, torch.ones(12, dtype=torch.bool), None, "7 random beads, all coordinates counted"),
    ]
    for beads, mask, expected, case in cases:
        if expected is None:
            expected = paths.normalized_geodesic_length(beads, mask)
        got = call_student(name, weights_normalized_length, beads.clone(), mask.clone())
        expect_close(name, got, expected, case=case, rtol=1e-9)
    passed(name, "lengths on the masked coordinates match (half circle -> pi/2, random strings)")


def check_power_law_exponent(power_law_exponent: Callable[[Tensor, Tensor], float]) -> None:
    r"""``power_law_exponent(x, y)`` = slope $k$ of the least-squares line through $(\log x, \log y)$."""
    name = "check_power_law_exponent"
    x = torch.tensor([0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1], dtype=_F64)
    g = torch.Generator().manual_seed(5)
    noisy = 2.0 * x**-0.6 * torch.exp(0.2 * torch.randn(len(x), generator=g, dtype=_F64))
    cases = [
        (x, 3.0 * x**-0.5, -0.5, "exact y = 3 x^-0.5"),
        (x, 7.0 * x**1.25, 1.25, "exact y = 7 x^1.25 (a positive exponent)"),
        (x, noisy, None, "noisy bead counts ~ 2 x^-0.6 (least squares on log-log axes)"),
    ]
    for xs, ys, expected, case in cases:
        if expected is None:
            expected = reference.fit_power_law(xs, ys)[1]
        got = call_student(name, power_law_exponent, xs.clone(), ys.clone())
        expect_close(name, got, expected, case=case, rtol=1e-6, atol=1e-9)
    passed(name, "exponents of exact and noisy power laws match the least-squares slope")
