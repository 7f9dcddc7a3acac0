r"""Figures of level-set geometry on real data (lecture 05): strings, straight lines, growth laws.

* :func:`string_plane` -- the 2-D plane through a string's endpoints and its bead of greatest
  deviation from the chord (a pure computation, also used by the exercises);
* :func:`plot_string_plane` -- the criterion on that plane with the string projected onto it;
* :func:`plot_profile` -- the criterion along a string and along the straight line between its ends;
* :func:`plot_barriers` -- straight-line maximum vs string maximum against the threshold;
* :func:`plot_growth` -- excess length and beads against the level, linear and logarithmic axes.

Every function returns the matplotlib figure (pyplot-free, see :mod:`landscape_lib.plots.axes`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import torch
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import NullFormatter
from torch import Tensor

from ..dss.growth import GrowthFit
from ..dss.sweep import LevelSweep
from ..landscape import Landscape
from ..paths import loss_along_string
from .axes import new_axes, new_figure


def string_plane(beads: Tensor) -> tuple[Tensor, Tensor, Tensor]:
    r"""The plane through the endpoints and the bead farthest from the chord, and the beads in it.

    With $u = (\theta_B-\theta_A)/\lVert\theta_B-\theta_A\rVert$ and the deviation of bead $i$ from
    the chord $d_i = (b_i-\theta_A) - \langle b_i-\theta_A, u\rangle u$, the plane is spanned by $u$
    and $v = d_k/\lVert d_k\rVert$, $k = \arg\max_i \lVert d_i\rVert$.  A bead's coordinates are
    $(\langle b_i-\theta_A, u\rangle, \langle b_i-\theta_A, v\rangle)$: the endpoints sit at $(0,0)$
    and $(\lVert\theta_B-\theta_A\rVert, 0)$, bead $k$ lies exactly in the plane.

    Args:
        beads: the string, shape (n, P), n >= 3.

    Returns:
        ``(origin, basis, coords)``: $\theta_A$ (P,), the orthonormal rows $u, v$ (2, P), and the
        beads' coordinates (n, 2).

    Raises:
        ValueError: fewer than 3 beads, equal endpoints, or a straight string (no deviation).
    """
    fn = "string_plane"
    if not isinstance(beads, Tensor) or beads.ndim != 2 or len(beads) < 3:
        raise ValueError(f"{fn}: argument `beads` must be a tensor of shape (n, P) with n >= 3, got "
                         f"{tuple(beads.shape) if isinstance(beads, Tensor) else type(beads).__name__}")
    origin = beads[0]
    chord = beads[-1] - origin
    length = chord.norm()
    if float(length) == 0.0:
        raise ValueError(f"{fn}: the endpoints of `beads` coincide; there is no chord")
    u = chord / length
    rel = beads - origin
    dev = rel - (rel @ u)[:, None] * u[None, :]
    norms = dev.norm(dim=1)
    k = int(norms.argmax())
    if float(norms[k]) <= 1e-12 * float(length):
        raise ValueError(f"{fn}: every bead lies on the chord (a straight string): no plane is singled out")
    v = dev[k] / norms[k]
    basis = torch.stack([u, v])
    return origin, basis, rel @ basis.T


def plot_string_plane(
    criterion: Landscape, beads: Tensor, *, level: float | None = None, n: int = 31, margin: float = 0.3,
    ax: Axes | None = None, title: str = "",
) -> Figure:
    r"""The criterion on the plane of :func:`string_plane`, with the string projected onto it.

    The plane is sampled on an ``n`` x ``n`` grid covering the projected beads plus ``margin``
    (a fraction of the chord) on every side.  The dashed contour is ``level`` (e.g. $mL_0$).
    Only the endpoints and bead $k$ lie in the plane; the other beads are projections, so the
    drawn polygon can cross regions where the plane itself is above the level.
    """
    fig, ax = new_axes(ax, figsize=(5.6, 4.4))
    origin, basis, coords = string_plane(beads)
    c = coords.detach().cpu().numpy()
    span = float(np.linalg.norm(c[-1] - c[0]))
    lo, hi = c.min(axis=0) - margin * span, c.max(axis=0) + margin * span
    xs = torch.linspace(float(lo[0]), float(hi[0]), n, dtype=beads.dtype)
    ys = torch.linspace(float(lo[1]), float(hi[1]), n, dtype=beads.dtype)
    X, Y = torch.meshgrid(xs, ys, indexing="xy")
    points = origin + X.reshape(-1, 1) * basis[0] + Y.reshape(-1, 1) * basis[1]
    Z = criterion.evaluate_in_blocks(points).reshape(n, n).cpu().numpy()
    im = ax.contourf(X.numpy(), Y.numpy(), Z, levels=20, cmap="viridis")
    fig.colorbar(im, ax=ax, label=f"{criterion.name} on the plane")
    if level is not None:
        ax.contour(X.numpy(), Y.numpy(), Z, levels=[level], colors="white", linestyles="--", linewidths=1.2)
    ax.plot(c[:, 0], c[:, 1], "o-", color="tab:orange", ms=4, lw=1.5, label="string (projected)")
    ax.plot([c[0, 0], c[-1, 0]], [c[0, 1], c[-1, 1]], "-", color="tab:red", lw=1, label="straight line")
    ax.plot(c[[0, -1], 0], c[[0, -1], 1], "s", color="black", ms=6)
    ax.annotate(r"$\theta_A$", c[0], textcoords="offset points", xytext=(-12, 6), color="white")
    ax.annotate(r"$\theta_B$", c[-1], textcoords="offset points", xytext=(4, 6), color="white")
    ax.set_xlabel(r"coordinate along $\theta_B-\theta_A$")
    ax.set_ylabel("coordinate along the largest deviation")
    ax.legend(fontsize=8, loc="lower right")
    if title:
        ax.set_title(title, fontsize=10)
    return fig


def arc_position(beads: Tensor, n_points: int) -> Tensor:
    """Position along a string as a fraction of its length (0 at $\\theta_A$, 1 at $\\theta_B$), shape (n-1, n_points)."""
    seg = (beads[1:] - beads[:-1]).norm(dim=1)
    start = torch.cat([seg.new_zeros(1), seg.cumsum(0)[:-1]])
    t = torch.linspace(0, 1, n_points, dtype=beads.dtype)
    return (start[:, None] + t[None, :] * seg[:, None]) / seg.sum()


def plot_profile(
    criterion: Landscape, beads: Tensor, *, threshold: float, level: float | None = None, n_points: int = 20,
    ax: Axes | None = None, title: str = "",
) -> Figure:
    r"""The criterion along a string (against the fraction of its length) and along the straight line.

    Dashed: the threshold $L_0$; dotted: the acceptance level $mL_0$ (if given).  The string's beads
    are dots; the straight line between the same endpoints is drawn in red.
    """
    fig, ax = new_axes(ax, figsize=(6.0, 3.6))
    _, losses = loss_along_string(criterion, beads, n_points)
    pos = arc_position(beads, n_points)
    _, line = loss_along_string(criterion, beads[[0, -1]], n_points * (len(beads) - 1))
    t = torch.linspace(0, 1, line.shape[1])
    ax.plot(t.numpy(), line[0].numpy(), "-", color="tab:red", lw=1.2, label="straight line")
    ax.plot(pos.reshape(-1).numpy(), losses.reshape(-1).numpy(), "-", color="tab:blue", lw=1.5, label="string")
    ax.plot(pos[:, 0].tolist() + [1.0], losses[:, 0].tolist() + [float(losses[-1, -1])], "o", color="black", ms=3)
    ax.axhline(threshold, color="gray", ls="--", lw=1, label=r"threshold $L_0$")
    if level is not None:
        ax.axhline(level, color="gray", ls=":", lw=1, label=r"acceptance level $mL_0$")
    ax.set_xlabel("position (fraction of the path's length)")
    ax.set_ylabel(criterion.name)
    ax.legend(fontsize=8)
    if title:
        ax.set_title(title, fontsize=10)
    return fig


def _log_ticks(ax: Axes, values: Sequence[float], axis: str = "x") -> None:
    """Log axis with plain labels at ``values`` only (the default minor labels overlap)."""
    target = ax.xaxis if axis == "x" else ax.yaxis
    target.set_minor_formatter(NullFormatter())
    ticks = sorted(set(float(v) for v in values))
    (ax.set_xticks if axis == "x" else ax.set_yticks)(ticks, [f"{v:g}" for v in ticks])


def plot_barriers(sweep: LevelSweep, *, title: str = "", ax: Axes | None = None) -> Figure:
    r"""Per pair and threshold: the straight line's maximum and the string's maximum, against $L_0$.

    Points above the dotted line $y = mL_0$ fail the segment check; the string's points sit below it
    when DSS certified the pair.
    """
    fig, ax = new_axes(ax, figsize=(5.4, 4.0))
    L = sweep.threshold.numpy()
    ax.plot(L, sweep.line_max.numpy(), "o", mfc="none", color="tab:red", label="straight line: max on the grid")
    ok = sweep.connected.numpy()
    ax.plot(L[ok], sweep.string_max.numpy()[ok], "o", color="tab:blue", ms=4, label="certified string: max on the grid")
    if (~ok).any():
        ax.plot(L[~ok], sweep.string_max.numpy()[~ok], "x", color="black", label="string, not certified")
    grid = np.geomspace(L.min() * 0.9, L.max() * 1.1, 50)
    ax.plot(grid, sweep.slack * grid, ":", color="gray", label=rf"acceptance level $mL_0$ ($m$ = {sweep.slack:g})")
    ax.set_xscale("log")
    ax.set_yscale("log")
    _log_ticks(ax, sweep.levels)
    ax.yaxis.set_minor_formatter(NullFormatter())
    ax.set_xlabel(r"threshold $L_0$ (test error)")
    ax.set_ylabel("maximum test error along the path")
    ax.legend(fontsize=8)
    if title:
        ax.set_title(title, fontsize=10)
    return fig


def plot_growth(
    levels: Sequence[float], lengths: Sequence[Sequence[float]], beads: Sequence[Sequence[float]], *,
    fits: Mapping[str, GrowthFit] | None = None, paper: Mapping[str, Sequence[tuple[float, float, float]]] | None = None,
    title: str = "",
) -> Figure:
    r"""Excess length $|\gamma|/\lVert\theta_B-\theta_A\rVert - 1$ and beads against $L_0$.

    Panels: excess length on linear axes, the same on log-log axes (with the fitted ``fits``), and
    the number of beads on log-log axes; mean $\pm$ std over each level's connected pairs on the
    linear panels, means only on the logarithmic excess panel (a lower error bar below 0 has no place there).
    ``paper`` maps a label to ``(L0, length, beads)`` rows drawn as open squares.
    """
    fig, axes = new_figure(3, figsize=(10.0, 3.4))
    L = np.asarray(levels, dtype=float)
    ex = [np.asarray(v, dtype=float) - 1 for v in lengths]
    mean_ex = np.array([v.mean() for v in ex])
    std_ex = np.array([v.std() for v in ex])
    mean_b = np.array([np.mean(v) for v in beads])
    std_b = np.array([np.std(v) for v in beads])
    grid = np.geomspace(L.min(), L.max(), 60)
    for ax, log in ((axes[0], False), (axes[1], True)):
        if log:
            ax.plot(L, mean_ex, "o", color="tab:blue", label="this course (mean)")
        else:
            ax.errorbar(L, mean_ex, yerr=std_ex, fmt="o", capsize=3, color="tab:blue", label="this course")
        for name, fit in (fits or {}).items():
            pred = fit(torch.as_tensor(grid)).numpy()
            keep = pred > 0 if log else np.ones_like(pred, dtype=bool)  # a log axis cannot show values <= 0
            ax.plot(grid[keep], pred[keep], "--", lw=1, label=f"{name} fit")
        ax.set_xlabel(r"threshold $L_0$ (test error)")
        ax.set_ylabel("normalized length − 1")
        if log:
            ax.set_xscale("log")
            ax.set_yscale("log")
            ax.xaxis.set_minor_formatter(NullFormatter())
    axes[2].errorbar(L, mean_b, yerr=std_b, fmt="o", capsize=3, color="tab:blue", label="this course")
    axes[2].set_xscale("log")
    axes[2].set_yscale("log")
    axes[2].xaxis.set_minor_formatter(NullFormatter())
    axes[2].yaxis.set_minor_formatter(NullFormatter())
    _log_ticks(axes[2], [3, 4, 6, 8, 12], axis="y")
    axes[2].set_xlabel(r"threshold $L_0$ (test error)")
    axes[2].set_ylabel("number of beads")
    for (name, rows), marker in zip((paper or {}).items(), "sD^v"):
        p = np.asarray(rows, dtype=float)
        axes[1].plot(p[:, 0], p[:, 1] - 1, marker, mfc="none", label=name)
        axes[2].plot(p[:, 0], p[:, 2], marker, mfc="none", label=name)
    axes[0].set_title("linear axes", fontsize=10)
    axes[1].set_title("log-log axes", fontsize=10)
    axes[0].legend(fontsize=7)
    axes[1].legend(fontsize=6, loc="lower left")
    axes[2].legend(fontsize=6, loc="upper right")
    if title:
        fig.suptitle(title)
    return fig
