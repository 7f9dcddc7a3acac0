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
from ._harness import call_student, expect_close, expect_inputs_unchanged, expect_number, passed

_F64 = torch.float64


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
        given = mask.clone()
        got = call_student(name, count_components, given)
        expect_inputs_unchanged(name, case, mask=(given, mask))
        expect_close(name, got, expected, case=case)
    g = torch.Generator().manual_seed(1)
    for trial in range(3):
        mask = torch.rand(12, 15, generator=g) < 0.45
        got = call_student(name, count_components, mask.clone())
        expect_close(name, got, sublevel.count_components(mask), case=f"random 12x15 mask #{trial}")
    passed(name, f"{len(_COMPONENT_CASES)} hand-made masks and 3 random masks counted correctly")


def _segment_losses(F, a: Tensor, b: Tensor, n_points: int, t_dtype: torch.dtype = _F64) -> Tensor:
    t = torch.linspace(0, 1, n_points, dtype=t_dtype)[:, None]  # (1 - t) * a promotes to float64
    return F.evaluate((1 - t) * a + t * b)


def _barrier_hint(F, a: Tensor, b: Tensor, n_points: int, value: float) -> str:
    """Name the usual mistake when ``value`` equals what it produces."""
    losses = _segment_losses(F, a, b, n_points)
    top, fa, fb = float(losses.max()), float(losses[0]), float(losses[-1])
    known = [
        (top - fa, "that is measured from F(a); subtract the higher end, max(F(a), F(b))"),
        (top - min(fa, fb), "that subtracts the lower end; subtract the higher end, max(F(a), F(b))"),
        (top, "that is the maximum itself; subtract the higher end, max(F(a), F(b))"),
        (float(_segment_losses(F, a, b, 101).max()) - max(fa, fb), "that uses 101 points; use the `n_points` you are given"),
        (float(_segment_losses(F, a, b, n_points + 1).max()) - max(fa, fb),
         "that uses n_points + 1 points; torch.linspace(0, 1, n_points) already includes both ends"),
        (float(_segment_losses(F, a, b, n_points, t_dtype=torch.float32).max()) - max(fa, fb),
         "your t is float32 (torch.linspace's default): pass dtype=a.dtype to keep float64"),
    ]
    expected = top - max(fa, fb)
    for wrong, hint in known:
        if not math.isclose(wrong, expected, rel_tol=1e-9, abs_tol=1e-12) and math.isclose(value, wrong, rel_tol=1e-9, abs_tol=1e-12):
            return f" -- {hint}"
    return ""


def check_straight_line_barrier(straight_line_barrier: Callable[..., float]) -> None:
    """``straight_line_barrier(F, a, b, n_points)`` = max of F on the segment minus the higher end."""
    name = "check_straight_line_barrier"
    pt = lambda x, y: torch.tensor([x, y], dtype=_F64)
    cases = [
        (toys.convex_bowl(), pt(-1, 1), pt(1, 0.5), 101, "the convex bowl (a convex function has no barrier)"),
        (toys.double_well(), pt(-1, 0), pt(1, 0), 101, "the double well between its minima (the saddle is at height 1)"),
        (toys.ring_valley(), pt(1, 0), pt(-1, 0), 101, "opposite points of the ring valley (crosses the bump)"),
        (toys.double_well(), pt(-1, 0.5), pt(1, 0), 101, "ends at different heights, a higher (subtract the higher end)"),
        (toys.double_well(), pt(1, 0), pt(-1, 0.5), 101, "ends at different heights, b higher (subtract the higher end)"),
        (toys.ring_valley(), pt(1, 0), pt(-1, 0), 4, "the ring valley with n_points = 4 (t = 0, 1/3, 2/3, 1 misses the bump's top)"),
        (toys.double_well(), pt(-1, 0.2), pt(1, 0.1), 6, "the double well with n_points = 6 and uneven ends"),
    ]
    for F, a, b, n_points, case in cases:
        got = call_student(name, straight_line_barrier, F, a.clone(), b.clone(), n_points)
        value = expect_number(name, got, what=f"the barrier for {case}")
        expected = paths.barrier(F, a, b, n_points)
        hint = _barrier_hint(F, a, b, n_points, value)
        expect_close(name, value, expected, case=f"{case}{hint}", rtol=1e-9, atol=1e-12)
    passed(name, "barriers match on the bowl (0), the double well (1), the ring valley (1), uneven ends and a coarse grid")


def _mountain_pass_level(values: Tensor, start: tuple[int, int], end: tuple[int, int]) -> float:
    """Reference: the lowest grid value at which ``start`` and ``end`` share a component (bisection)."""
    levels = torch.unique(values)  # sorted
    lo, hi = 0, len(levels) - 1
    while lo < hi:
        mid = (lo + hi) // 2
        labels, _ = sublevel.label_components(values <= levels[mid])
        if labels[start] != 0 and labels[start] == labels[end]:
            hi = mid
        else:
            lo = mid + 1
    return float(levels[lo])


def _grid_values(landscape, extent: tuple[float, float, float, float], n: int) -> tuple[Tensor, Tensor, Tensor]:
    xs = torch.linspace(extent[0], extent[1], n, dtype=_F64)
    ys = torch.linspace(extent[2], extent[3], n, dtype=_F64)
    return xs, ys, sublevel.evaluate_on_grid(landscape, (xs, ys))


def _cell(xs: Tensor, ys: Tensor, x: float, y: float) -> tuple[int, int]:
    return int((xs - x).abs().argmin()), int((ys - y).abs().argmin())


def _mountain_pass_cases() -> list[tuple[Tensor, tuple[int, int], tuple[int, int], str]]:
    cases = []
    xs, ys, v = _grid_values(toys.double_well(), (-2, 2, -1.5, 1.5), 81)
    cases.append((v, _cell(xs, ys, -1, 0), _cell(xs, ys, 1, 0), "the double well between its minima (saddle at 1)"))
    xs, ys, v = _grid_values(toys.ring_valley(), (-1.6, 1.6, -1.6, 1.6), 81)
    cases.append((v, _cell(xs, ys, 1, 0), _cell(xs, ys, -1, 0),
                  "opposite points of the ring valley (the lowest path goes round the bump)"))
    xs, ys, v = _grid_values(toys.many_minima(), (-2.5, 2.5, -2.5, 2.5), 101)
    cases.append((v, _cell(xs, ys, 0, 0), _cell(xs, ys, 2, 1), "two wells of the many-minima field"))
    g = torch.Generator().manual_seed(3)
    rough = torch.rand(9, 11, generator=g, dtype=_F64)
    cases.append((rough, (0, 0), (8, 10), "a random 9x11 field, opposite corners"))
    # a shallow field: its 99 values lie within 0.01, so a mask `values <= level + tol` with a
    # tolerance joins the cells too early (compare exactly: the levels are grid values)
    shallow = 0.01 * torch.rand(9, 11, generator=g, dtype=_F64)
    cases.append((shallow, (8, 0), (0, 10), "a shallow random 9x11 field (values within 0.01), opposite corners"))
    return cases


def check_mountain_pass_level(mountain_pass_level: Callable[..., float]) -> None:
    r"""``mountain_pass_level(values, start, end)``: the lowest grid level $\lambda$ joining two cells in $\Omega(\lambda)$."""
    name = "check_mountain_pass_level"
    for values, start, end, case in _mountain_pass_cases():
        got = call_student(name, mountain_pass_level, values.clone(), start, end)
        value = expect_number(name, got, what=f"the level for {case}")
        expected = _mountain_pass_level(values, start, end)
        lo, hi = sorted((start[0], end[0]))
        line = float(values[lo:hi + 1, start[1]].max()) if start[1] == end[1] else None
        hint = ""
        if math.isclose(value, max(float(values[start]), float(values[end])), abs_tol=1e-12) and value < expected:
            hint = " -- that is the higher of the two end values; the two cells join only when a whole path is below the level"
        elif line is not None and math.isclose(value, line, abs_tol=1e-12) and value > expected:
            hint = " -- that is the maximum along the straight grid line; a path around the obstacle may stay lower"
        elif value > expected:
            hint = " -- too high: the two cells are already in one component at a lower grid value"
        elif value < expected:
            hint = (" -- too low: at that level the two cells are not yet in one component (build the mask with "
                    "`values <= level` exactly, no tolerance, and 4-neighbours only)")
        expect_close(name, value, expected, case=f"{case}{hint}", rtol=0, atol=1e-12)
    passed(name, "the mountain pass of the double well (1.0), the ring valley (~0), two wells and a random field")


def check_ring_geodesic(ring_geodesic: Callable[[float], float]) -> None:
    r"""``ring_geodesic(level)``: normalized geodesic length from (1, 0) to (-1, 0) inside the ring valley's $\Omega(\lambda)$."""
    name = "check_ring_geodesic"
    for level in (1e-4, 0.01, 0.1, 0.3, 0.7, 1.0):
        got = call_student(name, ring_geodesic, level)
        value = expect_number(name, got, what=f"the ratio at level {level}")
        expected = toys.ring_valley_geodesic(level)
        r_in = math.sqrt(1 - math.sqrt(level))
        hint = ""
        if math.isclose(value, 2 * expected, rel_tol=1e-6):
            hint = " -- that is the length itself: divide by the distance 2 between the end points"
        elif math.isclose(value, math.pi / 2, rel_tol=1e-9):
            hint = " -- pi/2 is only the limit at the floor; the hole shrinks as the level rises"
        elif math.isclose(value, math.pi * r_in / 2, rel_tol=1e-6):
            hint = " -- the half circle of radius r_in does not reach the end points: add the two tangent segments"
        elif level < 1 and math.isclose(value, toys.ring_valley_geodesic(level**2), rel_tol=1e-9):
            hint = " -- that uses r_in = sqrt(1 - level); (r^2 - 1)^2 <= level gives r_in^2 = 1 - sqrt(level)"
        expect_close(name, value, expected, case=f"level {level}{hint}", rtol=1e-9, atol=1e-12)
    passed(name, "tangent + arc + tangent matches the closed form from the floor (pi/2) to lambda = 1 (straight line)")
