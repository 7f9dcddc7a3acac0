"""Figures of Dynamic String Sampling: a string over a 2-D landscape, the loss along it, a threshold sweep.

Every function returns the matplotlib figure (and draws into ``ax`` if one is given).  Figures are
pyplot-free (see :mod:`landscape_lib.plots.axes`): a notebook shows a returned figure once.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import torch
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from torch import Tensor

from ..dss.result import DSSResult
from ..landscape import Landscape
from ..paths import loss_along_string
from .axes import new_axes, new_figure

PASS_COLOR, FAIL_COLOR, NEW_COLOR = "tab:green", "tab:red", "tab:orange"


def plot_string(
    landscape: Landscape,
    beads: Tensor,
    *,
    level: float | None = None,
    segment_max: Tensor | None = None,
    new: Sequence[int] = (),
    extent: tuple[float, float, float, float] | None = None,
    title: str | None = None,
    ax: Axes | None = None,
    resolution: int = 200,
) -> Figure:
    r"""A string of beads over the contour plot of a 2-D landscape.

    The sublevel set $\Omega(\text{level})$ is shaded; segments are green if their maximum loss is
    $\le$ ``level`` and red otherwise; beads listed in ``new`` are orange.
    """
    if landscape.dim != 2:
        raise ValueError(f"plot_string: needs a 2-D landscape, got dim {landscape.dim}")
    fig, ax = new_axes(ax, figsize=(5.5, 4.5))
    x0, x1, y0, y1 = extent or getattr(landscape, "extent", None) or (-2.0, 2.0, -2.0, 2.0)
    xs = torch.linspace(x0, x1, resolution, dtype=landscape.dtype)
    ys = torch.linspace(y0, y1, resolution, dtype=landscape.dtype)
    X, Y = torch.meshgrid(xs, ys, indexing="xy")
    Z = landscape.evaluate(torch.stack([X.reshape(-1), Y.reshape(-1)], 1)).reshape(X.shape)
    cs = ax.contourf(X.numpy(), Y.numpy(), Z.numpy(), levels=30, cmap="Greys_r", alpha=0.8)
    fig.colorbar(cs, ax=ax, label=r"loss $F(\theta)$")
    if level is not None:
        ax.contourf(X.numpy(), Y.numpy(), Z.numpy(), levels=[float(Z.min()) - 1, level], colors=["tab:blue"], alpha=0.25)
        ax.contour(X.numpy(), Y.numpy(), Z.numpy(), levels=[level], colors=["tab:blue"], linewidths=1)
    b = beads.detach().cpu().numpy()
    for j in range(len(b) - 1):
        failing = segment_max is not None and level is not None and not float(segment_max[j]) <= level
        ax.plot(b[j:j + 2, 0], b[j:j + 2, 1], "-", color=FAIL_COLOR if failing else PASS_COLOR, lw=2)
    ax.plot(b[:, 0], b[:, 1], "o", color="black", ms=4, label="beads")
    if len(new):
        ax.plot(b[list(new), 0], b[list(new), 1], "o", color=NEW_COLOR, ms=7, label="new beads")
    ax.plot(b[[0, -1], 0], b[[0, -1], 1], "s", color="tab:purple", ms=8, label=r"endpoints $\theta_A,\theta_B$")
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)
    ax.set_aspect("equal")
    ax.set_xlabel(r"$\theta_1$")
    ax.set_ylabel(r"$\theta_2$")
    ax.legend(loc="lower left", fontsize=8)
    if title:
        ax.set_title(title)
    return fig


def plot_dss_depth(landscape: Landscape, result: DSSResult, depth: int, *, ax: Axes | None = None) -> Figure:
    """The string of a 2-D DSS run after ``depth`` (from ``result.history``), failing segments in red."""
    if not 0 <= depth < len(result.history):
        raise ValueError(f"plot_dss_depth: argument `depth` must be in [0, {len(result.history) - 1}], got {depth}")
    rec = result.history[depth]
    last = depth == len(result.history) - 1
    status = f" -> {result.reason.value}" if last else f", {len(rec.failing)} failing segment(s)"
    return plot_string(landscape, rec.beads, level=result.level, segment_max=rec.segment_max, new=rec.new,
                       title=f"depth {depth}: {len(rec.beads)} beads{status}", ax=ax)


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
