"""Interactive level-set geometry: step through the thresholds of a DSS sweep (lecture 05)."""

from __future__ import annotations

import ipywidgets as widgets
from IPython.display import display

from ..dss.sweep import LevelSweep
from ..landscape import Landscape
from ..plots.geometry import plot_profile
from .fallback import StaticInteractive


def threshold_stepper(criterion: Landscape, sweep: LevelSweep, *, n_points: int = 20) -> StaticInteractive:
    r"""A slider over the thresholds of ``sweep`` and a pair selector: the string's criterion profile.

    Shows :func:`~landscape_lib.plots.geometry.plot_profile` -- the criterion along the string and
    along the straight line between the same endpoints -- titled with the string's normalized
    length, its number of beads and the outcome of the search.  Returns the ``ipywidgets.interactive``
    (a :class:`~landscape_lib.widgets.fallback.StaticInteractive`: display it, or make it a cell's result).
    """
    levels = sweep.levels
    n_pairs = int(sweep.pair.max()) + 1

    def show(level_index: int, pair: int) -> None:
        L0 = levels[level_index]
        row = next(i for i in sweep.at(L0) if int(sweep.pair[i]) == pair)
        r = sweep.results[row]
        title = (f"L0 = {L0:g}, pair {pair}: {r.reason.value}, normalized length {r.normalized_length:.4f}, "
                 f"{r.n_beads} beads")
        display(plot_profile(criterion, r.beads, threshold=L0, level=r.level, n_points=n_points, title=title))

    level_slider = widgets.IntSlider(value=len(levels) - 1, min=0, max=len(levels) - 1, step=1,
                                     description="threshold #")
    pair_slider = widgets.IntSlider(value=0, min=0, max=n_pairs - 1, step=1, description="pair")
    return StaticInteractive(show, level_index=level_slider, pair=pair_slider)
