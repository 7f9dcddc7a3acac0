r"""Figures of lecture 04: units on the circle, the energy gap against width, paths between a pair,
and the fraction of runs that reach zero loss against width (Venturi, Bandeira & Bruna).

Every function returns the matplotlib figure (and draws into ``ax`` if one is given).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import torch
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from torch import Tensor

from ..landscape import Landscape
from ..paths import loss_along_segment, loss_along_string
from .axes import new_axes


def plot_units_on_circle(w: Tensor, u: Tensor, *, title: str | None = None, ax: Axes | None = None) -> Figure:
    r"""The units of a first layer in input dimension 2: row $w_k$ as a point, $u_k$ as colour and size.

    Points on the circle are unit-norm rows (the theorem's setting); blue for $u_k>0$, red for
    $u_k<0$, area proportional to $|u_k|$.  Close pairs of points are what makes a network
    *compressible* (Freeman & Bruna 2017, Thm 2.4: $\delta_W(m-l,\alpha;m)$).
    """
    if w.ndim != 2 or w.shape[1] != 2 or u.shape != w.shape[:1]:
        raise ValueError(f"plot_units_on_circle: `w` must have shape (m, 2) and `u` shape (m,), "
                         f"got {tuple(w.shape)} and {tuple(u.shape)}")
    fig, ax = new_axes(ax, figsize=(4.2, 4.2))
    phi = np.linspace(0, 2 * np.pi, 200)
    ax.plot(np.cos(phi), np.sin(phi), color="0.8", lw=1)
    W, U = w.detach().numpy(), u.detach().numpy()
    size = 300 * np.abs(U) / max(np.abs(U).max(), 1e-12)
    ax.scatter(W[U > 0, 0], W[U > 0, 1], s=size[U > 0], color="tab:blue", alpha=0.7, label=r"$u_k>0$")
    ax.scatter(W[U <= 0, 0], W[U <= 0, 1], s=size[U <= 0], color="tab:red", alpha=0.7, label=r"$u_k\leq0$")
    ax.set_aspect("equal")
    ax.set_xlim(-1.3, 1.3)
    ax.set_ylim(-1.3, 1.3)
    ax.set_xlabel(r"$w_{k,1}$")
    ax.set_ylabel(r"$w_{k,2}$")
    ax.legend(fontsize=8, loc="lower right")
    if title:
        ax.set_title(title, fontsize=10)
    return fig


def plot_gap_vs_width(
    widths: Sequence[int],
    gaps: Mapping[str, Sequence[Sequence[float]]],
    *,
    fits: Mapping[str, tuple[float, float]] | None = None,
    reference_slope: float | None = None,
    ylabel: str = r"energy gap $\varepsilon$ (lowest connecting level)",
    ax: Axes | None = None,
) -> Figure:
    r"""Gaps of every pair (dots) and their median (line) against width, on log-log axes.

    Args:
        widths: the widths $m$.
        gaps: for each target name, one list of gaps per width.
        fits: optional ``(c, k)`` per target: the fitted power law $c\,m^k$ (dashed).
        reference_slope: draw $m^{k}$ with this $k$ (e.g. $-1/n$), anchored at the first median.
    """
    fig, ax = new_axes(ax, figsize=(6.0, 4.2))
    m = np.asarray(widths, dtype=float)
    for i, (name, values) in enumerate(gaps.items()):
        color = f"C{i}"
        for x, vs in zip(m, values):
            ax.plot([x] * len(vs), vs, "o", color=color, alpha=0.35, ms=4)
        med = np.array([np.median(v) for v in values])
        ax.plot(m, med, "o-", color=color, label=f"{name}: median")
        if fits and name in fits:
            c, k = fits[name]
            ax.plot(m, c * m**k, "--", color=color, lw=1, label=rf"{name}: fit $\propto m^{{{k:.2f}}}$")
        if reference_slope is not None and i == 0:
            ax.plot(m, med[0] * (m / m[0]) ** reference_slope, ":", color="black",
                    label=rf"reference $m^{{{reference_slope:.2g}}}$")
    ax.set_xscale("log", base=2)
    ax.set_yscale("log")
    ax.set_xlabel(r"width $m$ (hidden units)")
    ax.set_ylabel(ylabel)
    ax.legend(fontsize=8)
    return fig


def plot_merge_costs(angles: Sequence[float], costs: Sequence[float], *, ax: Axes | None = None) -> Figure:
    r"""Loss change when two neighbouring units are merged onto their bisector, against their angle $\alpha$.

    Freeman & Bruna (2017, Prop. 2.3): the merged features differ by $O(\alpha)$, so close pairs are
    cheap to merge -- the robust compressibility of Thm 2.4.  Plotted as $|\Delta F|$ on a log axis
    (a merge can also lower the loss a little when the network is not exactly at a minimum).
    """
    fig, ax = new_axes(ax, figsize=(5.0, 3.8))
    a, c = np.asarray(angles, dtype=float), np.abs(np.asarray(costs, dtype=float))
    ax.plot(a, np.maximum(c, 1e-12), "o", color="tab:purple", alpha=0.7)
    ax.set_yscale("log")
    ax.set_xlabel(r"angle $\alpha$ between the two units (rad)")
    ax.set_ylabel(r"$|\Delta F|$ after merging them")
    return fig


@dataclass(frozen=True)
class PathCurves:
    """Loss along the straight segment and along a certified string between one pair (for the widget)."""

    line_position: Tensor
    line_loss: Tensor
    string_position: Tensor
    string_loss: Tensor
    bead_position: Tensor
    bead_loss: Tensor
    gap: float
    label: str


def path_curves(landscape: Landscape, beads: Tensor, *, gap: float, label: str = "", n_points: int = 25) -> PathCurves:
    """Precompute both curves of a pair: positions are fractions of each path's length (0 to 1)."""
    t, line = loss_along_segment(landscape, beads[0], beads[-1], n_points * 4)
    s, losses = loss_along_string(landscape, beads, n_points)
    steps = (beads[1:] - beads[:-1]).norm(dim=1)
    start = torch.cat([steps.new_zeros(1), steps.cumsum(0)])
    total = float(start[-1])
    k = s.floor().clamp(max=len(steps) - 1).long()
    position = (start[k] + (s - k) * steps[k]) / total
    return PathCurves(t, line, position.reshape(-1), losses.reshape(-1), start / total,
                      torch.cat([losses[:, 0], losses[-1:, -1]]), gap, label)


def plot_paths(curves: PathCurves, *, ax: Axes | None = None, ylim: tuple[float, float] | None = None) -> Figure:
    """Loss along the straight line and along the DSS string of one pair, with the gap marked."""
    fig, ax = new_axes(ax, figsize=(6.5, 3.8))
    ax.plot(curves.line_position.numpy(), curves.line_loss.numpy(), color="tab:gray", label="straight line")
    ax.plot(curves.string_position.numpy(), curves.string_loss.numpy(), color="tab:blue", label="DSS string")
    ax.plot(curves.bead_position.numpy(), curves.bead_loss.numpy(), "o", color="black", ms=3, label="beads")
    ax.axhline(curves.gap, color="tab:red", ls="--", lw=1, label=rf"certified gap $\varepsilon$ = {curves.gap:.3g}")
    ax.set_yscale("log")
    if ylim:
        ax.set_ylim(*ylim)
    ax.set_xlabel("position along the path (fraction of its length)")
    ax.set_ylabel(r"loss $F$")
    ax.legend(fontsize=8, loc="upper right")
    if curves.label:
        ax.set_title(curves.label, fontsize=10)
    return fig


def plot_success_vs_width(
    widths: Sequence[int],
    fractions: Mapping[str, Sequence[float]],
    *,
    intrinsic_dimension: int | None = None,
    ax: Axes | None = None,
) -> Figure:
    """Fraction of training runs that reach zero loss against width, with the intrinsic dimension marked."""
    fig, ax = new_axes(ax, figsize=(6.0, 3.8))
    for name, frac in fractions.items():
        ax.plot(list(widths), list(frac), "o-", label=name)
    if intrinsic_dimension is not None:
        ax.axvline(intrinsic_dimension, color="black", ls="--", lw=1,
                   label=f"intrinsic dimension {intrinsic_dimension}")
    ax.set_ylim(-0.05, 1.05)
    ax.set_xlabel(r"width $p$ (hidden units)")
    ax.set_ylabel("fraction of runs reaching zero loss")
    ax.legend(fontsize=8, loc="lower right")
    return fig
