"""Lecture 03 self-checks: fail on the stub, pass on a correct answer, catch wrong answers."""

from __future__ import annotations

import math

import pytest
import torch

from landscape_lib import paths
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


def _segment_on(F, a, b, t):
    return float(F((1 - t[:, None]) * a + t[:, None] * b).max())


def _insert_shifted(beads, segment_max, level):  # the midpoint of the *next* segment (off by one)
    out = []
    for j in range(len(beads) - 1):
        out.append(beads[j])
        if segment_max[j] > level:
            k = min(j + 1, len(beads) - 2)
            out.append((beads[k] + beads[k + 1]) / 2)
    out.append(beads[-1])
    return torch.stack(out)


def _insert_first_only(beads, segment_max, level):  # stops after the first failing segment
    failing = [j for j in range(len(beads) - 1) if segment_max[j] > level]
    if not failing:
        return beads.clone()
    j = failing[0]
    return torch.cat([beads[: j + 1], ((beads[j] + beads[j + 1]) / 2)[None], beads[j + 1:]])


def _insert_aliased(beads, segment_max, level):  # `mid = beads[j]` is a view: `+=` writes into the string
    out = []
    for j in range(len(beads) - 1):
        out.append(beads[j])
        if segment_max[j] > level:
            mid = beads[j]
            mid += beads[j + 1]
            mid /= 2
            out.append(mid)
    out.append(beads[-1])
    return torch.stack(out)


SEGMENT_WRONG = [
    (_segment_open_grid, (r"wrong value for opposite points of the ring valley, n_grid = 3 \(t = 0, 0.5, 1\): expected 1, "
                          r"got 0.790123 -- use t = torch.linspace\(0, 1, n_grid\) \(both ends included\)")),
    (lambda F, a, b, n: float(F((a + b) / 2)), r"wrong value for a quarter-circle chord of the ring valley"),
    (lambda F, a, b, n: _segment_on(F, a, b, torch.linspace(0, 1, 100, dtype=a.dtype)),  # ignores n_grid
     r"n_grid = 3 .* that is the maximum on 100 points; use the `n_grid`"),
    (lambda F, a, b, n: _segment_on(F, a, b, torch.linspace(0, 1, n + 2, dtype=a.dtype)[1:-1]),  # interior only
     r"quarter-circle chord .* the two ends t = 0 and t = 1 are part of the segment"),
    (lambda F, a, b, n: paths.barrier(F, a, b, n), r"double well .* that is the barrier .* return the maximum itself"),
    (lambda F, a, b, n: F(torch.stack([a, b])), r"should be a number, got .*did you forget"),  # losses, no max
    (lambda F, a, b, n: int(F((1 - torch.linspace(0, 1, n, dtype=a.dtype)[:, None]) * a
                              + torch.linspace(0, 1, n, dtype=a.dtype)[:, None] * b).argmax()),  # where, not how high
     r"wrong value for a quarter-circle chord of the ring valley, n_grid = 100: expected 0.249949, got 49 -- use"),
    (lambda F, a, b, n: _segment_on(F, a, b, torch.linspace(0, 1, n)), r"your t is float32 \(torch.linspace's default\)"),
]

INSERTION_WRONG = [
    (_insert_at_quarter, r"wrong value for one failing segment \(index 1\) of a 5-bead string: at index \(2, 0\)"),
    (_insert_replacing, r"expected 6 beads \(one new bead per failing segment, old beads kept\), got shape \(5, 3\)"),
    (lambda beads, m, level: insertion_ok(beads, m, level - 1e-12),  # `>=` instead of `>`
     r"no failing segment \(a maximum equal to the level passes\)"),
    (_insert_shifted, r"wrong value for one failing segment \(index 1\) of a 5-bead string: at index \(2, 0\)"),
    (lambda beads, m, level: insertion_ok(beads, m, level)[:-1], r"expected 6 beads .* got shape \(5, 3\)"),  # drops b_n
    (_insert_first_only, r"for the first and the last segment failing expected 7 beads"),
    (lambda beads, m, level: list(insertion_ok(beads, m, level)), r"should be a torch.Tensor, got list"),
    (_insert_aliased, r"changed the beads it was given -- an in-place operation on a view"),
]

WRONG = ([(check_segment_max_loss, w, m) for w, m in SEGMENT_WRONG]
         + [(check_insertion_step, w, m) for w, m in INSERTION_WRONG])


@pytest.mark.parametrize("check, wrong, message", WRONG)
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


from landscape_lib.toys import ring_valley


@pytest.mark.parametrize("check, solution", [
    (check_greedy_dss, greedy_dss_ok), (check_max_chord, max_chord_ok), (check_bead_law_exponent, bead_law_ok),
], ids=lambda c: getattr(c, "__name__", ""))
def test_new_checks_pass_on_a_correct_answer_and_fail_on_the_stub(check, solution, capsys) -> None:
    assert_check_contract(check, solution, capsys)


def _moves_endpoints(F, a, b, L0):
    beads = greedy_dss_ok(F, a, b, L0)
    return torch.cat([beads[:1] + 1e-3, beads[1:]])


def _bead_law_on_beads(thresholds):  # fits n_beads instead of the segments
    return _bead_law_fit(thresholds, count=lambda r: r.n_beads)


def _bead_law_fit(thresholds, x=lambda L: L, log=True, count=lambda r: r.n_beads - 1):
    """The bead-law fit with one mistake injected: the abscissa ``x``, no logs, or what is counted."""
    import numpy as np
    n = len(thresholds)
    rs = connect_many(ring_valley(), torch.tensor([1.0, 0.0], dtype=torch.float64).expand(n, 2),
                      torch.tensor([-1.0, 1e-3], dtype=torch.float64).expand(n, 2), thresholds, lr=1e-2, max_steps=5000)
    segs = [count(r) for r in rs]
    if log:
        return fit_power_law([x(L) for L in thresholds], segs)[1]
    return float(np.polyfit(thresholds, segs, 1)[0])  # a straight line through the raw counts


GREEDY_WRONG = [
    (lambda F, a, b, L0: torch.stack([a, (a + b) / 2, b]), r"bead 1 has loss .* > alpha \* L0"),
    (lambda F, a, b, L0: greedy_dss_ok(F, a, b, L0, grid=2), r"rises to .* between its beads"),  # checks the beads only
    (lambda F, a, b, L0: greedy_dss_ok(F, a, b, L0, train=False), r"bead \d+ has loss"),
    (_moves_endpoints, r"the endpoints moved"),
    (lambda F, a, b, L0: greedy_dss_ok(F, a, b, 0.01), r"L0 = 1e-3 bead \d+ has loss"),  # ignores L0
    (lambda F, a, b, L0: greedy_dss_ok(F, a, b, L0, max_depth=0), r"rises to .* between its beads"),  # one round only
    (lambda F, a, b, L0: greedy_dss_ok(F, a, b, L0, alpha=2.0), r"bead \d+ has loss .* > alpha \* L0"),  # trains to 2 L0
    (lambda F, a, b, L0: list(greedy_dss_ok(F, a, b, L0)), r"should be a torch.Tensor, got list"),
]

CHORD_WRONG = [
    (lambda L0: math.sqrt(8 * (math.sqrt(1 + math.sqrt(L0)) - math.sqrt(1 - math.sqrt(L0)))),
     r"wrong value for L0 = 0.25"),  # the sagitta approximation, not the exact chord
    (lambda L0: 2 * math.sqrt(2 * L0), r"wrong value for L0 = 0.25"),  # r^2 = 1 +- L0
    (lambda L0: math.sqrt(8) * L0 ** 0.5, r"wrong value for L0 = 0.25"),
    (lambda L0: max_chord_ok(L0) / 2, r"wrong value for L0 = 0.25: expected 2, got 1"),  # half the chord
    (lambda L0: math.sqrt(1 + math.sqrt(L0)) - math.sqrt(1 - math.sqrt(L0)), r"wrong value for L0 = 0.25"),  # the width
    (lambda L0: 2 * math.sqrt(1 + math.sqrt(L0)), r"wrong value for L0 = 0.25"),  # the outer diameter
    (lambda L0: 2 * math.sqrt(math.sqrt(1 + math.sqrt(L0)) - math.sqrt(1 - math.sqrt(L0))),  # r instead of r^2
     r"wrong value for L0 = 0.25"),
]

BEAD_LAW_WRONG = [
    (_bead_law_on_beads, r"fit the number of \*segments\*"),
    (lambda th: 1 / bead_law_ok(th), r"wrong value for 4 thresholds"),
    (lambda th: bead_law_ok([0.1, 0.01, 1e-3, 1e-4]), r"wrong value for 9 thresholds"),  # ignores `thresholds`
    (lambda th: _bead_law_fit(th, x=lambda L: 1 / L), r"the sign is flipped: fit the segments against L0"),
    (lambda th: -0.25, r"-1/4 is the sagitta law's prediction"),
    (lambda th: _bead_law_fit(th, log=False), r"wrong value for 4 thresholds .* on log-log axes"),
]

NEW_WRONG = ([(check_greedy_dss, w, m) for w, m in GREEDY_WRONG]
             + [(check_max_chord, w, m) for w, m in CHORD_WRONG]
             + [(check_bead_law_exponent, w, m) for w, m in BEAD_LAW_WRONG])


@pytest.mark.parametrize("check, wrong, message", NEW_WRONG)
def test_new_checks_catch_wrong_answers(check, wrong, message) -> None:
    with pytest.raises(SelfCheckFailed, match=message):
        check(wrong)


@pytest.mark.parametrize("table", [SEGMENT_WRONG, INSERTION_WRONG, GREEDY_WRONG, CHORD_WRONG, BEAD_LAW_WRONG])
def test_every_exercise_has_at_least_five_wrong_answers(table) -> None:
    assert len(table) >= 5


def test_an_equivalent_parametrisation_of_the_segment_passes(capsys) -> None:
    """The tight tolerance (1e-9) catches a float32 grid, not `a + t (b - a)` instead of `(1 - t) a + t b`."""
    check_segment_max_loss(lambda F, a, b, n: float(F(a + torch.linspace(0, 1, n, dtype=a.dtype)[:, None] * (b - a)).max()))
    assert "passed" in capsys.readouterr().out
