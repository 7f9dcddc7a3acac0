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
    from landscape_lib.topology.sublevel import count_components
    w = torch.linspace(-2.5, 2.5, resolution, dtype=torch.float64)
    w1, w2 = torch.meshgrid(w, w, indexing="ij")
    return count_components(0.5 * (w1 * w2 - 1) ** 2 <= level)


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


@pytest.mark.parametrize("check, wrong, message", [
    (check_rescale_relu_unit, _rescale_out_times_c, r"outputs changed by .* what is multiplied on the way in must be divided"),
    (check_rescale_relu_unit, _rescale_no_bias, r"outputs changed by .*the bias is part of the way in"),
    (check_rescale_relu_unit, lambda W1, b1, W2, unit, c: (W1 * c, b1 * c, W2 / c),
     r"wrong value for a 2-3-1 network, unit 0 scaled by c = 2"),
    (check_rescale_relu_unit, lambda W1, b1, W2, unit, c: torch.cat([W1.reshape(-1), b1]), r"return the tuple \(W1, b1, W2\)"),
    (check_det_sign_classes, lambda th: torch.sign(torch.linalg.det(th[:, 4:].reshape(-1, 2, 2))),
     r"wrong value for solutions of a target A with det A < 0"),
    (check_det_sign_classes, lambda th: torch.sign(torch.linalg.det(th[:, 4:].reshape(-1, 2, 2) @ th[:, :4].reshape(-1, 2, 2))),
     r"wrong value for solutions of a target A with det A > 0"),
    (check_det_sign_classes, lambda th: torch.linalg.det(th[:, :4].reshape(-1, 2, 2)), r"wrong value for solutions"),
    (check_rotation_path_121, _rotate_only_w1, r"w2 \. w1 \(the network's function\) changes"),
    (check_rotation_path_121, _rotate_opposite, r"w2 \. w1 \(the network's function\) changes"),
    (check_rotation_path_121, _straight_line, r"w2 \. w1 \(the network's function\) changes"),
    (check_rotation_path_121, lambda theta, n: rotation_ok(theta, n + 1), r"should have shape \(9, 4\), got shape \(10, 4\)"),
    (check_count_hyperbola_components,
     lambda level, res: count_ok(level - 1e-12, res),  # `<` instead of `<=`
     r"wrong value for lambda = 0.5 exactly .*: expected 1, got 2"),
    (check_count_hyperbola_components, lambda level, res: count_ok(level / 2, res),  # forgot the 1/2 in the loss
     r"wrong value for lambda = 0.5 exactly"),
    (check_count_hyperbola_components, lambda level, res: 2, r"wrong value for lambda = 0.5 exactly"),
])
def test_check_catches_wrong_answers_with_an_actionable_message(check, wrong, message) -> None:
    with pytest.raises(SelfCheckFailed, match=message):
        check(wrong)


def test_a_student_exception_is_reported_briefly() -> None:
    with pytest.raises(SelfCheckFailed, match=r"check_det_sign_classes: your function raised IndexError"):
        check_det_sign_classes(lambda th: th[99])
