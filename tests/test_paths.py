"""Paths: loss along segments and strings, barrier, length, normalized geodesic length."""

from __future__ import annotations

import math

import pytest
import torch

from landscape_lib import paths
from landscape_lib.toys import convex_bowl, double_well, ring_valley
from tests.helpers import F64, point


def test_string_points_are_on_the_segments() -> None:
    beads = torch.tensor([[0.0, 0.0], [1.0, 0.0], [1.0, 2.0]], dtype=F64)
    s, pts = paths.string_points(beads, 5)
    assert s.shape == (2, 5) and pts.shape == (2, 5, 2)
    torch.testing.assert_close(pts[0, :, 0], torch.linspace(0, 1, 5, dtype=F64))
    torch.testing.assert_close(pts[1, :, 1], torch.linspace(0, 2, 5, dtype=F64))
    torch.testing.assert_close(pts[:, -1], beads[1:])


def test_loss_along_segment_matches_pointwise_evaluation() -> None:
    F = double_well()
    t, losses = paths.loss_along_segment(F, point(-1, 0), point(1, 0), 11)
    expected = torch.stack([F(point(float(x), 0.0)) for x in torch.linspace(-1, 1, 11)])
    torch.testing.assert_close(losses, expected)


@pytest.mark.parametrize("toy, a, b, expected", [
    (convex_bowl, (-1, 1), (1, 0.5), 0.0),
    (double_well, (-1, 0), (1, 0), 1.0),      # the saddle
    (ring_valley, (1, 0), (-1, 0), 1.0),      # the central bump
    (double_well, (-1, 0.5), (1, 0), None),   # uneven ends: brute force below
])
def test_barrier_known_values(toy, a, b, expected: float | None) -> None:
    F, a, b = toy(), point(*a), point(*b)
    if expected is None:  # max over a very fine grid minus the higher end
        t = torch.linspace(0, 1, 100_001, dtype=F64)[:, None]
        expected = float(F((1 - t) * a + t * b).max() - max(F(a), F(b)))
    assert paths.barrier(F, a, b, 101) == pytest.approx(expected, abs=2e-3)


def test_length_and_normalized_length_closed_forms() -> None:
    square = torch.tensor([[0, 0], [0, 1], [1, 1], [1, 0]], dtype=F64)
    assert paths.path_length(square) == pytest.approx(3.0)
    assert paths.normalized_geodesic_length(square) == pytest.approx(3.0)
    n = 400
    a = torch.linspace(0, math.pi, n + 1, dtype=F64)
    half = torch.stack([torch.cos(a), torch.sin(a)], 1)
    assert paths.normalized_geodesic_length(half) == pytest.approx(math.pi / 2, rel=1e-5)
    line = torch.tensor([[0.0, 0.0], [0.3, 0.6], [1.0, 2.0]], dtype=F64)
    assert paths.normalized_geodesic_length(line) == pytest.approx(1.0)


def test_mask_restricts_the_length_to_chosen_coordinates() -> None:
    beads = torch.tensor([[0.0, 0.0, 0.0], [1.0, 0.0, 5.0], [2.0, 0.0, 0.0]], dtype=F64)
    mask = torch.tensor([True, True, False])
    assert paths.path_length(beads, mask) == pytest.approx(2.0)
    with pytest.raises(ValueError, match=r"path_length: argument `mask` must be a boolean tensor of shape \(3,\)"):
        paths.path_length(beads, torch.ones(3))


def test_path_errors() -> None:
    with pytest.raises(ValueError, match=r"normalized_geodesic_length: argument `beads` must have shape \(n, P\) with n >= 2"):
        paths.normalized_geodesic_length(torch.zeros(1, 2, dtype=F64))
    with pytest.raises(ValueError, match=r"first and last beads coincide"):
        paths.normalized_geodesic_length(torch.tensor([[0.0, 0.0], [1.0, 0.0], [0.0, 0.0]], dtype=F64))
    with pytest.raises(ValueError, match=r"string_points: argument `n_points` must be >= 2"):
        paths.string_points(torch.zeros(2, 2, dtype=F64), 1)
    with pytest.raises(TypeError, match=r"loss_along_segment: argument `a` has dtype torch.float32"):
        paths.loss_along_segment(double_well(), torch.zeros(2), point(1, 0))
