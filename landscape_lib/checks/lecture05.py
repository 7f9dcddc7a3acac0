"""Self-checks of the lecture 05 exercises (the geometry of level sets on real data).

Each ``check_*`` runs the student's function on cases with known answers -- the library's own
implementation (:mod:`landscape_lib.paths`, :mod:`landscape_lib.plots.geometry`,
:mod:`landscape_lib.dss.growth`) or a closed form -- and prints one line on success or raises
``SelfCheckFailed`` with the case, the expected value and the value returned.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
import torch
from torch import Tensor

from .. import toys
from ..dss.growth import PAPER_MNIST, fit_growth
from ..dss.reference import PAPER_QUADRATIC
from ..landscape import Landscape
from ..paths import segment_max
from ..plots.geometry import string_plane
from ..validation import describe
from ._harness import (
    SelfCheckFailed,
    call_student,
    expect_close,
    expect_inputs_unchanged,
    hinted,
    passed,
)

_F64 = torch.float64


def _circle(angles: list[float]) -> Tensor:
    a = torch.tensor(angles, dtype=_F64)
    return torch.stack([torch.cos(a), torch.sin(a)], dim=1)


def check_certifies(certifies: Callable[[Landscape, Tensor, float, float, int], bool]) -> None:
    r"""``certifies(F, beads, threshold, slack, n_grid)``: every segment's grid maximum $\le$ slack * threshold."""
    name = "check_certifies"
    ring = toys.ring_valley()
    cases = [
        (_circle([0, math.pi / 2, math.pi]), 0.01, 1.1, 20,
         "3 beads on the ring's floor, quarter-circle chords: every bead is fine, the segments are not"),
        (_circle([k * math.pi / 8 for k in range(9)]), 0.01, 1.1, 20, "9 beads on the ring's floor (short chords)"),
        (_circle([k * math.pi / 4 for k in range(5)]), 0.02, 1.1, 20,
         "5 beads on the ring's floor: the chords' midpoints (loss 0.0215) lie between L0 = 0.02 and m L0 = 0.022"),
        (_circle([0, math.pi / 2, math.pi]), 0.01, 1.1, 2, "the 3-bead string checked at the beads only (n_grid = 2)"),
        (torch.tensor([[1.0, 0.0], [0.0, 0.001], [-1.0, 0.0]], dtype=_F64), 0.01, 1.1, 21,
         "a string through the bump of the ring valley"),
        (_circle([0, math.pi / 3, 2 * math.pi / 3, math.pi]), 0.01, 1.1, 20,
         "4 beads on the ring's floor: the chords' midpoints (loss 0.0625) lie above m L0 = 0.011 but below 0.11"),
        # F((0, 0)) = 1 = m L0 exactly (m = 2 and L0 = 0.5 are exact in binary): the certificate holds (<=)
        (torch.tensor([[0.0, 0.0], [1.0, 0.0]], dtype=_F64), 0.5, 2.0, 11,
         "a string whose grid maximum is exactly m L0 = 1 (at its first bead; the test is <=)"),
        # floor beads, then a last bead at radius 1.2 (loss 0.194 > m L0 = 0.165); t = 0.8 on the last segment: 0.119
        (torch.cat([_circle([0, math.pi / 8, math.pi / 4]), 1.2 * _circle([math.pi / 4])]), 0.15, 1.1, 5,
         "a string whose last bead (only) is above m L0, n_grid = 5 (t runs from 0 to 1 inclusive)"),
    ]
    for beads, L0, slack, n_grid, case in cases:
        given = beads.clone()
        got = call_student(name, certifies, ring, given, L0, slack, n_grid)
        expect_inputs_unchanged(name, case, beads=(given, beads))
        if isinstance(got, (Tensor, np.ndarray, np.bool_)) and (
                got.numel() if isinstance(got, Tensor) else np.size(got)) == 1:
            got = bool(got)  # a one-element boolean tensor or array, or np.bool_: a correct answer
        if not isinstance(got, bool):
            raise SelfCheckFailed(f"{name}: the result for {case} should be True or False, got {describe(got)}")
        maxima, _ = segment_max(ring, beads[:-1], beads[1:], n_grid)
        expected = bool(maxima.max() <= slack * L0)
        if got != expected:
            raise SelfCheckFailed(
                f"{name}: wrong answer for {case}: expected {expected}, got {got} (largest segment maximum on the grid "
                f"{float(maxima.max()):.4g}, acceptance level m L0 = {slack * L0:.4g}) -- check every segment on "
                "torch.linspace(0, 1, n_grid), against slack * threshold")
    passed(name, "segments (not just beads) are checked on the grid against m L0")


def check_plane_coordinates(plane_coordinates: Callable[[Tensor], Tensor]) -> None:
    r"""``plane_coordinates(beads)``: coordinates (n, 2) in the plane of the chord and the most deviating bead."""
    name = "check_plane_coordinates"
    g = torch.Generator().manual_seed(5)
    random = torch.randn(6, 5, generator=g, dtype=_F64)
    # the bead farthest from theta_A (index 3) is not the one farthest from the chord (index 1)
    tricky = torch.tensor([[0.0, 0, 0], [2.0, 0.5, 0], [3.0, 0, 0.2], [5.5, 0, 0.3], [4.0, 0, 0]], dtype=_F64)
    scaled = torch.tensor([[1.0, 1.0], [2.0, 3.0], [5.0, 1.0]], dtype=_F64)
    cases = [(scaled, "a 3-bead string in the plane (the plane is the plane itself)"),
             (tricky, "a string whose bead farthest from theta_A is not the one farthest from the chord"),
             (random, "6 random beads in 5 dimensions")]
    for beads, case in cases:
        given = beads.clone()
        got = call_student(name, plane_coordinates, given)
        expect_inputs_unchanged(name, case, beads=(given, beads))
        expected = string_plane(beads)[2]
        with hinted("u is the unit chord; v the unit deviation *from the chord* of the bead that deviates most; "
                    "coordinates are dot products of b_i - theta_A with u and v"):
            expect_close(name, got, expected, case=case, rtol=1e-8, atol=1e-10)
    passed(name, "the chord and the largest deviation span the plane; the endpoints sit at (0, 0) and (|chord|, 0)")


def check_growth_per_decade(growth_per_decade: Callable[[Tensor, Tensor], float]) -> None:
    r"""``growth_per_decade(levels, lengths)``: slope $b$ of length - 1 = a + b log10(1 / L0), least squares."""
    name = "check_growth_per_decade"
    levels = torch.tensor([0.5, 0.2, 0.1, 0.02, 0.01], dtype=_F64)
    exact = 1 + 0.02 + 0.05 * torch.log10(1 / levels)
    cases = [
        (levels, exact, "an exact law: length = 1.02 + 0.05 log10(1/L0)"),
        (torch.tensor([p[0] for p in PAPER_QUADRATIC], dtype=_F64), torch.tensor([p[1] for p in PAPER_QUADRATIC], dtype=_F64),
         "Freeman & Bruna's quadratic points (about 0.28 per decade)"),
        (torch.tensor([p[0] for p in PAPER_MNIST], dtype=_F64), torch.tensor([p[1] for p in PAPER_MNIST], dtype=_F64),
         "Freeman & Bruna's MNIST points"),
    ]
    for x, y, case in cases:
        got = call_student(name, growth_per_decade, x.clone(), y.clone())
        expected = fit_growth(x, y - 1, "log").b
        with hinted("regress length - 1 on log10(1 / L0) (base 10: per decade; 1/L0: positive when the length "
                    "grows as the level falls)"):
            expect_close(name, got, expected, case=case, rtol=1e-6, atol=1e-9)
    passed(name, "growth per decade of L0 matches the least-squares fit (0.28 on the paper's quadratic points)")
