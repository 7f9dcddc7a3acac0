"""Lecture 05 self-checks: fail on the stub, pass on a correct answer, catch wrong answers."""

from __future__ import annotations

import math

import pytest
import torch

from landscape_lib.checks._harness import SelfCheckFailed
from landscape_lib.checks.lecture05 import check_certifies, check_growth_per_decade, check_plane_coordinates
from tests.helpers import assert_check_contract


# -- correct answers, written independently of the library --------------------------------
def certifies_ok(F, beads, threshold, slack, n_grid):
    t = torch.linspace(0, 1, n_grid, dtype=beads.dtype)[None, :, None]
    points = (1 - t) * beads[:-1, None, :] + t * beads[1:, None, :]
    return bool(F(points.reshape(-1, beads.shape[1])).max() <= slack * threshold)


def plane_ok(beads):
    rel = beads - beads[0]
    u = rel[-1] / rel[-1].norm()
    dev = rel - (rel @ u)[:, None] * u
    v = dev[dev.norm(dim=1).argmax()]
    v = v / v.norm()
    return torch.stack([rel @ u, rel @ v], dim=1)


def growth_ok(levels, lengths, log=torch.log10, x_of=lambda L: 1 / L):
    x, y = log(x_of(levels)), lengths - 1
    xm, ym = x.mean(), y.mean()
    return float(((x - xm) * (y - ym)).sum() / ((x - xm) ** 2).sum())


@pytest.mark.parametrize("check, solution", [
    (check_certifies, certifies_ok),
    (check_plane_coordinates, plane_ok),
    (check_growth_per_decade, growth_ok),
])
def test_check_contract(check, solution, capsys):
    assert_check_contract(check, solution, capsys)


# -- plausible wrong answers ------------------------------------------------------------------
def certifies_beads_only(F, beads, threshold, slack, n_grid):
    return bool(F(beads).max() <= slack * threshold)


def certifies_without_slack(F, beads, threshold, slack, n_grid):
    return certifies_ok(F, beads, threshold, 1.0, n_grid)


def certifies_fixed_grid(F, beads, threshold, slack, n_grid):
    return certifies_ok(F, beads, threshold, slack, 100)


def plane_farthest_from_start(beads):
    rel = beads - beads[0]
    u = rel[-1] / rel[-1].norm()
    dev = rel - (rel @ u)[:, None] * u
    v = dev[rel.norm(dim=1)[:-1].argmax()]  # the bead farthest from theta_A, not from the chord
    v = v / v.norm()
    return torch.stack([rel @ u, rel @ v], dim=1)


def plane_not_normalised(beads):
    rel = beads - beads[0]
    u = rel[-1]
    dev = rel - (rel @ (u / u.norm()))[:, None] * (u / u.norm())
    v = dev[dev.norm(dim=1).argmax()]
    return torch.stack([rel @ u, rel @ v], dim=1)


def plane_not_orthogonal(beads):
    rel = beads - beads[0]
    u = rel[-1] / rel[-1].norm()
    k = (rel - (rel @ u)[:, None] * u).norm(dim=1).argmax()
    v = rel[k] / rel[k].norm()  # the bead itself, not its deviation from the chord
    return torch.stack([rel @ u, rel @ v], dim=1)


@pytest.mark.parametrize("check, wrong, message", [
    (check_certifies, certifies_beads_only, "wrong answer"),
    (check_certifies, certifies_without_slack, "wrong answer"),
    (check_certifies, certifies_fixed_grid, "wrong answer"),
    (check_plane_coordinates, plane_farthest_from_start, "wrong value"),
    (check_plane_coordinates, plane_not_normalised, "wrong value"),
    (check_plane_coordinates, plane_not_orthogonal, "wrong value"),
    (check_growth_per_decade, lambda L, y: growth_ok(L, y, log=torch.log), "wrong value"),
    (check_growth_per_decade, lambda L, y: growth_ok(L, y, x_of=lambda x: x), "wrong value"),
    (check_growth_per_decade, lambda L, y: growth_ok(L, y, log=lambda x: x), "wrong value"),
])
def test_check_rejects_wrong_answers(check, wrong, message):
    with pytest.raises(SelfCheckFailed, match=message):
        check(wrong)


def test_check_certifies_rejects_a_non_boolean():
    with pytest.raises(SelfCheckFailed, match="True or False"):
        check_certifies(lambda F, beads, L0, m, n: "yes")


def test_check_growth_reports_a_student_exception():
    with pytest.raises(SelfCheckFailed, match="ZeroDivisionError"):
        check_growth_per_decade(lambda L, y: 1 / 0)
    assert math.isfinite(growth_ok(torch.tensor([0.1, 0.01]), torch.tensor([1.1, 1.2])))
