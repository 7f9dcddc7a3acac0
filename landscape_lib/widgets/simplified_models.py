"""Lecture 07 widgets: the particle picture stepping through training; power-iteration success curves."""

from __future__ import annotations

import math

import torch
from matplotlib.figure import Figure

from ..plots.simplified_models import plot_particles, plot_success_curves
from ..tensors import power_iteration, sample_spiked_tensor, success_rate


def particle_widget(run, teacher):  # -> StaticInteractive
    """A slider over the snapshots of a :class:`~landscape_lib.mean_field.MeanFieldRun` (run 0's particles)."""
    import ipywidgets as widgets
    from IPython.display import display

    from .fallback import StaticInteractive

    steps = run.snapshot_steps.tolist()
    if not steps:
        raise ValueError("particle_widget: argument `run` has no snapshots (train with snapshot_every=...)")

    def show(index: int) -> None:
        a, W = run.snapshots[index]
        display(plot_particles(a, W, teacher, step=steps[index]))

    return StaticInteractive(show, index=widgets.IntSlider(value=len(steps) - 1, min=0, max=len(steps) - 1,
                                                             description="snapshot", continuous_update=False))


def success_curves(n_iter: int = 20, sizes: tuple[int, ...] = (25, 50, 100), n_trials: int = 10,
                   ratios: tuple[float, ...] = (0.125, 0.25, 0.5, 1.0, 2.0), seed: int = 0) -> Figure:
    """Power-iteration success against lambda/sqrt(N) for a given iteration budget (fresh instances per trial)."""
    g = torch.Generator().manual_seed(seed)
    lam_over = torch.tensor(ratios, dtype=torch.float32)
    curves = {}
    for N in sizes:
        hits = torch.zeros(len(ratios), dtype=torch.float64)
        for _ in range(n_trials):
            model = sample_spiked_tensor(N, generator=g, dtype=torch.float32)
            x0 = torch.randn(len(ratios), 1, N, generator=g)
            x0 = x0 / x0.norm(dim=-1, keepdim=True)
            run = power_iteration(model, lam_over[:, None] * math.sqrt(N), x0, n_iter)
            hits += success_rate(run.overlap)
        curves[f"N = {N}"] = (ratios, (hits / n_trials).tolist())
    return plot_success_curves(curves, title=f"power iteration, {n_iter} iterations, {n_trials} trials per point")


def success_curve_widget():  # -> StaticInteractive
    """Sliders for the iteration budget and the number of trials around :func:`success_curves`."""
    import ipywidgets as widgets
    from IPython.display import display

    from .fallback import StaticInteractive

    def show(n_iter: int, n_trials: int, seed: int) -> None:
        display(success_curves(n_iter, n_trials=n_trials, seed=seed))

    return StaticInteractive(
        show,
        n_iter=widgets.IntSlider(value=20, min=1, max=500, step=1, description="iterations", continuous_update=False),
        n_trials=widgets.IntSlider(value=10, min=2, max=40, description="trials", continuous_update=False),
        seed=widgets.IntSlider(value=0, min=0, max=20, description="seed", continuous_update=False),
    )
