"""Lecture 05 self-checks: fail on the stub, pass on a correct answer, catch wrong answers."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from landscape_lib.checks._harness import SelfCheckFailed
from landscape_lib.checks.lecture05 import (
    check_certifies,
    check_growth_per_decade,
    check_plane_coordinates,
)
from tests.helpers import assert_check_contract


# -- correct answers, written independently of the library --------------------------------
def certifies_ok(F, beads, threshold, slack, n_grid):
    t = torch.linspace(0, 1, n_grid, dtype=beads.dtype)[None, :, None]
    points = (1 - t) * beads[:-1, None, :] + t * beads[1:, None, :]
    return bool(F(points.reshape(-1, beads.shape[1])).max() <= slack * threshold)


def _plane_basis(beads):
    rel = beads - beads[0]
    u = rel[-1] / rel[-1].norm()
    dev = rel - (rel @ u)[:, None] * u
    v = dev[dev.norm(dim=1).argmax()]
    return u, v / v.norm()


def plane_ok(beads):
    u, v = _plane_basis(beads)
    return torch.stack([(beads - beads[0]) @ u, (beads - beads[0]) @ v], dim=1)


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


def certifies_additive_slack(F, beads, threshold, slack, n_grid):  # threshold + slack instead of slack * threshold
    return certifies_ok(F, beads, threshold + slack - 1, 1.0, n_grid)


def certifies_strict(F, beads, threshold, slack, n_grid):  # `<` rejects a grid maximum exactly at m L0
    t = torch.linspace(0, 1, n_grid, dtype=beads.dtype)[None, :, None]
    points = (1 - t) * beads[:-1, None, :] + t * beads[1:, None, :]
    return bool(F(points.reshape(-1, beads.shape[1])).max() < slack * threshold)


def certifies_open_grid(F, beads, threshold, slack, n_grid):  # arange(n) / n: never reaches t = 1, the last bead
    t = (torch.arange(n_grid, dtype=beads.dtype) / n_grid)[None, :, None]
    points = (1 - t) * beads[:-1, None, :] + t * beads[1:, None, :]
    return bool(F(points.reshape(-1, beads.shape[1])).max() <= slack * threshold)


def certifies_skips_last_segment(F, beads, threshold, slack, n_grid):  # off by one in the segment loop
    return all(certifies_ok(F, beads[k:k + 2], threshold, slack, n_grid) for k in range(len(beads) - 2))


def certifies_mean(F, beads, threshold, slack, n_grid):  # the mean loss along the string, not its maximum
    t = torch.linspace(0, 1, n_grid, dtype=beads.dtype)[None, :, None]
    points = (1 - t) * beads[:-1, None, :] + t * beads[1:, None, :]
    return bool(F(points.reshape(-1, beads.shape[1])).mean() <= slack * threshold)


def plane_absolute(beads):  # projects the beads themselves, not b_i - theta_A
    u, v = _plane_basis(beads)
    return torch.stack([beads @ u, beads @ v], dim=1)


def plane_transposed(beads):  # stacks along the wrong axis: shape (2, n)
    return plane_ok(beads).T


def plane_float32(beads):
    return plane_ok(beads.float())


def plane_in_place(beads):  # `beads -= beads[0]` changes the caller's string
    beads -= beads[0].clone()
    return plane_ok(beads)


def plane_chord_to_farthest(beads):  # the chord to the bead farthest from theta_A, not to theta_B
    rel = beads - beads[0]
    far = rel[rel.norm(dim=1).argmax()]
    u = far / far.norm()
    dev = rel - (rel @ u)[:, None] * u
    v = dev[dev.norm(dim=1).argmax()]
    v = v / v.norm()
    return torch.stack([rel @ u, rel @ v], dim=1)


def growth_intercept(levels, lengths):  # returns a, not b
    x, y = torch.log10(1 / levels), lengths - 1
    return float(y.mean() - growth_ok(levels, lengths) * x.mean())


def growth_swapped(levels, lengths):  # regresses log10(1/L0) on length - 1
    return growth_ok(10 ** (lengths - 1), 1 + torch.log10(1 / levels), log=torch.log10, x_of=lambda L: L)


def growth_endpoints(levels, lengths):  # slope between the first and last point only
    x = torch.log10(1 / levels)
    return float((lengths[-1] - lengths[0]) / (x[-1] - x[0]))


def growth_lstsq_tensor(levels, lengths):  # returns both coefficients of the fit
    X = torch.stack([torch.ones_like(levels), torch.log10(1 / levels)], dim=1)
    return torch.linalg.lstsq(X, (lengths - 1)[:, None]).solution[:, 0]


def growth_float32(levels, lengths):
    return growth_ok(levels.float(), lengths.float())


WRONG = [
    (check_certifies, certifies_beads_only, r"wrong answer for 3 beads on the ring's floor.*check every segment"),
    (check_certifies, certifies_without_slack, r"wrong answer for 5 beads .*acceptance level m L0 = 0.022"),
    (check_certifies, certifies_fixed_grid, r"wrong answer for the 3-bead string checked at the beads only \(n_grid = 2\)"),
    (check_certifies, certifies_additive_slack, r"wrong answer for .*against slack \* threshold"),
    (check_certifies, certifies_strict, r"wrong answer for a string whose grid maximum is exactly m L0.*expected True, got False"),
    (check_certifies, certifies_open_grid, r"wrong answer for the 3-bead string checked at the beads only \(n_grid = 2\)"),
    (check_certifies, certifies_skips_last_segment, r"wrong answer for a string whose last bead .*every segment"),
    (check_certifies, certifies_mean, r"wrong answer for"),
    (check_certifies, lambda F, beads, L0, m, n: "yes", r"should be True or False, got str"),
    (check_plane_coordinates, plane_farthest_from_start, r"wrong value for a string whose bead farthest .*deviation \*from the chord\*"),
    (check_plane_coordinates, plane_not_normalised, r"wrong value for a 3-bead string .*u is the unit chord"),
    (check_plane_coordinates, plane_not_orthogonal, r"wrong value for a 3-bead string"),
    (check_plane_coordinates, plane_absolute, r"wrong value for a 3-bead string .*b_i - theta_A"),
    (check_plane_coordinates, plane_transposed, r"should have shape \(3, 2\), got shape \(2, 3\)"),
    (check_plane_coordinates, plane_float32, r"compute in float64"),
    (check_plane_coordinates, plane_in_place, r"changed its input `beads` in place"),
    (check_plane_coordinates, plane_chord_to_farthest, r"wrong value for a string whose bead farthest"),
    (check_growth_per_decade, lambda L, y: growth_ok(L, y, log=torch.log), r"wrong value for an exact law.*base 10"),
    (check_growth_per_decade, lambda L, y: growth_ok(L, y, x_of=lambda x: x), r"expected 0.05, got -0.05"),
    (check_growth_per_decade, lambda L, y: growth_ok(L, y, log=lambda x: x), r"wrong value for an exact law"),
    (check_growth_per_decade, growth_intercept, r"wrong value for an exact law.*expected 0.05, got 0.02"),
    (check_growth_per_decade, growth_swapped, r"wrong value for an exact law.*expected 0.05, got 20"),
    (check_growth_per_decade, growth_endpoints, r"wrong value for Freeman & Bruna's quadratic points"),
    (check_growth_per_decade, growth_lstsq_tensor, r"should be a number, got tensor of shape \(2,\)"),
]


@pytest.mark.parametrize("check, wrong, message", WRONG, ids=lambda c: getattr(c, "__name__", None))
def test_check_rejects_wrong_answers(check, wrong, message):
    with pytest.raises(SelfCheckFailed, match=message):
        check(wrong)


def test_numpy_and_tensor_booleans_are_accepted(capsys):
    check_certifies(lambda *args: np.bool_(certifies_ok(*args)))
    check_certifies(lambda *args: torch.tensor(certifies_ok(*args)))
    assert capsys.readouterr().out.count("passed") == 2


def test_check_growth_reports_a_student_exception():
    with pytest.raises(SelfCheckFailed, match="ZeroDivisionError"):
        check_growth_per_decade(lambda L, y: 1 / 0)
    assert math.isfinite(growth_ok(torch.tensor([0.1, 0.01]), torch.tensor([1.1, 1.2])))
