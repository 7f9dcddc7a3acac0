"""Interactive energy gap: a width slider over precomputed paths between a pair of trained networks."""

from __future__ import annotations

from collections.abc import Mapping

import ipywidgets as widgets
from IPython.display import display

from ..plots.energy_gap import PathCurves, plot_paths
from .fallback import StaticInteractive


def energy_gap_widget(curves: Mapping[int, PathCurves]) -> StaticInteractive:
    """A slider over widths: loss along the straight line and along the DSS string of one pair.

    ``curves`` maps each width to its precomputed :class:`~landscape_lib.plots.energy_gap.PathCurves`
    (see :func:`~landscape_lib.plots.energy_gap.path_curves`), so moving the slider only redraws.
    All panels share one y-range, so the fall of the gap with width is visible.
    """
    if not curves:
        raise ValueError("energy_gap_widget: argument `curves` must hold at least one width")
    lows = [float(c.string_loss.min()) for c in curves.values()] + [float(c.line_loss.min()) for c in curves.values()]
    highs = [float(c.line_loss.max()) for c in curves.values()] + [float(c.string_loss.max()) for c in curves.values()]
    ylim = (0.8 * min(lows), 1.25 * max(highs))

    def show(width: int) -> None:
        display(plot_paths(curves[width], ylim=ylim))

    slider = widgets.SelectionSlider(options=sorted(curves), value=sorted(curves)[0], description="width m")
    return StaticInteractive(show, width=slider)
