"""Figures of lecture 06 (curvature and Hessian spectra).  Every function returns the matplotlib figure."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import torch
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from ..curvature.results import DensityResult
from ..spin_glass import semicircle_radius
from .axes import new_axes, new_figure
from .spin_glass import semicircle_density


def _np(x) -> np.ndarray:
    return x.detach().cpu().numpy() if isinstance(x, torch.Tensor) else np.asarray(x)


def density_grid(results: Sequence[DensityResult], sigma: float, n: int = 800) -> torch.Tensor:
    """A grid covering every Ritz value of ``results`` with 5 sigma to spare."""
    lo = min(float(r.nodes.min()) for r in results) - 5 * sigma
    hi = max(float(r.nodes.max()) for r in results) + 5 * sigma
    return torch.linspace(lo, hi, n, dtype=torch.float64)


def plot_spectral_density(
    results: DensityResult | Mapping[str, DensityResult],
    *,
    sigma: float,
    grid: torch.Tensor | None = None,
    exact: torch.Tensor | None = None,
    log: bool = True,
    xlim: tuple[float, float] | None = None,
    ylim: tuple[float, float] | None = None,
    title: str = "",
    ax: Axes | None = None,
) -> Figure:
    r"""SLQ densities $\phi_\sigma(\lambda)$ (one curve per entry), optionally over a histogram of exact eigenvalues.

    Args:
        results: one :class:`DensityResult` or ``{label: result}``.
        sigma: Gaussian broadening.
        grid: eigenvalue grid (default: covers every Ritz value).
        exact: exact eigenvalues, drawn as a histogram with the same normalisation (density).
        log: logarithmic density axis (outliers carry ~1/P of the mass each).
        xlim, ylim, title, ax: as in matplotlib.
    """
    named = {"SLQ": results} if isinstance(results, DensityResult) else dict(results)
    fig, ax = new_axes(ax, figsize=(7.0, 3.6))
    grid = density_grid(list(named.values()), sigma) if grid is None else grid
    if exact is not None:
        ax.hist(_np(exact), bins=120, density=True, color="0.75", label=f"exact eigenvalues (P = {len(exact)})")
    top = 0.0
    for label, res in named.items():
        values = _np(res.density(grid, sigma))
        top = max(top, float(values.max()))
        ax.plot(_np(grid), values, lw=1.5, label=f"{label}")
    if log:
        ax.set_yscale("log")
        ax.set_ylim(ylim or (1e-5, 5 * top))  # (autoscaling would follow the Gaussian tails down to 1e-300)
    elif ylim:
        ax.set_ylim(ylim)
    if xlim:
        ax.set_xlim(xlim)
    ax.axvline(0, color="grey", lw=0.5)
    ax.set_xlabel(r"eigenvalue $\lambda$ of the Hessian")
    ax.set_ylabel(rf"spectral density $\phi_\sigma(\lambda)$, $\sigma$ = {sigma:g}")
    ax.set_title(title or "spectral density by stochastic Lanczos quadrature")
    ax.legend(fontsize=8)
    return fig


def plot_top_eigenvalues(
    spectra: Mapping[str, torch.Tensor], *, outliers: Mapping[str, int] | None = None, ax: Axes | None = None
) -> Figure:
    """The top eigenvalues against their rank (log scale), with a line after each spectrum's largest gap."""
    fig, ax = new_axes(ax, figsize=(6.0, 3.6))
    for i, (label, ev) in enumerate(spectra.items()):
        ev = _np(ev)
        line, = ax.plot(np.arange(1, len(ev) + 1), ev, "o-", ms=4, label=label)
        if outliers and label in outliers:
            ax.axvline(outliers[label] + 0.5, color=line.get_color(), ls=":", lw=1.2)
    ax.set_yscale("log")
    ax.set_xlabel("rank i")
    ax.set_ylabel(r"eigenvalue $\lambda_i$ (log scale)")
    ax.set_title("top of the Hessian spectrum (dotted: largest gap)")
    ax.legend(fontsize=8)
    return fig


def plot_curvature_during_training(steps, lam_max, lam_min, losses) -> Figure:
    r"""$\lambda_{\max}$, $|\lambda_{\min}|$ (log scale) and the loss against the training step."""
    fig, (left, right) = new_figure(2, figsize=(10.0, 3.4))
    steps = _np(steps)
    left.plot(steps, _np(lam_max), "o-", label=r"$\lambda_{\max}$")
    left.plot(steps, np.abs(_np(lam_min)), "s-", label=r"$|\lambda_{\min}|$ (negative curvature)")
    left.set_yscale("log")
    left.set_xscale("symlog", linthresh=10)
    left.set_xlim(0, 1.2 * float(steps.max()))
    left.set_xlabel("training step (Adam)")
    left.set_ylabel("eigenvalue magnitude")
    left.set_title("extreme eigenvalues during training")
    left.legend(fontsize=8)
    right.plot(steps, np.abs(_np(lam_min)) / _np(lam_max), "o-", color="tab:red")
    right.set_yscale("log")
    right.set_xscale("symlog", linthresh=10)
    right.set_xlim(0, 1.2 * float(steps.max()))
    right.set_xlabel("training step (Adam)")
    right.set_ylabel(r"$|\lambda_{\min}| / \lambda_{\max}$")
    right.set_title("negative curvature shrinks relative to the top")
    ax2 = right.twinx()
    ax2.plot(steps, _np(losses), "k--", lw=1)
    ax2.set_ylabel("training loss (dashed)")
    ax2.set_xlabel(right.get_xlabel())  # the twin's x axis is hidden; labelled all the same
    return fig


def plot_curvature_along_strings(curves: Mapping[str, Mapping[str, np.ndarray]]) -> Figure:
    r"""Loss, $\lambda_{\max}$ and $\operatorname{tr}H$ along strings, against the fraction of the string's length.

    ``curves[label]`` holds arrays ``s`` (position in [0, 1]), ``loss``, ``lam_max``, ``trace`` and
    ``trace_se`` (the standard error, drawn as a band).
    """
    fig, axes = new_figure(3, figsize=(10.0, 3.4))
    for label, c in curves.items():
        s = _np(c["s"])
        axes[0].plot(s, _np(c["loss"]), ".-", label=label)
        axes[1].plot(s, _np(c["lam_max"]), ".-", label=label)
        tr, se = _np(c["trace"]), _np(c["trace_se"])
        line, = axes[2].plot(s, tr, ".-", label=label)
        axes[2].fill_between(s, tr - 2 * se, tr + 2 * se, color=line.get_color(), alpha=0.2)
    for ax, name in zip(axes, ("training loss", r"$\lambda_{\max}(H)$", r"$\operatorname{tr}H$ ($\pm$2 s.e.)")):
        ax.set_xlabel("fraction of the string's length")
        ax.set_ylabel(name)
    axes[0].set_title("loss")
    axes[1].set_title("top eigenvalue")
    axes[2].set_title("trace (Hutchinson)")
    axes[0].legend(fontsize=8)
    return fig


def plot_pspin_vs_network(pspin_eigenvalues, energy: float, p: int, network: DensityResult, *, sigma: float) -> Figure:
    r"""Left: p-spin Hessian eigenvalues at GD endpoints vs the semicircle shifted by $-pE$.  Right: the network's density."""
    fig, (left, right) = new_figure(2, figsize=(10.0, 3.6))
    eig = _np(pspin_eigenvalues).ravel()
    R = semicircle_radius(p)
    left.hist(eig, bins=50, density=True, color="0.7", label="Hessian eigenvalues at GD endpoints")
    x = np.linspace(min(-1.0, eig.min() - 0.5), eig.max() + 1, 600)
    left.plot(x, semicircle_density(x + p * energy, R), "k", label=rf"semicircle, centre $-pE$ = {-p * energy:.2f}, R = {R:.2f}")
    left.axvline(0, color="tab:red", lw=1)
    left.set_xlabel(r"eigenvalue $\lambda$ (Riemannian Hessian)")
    left.set_ylabel("density")
    left.set_title(f"p = {p} spin glass: a shifted semicircle near 0")
    left.legend(fontsize=7, loc="upper right")
    grid = density_grid([network], sigma)
    values = _np(network.density(grid, sigma))
    right.plot(_np(grid), values, color="tab:blue")
    right.set_yscale("log")
    right.set_ylim(1e-5, 5 * float(values.max()))
    right.axvline(0, color="tab:red", lw=1)
    right.set_xlabel(r"eigenvalue $\lambda$ (network Hessian)")
    right.set_ylabel(rf"SLQ density, $\sigma$ = {sigma:g}")
    right.set_title("digits MLP after training: bulk at 0, outliers")
    return fig
