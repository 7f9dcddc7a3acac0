"""Lecture 00 self-checks: fail on the stub, pass on a correct answer, catch wrong answers."""

from __future__ import annotations

from collections import deque

import pytest
import torch

from landscape_lib import paths
from landscape_lib.checks._harness import SelfCheckFailed
from landscape_lib.checks.lecture00 import (
    check_count_components,
    check_normalized_length,
    check_straight_line_barrier,
    check_sublevel_mask,
)
from tests.helpers import assert_check_contract, stub


# -- correct answers, written independently of the library --------------------------------
def mask_ok(values, level):
    return values <= level


def count_ok(mask):
    seen, n = set(), 0
    rows, cols = mask.shape
    for start in ((i, j) for i in range(rows) for j in range(cols) if mask[i, j]):
        if start in seen:
            continue
        n += 1
        queue = deque([start])
        seen.add(start)
        while queue:
            i, j = queue.popleft()
            for a, b in ((i + 1, j), (i - 1, j), (i, j + 1), (i, j - 1)):
                if 0 <= a < rows and 0 <= b < cols and mask[a, b] and (a, b) not in seen:
                    seen.add((a, b))
                    queue.append((a, b))
    return n


def barrier_ok(F, a, b, n_points):
    t = torch.linspace(0, 1, n_points, dtype=a.dtype)[:, None]
    losses = F((1 - t) * a + t * b)
    return float(losses.max() - max(losses[0], losses[-1]))


def length_ok(beads):
    return float((beads[1:] - beads[:-1]).norm(dim=1).sum() / (beads[-1] - beads[0]).norm())


CHECKS = [
    (check_sublevel_mask, mask_ok),
    (check_count_components, count_ok),
    (check_straight_line_barrier, barrier_ok),
    (check_normalized_length, length_ok),
]


@pytest.mark.parametrize("check, solution", CHECKS, ids=lambda c: getattr(c, "__name__", ""))
def test_check_passes_on_a_correct_answer_and_fails_on_the_stub(check, solution, capsys) -> None:
    assert_check_contract(check, solution, capsys)


@pytest.mark.parametrize("check, wrong, message", [
    (check_sublevel_mask, lambda v, lev: v < lev, r"wrong value for a level equal to one of the values"),
    (check_sublevel_mask, lambda v, lev: (v <= lev).int(), r"should be a boolean tensor, got dtype torch.int32"),
    (check_sublevel_mask, lambda v, lev: (v <= lev)[0], r"should have shape \(7, 5\), got shape \(5,\)"),
    (check_count_components, lambda m: int(m.sum() > 0), r"wrong value for two separate blobs: expected 2, got 1"),
    (check_straight_line_barrier, lambda F, a, b, n: float(F((a + b) / 2)),
     r"wrong value for the convex bowl .*: expected 0, got 1.6875"),
    (check_straight_line_barrier, lambda F, a, b, n: float("nan"), r"should be finite, got nan"),
    (check_normalized_length, lambda beads: float((beads[1:] - beads[:-1]).norm(dim=1).sum()),
     r"wrong value for three beads on a straight line: expected 1, got 4.24264"),
    (check_normalized_length, lambda beads: beads.shape[7], r"your function raised IndexError"),
    (check_normalized_length, lambda beads: "1.0", r"should be a number, got str '1.0'"),
])
def test_check_catches_wrong_answers_with_an_actionable_message(check, wrong, message) -> None:
    with pytest.raises(SelfCheckFailed, match=message):
        check(wrong)


def test_check_refuses_something_that_is_not_a_function() -> None:
    with pytest.raises(TypeError, match=r"check_sublevel_mask: argument must be your function"):
        check_sublevel_mask(42)


def test_failure_renders_as_one_short_line_in_jupyter() -> None:
    with pytest.raises(SelfCheckFailed) as info:
        check_normalized_length(stub)
    lines = info.value._render_traceback_()
    assert len(lines) == 1 and "not implemented yet" in lines[0]


def test_library_barrier_agrees_with_the_independent_solution() -> None:
    from landscape_lib.toys import double_well
    F = double_well()
    a, b = torch.tensor([-1.0, 0.3], dtype=torch.float64), torch.tensor([1.0, 0.0], dtype=torch.float64)
    assert paths.barrier(F, a, b, 101) == pytest.approx(barrier_ok(F, a, b, 101))
