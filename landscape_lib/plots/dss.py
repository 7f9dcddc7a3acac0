"""Figures of Dynamic String Sampling: a string over a 2-D landscape, the loss along it, a threshold sweep.

Every function returns the matplotlib figure (and draws into ``ax`` if one is given).  Figures are
pyplot-free (see :mod:`landscape_lib.plots.axes`): a notebook shows a returned figure once.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import torch
from matplotlib import colormaps, patheffects
from matplotlib.artist import Artist
from matplotlib.axes import Axes
from matplotlib.colors import LogNorm
from matplotlib.contour import QuadContourSet
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.ticker import LogFormatterSciNotation, LogLocator
from torch import Tensor

from ..dss.result import DSSResult
from ..landscape import Landscape
from ..paths import loss_along_string
from .axes import new_axes, new_figure

PASS_COLOR, FAIL_COLOR, NEW_COLOR = "tab:green", "tab:red", "tab:orange"
LEVEL_COLOR = "white"  # the outline and veil of Omega(level): bright on the dark low end of the colormap
# perceptual (equal steps of the log-loss look like equal steps of colour) and free of green and red,
# so passing and failing segments stand out on it
CMAP = "cividis"
# The colour scale spans this many decades below the acceptance level, so the valley floor inside
# Omega(level), the level itself and the bump above it all get their own colours.
DECADES_BELOW_LEVEL = 2.0
N_LEVELS = 25
_OUTLINE = [patheffects.withStroke(linewidth=3.5, foreground="black")]  # segments readable on any colour
_THIN_OUTLINE = [patheffects.withStroke(linewidth=2.6, foreground="black")]


def loss_grid(
    landscape: Landscape, extent: tuple[float, float, float, float] | None = None, resolution: int = 200,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(X, Y, Z)``: a 2-D landscape evaluated on a ``resolution``-by-``resolution`` grid of ``extent``."""
    if landscape.dim != 2:
        raise ValueError(f"loss_grid: needs a 2-D landscape, got dim {landscape.dim}")
    x0, x1, y0, y1 = extent or getattr(landscape, "extent", None) or (-2.0, 2.0, -2.0, 2.0)
    xs = torch.linspace(x0, x1, resolution, dtype=landscape.dtype)
    ys = torch.linspace(y0, y1, resolution, dtype=landscape.dtype)
    X, Y = torch.meshgrid(xs, ys, indexing="xy")
    Z = landscape.evaluate(torch.stack([X.reshape(-1), Y.reshape(-1)], 1)).reshape(X.shape)
    return X.numpy(), Y.numpy(), Z.detach().numpy()


def loss_norm(Z: np.ndarray, levels: Sequence[float] = ()) -> LogNorm:
    r"""A logarithmic colour scale for the loss: from ``DECADES_BELOW_LEVEL`` decades below the lowest
    acceptance level (or the loss's 1 % quantile, if no level is given) up to the largest loss.

    A linear scale up to the walls of the plot puts the valley, the bump and $\Omega(mL_0)$ in the
    same darkest band; on a log scale every decade of loss gets the same share of the colours.
    """
    top = float(np.max(Z))
    positive = Z[Z > 0]
    floor = float(np.quantile(positive, 0.01)) if positive.size else top * 1e-4
    if levels:
        floor = min(levels) * 10.0 ** -DECADES_BELOW_LEVEL
    floor = min(max(floor, top * 1e-8), top / 10)  # at least one decade, never zero
    return LogNorm(vmin=floor, vmax=top)


def _draw_landscape(ax: Axes, X: np.ndarray, Y: np.ndarray, Z: np.ndarray, norm: LogNorm) -> QuadContourSet:
    levels = np.geomspace(norm.vmin, norm.vmax, N_LEVELS)
    # values below the floor (the valley floor itself) get the lowest colour instead of a hole
    return ax.contourf(X, Y, np.maximum(Z, norm.vmin), levels=levels, norm=norm, cmap=CMAP)


def _draw_level_set(ax: Axes, X: np.ndarray, Y: np.ndarray, Z: np.ndarray, level: float) -> None:
    ax.contourf(X, Y, Z, levels=[float(Z.min()) - 1, level], colors=[LEVEL_COLOR], alpha=0.3)
    ax.contour(X, Y, Z, levels=[level], colors=[LEVEL_COLOR], linewidths=1.6)


def _draw_bisector(ax: Axes, left: np.ndarray, right: np.ndarray) -> None:
    """The perpendicular bisector of ``left``-``right``: the line a pulled bead between them is confined to."""
    mid, chord = (left + right) / 2, right - left
    normal = np.array([-chord[1], chord[0]]) / np.linalg.norm(chord)
    t = np.array([-10.0, 10.0])  # long enough to cross any plotted extent; the axes limits clip it
    ax.plot(mid[0] + t * normal[0], mid[1] + t * normal[1], "--", color="white", lw=1.4, gid="bisector",
            path_effects=_THIN_OUTLINE)


def _legend_handles(level_label: str | None, passing: bool, failing: bool, unchecked: bool, new: bool,
                    bisector: bool) -> list[Artist]:
    """Proxy artists for every kind of mark a string plot draws (one legend for all panels)."""
    handles: list[Artist] = []
    if level_label is not None:
        # the look of the veil: white at alpha 0.3 over a middle colour of the map
        veil = 0.7 * np.asarray(colormaps[CMAP](0.5)[:3]) + 0.3
        handles.append(Patch(facecolor=tuple(veil), edgecolor="black", label=level_label))
    for shown, color, label in ((passing, PASS_COLOR, "segment passes (max loss $\\leq$ level)"),
                                (failing, FAIL_COLOR, "segment fails (max loss $>$ level)"),
                                (unchecked, "white", "segment (not checked)")):
        if shown:
            handles.append(Line2D([], [], color=color, lw=2, path_effects=_OUTLINE, label=label))
    handles.append(Line2D([], [], ls="", marker="o", color="black", mec="white", ms=5, label="beads"))
    if new:
        handles.append(Line2D([], [], ls="", marker="o", color=NEW_COLOR, mec="black", ms=7, label="new beads"))
    handles.append(Line2D([], [], ls="", marker="s", color="tab:purple", mec="white", ms=7,
                          label=r"endpoints $\theta_A,\theta_B$"))
    if bisector:
        handles.append(Line2D([], [], ls="--", color="white", lw=1.4, path_effects=_THIN_OUTLINE,
                              label="bisector of the neighbours"))
    return handles


def _draw_string(
    ax: Axes, grid: tuple[np.ndarray, np.ndarray, np.ndarray], norm: LogNorm, beads: Tensor, *,
    level: float | None, segment_max: Tensor | None, new: Sequence[int], bisector: int | None, title: str | None,
) -> tuple[QuadContourSet, dict[str, bool]]:
    """One panel of :func:`plot_string`; returns the filled contours and which marks it drew."""
    X, Y, Z = grid
    cs = _draw_landscape(ax, X, Y, Z, norm)
    if level is not None:
        _draw_level_set(ax, X, Y, Z, level)
    b = beads.detach().cpu().numpy()
    drawn = {"passing": False, "failing": False, "unchecked": False, "new": bool(len(new)), "bisector": False}
    for j in range(len(b) - 1):
        if segment_max is None or level is None:
            kind, color = "unchecked", "white"
        else:
            kind, color = ("passing", PASS_COLOR) if float(segment_max[j]) <= level else ("failing", FAIL_COLOR)
        drawn[kind] = True
        ax.plot(b[j:j + 2, 0], b[j:j + 2, 1], "-", color=color, lw=2, path_effects=_OUTLINE)
    if bisector is not None:
        if not 0 < bisector < len(b) - 1:
            raise ValueError(f"plot_string: argument `bisector` must be an interior bead index in [1, {len(b) - 2}], "
                             f"got {bisector}")
        _draw_bisector(ax, b[bisector - 1], b[bisector + 1])
        drawn["bisector"] = True
    ax.plot(b[:, 0], b[:, 1], "o", color="black", mec="white", ms=4)
    if len(new):
        ax.plot(b[list(new), 0], b[list(new), 1], "o", color=NEW_COLOR, mec="black", ms=7)
    ax.plot(b[[0, -1], 0], b[[0, -1], 1], "s", color="tab:purple", mec="white", ms=7)
    ax.set_xlim(float(X.min()), float(X.max()))
    ax.set_ylim(float(Y.min()), float(Y.max()))
    ax.set_aspect("equal")
    ax.set_xlabel(r"$\theta_1$")
    ax.set_ylabel(r"$\theta_2$")
    if title:
        ax.set_title(title, fontsize=10)
    return cs, drawn


def _colorbar(fig: Figure, cs: QuadContourSet, axes: Axes | Sequence[Axes], levels: Sequence[float]) -> None:
    bar = fig.colorbar(cs, ax=axes, label=r"loss $F(\theta)$ (log scale)", shrink=0.9)
    bar.set_ticks(LogLocator(numticks=12).tick_values(cs.norm.vmin, cs.norm.vmax))
    bar.ax.yaxis.set_major_formatter(LogFormatterSciNotation())
    bar.ax.set_ylim(cs.norm.vmin, cs.norm.vmax)
    bar.ax.minorticks_off()
    for level in sorted(set(levels)):  # where Omega(level) ends on the scale
        bar.ax.axhline(level, color=LEVEL_COLOR, lw=2)
        bar.ax.axhline(level, color="black", lw=0.6)


def plot_strings(
    landscape: Landscape,
    panels: Sequence[Mapping[str, Any]],
    *,
    level_label: str = r"$\Omega(mL_0) = \{F \leq mL_0\}$",
    extent: tuple[float, float, float, float] | None = None,
    resolution: int = 200,
    panel_width: float = 3.1,
) -> Figure:
    r"""Several strings over the same 2-D landscape side by side: one shared logarithmic colour
    scale, ONE colour bar and one legend for the whole figure.

    Args:
        landscape: a 2-D landscape.
        panels: one mapping per panel with the keyword arguments of :func:`plot_string`
            (``beads`` and optionally ``level``, ``segment_max``, ``new``, ``bisector``, ``title``).
        level_label: the legend's name of the shaded sublevel set $\Omega(\text{level})$.
        extent, resolution: the plotted window and its grid.
        panel_width: inches per panel (3 panels fit a 10-inch notebook column).
    """
    if not panels:
        raise ValueError("plot_strings: argument `panels` must hold at least one panel, got none")
    grid = loss_grid(landscape, extent, resolution)
    levels = [float(p["level"]) for p in panels if p.get("level") is not None]
    norm = loss_norm(grid[2], levels)
    fig, axes = new_figure(len(panels), figsize=(min(panel_width * len(panels) + 1.3, 10.0), 3.9))
    drawn: dict[str, bool] = {}
    for ax, panel in zip(axes, panels):
        cs, marks = _draw_string(ax, grid, norm, panel["beads"], level=panel.get("level"),
                                 segment_max=panel.get("segment_max"), new=panel.get("new", ()),
                                 bisector=panel.get("bisector"), title=panel.get("title"))
        drawn = {k: drawn.get(k, False) or v for k, v in marks.items()}
    _colorbar(fig, cs, axes, levels)
    handles = _legend_handles(level_label if levels else None, **drawn)
    fig.legend(handles=handles, loc="outside lower center", ncols=min(len(handles), 4), fontsize=8,
               frameon=False)
    return fig


def plot_string(
    landscape: Landscape,
    beads: Tensor,
    *,
    level: float | None = None,
    segment_max: Tensor | None = None,
    new: Sequence[int] = (),
    bisector: int | None = None,
    extent: tuple[float, float, float, float] | None = None,
    title: str | None = None,
    level_label: str = r"$\Omega(\mathrm{level}) = \{F \leq \mathrm{level}\}$",
    ax: Axes | None = None,
    resolution: int = 200,
) -> Figure:
    r"""A string of beads over the contour plot of a 2-D landscape (logarithmic colour scale).

    The sublevel set $\Omega(\text{level})$ is veiled in white and outlined; segments are green if
    their maximum loss (``segment_max``) is $\le$ ``level`` and red otherwise (white if not given);
    beads listed in ``new`` are orange.  ``bisector=i`` draws the perpendicular bisector of bead
    $i$'s neighbours: the hyperplane $\{\theta: \lVert\theta-\theta_{i-1}\rVert = \lVert\theta-\theta_{i+1}\rVert\}$
    that Freeman & Bruna's pull (2017, Appendix A) confines bead $i$ to.  For several panels with
    one colour bar, use :func:`plot_strings`.
    """
    if landscape.dim != 2:
        raise ValueError(f"plot_string: needs a 2-D landscape, got dim {landscape.dim}")
    fig, ax = new_axes(ax, figsize=(5.6, 4.6))
    grid = loss_grid(landscape, extent, resolution)
    cs, drawn = _draw_string(ax, grid, loss_norm(grid[2], [] if level is None else [level]), beads, level=level,
                             segment_max=segment_max, new=new, bisector=bisector, title=title)
    _colorbar(fig, cs, ax, [] if level is None else [level])
    ax.legend(handles=_legend_handles(level_label if level is not None else None, **drawn), loc="lower left",
              fontsize=7, framealpha=0.85)
    return fig


def dss_depth_panel(result: DSSResult, depth: int) -> dict[str, Any]:
    """The :func:`plot_string` arguments (a panel of :func:`plot_strings`) showing ``result`` after ``depth``."""
    if not 0 <= depth < len(result.history):
        raise ValueError(f"plot_dss_depth: argument `depth` must be in [0, {len(result.history) - 1}], got {depth}")
    rec = result.history[depth]
    last = depth == len(result.history) - 1
    status = f" -> {result.reason.value}" if last else f", {len(rec.failing)} failing"
    return {"beads": rec.beads, "level": result.level, "segment_max": rec.segment_max, "new": rec.new,
                "title": f"depth {depth}: {len(rec.beads)} beads{status}"}


def _level_label(result: DSSResult) -> str:
    return rf"$\Omega(mL_0)$, $mL_0 = {result.level:.3g}$"


def plot_dss_depth(landscape: Landscape, result: DSSResult, depth: int, *, ax: Axes | None = None) -> Figure:
    """The string of a 2-D DSS run after ``depth`` (from ``result.history``), failing segments in red."""
    return plot_string(landscape, ax=ax, level_label=_level_label(result), **dss_depth_panel(result, depth))


def plot_dss_depths(landscape: Landscape, result: DSSResult, depths: Sequence[int]) -> Figure:
    """The string of a 2-D DSS run after each of ``depths``, side by side with one colour bar."""
    return plot_strings(landscape, [dss_depth_panel(result, d) for d in depths], level_label=_level_label(result))


def plot_loss_along_string(
    landscape: Landscape, beads: Tensor, *, level: float | None = None, n_points: int = 50,
    label: str | None = None, ax: Axes | None = None,
) -> Figure:
    """Loss along a string against the position s = segment index + t, with the acceptance level."""
    fig, ax = new_axes(ax, figsize=(6.0, 3.5))
    s, losses = loss_along_string(landscape, beads, n_points)
    ax.plot(s.reshape(-1).numpy(), losses.reshape(-1).numpy(), "-", label=label or "loss along the string")
    ax.plot(np.arange(len(beads)), losses[:, 0].tolist() + [float(losses[-1, -1])], "o", color="black", ms=3)
    if level is not None:
        ax.axhline(level, color=FAIL_COLOR, ls="--", lw=1, label=r"acceptance level $mL_0$")
    ax.set_xlabel("position along the string (segment index + t)")
    ax.set_ylabel(r"loss $F$")
    ax.legend(fontsize=8)
    return fig


def plot_dss_sweep(
    thresholds: Sequence[float],
    lengths: Sequence[Sequence[float]],
    n_beads: Sequence[Sequence[float]],
    *,
    paper: Sequence[tuple[float, float, float]] | None = None,
    fit: tuple[float, float] | None = None,
    title: str = "",
) -> Figure:
    r"""Normalized length and number of beads against $L_0$: mean $\pm$ std over connected pairs.

    Args:
        thresholds: the $L_0$ values.
        lengths, n_beads: for each threshold, the values of the connected pairs.
        paper: optional ``(L0, length, beads)`` rows of the published values, drawn as open markers
            and labelled as the paper's.
        fit: optional ``(c, k)`` of a power law ``beads = c * L0**k`` to draw.
    """
    fig, (ax1, ax2) = new_figure(2, figsize=(10, 3.8))
    L = np.asarray(thresholds, dtype=float)
    for ax, values, name in ((ax1, lengths, "normalized geodesic length"), (ax2, n_beads, "number of beads")):
        mean = np.array([np.mean(v) if len(v) else np.nan for v in values])
        std = np.array([np.std(v) if len(v) else np.nan for v in values])
        ax.errorbar(L, mean, yerr=std, fmt="o-", capsize=3, label="this course (mean ± std, connected pairs)")
        ax.set_xscale("log")
        ax.set_xlabel(r"threshold $L_0$ (MAE)")
        ax.set_ylabel(name)
    if paper is not None:
        p = np.asarray(paper, dtype=float)
        ax1.plot(p[:, 0], p[:, 1], "s", mfc="none", color="tab:red", label="Freeman & Bruna 2017 (digitised)")
        ax2.plot(p[:, 0], p[:, 2], "s", mfc="none", color="tab:red", label="Freeman & Bruna 2017 (digitised)")
    if fit is not None:
        grid = np.geomspace(L.min(), L.max(), 50)
        ax2.plot(grid, fit[0] * grid ** fit[1], "--", color="gray", label=rf"fit ${fit[0]:.3g}\,L_0^{{{fit[1]:.2f}}}$")
    ax2.set_yscale("log")
    ax1.legend(fontsize=8)
    ax2.legend(fontsize=8)
    if title:
        fig.suptitle(title)
    return fig


def plot_dss_ablation(
    n_beads: Mapping[str, Sequence[float]],
    lengths: Mapping[str, Sequence[float]],
    *,
    title: str = "",
) -> Figure:
    r"""Beads and normalized length per setting of an ablation (one change of a DSS option at a time).

    Each setting gets a row: its connected pairs as dots and their mean as a bar, so a reader sees
    both the shift of the mean and the pair-to-pair spread (Freeman & Bruna 2017 report means only).

    Args:
        n_beads, lengths: setting name -> the values of the connected pairs (same keys, in display order).
        title: an optional figure title.
    """
    if list(n_beads) != list(lengths):
        raise ValueError("plot_dss_ablation: `n_beads` and `lengths` must have the same settings in the same order")
    names = list(n_beads)
    fig, axes = new_figure(2, figsize=(10, 0.45 * len(names) + 1.6))
    rows = np.arange(len(names))[::-1]
    for ax, values, label in ((axes[0], n_beads, "number of beads"), (axes[1], lengths, "normalized geodesic length")):
        means = [np.mean(values[n]) if len(values[n]) else np.nan for n in names]
        ax.barh(rows, means, color="tab:blue", alpha=0.35, label="mean over connected pairs")
        for y, n in zip(rows, names):
            ax.plot(values[n], np.full(len(values[n]), y), "o", color="tab:blue", ms=4)
        ax.set_yticks(rows)
        ax.set_yticklabels(names)
        ax.set_xlabel(label)
        ax.set_ylabel("setting")
    axes[0].axvline(3, color="gray", ls=":", lw=1, label="floor: 3 beads")
    axes[1].set_xlim(left=0.95)
    axes[0].legend(fontsize=7, loc="upper right", framealpha=0.9)
    if title:
        fig.suptitle(title)
    return fig
