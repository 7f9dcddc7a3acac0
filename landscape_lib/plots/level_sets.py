r"""Pictures of 2-D landscapes: contours, sublevel sets $\Omega(\lambda)$ with their components, strings.

Every function returns the matplotlib ``Figure`` (pass ``ax=`` to draw into an existing axes).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import torch
from matplotlib.axes import Axes
from matplotlib.colors import BoundaryNorm, ListedColormap
from matplotlib.figure import Figure
from torch import Tensor

from ..landscape import AnalyticLandscape
from ..topology.sublevel import evaluate_on_grid, label_components, sublevel_mask
from .axes import new_axes


def grid_axes(landscape: AnalyticLandscape, resolution: int = 201) -> tuple[Tensor, Tensor]:
    """Two coordinate axes covering ``landscape.extent`` with ``resolution`` points each."""
    if landscape.dim != 2 or landscape.extent is None:
        raise ValueError(f"grid_axes: need a 2-D landscape with an `extent`, got {landscape!r}")
    x0, x1, y0, y1 = landscape.extent
    return (torch.linspace(x0, x1, resolution, dtype=landscape.dtype),
            torch.linspace(y0, y1, resolution, dtype=landscape.dtype))


def plot_landscape(
    landscape: AnalyticLandscape,
    *,
    resolution: int = 201,
    levels: int | Sequence[float] | None = None,
    strings: Mapping[str, Tensor] | None = None,
    ax: Axes | None = None,
) -> Figure:
    """Filled contour plot of a 2-D landscape, optionally with strings of beads drawn on top.

    Args:
        landscape: a 2-D landscape with an ``extent``.
        resolution: grid points per axis.
        levels: number of contour levels, or the levels themselves (default: 25 levels at
            quantiles of F over the box, so that the low-lying structure -- the part we care
            about -- gets most of the colours).
        strings: ``{label: beads (n, 2)}`` drawn as polygons with markers.
        ax: draw into these axes instead of a new figure.
    """
    fig, ax = new_axes(ax)
    xs, ys = grid_axes(landscape, resolution)
    values = evaluate_on_grid(landscape, (xs, ys))
    if levels is None:
        levels = np.unique(np.quantile(values.numpy(), np.linspace(0.0, 0.95, 25)))
    # One colour per band whatever its width: the levels are uneven on purpose.
    norm = BoundaryNorm(levels, ncolors=256) if not isinstance(levels, int) else None
    cs = ax.contourf(xs.numpy(), ys.numpy(), values.T.numpy(), levels=levels, cmap="viridis", norm=norm, extend="max")
    fig.colorbar(cs, ax=ax, label=r"$F(\theta)$")
    for label, beads in (strings or {}).items():
        b = beads.detach().numpy()
        ax.plot(b[:, 0], b[:, 1], "o-", ms=3, lw=1.5, label=label)
    if strings:
        ax.legend(loc="upper right", fontsize=8)
    ax.set(xlabel=r"$\theta_1$", ylabel=r"$\theta_2$", title=landscape.name, aspect="equal")
    return fig


def plot_sublevel_set(
    landscape: AnalyticLandscape, level: float, *, resolution: int = 201, ax: Axes | None = None
) -> Figure:
    r"""$\Omega(\lambda)$ on a grid, each connected component in its own colour, over the contour lines."""
    fig, ax = new_axes(ax)
    xs, ys = grid_axes(landscape, resolution)
    values = evaluate_on_grid(landscape, (xs, ys))
    labels, n = label_components(sublevel_mask(values, level))
    colours = ListedColormap(["white"] + [f"C{i % 10}" for i in range(max(n, 1))])
    extent = (float(xs[0]), float(xs[-1]), float(ys[0]), float(ys[-1]))
    ax.imshow(labels.T.numpy(), origin="lower", extent=extent, cmap=colours, vmin=0, vmax=max(n, 1),
              interpolation="nearest", alpha=0.8)
    ax.contour(xs.numpy(), ys.numpy(), values.T.numpy(), levels=15, colors="k", linewidths=0.4, alpha=0.5)
    ax.set(xlabel=r"$\theta_1$", ylabel=r"$\theta_2$", aspect="equal",
           title=rf"{landscape.name}: $\Omega(\lambda={level:.3g})$ has $N_\lambda = {n}$")
    return fig


def plot_components_vs_level(
    levels: Sequence[float] | Tensor, counts: Sequence[int], *, marks: Mapping[str, float] | None = None,
    ax: Axes | None = None,
) -> Figure:
    r"""The staircase $\lambda \mapsto N_\lambda$, with optional vertical marks (e.g. a saddle level)."""
    fig, ax = new_axes(ax, figsize=(5.0, 3.2))
    ax.step(np.asarray(levels, dtype=float), np.asarray(counts), where="post")
    for label, x in (marks or {}).items():
        ax.axvline(x, color="k", ls="--", lw=1, label=label)
    if marks:
        ax.legend(fontsize=8)
    ax.set(xlabel=r"level $\lambda$", ylabel=r"components $N_\lambda$", title=r"Number of components of $\Omega(\lambda)$")
    return fig


def plot_losses_along_paths(curves: Mapping[str, tuple[Tensor, Tensor]], *, ax: Axes | None = None) -> Figure:
    r"""Loss along paths: ``{label: (s, losses)}`` with ``s`` the position along the path in [0, 1]."""
    fig, ax = new_axes(ax, figsize=(5.0, 3.2))
    for label, (s, losses) in curves.items():
        ax.plot(np.asarray(s, dtype=float).ravel(), np.asarray(losses, dtype=float).ravel(), label=label)
    ax.legend(fontsize=8)
    ax.set(xlabel="position along the path (fraction of its length)", ylabel=r"$F$", title="Loss along the paths")
    return fig


def plot_taut_strings(
    landscape: AnalyticLandscape,
    strings: Mapping[float, Tensor],
    *,
    resolution: int = 401,
    ax: Axes | None = None,
) -> Figure:
    r"""Shortest paths inside $\Omega(\lambda)$ for several levels: each string with the boundary of its set.

    Args:
        landscape: a 2-D landscape with an ``extent``.
        strings: ``{level: beads (n, 2)}``, e.g. from :func:`landscape_lib.strings.taut_string`.
        resolution: grid points per axis for the boundary curves $F = \lambda$.
        ax: draw into these axes instead of a new figure.
    """
    fig, ax = new_axes(ax, figsize=(5.0, 5.0))
    xs, ys = grid_axes(landscape, resolution)
    values = evaluate_on_grid(landscape, (xs, ys)).T.numpy()
    for i, (level, beads) in enumerate(sorted(strings.items())):
        colour = f"C{i % 10}"
        ax.contour(xs.numpy(), ys.numpy(), values, levels=[level], colors=colour, linewidths=0.8, linestyles="--")
        b = beads.detach().numpy()
        ax.plot(b[:, 0], b[:, 1], "o-", color=colour, ms=2, lw=1.5, label=rf"$\lambda$ = {level:g}")
    ax.legend(fontsize=8, loc="lower right", title=r"string in $\Omega(\lambda)$ (dashed: $F=\lambda$)", title_fontsize=7)
    ax.set(xlabel=r"$\theta_1$", ylabel=r"$\theta_2$", aspect="equal",
           title=f"{landscape.name}: shortest paths inside the sublevel sets")
    return fig
