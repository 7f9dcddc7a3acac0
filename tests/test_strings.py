"""String method and taut string on landscapes whose answers are known in closed form."""

from __future__ import annotations

import math

import pytest
import torch

from landscape_lib.paths import normalized_geodesic_length, segment_max
from landscape_lib.strings import (
    minimum_energy_path,
    redistribute,
    straight_string,
    taut_string,
)
from landscape_lib.toys import double_well, ring_valley, ring_valley_geodesic
from tests.helpers import F64, point


def segment_maxima(F, beads: torch.Tensor) -> torch.Tensor:
    """The maximum of F on each segment of a string (the course's one segment check)."""
    return segment_max(F, beads[:-1], beads[1:])[0]


def ring_geodesic(level: float) -> float:
    return ring_valley_geodesic(level)


def test_ring_valley_geodesic_closed_form_limits_and_errors() -> None:
    assert ring_valley_geodesic(1e-12) == pytest.approx(math.pi / 2, abs=1e-5)  # the floor: half circle / diameter
    assert ring_valley_geodesic(1.0) == pytest.approx(1.0)  # no hole left: the straight line
    r = math.sqrt(1 - math.sqrt(0.25))  # tangent, arc, tangent by hand
    assert ring_valley_geodesic(0.25) == pytest.approx((2 * math.sqrt(1 - r * r) + r * (math.pi - 2 * math.acos(r))) / 2)
    with pytest.raises(ValueError, match=r"ring_valley_geodesic: argument `level` must be in \(0, 1\], got 0"):
        ring_valley_geodesic(0)


def test_redistribute_keeps_the_polygon_and_equalises_spacing() -> None:
    beads = torch.tensor([[0.0, 0.0], [0.1, 0.0], [1.0, 0.0], [1.0, 1.0]], dtype=F64)
    out = redistribute(beads)  # total length 2: new beads every 2/3 along the polygon
    expected = torch.tensor([[0.0, 0.0], [2 / 3, 0.0], [1.0, 1 / 3], [1.0, 1.0]], dtype=F64)
    torch.testing.assert_close(out, expected)


def test_minimum_energy_path_of_the_ring_valley_is_the_floor() -> None:
    F = ring_valley()
    beads = minimum_energy_path(F, point(1, 0), point(-1, 0), via=point(0, 0.3))
    assert float(segment_maxima(F, beads).max()) < 1e-3
    assert normalized_geodesic_length(beads) == pytest.approx(math.pi / 2, rel=2e-3)


def test_minimum_energy_path_of_the_double_well_crosses_the_saddle() -> None:
    F = double_well()
    beads = minimum_energy_path(F, point(-1, 0), point(1, 0), via=point(0, 0.5))
    assert float(segment_maxima(F, beads).max()) == pytest.approx(1.0, abs=1e-3)
    assert normalized_geodesic_length(beads) == pytest.approx(1.0, abs=1e-3)


@pytest.mark.parametrize("level", [0.01, 0.25, 0.81])
def test_taut_string_matches_the_closed_form_geodesic(level: float) -> None:
    F = ring_valley()
    beads = taut_string(F, point(1, 0), point(-1, 0), level, via=point(0, 0.9))
    assert normalized_geodesic_length(beads) == pytest.approx(ring_geodesic(level), rel=2e-3)
    assert float(F(beads).max()) <= level * (1 + 1e-4)


def test_string_errors() -> None:
    F = ring_valley()
    with pytest.raises(ValueError, match=r"taut_string: both ends must lie in the sublevel set"):
        taut_string(F, point(0, 0), point(1, 0), 0.5)
    with pytest.raises(ValueError, match=r"minimum_energy_path: argument `n_beads` must be >= 3, got 2"):
        minimum_energy_path(F, point(1, 0), point(-1, 0), n_beads=2)
    with pytest.raises(ValueError, match=r"taut_string: argument `pull` must be in \(0, 1\]"):
        taut_string(F, point(1, 0), point(-1, 0), 0.5, pull=1.5)
    assert straight_string(point(0, 0), point(1, 1), 3).shape == (3, 2)


def test_redistribute_resamples_to_a_new_number_of_beads() -> None:
    corner = torch.tensor([[0.0, 0.0], [1.0, 0.0], [1.0, 1.0]], dtype=F64)
    out = redistribute(corner, 5)  # length 2: a bead every 0.5 along the polygon
    expected = torch.tensor([[0, 0], [0.5, 0], [1, 0], [1, 0.5], [1, 1]], dtype=F64)
    torch.testing.assert_close(out, expected)
