"""Self-checks of the lecture 00 exercises (landscapes and level sets).

Each ``check_*`` runs the student's function on cases with known answers -- closed forms or the
library's own implementation -- and prints one line on success or raises ``SelfCheckFailed``.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import torch
from torch import Tensor

from .. import paths, toys
from ..topology import sublevel
from ._harness import call_student, expect_close, passed

_F64 = torch.float64


def check_sublevel_mask(sublevel_mask: Callable[[Tensor, float], Tensor]) -> None:
    """``sublevel_mask(values, level)`` must return the boolean tensor ``values <= level``."""
    name = "check_sublevel_mask"
    g = torch.Generator().manual_seed(0)
    values = torch.rand(7, 5, generator=g, dtype=_F64)
    cases = [(values, 0.5, "a 7x5 grid of values in [0, 1] at level 0.5"),
             (values, values[3, 2].item(), "a level equal to one of the values (the boundary counts: F <= level)"),
             (values, -1.0, "a level below every value (empty set)")]
    for vals, level, case in cases:
        got = call_student(name, sublevel_mask, vals.clone(), level)
        expect_close(name, got, sublevel.sublevel_mask(vals, level), case=case)
    passed(name, "masks match F <= level on 3 cases, boundary included")


def _mask(rows: list[str]) -> Tensor:
    return torch.tensor([[c == "#" for c in row] for row in rows])


_COMPONENT_CASES = [
    (_mask(["....", "....", "...."]), 0, "an empty mask"),
    (_mask(["##..", "##..", "...#"]), 2, "two separate blobs"),
    (_mask(["#.", ".#"]), 2, "two cells touching only at a corner (diagonal steps do not connect)"),
    (_mask(["#####", "#...#", "#.#.#", "#...#", "#####"]), 2, "a ring around a single cell"),
    (_mask(["#.#.#", "#.#.#", "#####"]), 1, "a comb joined at the bottom"),
]


def check_count_components(count_components: Callable[[Tensor], int]) -> None:
    """``count_components(mask)`` must count 4-connected components of a 2-D boolean mask."""
    name = "check_count_components"
    for mask, expected, case in _COMPONENT_CASES:
        got = call_student(name, count_components, mask.clone())
        expect_close(name, got, expected, case=case)
    g = torch.Generator().manual_seed(1)
    for trial in range(3):
        mask = torch.rand(12, 15, generator=g) < 0.45
        got = call_student(name, count_components, mask.clone())
        expect_close(name, got, sublevel.count_components(mask), case=f"random 12x15 mask #{trial}")
    passed(name, f"{len(_COMPONENT_CASES)} hand-made masks and 3 random masks counted correctly")


def check_straight_line_barrier(straight_line_barrier: Callable[..., float]) -> None:
    """``straight_line_barrier(F, a, b, n_points)`` = max of F on the segment minus the higher end."""
    name = "check_straight_line_barrier"
    pt = lambda x, y: torch.tensor([x, y], dtype=_F64)  # noqa: E731
    cases = [
        (toys.convex_bowl(), pt(-1, 1), pt(1, 0.5), "the convex bowl (a convex function has no barrier)"),
        (toys.double_well(), pt(-1, 0), pt(1, 0), "the double well between its minima (the saddle is at height 1)"),
        (toys.ring_valley(), pt(1, 0), pt(-1, 0), "opposite points of the ring valley (crosses the bump)"),
        (toys.double_well(), pt(-1, 0.5), pt(1, 0), "ends at different heights (subtract the higher end)"),
    ]
    for F, a, b, case in cases:
        got = call_student(name, straight_line_barrier, F, a.clone(), b.clone(), 101)
        expect_close(name, got, paths.barrier(F, a, b, 101), case=case, rtol=1e-6, atol=1e-9)
    passed(name, "barriers match on the bowl (0), the double well (1), the ring valley (1) and an uneven pair")


def check_normalized_length(normalized_length: Callable[[Tensor], float]) -> None:
    """``normalized_length(beads)`` = polygon length / distance between the first and last bead."""
    name = "check_normalized_length"
    n = 50
    angles = torch.linspace(0, math.pi, n + 1, dtype=_F64)
    half_circle = torch.stack([torch.cos(angles), torch.sin(angles)], dim=1)
    cases = [
        (torch.tensor([[0.0, 0.0], [1.0, 1.0], [3.0, 3.0]], dtype=_F64), 1.0, "three beads on a straight line"),
        (torch.tensor([[0.0, 0.0], [0.0, 1.0], [1.0, 1.0], [1.0, 0.0]], dtype=_F64), 3.0, "three sides of a unit square"),
        (half_circle, n * math.sin(math.pi / (2 * n)), "50 chords of a half circle (-> pi/2 as the chords shrink)"),
        (torch.randn(6, 40, generator=torch.Generator().manual_seed(2), dtype=_F64), None, "6 random beads in R^40"),
    ]
    for beads, expected, case in cases:
        if expected is None:
            expected = paths.normalized_geodesic_length(beads)
        got = call_student(name, normalized_length, beads.clone())
        expect_close(name, got, expected, case=case, rtol=1e-9)
    passed(name, "straight line 1, square 3, half circle ~ pi/2 and a random string in R^40")
