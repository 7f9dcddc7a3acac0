"""Self-checks of the lecture 05 exercises (the geometry of level sets on real data).

Each ``check_*`` runs the student's function on cases with known answers -- the library's own
implementation (:mod:`landscape_lib.paths`, :mod:`landscape_lib.plots.geometry`,
:mod:`landscape_lib.dss.growth`) or a closed form -- and prints one line on success or raises
``SelfCheckFailed`` with the case, the expected value and the value returned.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import torch
from torch import Tensor

from .. import toys
from ..dss.growth import PAPER_MNIST, fit_growth
from ..dss.reference import PAPER_QUADRATIC
from ..landscape import Landscape
from ..paths import segment_max
from ..plots.geometry import string_plane
from ._harness import SelfCheckFailed, call_student, expect_close, passed

_F64 = torch.float64


def _close_or_hint(name: str, got: object, expected: Tensor | float, *, case: str, hint: str,
                   rtol: float, atol: float) -> None:
    """:func:`expect_close`, with a hint appended to its failure message."""
    try:
        expect_close(name, got, expected, case=case, rtol=rtol, atol=atol)
    except SelfCheckFailed as exc:
        raise SelfCheckFailed(f"{exc} -- {hint}") from None


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
    ]
    for beads, L0, slack, n_grid, case in cases:
        got = call_student(name, certifies, ring, beads.clone(), L0, slack, n_grid)
        if isinstance(got, Tensor) and got.numel() == 1:
            got = bool(got)
        if not isinstance(got, bool):
            raise SelfCheckFailed(f"{name}: the result for {case} should be True or False, got {type(got).__name__}")
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
        got = call_student(name, plane_coordinates, beads.clone())
        expected = string_plane(beads)[2]
        _close_or_hint(name, got, expected, case=case, rtol=1e-8, atol=1e-10,
                       hint="u is the unit chord; v the unit deviation *from the chord* of the bead that deviates "
                            "most; coordinates are dot products of b_i - theta_A with u and v")
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
        _close_or_hint(name, got, expected, case=case, rtol=1e-6, atol=1e-9,
                       hint="regress length - 1 on log10(1 / L0) (base 10: per decade; 1/L0: positive when the "
                            "length grows as the level falls)")
    passed(name, "growth per decade of L0 matches the least-squares fit (0.28 on the paper's quadratic points)")
