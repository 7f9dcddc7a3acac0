"""Interactive DSS: step through the depths of a 2-D run with a slider."""

from __future__ import annotations

import ipywidgets as widgets
from IPython.display import display

from ..dss.result import DSSResult
from ..landscape import Landscape
from ..plots.dss import plot_dss_depth
from .fallback import StaticInteractive  # a static figure on pages without a kernel


def dss_depth_widget(landscape: Landscape, result: DSSResult) -> widgets.interactive:
    """A slider over ``result.history``: the string after each depth over the contour plot.

    Green segments pass the check ($\\le mL_0$ on the grid), red ones fail and receive a new bead at
    the next depth; new beads are orange.  Returns the ``ipywidgets.interactive`` object (display it, or
    make it a cell's result).
    """
    def show(depth: int) -> None:
        display(plot_dss_depth(landscape, result, depth))

    slider = widgets.IntSlider(value=0, min=0, max=len(result.history) - 1, step=1, description="depth")
    return StaticInteractive(show, depth=slider)
