"""Figures of lecture 07 (tensors and mean field).  Every function returns the matplotlib figure."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import torch
from matplotlib.figure import Figure

from .axes import new_axes, new_figure


def _np(x) -> np.ndarray:
    return x.detach().cpu().double().numpy() if isinstance(x, torch.Tensor) else np.asarray(x, dtype=float)


def plot_success_curves(
    curves: Mapping[str, tuple[Sequence[float], Sequence[float]]],
    *,
    xlabel: str = r"signal strength $\lambda/\sqrt{N}$",
    reference: tuple[Sequence[float], Sequence[float], str] | None = None,
    title: str = "",
) -> Figure:
    """Success rate of power iteration against the signal, one curve per label (log x axis).

    Args:
        curves: label -> (x values, success rates in [0, 1]).
        xlabel: label of the x axis.
        reference: optional (x, rates, label) drawn as black crosses (e.g. the theory anchors).
        title: figure title.
    """
    fig, ax = new_axes(figsize=(6.5, 3.8))
    for label, (x, y) in curves.items():
        ax.plot(_np(x), _np(y), "o-", label=label)
    if reference is not None:
        ax.plot(_np(reference[0]), _np(reference[1]), "kx", ms=8, label=reference[2])
    ax.set_xscale("log", base=2)
    ax.set_ylim(-0.03, 1.03)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(r"success rate  $P(|\langle x, v\rangle| > 0.9)$")
    ax.set_title(title or "power iteration on the spiked tensor")
    ax.legend(fontsize=8)
    return fig


def plot_endpoint_overlaps(lams: Sequence[float], overlaps: Sequence, *, band: Sequence[float] | None = None,
                           N: int | None = None) -> Figure:
    r"""Overlaps $\langle v, x\rangle$ of ascent endpoints, one row per $\lambda$ (left: all; right: the band).

    Args:
        lams: the signal strengths, one per row.
        overlaps: for each lambda, a 1-D tensor of endpoint overlaps.
        band: optional band half-widths per lambda, drawn as grey bars on the right panel.
        N: dimension, for the title.
    """
    fig, (left, right) = new_figure(2, figsize=(9.5, 3.6))
    rng = np.random.default_rng(0)
    for row, (lam, m) in enumerate(zip(lams, overlaps)):
        m = _np(m)
        jitter = row + 0.25 * (rng.random(len(m)) - 0.5)
        left.plot(m, jitter, ".", ms=4, color=f"C{row}")
        eq = np.abs(m) < 0.5
        right.plot(m[eq], jitter[eq], ".", ms=4, color=f"C{row}")
        if band is not None:
            right.plot([-band[row], band[row]], [row, row], "-", color="grey", lw=6, alpha=0.3)
    for ax in (left, right):
        ax.set_yticks(range(len(lams)), [f"{lam:g}" for lam in lams])
        ax.set_ylabel(r"signal $\lambda$")
    left.axvline(0.9, color="k", ls=":", lw=1)
    left.set_xlabel(r"overlap $\langle v, x\rangle$ of the endpoint")
    left.set_title(f"all endpoints{f' (N = {N})' if N else ''}: near v or near the equator")
    right.set_xlabel(r"overlap $\langle v, x\rangle$ (equatorial endpoints only)")
    right.set_title("the equatorial band narrows as $\\lambda$ grows")
    return fig


def plot_subset_saddles(sizes, indices, values) -> Figure:
    r"""Left: ascent index at each subset-sum point against $|S|$ (line: $|S| - 1$).  Right: $T(u_S)$ against $1/|S|$."""
    sizes, indices, values = _np(sizes), _np(indices), _np(values)
    fig, (left, right) = new_figure(2, figsize=(9, 3.4))
    s = np.arange(1, sizes.max() + 1)
    left.plot(s, s - 1, "k-", lw=1, label="$|S| - 1$")
    left.plot(sizes + 0.1 * (np.random.default_rng(0).random(len(sizes)) - 0.5), indices, "o", ms=4, alpha=0.5,
              label="measured")
    left.set_xlabel("subset size $|S|$")
    left.set_ylabel("number of ascent directions (index)")
    left.set_title("saddles of $T$ at the subset sums")
    left.legend(fontsize=8)
    right.plot(1 / s, 1 / s, "k-", lw=1, label="$T = 1/|S|$")
    right.plot(1 / sizes, values, "o", ms=4, alpha=0.5, label="measured")
    right.set_xlabel("$1/|S|$")
    right.set_ylabel(r"$T(u_S) = \sum_i \langle a_i, u_S\rangle^4$")
    right.set_title("critical values")
    right.legend(fontsize=8)
    return fig


def plot_mean_field_losses(runs: Sequence, *, at_step: int, m0: int) -> Figure:
    """Left: population loss against the step, mean over seeds with the seed range shaded, per width.

    Right: the seed spread (sd) of the loss at ``at_step`` and the worst seed's final loss against m.
    ``runs`` are :class:`~landscape_lib.mean_field.MeanFieldRun` objects, one per width.
    """
    fig, (left, right) = new_figure(2, figsize=(10, 3.8))
    widths, sds, worst = [], [], []
    for k, run in enumerate(runs):
        t, loss = _np(run.steps), _np(run.loss)
        left.plot(t, loss.mean(1), color=f"C{k}", label=f"m = {run.width}")
        left.fill_between(t, loss.min(1), loss.max(1), color=f"C{k}", alpha=0.15)
        widths.append(run.width)
        sds.append(loss[list(t).index(at_step)].std(ddof=1))
        worst.append(loss[-1].max())
    left.axvline(at_step, color="grey", ls=":", lw=1)
    left.set_yscale("log")
    left.set_xlabel("gradient step")
    left.set_ylabel(r"population loss $\frac{1}{2}\mathbb{E}(f - y)^2$")
    left.set_title("loss curves (mean; band: all seeds)")
    left.legend(fontsize=7, ncol=2)
    right.loglog(widths, sds, "o-", label=f"seed sd of L at step {at_step}")
    right.loglog(widths, worst, "s-", label="worst seed, final L")
    right.axvline(m0, color="k", ls=":", lw=1, label=f"teacher width $m_0$ = {m0}")
    right.set_xlabel("student width m")
    right.set_ylabel("loss")
    right.set_title("wider: seeds agree, no bad runs")
    right.legend(fontsize=7)
    return fig


def plot_particles(a, W, teacher, *, step: int | None = None, ax_limits: float = 3.0) -> Figure:
    r"""The particle picture of one student: each neuron $(a_i, w_i)$ as a point.

    Left: the direction $\hat w_i$ projected on the plane of the first two teacher directions
    (unit circle; stars: teacher neurons), size proportional to $|a_i||w_i|$.  Right: each
    particle's alignment with its nearest teacher direction against its contribution
    $a_i|w_i|$ (the neuron's weight in $f$, times m); colour = nearest teacher neuron.
    """
    a, W, teacher = _np(a), _np(W), _np(teacher)
    norms = np.linalg.norm(W, axis=1)
    dirs = W / norms[:, None]
    cos = dirs @ teacher.T
    nearest = cos.argmax(1)
    mass = a * norms
    fig, (left, right) = new_figure(2, figsize=(9.5, 4.0))
    circle = np.linspace(0, 2 * np.pi, 200)
    left.plot(np.cos(circle), np.sin(circle), color="grey", lw=0.8)
    size = 4 + 30 * np.abs(mass) / max(np.abs(mass).max(), 1e-12)
    left.scatter(cos[:, 0], cos[:, 1], s=size, c=[f"C{j}" for j in nearest], alpha=0.6)
    left.plot([1, 0], [0, 1], "k*", ms=14, label="teacher neurons 1, 2")
    left.set_xlim(-1.1, 1.1)
    left.set_ylim(-1.1, 1.1)
    left.set_aspect("equal")
    left.set_xlabel(r"$\langle \hat w_i, w^*_1\rangle$")
    left.set_ylabel(r"$\langle \hat w_i, w^*_2\rangle$")
    left.legend(fontsize=7, loc="lower left")
    left.set_title("directions of the first-layer weights")
    right.scatter(cos.max(1), mass, s=10, c=[f"C{j}" for j in nearest], alpha=0.7)
    right.axhline(0, color="grey", lw=0.8)
    right.set_xlim(-0.2, 1.05)
    right.set_ylim(-ax_limits, ax_limits)
    right.set_xlabel("alignment with the nearest teacher direction (cosine)")
    right.set_ylabel(r"contribution $a_i\,|w_i|$")
    right.set_title(f"m = {len(a)} particles" + (f", step {step}" if step is not None else ""))
    return fig
