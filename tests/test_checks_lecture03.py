"""Lecture 03 self-checks: fail on the stub, pass on a correct answer, catch wrong answers."""

from __future__ import annotations

import pytest
import torch

from landscape_lib.checks._harness import SelfCheckFailed
from landscape_lib.checks.lecture03 import (
    check_insertion_step,
    check_power_law_exponent,
    check_segment_max_loss,
    check_weights_normalized_length,
)
from tests.helpers import assert_check_contract, stub


# -- correct answers, written independently of the library --------------------------------
def segment_ok(F, a, b, n_grid):
    t = torch.linspace(0, 1, n_grid, dtype=a.dtype)[:, None]
    return float(F((1 - t) * a + t * b).max())


def insertion_ok(beads, segment_max, level):
    out = []
    for j in range(len(beads) - 1):
        out.append(beads[j])
        if segment_max[j] > level:
            out.append((beads[j] + beads[j + 1]) / 2)
    out.append(beads[-1])
    return torch.stack(out)


def length_ok(beads, mask):
    b = beads[:, mask]
    return float((b[1:] - b[:-1]).norm(dim=1).sum() / (b[-1] - b[0]).norm())


def exponent_ok(x, y):
    u, v = torch.log(x), torch.log(y)
    u, v = u - u.mean(), v - v.mean()
    return float((u * v).sum() / (u * u).sum())


CHECKS = [
    (check_segment_max_loss, segment_ok),
    (check_insertion_step, insertion_ok),
    (check_weights_normalized_length, length_ok),
    (check_power_law_exponent, exponent_ok),
]


@pytest.mark.parametrize("check, solution", CHECKS, ids=lambda c: getattr(c, "__name__", ""))
def test_check_passes_on_a_correct_answer_and_fails_on_the_stub(check, solution, capsys) -> None:
    assert_check_contract(check, solution, capsys)


def _segment_open_grid(F, a, b, n_grid):  # forgets the end t = 1
    t = torch.linspace(0, 1, n_grid + 1, dtype=a.dtype)[:-1, None]
    return float(F((1 - t) * a + t * b).max())


def _insert_at_quarter(beads, segment_max, level):
    out = []
    for j in range(len(beads) - 1):
        out.append(beads[j])
        if segment_max[j] > level:
            out.append(0.75 * beads[j] + 0.25 * beads[j + 1])
    out.append(beads[-1])
    return torch.stack(out)


def _insert_replacing(beads, segment_max, level):  # replaces a bead instead of inserting
    out = beads.clone()
    for j in range(len(beads) - 1):
        if segment_max[j] > level:
            out[j] = (beads[j] + beads[j + 1]) / 2
    return out


@pytest.mark.parametrize("check, wrong, message", [
    (check_segment_max_loss, _segment_open_grid,
     r"wrong value for opposite points of the ring valley, n_grid = 3 \(t = 0, 0.5, 1\): expected 1, got 0.790123 "
     r"-- use t = torch.linspace\(0, 1, n_grid\) \(both ends included\)"),
    (check_segment_max_loss, lambda F, a, b, n: float(F((a + b) / 2)),
     r"wrong value for a quarter-circle chord of the ring valley"),
    (check_insertion_step, _insert_at_quarter, r"wrong value for one failing segment \(index 1\) of a 5-bead string: at index \(2, 0\)"),
    (check_insertion_step, _insert_replacing, r"expected 6 beads \(one new bead per failing segment, old beads kept\), got shape \(5, 3\)"),
    (check_insertion_step, lambda beads, m, level: insertion_ok(beads, m, level - 1e-12),  # `>=` instead of `>`
     r"no failing segment \(a maximum equal to the level passes\)"),
    (check_weights_normalized_length, lambda beads, mask: length_ok(beads, torch.ones_like(mask)),
     r"wrong value for a half circle whose third coordinate"),
    (check_weights_normalized_length, lambda beads, mask: float((beads[1:] - beads[:-1])[:, mask].norm(dim=1).sum()),
     r"wrong value for a half circle .*: expected 1.57039, got 3.1"),
    (check_power_law_exponent, lambda x, y: exponent_ok(torch.log10(x).neg().exp(), y),
     r"wrong value for exact y = 3 x\^-0.5"),
    (check_power_law_exponent, lambda x, y: float((torch.log(y[-1]) - torch.log(y[0])) / (torch.log(x[-1]) - torch.log(x[0]))),
     r"wrong value for noisy bead counts"),
    (check_power_law_exponent, lambda x, y: torch.tensor([1.0, 2.0]), r"should be a number, got tensor of shape \(2,\)"),
])
def test_check_catches_wrong_answers_with_an_actionable_message(check, wrong, message) -> None:
    with pytest.raises(SelfCheckFailed, match=message):
        check(wrong)


def test_a_student_exception_is_reported_briefly() -> None:
    with pytest.raises(SelfCheckFailed, match=r"check_insertion_step: your function raised IndexError"):
        check_insertion_step(lambda beads, m, level: beads[99])


def test_failure_renders_as_one_short_line_in_jupyter() -> None:
    with pytest.raises(SelfCheckFailed) as info:
        check_segment_max_loss(stub)
    lines = info.value._render_traceback_()
    assert len(lines) == 1 and "not implemented yet" in lines[0]
