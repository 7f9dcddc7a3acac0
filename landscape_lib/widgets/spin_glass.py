"""Lecture 01 widget: gradient descent from many random starts on one p-spin instance."""

from __future__ import annotations

import torch
from matplotlib.figure import Figure

from ..plots.spin_glass import plot_final_energy_histogram
from ..spin_glass import random_sphere_points, sample_couplings
from ..spin_glass.descent import sphere_gradient_descent

#: Largest N offered for each p: the couplings hold N^p numbers (4 million = 32 MB here).
MAX_N = {3: 128, 4: 44, 5: 20}


def final_energies(p: int, N: int, n_starts: int, seed: int = 0) -> torch.Tensor:
    """Final energies per spin of ``n_starts`` gradient descents on one seeded instance (p, N).

    Descent as in the lecture: dt = 0.15, stop at |grad H|/sqrt(N) < 1e-4 (float32 couplings).
    """
    if p not in MAX_N:
        raise ValueError(f"final_energies: argument `p` must be one of {sorted(MAX_N)}, got {p!r}")
    if not 2 <= N <= MAX_N[p]:
        raise ValueError(f"final_energies: argument `N` must be between 2 and {MAX_N[p]} for p = {p}, got {N!r}")
    g = torch.Generator().manual_seed(seed)
    J = sample_couplings(N, p, generator=g).float()
    sigma0 = random_sphere_points(N, (n_starts,), generator=g).float()
    return sphere_gradient_descent(J, sigma0, dt=0.15, tol=1e-4, max_steps=20_000, progress=False).energy


def descent_histogram(p: int = 3, N: int = 48, n_starts: int = 48, seed: int = 0) -> Figure:
    """The widget's plot: histogram of final energies with -E_0 and -E_inf marked (N capped per p)."""
    N = min(N, MAX_N[p])
    return plot_final_energy_histogram(final_energies(p, N, n_starts, seed), p=p, N=N)


def descent_histogram_widget():  # -> ipywidgets.interactive
    """Sliders for p, N, the number of starts and the seed around :func:`descent_histogram`.

    N is capped at ``MAX_N[p]`` (the plot title shows the N actually used).
    """
    import ipywidgets as widgets
    import matplotlib.pyplot as plt

    def show(p: int, N: int, n_starts: int, seed: int) -> None:
        descent_histogram(p, N, n_starts, seed)
        plt.show()

    return widgets.interactive(
        show,
        p=widgets.Dropdown(options=[3, 4, 5], value=3, description="p"),
        N=widgets.IntSlider(value=48, min=8, max=128, step=8, description="N", continuous_update=False),
        n_starts=widgets.IntSlider(value=48, min=8, max=160, step=8, description="starts", continuous_update=False),
        seed=widgets.IntSlider(value=0, min=0, max=20, description="seed", continuous_update=False),
    )
