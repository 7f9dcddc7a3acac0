r"""Pictures for lecture 02: sublevel components of a 2-D grid of losses, e.g. a slice through two solutions."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
from matplotlib.axes import Axes
from matplotlib.colors import ListedColormap
from matplotlib.figure import Figure
from torch import Tensor

from ..topology.slices import PlaneSlice
from ..topology.sublevel import label_components, sublevel_mask
from .axes import new_axes


def plot_components(xs: Tensor, ys: Tensor, values: Tensor, level: float, *,
                    points: Mapping[str, Sequence[float]] | None = None, xlabel: str = r"$\theta_1$",
                    ylabel: str = r"$\theta_2$", title: str | None = None, ax: Axes | None = None) -> Figure:
    r"""$\Omega(\lambda)$ on a 2-D grid of values, each component in its own colour, over the contour lines.

    Args:
        xs, ys: grid coordinates (1-D); values: F on the grid, shape (len(xs), len(ys)).
        level: $\lambda$.
        points: optional ``{label: (x, y)}`` marked on top (e.g. the solutions).
        xlabel, ylabel, title: axis labels; the default title gives $N_\lambda$.
    """
    fig, ax = new_axes(ax, figsize=(5.0, 4.2))
    labels, n = label_components(sublevel_mask(values, level))
    colours = ListedColormap(["white"] + [f"C{i % 10}" for i in range(max(n, 1))])
    extent = (float(xs[0]), float(xs[-1]), float(ys[0]), float(ys[-1]))
    ax.imshow(labels.T.numpy(), origin="lower", extent=extent, cmap=colours, vmin=0, vmax=max(n, 1),
              interpolation="nearest", alpha=0.8, aspect="auto")
    finite = values.numpy()
    levels = np.unique(np.quantile(finite, np.linspace(0.02, 0.9, 12)))
    if len(levels) > 1:
        ax.contour(xs.numpy(), ys.numpy(), finite.T, levels=levels, colors="k", linewidths=0.4, alpha=0.5)
    for i, (label, (x, y)) in enumerate((points or {}).items()):
        ax.plot([x], [y], marker="*^os"[i % 4], color="k", ms=10, ls="none", label=label)
    if points:
        ax.legend(loc="upper right", fontsize=8)
    ax.set(xlabel=xlabel, ylabel=ylabel,
           title=title if title is not None else rf"$\Omega(\lambda={level:.3g})$: $N_\lambda = {n}$ components")
    return fig


def plot_slice_components(slice_: PlaneSlice, level: float, *, names: Sequence[str] = ("A", "B", "C"),
                          ax: Axes | None = None) -> Figure:
    r"""The components of $\Omega(\lambda)$ in the plane through three points (a :class:`PlaneSlice`)."""
    n = int(label_components(sublevel_mask(slice_.values, level))[1])
    points = {name: (float(x), float(y)) for name, (x, y) in zip(names, slice_.coords)}
    return plot_components(slice_.alphas, slice_.betas, slice_.values, level, points=points,
                           xlabel=r"$\alpha$ (along $\theta_B-\theta_A$)", ylabel=r"$\beta$ (towards $\theta_C$)",
                           title=rf"slice: $\Omega(\lambda={level:.3g})$ has $N_\lambda={n}$ components", ax=ax)
