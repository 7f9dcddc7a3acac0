r"""Interactive demo of lecture 02: a 2-D slice through two solutions and a third point, with a level slider."""

from __future__ import annotations

from collections.abc import Sequence

import ipywidgets as widgets
from IPython.display import display

from ..plots.topology import plot_slice_components
from ..topology.slices import PlaneSlice
from .fallback import StaticInteractive


def slice_explorer(slice_: PlaneSlice, *, levels: Sequence[float], names: Sequence[str] = ("A", "B", "C"),
                   level: float | None = None) -> StaticInteractive:
    r"""A slider over the levels $\lambda$, redrawing the components of $\Omega(\lambda)$ in the slice.

    The slice is computed once (:func:`~landscape_lib.topology.slices.plane_slice`); moving the
    slider only relabels the grid, so it is instant.

    Args:
        slice_: the precomputed slice.
        levels: the values the slider offers (e.g. geometrically spaced).
        names: labels of the three points.
        level: the initial level (default: the middle of ``levels``).
    """
    options = [float(x) for x in levels]
    if not options:
        raise ValueError("slice_explorer: argument `levels` must hold at least one level")

    def show(level: float) -> None:
        display(plot_slice_components(slice_, level, names=names))

    start = options[len(options) // 2] if level is None else min(options, key=lambda x: abs(x - level))
    return StaticInteractive(
        show, level=widgets.SelectionSlider(options=[(f"{x:.3g}", x) for x in options], value=start,
                                            description="λ", continuous_update=False))
