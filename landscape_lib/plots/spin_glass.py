"""Figures of lecture 01 (spin-glass intuition).  Every function returns the matplotlib figure."""

from __future__ import annotations

import math
from collections.abc import Sequence

import matplotlib.pyplot as plt
import numpy as np
import torch
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator, NullFormatter

from ..spin_glass import complexity as cx
from ..spin_glass import semicircle_radius
from .axes import COLUMN_WIDTH


def _np(x) -> np.ndarray:
    return x.detach().cpu().numpy() if isinstance(x, torch.Tensor) else np.asarray(x)


#: How the two reference energies are drawn: different colours *and* line styles, so that they stay
#: apart in greyscale and when the lines nearly coincide (they are 0.024 apart for p = 3).
GROUND_STYLE = dict(color="black", ls="--", lw=1.3)
THRESHOLD_STYLE = dict(color="tab:red", ls="-.", lw=1.6)


def _mark_levels(ax, p: int, *, vertical: bool = True, tags: bool = True, tag_at: float = 0.01) -> None:
    r"""Lines at the ground state $-E_0$ (black, dashed) and the threshold $-E_\infty$ (red, dash-dot).

    Their legend labels hold the values.  With ``tags`` each line also gets a short name written
    beside it, on the side away from the other line (-E_0 below/left, -E_inf above/right), so the two
    can be told apart even where they are a few pixels apart; the axis is widened if a name would
    fall outside it.  Horizontal lines are named at ``tag_at`` (a fraction of the x axis): pick a
    place where no curve comes near the lines.
    """
    e0, e_inf = cx.ground_state_energy(p), cx.threshold_energy(p)
    line = ax.axvline if vertical else ax.axhline
    line(-e0, **GROUND_STYLE, label=f"$-E_0$ = {-e0:.3f} (ground state)")
    line(-e_inf, **THRESHOLD_STYLE, label=rf"$-E_\infty$ = {-e_inf:.3f} (threshold)")
    if not tags:
        return
    lo, hi = ax.get_xlim() if vertical else ax.get_ylim()
    room = 0.09 * (hi - lo)  # about the size of a tag, as a fraction of the axis
    if -e0 - lo < room:
        (ax.set_xlim if vertical else ax.set_ylim)(-e0 - room, hi)
    if vertical:
        trans = ax.get_xaxis_transform()  # x in data, y in axes fraction
        ax.text(-e0, 0.97, r"$-E_0$ ", transform=trans, ha="right", va="top", color=GROUND_STYLE["color"], fontsize=9)
        ax.text(-e_inf, 0.97, r" $-E_\infty$", transform=trans, ha="left", va="top", color=THRESHOLD_STYLE["color"],
                fontsize=9)
    else:
        trans = ax.get_yaxis_transform()  # x in axes fraction, y in data
        ax.annotate(r"$-E_0$", (tag_at, -e0), xycoords=trans, xytext=(0, -2), textcoords="offset points",
                    ha="left", va="top", color=GROUND_STYLE["color"], fontsize=9)
        ax.annotate(r"$-E_\infty$", (tag_at, -e_inf), xycoords=trans, xytext=(0, 2), textcoords="offset points",
                    ha="left", va="bottom", color=THRESHOLD_STYLE["color"], fontsize=9)


def _legend_below(ax, ncol: int = 2, **kwargs):
    """The legend under the axes (outside them), where it cannot cover bars or curves."""
    return ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.17), ncol=ncol, fontsize=8, frameon=False, **kwargs)


def energy_window(p: int) -> tuple[float, float]:
    r"""The fixed energy range of the widget's histogram for order p: $[-1.1\,E_0, -0.35\,E_0]$.

    It holds $-E_0$ and $-E_\infty$ with room for a tag, and the final energies of the widget's
    sizes (N from 8 up): at N = 8 some runs stop near $-0.4\,E_0$ and a few fall below $-E_0$.
    One range per p keeps the axis still while N, the number of starts or the seed change.
    """
    e0 = cx.ground_state_energy(p)
    return -1.1 * e0, -0.35 * e0


def plot_great_circle_energy(angles, energies, *, labels: Sequence[str], p: int, title: str = "") -> Figure:
    """Energy per spin along great circles (one curve per row of ``energies``) against the angle."""
    fig, ax = plt.subplots(figsize=(8, 4), layout="constrained")
    for row, label in zip(np.atleast_2d(_np(energies)), labels):
        ax.plot(_np(angles), row, label=label)
    ax.axhline(0, color="grey", lw=0.5)
    _mark_levels(ax, p, vertical=False, tag_at=0.45)  # the curves start and end on the lines, and peak mid-way
    ax.set_xlabel(r"angle $\theta$ along the great circle (radians)")
    ax.set_ylabel(r"energy per spin $E(\sigma(\theta))$")
    ax.set_title(title or f"p = {p}: the energy along great circles of the sphere")
    _legend_below(ax, ncol=3)
    return fig


def plot_energy_histograms(random_energies, endpoint_energies, *, p: int, N: int) -> Figure:
    r"""Energies at random points of the sphere vs at gradient-descent endpoints (critical points).

    An inset magnifies the endpoints' histogram around $[-E_0, -E_\infty]$: on the full axis the two
    reference lines are a few pixels apart.  The legend sits below the axes, off the bars.
    """
    rand, ends = _np(random_energies).ravel(), _np(endpoint_energies).ravel()
    e0 = cx.ground_state_energy(p)
    fig, ax = plt.subplots(figsize=(8, 4.2), layout="constrained")
    ax.hist(rand, bins=40, density=True, alpha=0.6, color="C0", label="random points")
    ends_bins = np.histogram_bin_edges(ends, bins=25)
    ax.hist(ends, bins=ends_bins, density=True, alpha=0.6, color="C1", label="GD endpoints (local minima)")
    ax.set_ylim(0, ax.get_ylim()[1] * 1.1)
    _mark_levels(ax, p, tags=False)
    ax.set_xlabel("energy per spin E")
    ax.set_ylabel("density")
    ax.set_title(f"p = {p}, N = {N}: typical points sit at E ~ 0, minima far below")
    _legend_below(ax)
    # The inset fills the empty middle of the axis, between the minima and the random points.
    zoom = (-e0 - 0.03, max(float(ends.max()), -cx.threshold_energy(p)) + 0.02)
    inset = ax.inset_axes([0.3, 0.32, 0.36, 0.58])
    inset.hist(ends, bins=ends_bins, density=True, alpha=0.6, color="C1")
    inset.set_xlim(*zoom)
    _mark_levels(inset, p)
    inset.set_ylim(0, inset.get_ylim()[1] * 1.25)  # room for the tags above the bars
    inset.tick_params(labelsize=7)
    inset.xaxis.set_major_locator(MaxNLocator(4))
    inset.set_title("zoom on the grey band", fontsize=8)
    ax.axvspan(*zoom, color="grey", alpha=0.15, lw=0)
    return fig


def plot_complexity_curves(p: int, ks: Sequence[int] = (0, 1, 2, 3)) -> Figure:
    r"""$\Theta_{k,p}(u)$ by index k and the total complexity: full range (left) and the band (right)."""
    e0, e_inf = cx.ground_state_energy(p), cx.threshold_energy(p)
    fig, (left, right) = plt.subplots(1, 2, figsize=(COLUMN_WIDTH, 4.4), layout="constrained")
    u = np.linspace(-e0 - 0.05, 0.3, 600)
    left.plot(u, cx.total_complexity(u, p), color="k", label="all critical points")
    left.plot(u, cx.complexity(u, p, 0), label="minima (k = 0)")
    left.axhline(0, color="grey", lw=0.5)
    _mark_levels(left, p)
    left.set_xlabel("energy per spin u")
    left.set_ylabel(r"complexity $\frac{1}{N}\log \mathbb{E}\,\mathrm{Crt}(u)$")
    left.set_title(f"p = {p}: critical points below u", fontsize=10)
    _legend_below(left, ncol=2)
    zoom = np.linspace(-e0 - 0.004, -e_inf + 0.01, 600)
    for k in ks:
        right.plot(zoom, cx.complexity(zoom, p, k), label=rf"$\Theta_{{{k},{p}}}$ (index {k})")
    right.axhline(0, color="grey", lw=0.5)
    _mark_levels(right, p)
    right.set_ylim(-0.004, cx.complexity(-e_inf, p) * 1.3)
    right.xaxis.set_major_locator(MaxNLocator(6))
    right.set_xlabel("energy per spin u")
    right.set_ylabel(r"$\Theta_{k,p}(u)$")
    right.set_title(r"zoom on the band $[-E_0, -E_\infty]$: minima dominate", fontsize=10)
    _legend_below(right, ncol=2)
    return fig


def semicircle_density(x, radius: float) -> np.ndarray:
    r"""Wigner's semicircle $\rho(x) = \frac{2}{\pi R^2}\sqrt{R^2 - x^2}$ on $[-R, R]$."""
    x = _np(x)
    return np.where(np.abs(x) < radius, 2 / (math.pi * radius**2) * np.sqrt(np.clip(radius**2 - x**2, 0, None)), 0.0)


def plot_hessian_spectrum(eigenvalues, energies, *, p: int, N: int) -> Figure:
    r"""Tangent Hessian eigenvalues at GD endpoints vs the semicircle of radius $2\sqrt{p(p-1)}$ shifted by $-pE$."""
    eig, u = _np(eigenvalues), _np(energies)
    R = semicircle_radius(p)
    fig, (left, right) = plt.subplots(1, 2, figsize=(COLUMN_WIDTH, 4.4), layout="constrained")
    left.hist(eig.ravel(), bins=60, density=True, alpha=0.6, label=f"{len(u)} endpoints, N = {N}")
    grid = np.linspace(-1, 2 * R + 1, 500)
    left.plot(grid, semicircle_density(grid + p * u.mean(), R), "k", label=rf"semicircle shifted by $-pE$, E = {u.mean():.3f}")
    left.plot(grid, semicircle_density(grid - p * cx.threshold_energy(p), R), **THRESHOLD_STYLE,
              label=r"same at $E = -E_\infty$ (touches 0)")
    left.axvline(0, color="grey", lw=0.5)
    left.set_xlabel(r"eigenvalue $\lambda$ of the Riemannian Hessian")
    left.set_ylabel("density")
    left.set_title("Hessian spectrum at GD endpoints", fontsize=10)
    _legend_below(left, ncol=2)
    right.hist(eig[:, 0], bins=20, color="tab:green", alpha=0.7)
    right.axvline(0, color="grey", lw=0.5)
    right.set_xlabel(r"smallest eigenvalue $\lambda_{\min}$ at each endpoint")
    right.set_ylabel("number of endpoints")
    right.set_title(rf"all > 0, and small next to the bulk radius $R$ = {R:.1f}", fontsize=10)
    return fig


def plot_endpoint_energies_vs_n(ns, energies: Sequence, fits: Sequence, *, p: int) -> Figure:
    r"""Final GD energies against $N^{-2/3}$: runs (dots), means ± s.e.m., fitted curves, $-E_\infty$, $-E_0$."""
    fig, ax = plt.subplots(figsize=(8, 4.6), layout="constrained")
    x = np.asarray(ns, dtype=float) ** (-2 / 3)
    for xi, e in zip(x, energies):
        e = _np(e).ravel()
        jitter = xi + 0.004 * (np.linspace(-1, 1, len(e)) if len(e) > 1 else 0)
        ax.plot(jitter, e, ".", color="tab:blue", alpha=0.25, ms=3)
        ax.errorbar(xi, e.mean(), yerr=e.std(ddof=1) / math.sqrt(len(e)), fmt="o", color="tab:blue", capsize=3)
    grid_n = np.logspace(np.log10(min(ns)), 7, 200)
    for fit in fits:
        ax.plot(grid_n ** (-2 / 3), fit(grid_n),
                label=rf"fit $u_\infty + aN^{{-{fit.gamma:.2g}}}$: $u_\infty$ = {fit.u_inf:.3f} ± {fit.u_inf_se:.3f}")
    _mark_levels(ax, p, vertical=False)
    ax.set_xlim(left=-0.005)
    ax.set_xlabel(r"$N^{-2/3}$  (N = " + ", ".join(str(int(n)) for n in ns) + ")")
    ax.set_ylabel("final energy per spin")
    ax.set_title(f"p = {p}: gradient descent stops above the threshold, closer as N grows")
    _legend_below(ax, ncol=2)
    return fig


def plot_test_loss_spread(results: Sequence) -> Figure:
    r"""Independent runs by hidden width: test losses (left), coefficient of variation (middle), train loss (right).

    ``results`` are :class:`~landscape_lib.ensembles.EnsembleResult` s, possibly of several depths;
    each depth is one series, labelled with Choromanska et al.'s degree $p$ = number of weight layers.
    The coefficient of variation sd/mean is the spread *relative to* the typical loss: the sd alone
    shrinks whenever the mean does.
    """
    fig, (left, mid, right) = plt.subplots(1, 3, figsize=(COLUMN_WIDTH, 3.4))
    depths = sorted({getattr(r, "depth", 1) for r in results})
    for j, depth in enumerate(depths):
        group = [r for r in results if getattr(r, "depth", 1) == depth]
        widths = [r.hidden for r in group]
        label = f"{depth} hidden layer{'s' if depth > 1 else ''} (p = {depth + 1})"
        offset = 0.15 * (j - (len(depths) - 1) / 2)
        for r in group:
            losses = _np(r.test_loss)
            x = np.full(len(losses), r.hidden) * np.exp(offset + np.linspace(-0.06, 0.06, len(losses)))
            left.plot(x, losses, ".", color=f"C{j}", alpha=0.6, label=label if r is group[0] else None)
        cvs = [float(_np(r.test_loss).std(ddof=1) / _np(r.test_loss).mean()) for r in group]
        mid.plot(widths, cvs, "o-", color=f"C{j}", label=label)
        right.plot(widths, [float(_np(r.train_loss).mean()) for r in group], "o-", color=f"C{j}", label=label)
    for ax in (left, mid, right):
        ax.set_xscale("log")
        ticks = sorted({r.hidden for r in results})
        ax.set_xticks(ticks, [str(h) for h in ticks])
        ax.xaxis.set_minor_formatter(NullFormatter())
        ax.set_xlabel("hidden width h")
    left.set_yscale("log")
    left.set_ylabel("final test loss (cross-entropy)")
    left.set_title("independent runs", fontsize=10)
    left.legend(fontsize=7)
    mid.set_ylim(bottom=0)
    mid.set_ylabel("sd / mean of the test loss")
    mid.set_title("relative spread (coeff. of variation)", fontsize=10)
    right.set_yscale("log")
    right.set_ylabel("mean final train loss")
    right.set_title("train loss: wide nets interpolate", fontsize=10)
    fig.tight_layout()
    return fig


def plot_energy_relaxation(times, history, *, p: int, title: str = "") -> Figure:
    r"""Energy per spin $E(t)$ along gradient-descent runs (thin lines) and their mean (thick), log time axis.

    Args:
        times: descent times $t = \text{step}\cdot\delta t$, shape (T,).
        history: energies, shape (T, runs) (a run that stopped keeps its final energy).
        p: order of the model (for the $-E_0$, $-E_\infty$ marks).
    """
    t, h = _np(times).ravel(), _np(history).reshape(len(_np(times).ravel()), -1)
    keep = t > 0
    fig, ax = plt.subplots(figsize=(8, 4.2), layout="constrained")
    ax.plot(t[keep], h[keep][:, : min(h.shape[1], 24)], color="tab:blue", lw=0.5, alpha=0.4)
    ax.plot(t[keep], h[keep].mean(1), color="k", lw=2, label=f"mean of {h.shape[1]} runs")
    ax.set_xscale("log")
    ax.set_ylim(min(h.min(), -cx.ground_state_energy(p)) - 0.02, min(0.0, np.quantile(h[keep][0], 0.9)) + 0.05)
    _mark_levels(ax, p, vertical=False)
    ax.set_xlabel(r"descent time $t$ = steps $\times\,\delta t$")
    ax.set_ylabel(r"energy per spin $E(\sigma(t))$")
    ax.set_title(title or f"p = {p}: relaxation of the energy along gradient descent")
    _legend_below(ax, ncol=3)
    return fig


def plot_final_energy_histogram(energies, *, p: int, N: int) -> Figure:
    r"""Histogram of the final GD energies of one instance, with $-E_0$ and $-E_\infty$ marked (widget).

    The energy axis and the bins are fixed by p alone (:func:`energy_window`, 60 bins), so that
    redraws for another N, number of starts or seed can be compared by eye; runs outside the window
    are counted in its edge bins and said so in the plot.  The legend is below the axes.
    """
    e = _np(energies).astype(np.float64).ravel()  # float32 energies clipped to the edges could fall outside them
    lo, hi = energy_window(p)
    fig, ax = plt.subplots(figsize=(8, 4.4), layout="constrained")
    ax.hist(np.clip(e, lo, hi), bins=np.linspace(lo, hi, 61), color="tab:blue", alpha=0.7, label="final energies")
    ax.set_xlim(lo, hi)
    ax.set_ylim(0, ax.get_ylim()[1] * 1.2)  # room for the tags of the lines above the bars
    _mark_levels(ax, p)
    for count, x, side in ((int((e < lo).sum()), lo, "left"), (int((e > hi).sum()), hi, "right")):
        if count:
            ax.text(x, 0.75, f"{count} run{'s' if count > 1 else ''}\n{'below' if side == 'left' else 'above'} the axis",
                    transform=ax.get_xaxis_transform(), ha=side, va="top", fontsize=8)
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))  # counts of runs
    ax.set_xlabel("final energy per spin")
    ax.set_ylabel("number of runs")
    ax.set_title(f"p = {p}, N = {N}, {len(e)} starts: mean {e.mean():.3f}, sd {e.std(ddof=1) if len(e) > 1 else 0:.3f}")
    _legend_below(ax, ncol=3)
    return fig
