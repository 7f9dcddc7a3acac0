"""Lecture 02 self-checks: fail on the stub, pass on a correct answer, catch wrong answers."""

from __future__ import annotations

import math

import pytest
import torch

from landscape_lib.checks._harness import SelfCheckFailed
from landscape_lib.checks.lecture02 import (
    check_count_hyperbola_components,
    check_det_sign_classes,
    check_rescale_relu_unit,
    check_rotation_path_121,
)
from tests.helpers import assert_check_contract


# -- correct answers, written independently of the library --------------------------------
def rescale_ok(W1, b1, W2, unit, c):
    W1, b1, W2 = W1.clone(), b1.clone(), W2.clone()
    W1[unit] *= c
    b1[unit] *= c
    W2[:, unit] /= c
    return W1, b1, W2


def det_ok(thetas):
    return torch.sign(torch.linalg.det(thetas[:, :4].reshape(-1, 2, 2)))


def rotation_ok(theta, n_points):
    s = torch.linspace(0, math.pi, n_points, dtype=theta.dtype)
    c, sn = torch.cos(s)[:, None], torch.sin(s)[:, None]

    def rot(v):
        return torch.cat([c * v[0] - sn * v[1], sn * v[0] + c * v[1]], dim=1)

    return torch.cat([rot(theta[:2]), rot(theta[2:])], dim=1)


def count_ok(level, resolution):
    return _count_at(level, resolution)


CHECKS = [
    (check_rescale_relu_unit, rescale_ok),
    (check_det_sign_classes, det_ok),
    (check_rotation_path_121, rotation_ok),
    (check_count_hyperbola_components, count_ok),
]


@pytest.mark.parametrize("check, solution", CHECKS, ids=lambda c: getattr(c, "__name__", ""))
def test_check_passes_on_a_correct_answer_and_fails_on_the_stub(check, solution, capsys) -> None:
    assert_check_contract(check, solution, capsys)


def _rescale_out_times_c(W1, b1, W2, unit, c):
    W1, b1, W2 = W1.clone(), b1.clone(), W2.clone()
    W1[unit] *= c
    b1[unit] *= c
    W2[:, unit] *= c
    return W1, b1, W2


def _rescale_no_bias(W1, b1, W2, unit, c):
    W1, W2 = W1.clone(), W2.clone()
    W1[unit] *= c
    W2[:, unit] /= c
    return W1, b1, W2


def _rotate_only_w1(theta, n_points):
    path = rotation_ok(theta, n_points)
    path[:, 2:] = theta[2:]
    return path


def _rotate_opposite(theta, n_points):
    flipped = rotation_ok(theta * torch.tensor([1.0, -1.0, 1.0, -1.0], dtype=theta.dtype), n_points)
    forward = rotation_ok(theta, n_points)
    return torch.cat([forward[:, :2], flipped[:, 2:] * torch.tensor([1.0, -1.0], dtype=theta.dtype)], dim=1)


def _straight_line(theta, n_points):
    t = torch.linspace(0, 1, n_points, dtype=theta.dtype)[:, None]
    return (1 - 2 * t) * theta


def _rescale_in_place(W1, b1, W2, unit, c):  # right values, but the caller's tensors are overwritten
    W1[unit] *= c
    b1[unit] *= c
    W2[:, unit] /= c
    return W1, b1, W2


def _rescale_wrong_axes(W1, b1, W2, unit, c):  # column `unit` of W1 and row `unit` of W2
    W1, b1, W2 = W1.clone(), b1.clone(), W2.clone()
    W1[:, unit % W1.shape[1]] *= c
    b1[unit] *= c
    W2[unit % W2.shape[0]] /= c
    return W1, b1, W2


def _count_at(level, resolution, tol=0.0):
    """Components of {F <= level + tol} on the grid (tol > 0 is the wrong answer of a loose mask)."""
    from landscape_lib.topology.sublevel import count_components
    w = torch.linspace(-2.5, 2.5, resolution, dtype=torch.float64)
    w1, w2 = torch.meshgrid(w, w, indexing="ij")
    return count_components(0.5 * (w1 * w2 - 1) ** 2 <= level + tol)


RESCALE_WRONG = [
    (_rescale_out_times_c, r"outputs changed by .* what is multiplied on the way in must be divided"),
    (_rescale_no_bias, r"outputs changed by .*the bias is part of the way in"),
    (lambda W1, b1, W2, unit, c: (W1 * c, b1 * c, W2 / c), r"wrong value for a 2-3-1 network, unit 0 scaled by c = 2"),
    (_rescale_in_place, r"changed the W1 it was given; clone the tensors first"),
    (_rescale_wrong_axes, r"outputs changed by"),
    (lambda W1, b1, W2, unit, c: torch.cat([W1.reshape(-1), b1]), r"return the tuple \(W1, b1, W2\)"),
    (lambda W1, b1, W2, unit, c: tuple(t.numpy() for t in rescale_ok(W1, b1, W2, unit, c)),
     r"W1 for a 2-3-1 network.* should be a torch.Tensor, got numpy array"),
]

DET_WRONG = [
    (lambda th: torch.sign(torch.linalg.det(th[:, 4:].reshape(-1, 2, 2))), r"wrong value for solutions of a target A with det A < 0"),
    (lambda th: torch.sign(torch.linalg.det(th[:, 4:].reshape(-1, 2, 2) @ th[:, :4].reshape(-1, 2, 2))),
     r"wrong value for solutions of a target A with det A > 0.*W1 is the first four entries"),
    (lambda th: torch.linalg.det(th[:, :4].reshape(-1, 2, 2)), r"wrong value for solutions"),  # det, not its sign
    (lambda th: torch.linalg.det(th[:, :4].reshape(-1, 2, 2)) > 0, r"wrong value for solutions"),  # True/False, not +-1
    (lambda th: det_ok(th)[:, None], r"should have shape \(8,\), got shape \(8, 1\)"),
    (lambda th: det_ok(th).tolist(), r"should be a torch.Tensor, got list"),
    (lambda th: torch.sign(torch.linalg.det(th[:, ::2].reshape(-1, 2, 2))), r"wrong value for solutions"),  # every other entry
]


def _rotation_turn(theta, n_points, angle=math.pi, sign=1.0, endpoint=True):
    s = sign * torch.linspace(0, angle, n_points + (0 if endpoint else 1), dtype=theta.dtype)[: n_points]
    c, sn = torch.cos(s)[:, None], torch.sin(s)[:, None]

    def rot(v):
        return torch.cat([c * v[0] - sn * v[1], sn * v[0] + c * v[1]], dim=1)

    return torch.cat([rot(theta[:2]), rot(theta[2:])], dim=1)


ROTATION_WRONG = [
    (_rotate_only_w1, r"w2 \. w1 \(the network's function\) changes"),
    (_rotate_opposite, r"w2 \. w1 \(the network's function\) changes"),
    (_straight_line, r"w2 \. w1 \(the network's function\) changes"),
    (lambda theta, n: rotation_ok(theta, n + 1), r"should have shape \(9, 4\), got shape \(10, 4\)"),
    (lambda theta, n: _rotation_turn(theta, n, angle=2 * math.pi), r"wrong value for w1 = \(1, 0.5\)"),  # a full turn
    (lambda theta, n: _rotation_turn(theta, n, endpoint=False), r"wrong value for w1 = \(1, 0.5\)"),  # misses s = pi
    (lambda theta, n: _rotation_turn(theta, n, sign=-1.0), r"wrong value for w1 = \(1, 0.5\)"),  # clockwise
    (lambda theta, n: rotation_ok(theta, n).T, r"should have shape \(9, 4\), got shape \(4, 9\)"),
    (lambda theta, n: rotation_ok(theta.float(), n), r"has dtype torch.float32, but theta is torch.float64: compute in float64"),
]

COUNT_WRONG = [
    (lambda level, res: count_ok(level - 1e-12, res), r"wrong value for lambda = 0.5 exactly .*: expected 1, got 2"),  # `<`
    (lambda level, res: count_ok(level / 2, res), r"wrong value for lambda = 0.5 exactly"),  # forgot the 1/2
    (lambda level, res: 2, r"wrong value for lambda = 0.5 exactly"),
    (lambda level, res: _count_at(level, res, tol=1e-3), r"lambda = 0.4995, just below the saddle .*: expected 2, got 1"),
    (lambda level, res: _count_at(level, 101), r"coarse 21 x 21 grid .* use `resolution`.*: expected 10, got 2"),
    (lambda level, res: _count_at(level, res - 1), r"wrong value for lambda = 0.5 exactly .*: expected 1, got 2"),  # res - 1
    (lambda level, res: float(count_ok(level, res)), r"return the number of components as an int, got float"),
]

WRONG = ([(check_rescale_relu_unit, w, m) for w, m in RESCALE_WRONG]
         + [(check_det_sign_classes, w, m) for w, m in DET_WRONG]
         + [(check_rotation_path_121, w, m) for w, m in ROTATION_WRONG]
         + [(check_count_hyperbola_components, w, m) for w, m in COUNT_WRONG])


@pytest.mark.parametrize("check, wrong, message", WRONG)
def test_check_catches_wrong_answers_with_an_actionable_message(check, wrong, message) -> None:
    with pytest.raises(SelfCheckFailed, match=message):
        check(wrong)


@pytest.mark.parametrize("table", [RESCALE_WRONG, DET_WRONG, ROTATION_WRONG, COUNT_WRONG])
def test_every_exercise_has_at_least_five_wrong_answers(table) -> None:
    assert len(table) >= 5


def test_a_count_may_be_a_numpy_integer_or_a_0d_tensor(capsys) -> None:
    import numpy as np
    check_count_hyperbola_components(lambda level, res: np.int64(count_ok(level, res)))
    check_count_hyperbola_components(lambda level, res: torch.tensor(count_ok(level, res)))
    assert capsys.readouterr().out.count("passed") == 2


def test_a_student_exception_is_reported_briefly() -> None:
    with pytest.raises(SelfCheckFailed, match=r"check_det_sign_classes: your function raised IndexError"):
        check_det_sign_classes(lambda th: th[99])
