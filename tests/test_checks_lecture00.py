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


@pytest.mark.parametrize("check, wrong, message", [
    (check_count_components, lambda m: int(m.sum() > 0), r"wrong value for two separate blobs: expected 2, got 1"),
    (check_straight_line_barrier, lambda F, a, b, n: float(F((a + b) / 2)),
     r"wrong value for the convex bowl .*: expected 0, got 1.6875"),
    (check_straight_line_barrier, lambda F, a, b, n: float("nan"), r"should be finite, got nan"),
    (check_count_components, lambda m: int(m.sum()), r"wrong value for two separate blobs: expected 2, got 5"),
    (check_mountain_pass_level, line_max, r"ring valley .*maximum along the straight grid line"),
    (check_mountain_pass_level, lambda v, s, e: max(float(v[s]), float(v[e])), r"double well .*higher of the two end values"),
    (check_mountain_pass_level, lambda v, s, e: v.shape[7], r"your function raised IndexError"),
    (check_ring_geodesic, lambda level: math.pi / 2, r"level 0.0001 -- pi/2 is only the limit at the floor"),
    (check_ring_geodesic, lambda level: 2 * ring_geodesic_ok(level), r"that is the length itself"),
    (check_ring_geodesic, lambda level: math.pi * math.sqrt(1 - math.sqrt(level)) / 2, r"add the two tangent segments"),
    (check_ring_geodesic, lambda level: "1.0", r"should be a number, got str '1.0'"),
])
def test_check_catches_wrong_answers_with_an_actionable_message(check, wrong, message) -> None:
    with pytest.raises(SelfCheckFailed, match=message):
        check(wrong)


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
