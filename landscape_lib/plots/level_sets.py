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
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.ticker import MaxNLocator
from torch import Tensor

from ..landscape import AnalyticLandscape
from ..topology.sublevel import evaluate_on_grid, label_components, sublevel_mask
from .axes import COLUMN_WIDTH, CourseFigure, new_axes


def grid_axes(landscape: AnalyticLandscape, resolution: int = 201) -> tuple[Tensor, Tensor]:
    """Two coordinate axes covering ``landscape.extent`` with ``resolution`` points each."""
    if landscape.dim != 2 or landscape.extent is None:
        raise ValueError(f"grid_axes: need a 2-D landscape with an `extent`, got {landscape!r}")
    x0, x1, y0, y1 = landscape.extent
    return (torch.linspace(x0, x1, resolution, dtype=landscape.dtype),
            torch.linspace(y0, y1, resolution, dtype=landscape.dtype))


def even_levels(values: Tensor, *, top_quantile: float = 0.8, bands: int = 16) -> np.ndarray:
    r"""Evenly spaced contour levels at round numbers from $\min F$ up to the ``top_quantile`` of F.

    Values above the last level share the top colour (the colour bar's arrow): the corners of the
    box, where F is large, would otherwise take most of the colours from the low-lying part, which
    is what the lecture is about (wells, saddles, valley floors).
    """
    v = values.detach().cpu().numpy()
    lo, hi = float(v.min()), float(np.quantile(v, top_quantile))
    if not hi > lo:  # a flat landscape: one band
        return np.array([lo, lo + 1.0])
    levels = MaxNLocator(nbins=bands).tick_values(lo, hi)  # starts at or below lo
    return levels[levels <= hi + 1e-12 * abs(hi)]


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
        levels: number of contour levels, or the levels themselves (default: :func:`even_levels`,
            evenly spaced round numbers up to the 95 % quantile of F over the box; larger values
            share the top colour, shown by the colour bar's arrow).
        strings: ``{label: beads (n, 2)}`` drawn as polygons with markers.
        ax: draw into these axes instead of a new figure.
    """
    fig, ax = new_axes(ax)
    xs, ys = grid_axes(landscape, resolution)
    values = evaluate_on_grid(landscape, (xs, ys))
    if levels is None:
        levels = even_levels(values)
    # Levels given by hand may be uneven: one colour per band whatever its width.
    norm = BoundaryNorm(levels, ncolors=256) if not isinstance(levels, int) else None
    cs = ax.contourf(xs.numpy(), ys.numpy(), values.T.numpy(), levels=levels, cmap="viridis", norm=norm, extend="max")
    bar = fig.colorbar(cs, ax=ax, fraction=0.05, pad=0.03)
    # A few short round ticks inside the levels' range (not one per band, none on the arrow).
    lo, hi = float(np.min(cs.levels)), float(np.max(cs.levels))
    ticks = MaxNLocator(nbins=5).tick_values(lo, hi)
    bar.set_ticks(ticks[(ticks >= lo - 1e-9 * abs(hi - lo)) & (ticks <= hi + 1e-9 * abs(hi - lo))])
    bar.set_label(r"$F(\theta)$", labelpad=4)
    for label, beads in (strings or {}).items():
        b = beads.detach().numpy()
        ax.plot(b[:, 0], b[:, 1], "o-", ms=3, lw=1.5, label=label)
    if strings:
        ax.legend(loc="upper right", fontsize=8, framealpha=0.85)
    ax.set(xlabel=r"$\theta_1$", ylabel=r"$\theta_2$", title=landscape.name, aspect="equal")
    return fig


def plot_landscapes(landscapes: Sequence[AnalyticLandscape], *, ncols: int = 2, resolution: int = 151,
                    panel_width: float = 4.5) -> Figure:
    """Several landscapes (:func:`plot_landscape` each) on a grid of ``ncols`` columns.

    The figure is ``ncols * panel_width`` inches wide (at most :data:`COLUMN_WIDTH`): four panels
    in one row would be 18 inches, which a notebook column shrinks until the ticks are unreadable.
    """
    if not landscapes:
        raise ValueError("plot_landscapes: argument `landscapes` must hold at least one landscape, got none")
    ncols = max(1, min(ncols, len(landscapes)))
    nrows = -(-len(landscapes) // ncols)
    width = min(COLUMN_WIDTH, ncols * panel_width)
    # "compressed" is the layout for grids of equal-aspect axes ("constrained" cuts off the y labels).
    fig = CourseFigure(figsize=(width, nrows * 0.75 * width / ncols + 0.25), layout="compressed")
    axes = fig.subplots(nrows, ncols, squeeze=False).ravel()
    for landscape, ax in zip(landscapes, axes):
        plot_landscape(landscape, resolution=resolution, ax=ax)
    for ax in axes[len(landscapes):]:
        ax.set_axis_off()
    return fig


def plot_sublevel_set(
    landscape: AnalyticLandscape, level: float, *, resolution: int = 201, boundary_width: float = 1.8,
    ax: Axes | None = None,
) -> Figure:
    r"""$\Omega(\lambda) = \{F \le \lambda\}$ on a grid, each connected component in its own colour.

    The boundary $\{F = \lambda\}$ is drawn as one black contour line at exactly ``level``, of
    width ``boundary_width`` points (0: no line, for a set only a grid step wide, which any line
    would hide); the legend below the axes says what the colours and the line are.
    """
    fig, ax = new_axes(ax)
    xs, ys = grid_axes(landscape, resolution)
    values = evaluate_on_grid(landscape, (xs, ys))
    labels, n = label_components(sublevel_mask(values, level))
    colours = ListedColormap(["white"] + [f"C{i % 10}" for i in range(max(n, 1))])
    extent = (float(xs[0]), float(xs[-1]), float(ys[0]), float(ys[-1]))
    ax.imshow(labels.T.numpy(), origin="lower", extent=extent, cmap=colours, vmin=0, vmax=max(n, 1),
              interpolation="nearest", alpha=0.75)
    v = values.T.numpy()
    handles = [Patch(facecolor="C0", alpha=0.75, label=r"$\Omega(\lambda)$, one colour per component")]
    if boundary_width > 0:
        if v.min() <= level <= v.max():  # contour() warns when the level is outside the data
            ax.contour(xs.numpy(), ys.numpy(), v, levels=[level], colors="k", linewidths=boundary_width)
        handles.append(Line2D([], [], color="k", lw=boundary_width, label=r"boundary $F(\theta) = \lambda$"))
    ax.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, -0.14), fontsize=8, frameon=False)
    ax.set(xlabel=r"$\theta_1$", ylabel=r"$\theta_2$", aspect="equal",
           title=rf"{landscape.name}: $\Omega(\lambda={level:.3g})$ has $N_\lambda = {n}$")
    return fig


def plot_components_vs_level(
    levels: Sequence[float] | Tensor, counts: Sequence[int], *, marks: Mapping[str, float] | None = None,
    title: str = r"Number of components of $\Omega(\lambda)$", ax: Axes | None = None,
) -> Figure:
    r"""The staircase $\lambda \mapsto N_\lambda$ (integer ticks), with optional vertical marks (e.g. a saddle level).

    The marks are dashed red lines drawn *over* the staircase: at a saddle level the staircase's
    own vertical step lies exactly on the mark.
    """
    fig, ax = new_axes(ax, figsize=(5.5, 3.4))
    ax.step(np.asarray(levels, dtype=float), np.asarray(counts), where="post", color="C0", lw=2,
            label=r"$N_\lambda$ counted on the grid")
    for label, x in (marks or {}).items():
        ax.axvline(x, color="tab:red", ls=(0, (4, 3)), lw=1.5, zorder=3, label=label)
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))  # a count of components is a whole number
    ax.set_ylim(bottom=0, top=max(int(np.max(counts)), 1) * 1.15 + 0.2)
    ax.legend(fontsize=8, loc="upper right", framealpha=0.9)
    ax.set(xlabel=r"level $\lambda$", ylabel=r"components $N_\lambda$", title=title)
    return fig


def plot_losses_along_paths(
    curves: Mapping[str, tuple[Tensor, Tensor]], *, ylabel: str = r"$F$ along the path",
    title: str = "Loss along the paths", ax: Axes | None = None,
) -> Figure:
    r"""Loss along paths: ``{label: (s, losses)}`` with ``s`` the position along the path in [0, 1].

    Say what is plotted with ``ylabel`` (e.g. "training cross-entropy (nats)") and ``title``.
    """
    fig, ax = new_axes(ax, figsize=(5.5, 3.4))
    for label, (s, losses) in curves.items():
        ax.plot(np.asarray(s, dtype=float).ravel(), np.asarray(losses, dtype=float).ravel(), label=label)
    ax.legend(fontsize=8, framealpha=0.9)
    ax.set(xlabel="position along the path (fraction of its length)", ylabel=ylabel, title=title)
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
