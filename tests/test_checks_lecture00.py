"""Lecture 00 self-checks: fail on the stub, pass on a correct answer, catch wrong answers."""

from __future__ import annotations

import math
from collections import deque

import pytest
import torch

from landscape_lib import paths
from landscape_lib.checks._harness import SelfCheckFailed
from landscape_lib.checks.lecture00 import (
    check_count_components,
    check_mountain_pass_level,
    check_ring_geodesic,
    check_straight_line_barrier,
)
from tests.helpers import assert_check_contract, stub


# -- correct answers, written independently of the library --------------------------------
def barrier_ok(F, a, b, n_points):
    t = torch.linspace(0, 1, n_points, dtype=a.dtype)[:, None]
    losses = F((1 - t) * a + t * b)
    return float(losses.max() - max(losses[0], losses[-1]))


def labels_ok(mask):
    """Component labels by flood fill (0 outside), as a student would write them."""
    labels = torch.zeros(mask.shape, dtype=torch.long)
    n = 0
    rows, cols = mask.shape
    for i in range(rows):
        for j in range(cols):
            if mask[i, j] and not labels[i, j]:
                n += 1
                labels[i, j] = n
                queue = deque([(i, j)])
                while queue:
                    r, c = queue.popleft()
                    for a, b in ((r + 1, c), (r - 1, c), (r, c + 1), (r, c - 1)):
                        if 0 <= a < rows and 0 <= b < cols and mask[a, b] and not labels[a, b]:
                            labels[a, b] = n
                            queue.append((a, b))
    return labels


def count_ok(mask):
    return int(labels_ok(mask).max())


def mountain_pass_ok(values, start, end):
    """Bisection over the sorted distinct values: the first level at which the two cells share a component."""
    levels = sorted(set(values.flatten().tolist()))
    lo, hi = 0, len(levels) - 1
    while lo < hi:
        mid = (lo + hi) // 2
        labels = labels_ok(values <= levels[mid])
        if labels[start] and labels[start] == labels[end]:
            hi = mid
        else:
            lo = mid + 1
    return levels[lo]


def ring_geodesic_ok(level):
    r = math.sqrt(1 - math.sqrt(level))
    tangents = 2 * math.sqrt(1 - r * r)  # from (+-1, 0) to the tangent points of the inner circle
    arc = r * (math.pi - 2 * math.acos(r))  # around the inner circle between them
    return (tangents + arc) / 2


def line_max(values, start, end):
    """The plausible wrong answer: the highest value on the grid row between the cells."""
    lo, hi = sorted((start[0], end[0]))
    return float(values[lo:hi + 1, start[1]].max()) if start[1] == end[1] else float(values.max())


CHECKS = [
    (check_count_components, count_ok),
    (check_straight_line_barrier, barrier_ok),
    (check_mountain_pass_level, mountain_pass_ok),
    (check_ring_geodesic, ring_geodesic_ok),
]


@pytest.mark.parametrize("check, solution", CHECKS, ids=lambda c: getattr(c, "__name__", ""))
def test_check_passes_on_a_correct_answer_and_fails_on_the_stub(check, solution, capsys) -> None:
    assert_check_contract(check, solution, capsys)


# -- plausible wrong answers, one table per exercise (issue 13: >= 5 each, all rejected) ---------
def _count(mask, neighbours=((1, 0), (-1, 0), (0, 1), (0, -1)), rows_cut=0):
    """Flood-fill count with configurable neighbours / a scan that misses the last rows."""
    rows, cols = mask.shape
    seen, n = set(), 0
    for i in range(rows - rows_cut):
        for j in range(cols):
            if mask[i, j] and (i, j) not in seen:
                n += 1
                seen.add((i, j))
                stack = [(i, j)]
                while stack:
                    r, c = stack.pop()
                    for dr, dc in neighbours:
                        a, b = r + dr, c + dc
                        if 0 <= a < rows and 0 <= b < cols and mask[a, b] and (a, b) not in seen:
                            seen.add((a, b))
                            stack.append((a, b))
    return n


EIGHT = tuple((dr, dc) for dr in (-1, 0, 1) for dc in (-1, 0, 1) if (dr, dc) != (0, 0))


def _count_erasing(mask):
    """The right count, but the flood fill erases the caller's mask as it goes."""
    n = count_ok(mask)
    mask.zero_()
    return n


COUNT_WRONG = [
    (lambda m: int(m.sum() > 0), r"wrong value for two separate blobs: expected 2, got 1"),
    (lambda m: int(m.sum()), r"wrong value for two separate blobs: expected 2, got 5"),
    (lambda m: _count(m, EIGHT), r"cells touching only at a corner .*: expected 2, got 1"),  # diagonals joined
    (lambda m: _count(~m), r"wrong value for an empty mask: expected 0, got 1"),  # counts the False cells
    (lambda m: _count(m, rows_cut=1), r"wrong value for two separate blobs: expected 2, got 1"),  # off by one row
    (_count_erasing, r"changed its input `mask` in place -- work on a copy"),
    (lambda m: torch.ones(2), r"should be a number, got .*did you forget a sum"),
]


def _barrier(F, a, b, n_points, ref="max"):
    t = torch.linspace(0, 1, n_points, dtype=a.dtype)[:, None]
    losses = F((1 - t) * a + t * b)
    end = {"max": max(losses[0], losses[-1]), "a": losses[0], "min": min(losses[0], losses[-1]), "none": 0.0}[ref]
    return float(losses.max() - end)


def _barrier_float32_t(F, a, b, n_points):  # torch.linspace without dtype=a.dtype
    t = torch.linspace(0, 1, n_points)[:, None]
    losses = F((1 - t) * a + t * b)
    return float(losses.max() - max(losses[0], losses[-1]))


BARRIER_WRONG = [
    (lambda F, a, b, n: _barrier(F, a, b, n, ref="a"), r"b higher .* measured from F\(a\); subtract the higher end"),
    (lambda F, a, b, n: _barrier(F, a, b, 101), r"n_points = 4 .* that uses 101 points; use the `n_points`"),
    (lambda F, a, b, n: _barrier(F, a, b, n + 1), r"double well .* uses n_points \+ 1 points; torch.linspace\(0, 1, n_points\) already includes"),
    (lambda F, a, b, n: _barrier(F, a, b, n, ref="min"), r"convex bowl .* subtracts the lower end; subtract the higher end"),
    (lambda F, a, b, n: _barrier(F, a, b, n, ref="none"), r"convex bowl .* that is the maximum itself"),
    (lambda F, a, b, n: float(F((a + b) / 2)), r"wrong value for the convex bowl .*: expected 0, got 1.6875"),
    (lambda F, a, b, n: F(torch.stack([a, b])), r"should be a number, got .*did you forget"),  # a tensor of losses
    (lambda F, a, b, n: float("nan"), r"should be finite, got nan"),
    (_barrier_float32_t, r"your t is float32 \(torch.linspace's default\): pass dtype=a.dtype"),
]


def _mountain_pass(values, start, end, tol=0.0, strict=False, transpose=False):
    levels = sorted(set(values.flatten().tolist()))
    lo, hi = 0, len(levels) - 1
    while lo < hi:
        mid = (lo + hi) // 2
        mask = values < levels[mid] + tol if strict else values <= levels[mid] + tol
        labels = labels_ok(mask.T if transpose else mask)
        s, e = (start[::-1], end[::-1]) if transpose else (start, end)
        if labels[s] and labels[s] == labels[e]:
            hi = mid
        else:
            lo = mid + 1
    return levels[lo]


MOUNTAIN_WRONG = [
    (line_max, r"ring valley .*maximum along the straight grid line"),
    (lambda v, s, e: max(float(v[s]), float(v[e])), r"double well .*higher of the two end values"),
    (lambda v, s, e: _mountain_pass(v, s, e, tol=1e-3), r"ring valley .* too low: .* no tolerance"),  # issue 13
    (lambda v, s, e: _mountain_pass(v, s, e, strict=True), r"too high: the two cells are already in one component"),
    (lambda v, s, e: float(v.max()), r"double well .* too high"),
    (lambda v, s, e: float(v.flatten().sort().values[v.numel() // 2]), r"wrong value for the double well"),  # the median
    (lambda v, s, e: v.shape[7], r"your function raised IndexError"),
]


RING_WRONG = [
    (lambda level: math.pi / 2, r"level 0.0001 -- pi/2 is only the limit at the floor"),
    (lambda level: 2 * ring_geodesic_ok(level), r"that is the length itself"),
    (lambda level: math.pi * math.sqrt(1 - math.sqrt(level)) / 2, r"add the two tangent segments"),
    (lambda level: ring_geodesic_ok(level ** 2), r"level 0.0001 -- that uses r_in = sqrt\(1 - level\)"),
    (lambda level: (2 * math.sqrt(1 - (1 - math.sqrt(level))) + math.pi * math.sqrt(1 - math.sqrt(level))) / 2,
     r"wrong value for level 0.0001"),  # the full half circle on top of the tangents
    (lambda level: 1.0, r"wrong value for level 0.0001: expected 1.56326, got 1"),  # the straight line
    (lambda level: "1.0", r"should be a number, got str '1.0'"),
]

WRONG = ([(check_count_components, w, m) for w, m in COUNT_WRONG]
         + [(check_straight_line_barrier, w, m) for w, m in BARRIER_WRONG]
         + [(check_mountain_pass_level, w, m) for w, m in MOUNTAIN_WRONG]
         + [(check_ring_geodesic, w, m) for w, m in RING_WRONG])


@pytest.mark.parametrize("check, wrong, message", WRONG)
def test_check_catches_wrong_answers_with_an_actionable_message(check, wrong, message) -> None:
    with pytest.raises(SelfCheckFailed, match=message):
        check(wrong)


@pytest.mark.parametrize("table", [COUNT_WRONG, BARRIER_WRONG, MOUNTAIN_WRONG, RING_WRONG])
def test_every_exercise_has_at_least_five_wrong_answers(table) -> None:
    assert len(table) >= 5


def test_correct_answers_may_be_numpy_or_0d_tensors() -> None:
    import numpy as np
    check_count_components(lambda m: np.int64(count_ok(m)))
    check_straight_line_barrier(lambda F, a, b, n: torch.tensor(barrier_ok(F, a, b, n), dtype=torch.float64))
    check_ring_geodesic(lambda level: np.float64(ring_geodesic_ok(level)))


def test_check_refuses_something_that_is_not_a_function() -> None:
    with pytest.raises(TypeError, match=r"check_ring_geodesic: argument must be your function"):
        check_ring_geodesic(42)


def test_failure_renders_as_one_short_line_in_jupyter() -> None:
    with pytest.raises(SelfCheckFailed) as info:
        check_ring_geodesic(stub)
    lines = info.value._render_traceback_()
    assert len(lines) == 1 and "not implemented yet" in lines[0]


def test_library_barrier_agrees_with_the_independent_solution() -> None:
    from landscape_lib.toys import double_well
    F = double_well()
    a, b = torch.tensor([-1.0, 0.3], dtype=torch.float64), torch.tensor([1.0, 0.0], dtype=torch.float64)
    assert paths.barrier(F, a, b, 101) == pytest.approx(barrier_ok(F, a, b, 101))


def test_an_equivalent_parametrisation_of_the_segment_passes(capsys) -> None:
    """The tight tolerance (1e-9) catches a float32 grid, not `a + t (b - a)` instead of `(1 - t) a + t b`."""
    def barrier_other_form(F, a, b, n_points):
        t = torch.linspace(0, 1, n_points, dtype=a.dtype)[:, None]
        losses = F(a + t * (b - a))
        return float(losses.max() - torch.maximum(losses[0], losses[-1]))

    check_straight_line_barrier(barrier_other_form)
    assert "passed" in capsys.readouterr().out
