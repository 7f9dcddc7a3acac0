r"""Interactive demo of lecture 00: slide the level $\lambda$ and watch $\Omega(\lambda)$ split and merge."""

from __future__ import annotations

import ipywidgets as widgets
from IPython.display import display

from .. import toys
from ..plots.axes import new_figure
from ..plots.level_sets import plot_landscape, plot_sublevel_set
from .fallback import StaticInteractive  # a static figure on pages without a kernel

TOYS = {
    "double well": toys.double_well,
    "ring valley": toys.ring_valley,
    "many minima": toys.many_minima,
    "convex bowl": toys.convex_bowl,
}


def show_sublevel_set(toy: str, level: float, resolution: int = 151) -> None:
    """Draw the landscape and its sublevel set at ``level`` side by side (the widget's callback)."""
    if toy not in TOYS:
        raise ValueError(f"show_sublevel_set: argument `toy` must be one of {sorted(TOYS)}, got {toy!r}")
    landscape = TOYS[toy]()
    fig, (left, right) = new_figure(2, figsize=(10.0, 4.0))
    plot_landscape(landscape, resolution=resolution, ax=left)
    plot_sublevel_set(landscape, level, resolution=resolution, ax=right)
    display(fig)


def sublevel_explorer(toy: str = "double well", level: float = 0.5) -> widgets.interactive:
    r"""A dropdown for the toy and a slider for $\lambda$, redrawing :func:`show_sublevel_set`."""
    return StaticInteractive(
        show_sublevel_set,
        toy=widgets.Dropdown(options=list(TOYS), value=toy, description="landscape"),
        level=widgets.FloatSlider(value=level, min=0.01, max=2.0, step=0.01, description="λ",
                                  continuous_update=False),
        resolution=widgets.fixed(151),
    )
