"""Lecture 03 self-checks: fail on the stub, pass on a correct answer, catch wrong answers."""

from __future__ import annotations

import math

import pytest
import torch

from landscape_lib.checks._harness import SelfCheckFailed
from landscape_lib.checks.lecture03 import (
    check_bead_law_exponent,
    check_greedy_dss,
    check_insertion_step,
    check_max_chord,
    check_segment_max_loss,
)
from landscape_lib.dss import connect_many, fit_power_law, train_below
from landscape_lib.paths import segment_max
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


CHECKS = [
    (check_segment_max_loss, segment_ok),
    (check_insertion_step, insertion_ok),
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


# -- the exercises that assemble DSS and check its bead law ---------------------------------


def greedy_dss_ok(F, a, b, L0, alpha=0.95, slack=1.1, n_grid=100, lr=1e-2, max_depth=8, train=True, grid=None):
    """Breadth-first greedy DSS from the pieces (``train=False``/``grid`` inject the wrong answers below)."""
    beads, new = torch.stack([a, (a + b) / 2, b]), [1]
    for depth in range(max_depth + 1):
        if train:
            beads = beads.clone()
            beads[new] = train_below(F, beads[new], alpha * L0, lr=lr, max_steps=5000).theta
        seg = segment_max(F, beads[:-1], beads[1:], grid or n_grid)[0]
        failing = (seg > slack * L0).tolist()
        if not any(failing) or depth == max_depth:
            return beads
        out, new = [], []
        for j in range(len(beads) - 1):
            out.append(beads[j])
            if failing[j]:
                new.append(len(out))
                out.append((beads[j] + beads[j + 1]) / 2)
        out.append(beads[-1])
        beads = torch.stack(out)


def max_chord_ok(L0):
    return math.sqrt(8) * L0 ** 0.25


def bead_law_ok(thresholds):
    n = len(thresholds)
    a = torch.tensor([1.0, 0.0], dtype=torch.float64).expand(n, 2)
    b = torch.tensor([-1.0, 1e-3], dtype=torch.float64).expand(n, 2)
    rs = connect_many(ring_valley(), a, b, thresholds, lr=1e-2, max_steps=5000)
    return fit_power_law(thresholds, [r.n_beads - 1 for r in rs])[1]


from landscape_lib.toys import ring_valley  # noqa: E402


@pytest.mark.parametrize("check, solution", [
    (check_greedy_dss, greedy_dss_ok), (check_max_chord, max_chord_ok), (check_bead_law_exponent, bead_law_ok),
], ids=lambda c: getattr(c, "__name__", ""))
def test_new_checks_pass_on_a_correct_answer_and_fail_on_the_stub(check, solution, capsys) -> None:
    assert_check_contract(check, solution, capsys)


def _moves_endpoints(F, a, b, L0):
    beads = greedy_dss_ok(F, a, b, L0)
    return torch.cat([beads[:1] + 1e-3, beads[1:]])


def _bead_law_on_beads(thresholds):  # fits n_beads instead of the segments
    n = len(thresholds)
    rs = connect_many(ring_valley(), torch.tensor([1.0, 0.0], dtype=torch.float64).expand(n, 2),
                      torch.tensor([-1.0, 1e-3], dtype=torch.float64).expand(n, 2), thresholds, lr=1e-2, max_steps=5000)
    return fit_power_law(thresholds, [r.n_beads for r in rs])[1]


@pytest.mark.parametrize("check, wrong, message", [
    (check_greedy_dss, lambda F, a, b, L0: torch.stack([a, (a + b) / 2, b]), r"bead 1 has loss .* > alpha \* L0"),
    (check_greedy_dss, lambda F, a, b, L0: greedy_dss_ok(F, a, b, L0, grid=2),  # checks the beads only
     r"rises to .* between its beads"),
    (check_greedy_dss, lambda F, a, b, L0: greedy_dss_ok(F, a, b, L0, train=False), r"bead \d+ has loss"),
    (check_greedy_dss, _moves_endpoints, r"the endpoints moved"),
    (check_max_chord, lambda L0: math.sqrt(8 * (math.sqrt(1 + math.sqrt(L0)) - math.sqrt(1 - math.sqrt(L0)))),
     r"wrong value for L0 = 0.25"),  # the sagitta approximation, not the exact chord
    (check_max_chord, lambda L0: 2 * math.sqrt(2 * L0), r"wrong value for L0 = 0.25"),  # r^2 = 1 +- L0
    (check_max_chord, lambda L0: math.sqrt(8) * L0 ** 0.5, r"wrong value for L0 = 0.25"),
    (check_bead_law_exponent, _bead_law_on_beads, r"fit the number of \*segments\*"),
    (check_bead_law_exponent, lambda th: 1 / bead_law_ok(th), r"wrong value for 4 thresholds"),
])
def test_new_checks_catch_wrong_answers(check, wrong, message) -> None:
    with pytest.raises(SelfCheckFailed, match=message):
        check(wrong)
