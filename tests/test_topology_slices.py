"""Plane slices through three points, their component plots and the slice widget."""

from __future__ import annotations

import re

import pytest
import torch

from landscape_lib.landscape import AnalyticLandscape
from landscape_lib.plots.topology import plot_components, plot_slice_components
from landscape_lib.topology.slices import plane_slice
from landscape_lib.topology.sublevel import label_components, sublevel_mask

F64 = torch.float64


def _double_well_3d() -> AnalyticLandscape:
    return AnalyticLandscape(lambda t: (t[0] ** 2 - 1) ** 2 + t[1] ** 2 + t[2] ** 2, 3, name="3-D double well")


def test_slice_contains_the_three_points_and_matches_direct_evaluation() -> None:
    F = _double_well_3d()
    a, b, c = (torch.tensor(p, dtype=F64) for p in ([-1.0, 0, 0], [1.0, 0, 0], [0.0, 0.5, 0.5]))
    sl = plane_slice(F, a, b, c, resolution=41)
    assert sl.values.shape == (41, 41)
    assert abs(float(sl.u @ sl.v)) < 1e-14 and abs(float(sl.u.norm()) - 1) < 1e-14
    for point, (al, be) in zip((a, b, c), sl.coords):
        assert torch.allclose(sl.origin + al * sl.u + be * sl.v, point, atol=1e-12)
    i, j = 7, 29
    direct = F(sl.origin + sl.alphas[i] * sl.u + sl.betas[j] * sl.v)
    assert abs(float(direct - sl.values[i, j])) < 1e-12
    labels, n = label_components(sublevel_mask(sl.values, 0.5))
    assert n == 2  # the two wells, separated by the saddle at level 1


def test_plots_return_labelled_figures() -> None:
    F = _double_well_3d()
    a, b, c = (torch.tensor(p, dtype=F64) for p in ([-1.0, 0, 0], [1.0, 0, 0], [0.0, 0.5, 0.5]))
    sl = plane_slice(F, a, b, c, resolution=31)
    fig = plot_slice_components(sl, 0.5)
    ax = fig.axes[0]
    assert re.search(r"N_\\lambda ?= ?2\$ components", ax.get_title()) and ax.get_xlabel() and ax.get_ylabel()
    fig2 = plot_components(sl.alphas, sl.betas, sl.values, 2.0, points={"A": (0.0, 0.0)})
    assert re.search(r"N_\\lambda ?= ?1\$ components", fig2.axes[0].get_title())


def test_widget_builds_and_redraws() -> None:
    from landscape_lib.widgets.topology import slice_explorer
    F = _double_well_3d()
    a, b, c = (torch.tensor(p, dtype=F64) for p in ([-1.0, 0, 0], [1.0, 0, 0], [0.0, 0.5, 0.5]))
    w = slice_explorer(plane_slice(F, a, b, c, resolution=21), levels=[0.5, 1.5])
    assert len(w.children) >= 1
    with pytest.raises(ValueError, match=r"slice_explorer: argument `levels` must hold at least one level"):
        slice_explorer(plane_slice(F, a, b, c, resolution=21), levels=[])


@pytest.mark.parametrize("points, message", [
    (([0.0, 0, 0], [0.0, 0, 0], [1.0, 0, 0]), r"plane_slice: `a` and `b` coincide"),
    (([0.0, 0, 0], [1.0, 0, 0], [2.0, 0, 0]), r"plane_slice: `a`, `b`, `c` are collinear"),
])
def test_degenerate_planes_are_refused(points, message) -> None:
    F = _double_well_3d()
    with pytest.raises(ValueError, match=message):
        plane_slice(F, *(torch.tensor(p, dtype=F64) for p in points))
