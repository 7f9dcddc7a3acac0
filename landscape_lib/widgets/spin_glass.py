r"""Lecture 01 widget: gradient descent from many random starts on one p-spin instance.

Two things make a redraw safe for every p:

* **the step scales with p.**  Near a minimum close to the threshold the Hessian spectrum is the
  semicircle of radius $R(p) = 2\sqrt{p(p-1)}$ shifted by $-pE \approx pE_\infty = R(p)$, so
  $\lambda_{\max}\approx 2R(p)$ and plain descent is stable only for $\delta t < 2/\lambda_{\max}
  \approx 1/R(p)$ (0.20 for p = 3, 0.11 for p = 5).  A fixed $\delta t = 0.15$ is stable for p = 3
  but oscillates for p = 5, where no run ever converges.  :func:`descent_step` keeps the lecture's
  0.15 at p = 3 and scales it by $R(3)/R(p)$.
* **the work per redraw is bounded.**  A step costs $N^p$ multiply-adds per run; :func:`step_budget`
  caps the number of steps so that one redraw does at most :data:`WORK_BUDGET` of them (a few
  seconds on one core), and the plot says how many runs converged within it.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import torch
from matplotlib.figure import Figure

from ..plots.spin_glass import plot_final_energy_histogram
from ..spin_glass import random_sphere_points, sample_couplings, semicircle_radius
from ..spin_glass.descent import sphere_gradient_descent

#: Largest N offered for each p: the couplings hold N^p numbers (about 4 million at most), and the
#: symmetrisation over the p! index permutations costs p! N^p.
MAX_N = {3: 128, 4: 44, 5: 20}
#: The lecture's step for p = 3 (stable: 2 / lambda_max ~ 0.20 near the minima).
DT_P3 = 0.15
#: Multiply-adds one redraw may spend on descent steps (under about 10 s on one core, for every p).
WORK_BUDGET = 3e11
#: The stopping rule of the lecture: |grad H| / sqrt(N) < TOL.
TOL = 1e-4


def descent_step(p: int) -> float:
    r"""The time step for order p: $0.15\,R(3)/R(p)$, i.e. a fixed fraction of the stability limit $1/R(p)$."""
    return DT_P3 * semicircle_radius(3) / semicircle_radius(p)


def step_budget(p: int, N: int, n_starts: int, *, budget: float = WORK_BUDGET) -> int:
    """Steps per run so that ``n_starts`` runs cost at most ``budget`` multiply-adds (at least 200, at most 20,000)."""
    return int(min(20_000, max(200, budget // (N**p * n_starts))))


@dataclass(frozen=True)
class WidgetRun:
    """One redraw's descents: final energies, how many converged, the step and the step budget."""

    energy: torch.Tensor
    converged: torch.Tensor
    dt: float
    max_steps: int


def _check_p_and_N(p: int, N: int, fn: str) -> None:
    if p not in MAX_N:
        raise ValueError(f"{fn}: argument `p` must be one of {sorted(MAX_N)}, got {p!r}")
    if not 2 <= N <= MAX_N[p]:
        raise ValueError(f"{fn}: argument `N` must be between 2 and {MAX_N[p]} for p = {p}, got {N!r}")


def run_descents(p: int, N: int, n_starts: int, seed: int = 0) -> WidgetRun:
    """``n_starts`` gradient descents on one seeded instance (p, N) with the p-scaled step and bounded work."""
    _check_p_and_N(p, N, "run_descents")
    g = torch.Generator().manual_seed(seed)
    J = sample_couplings(N, p, generator=g).float()
    sigma0 = random_sphere_points(N, (n_starts,), generator=g).float()
    dt, max_steps = descent_step(p), step_budget(p, N, n_starts)
    run = sphere_gradient_descent(J, sigma0, dt=dt, tol=TOL, max_steps=max_steps, progress=False)
    return WidgetRun(run.energy, run.converged, dt, max_steps)


def final_energies(p: int, N: int, n_starts: int, seed: int = 0) -> torch.Tensor:
    """Final energies per spin of ``n_starts`` gradient descents on one seeded instance (p, N).

    Descent as in the lecture (stop at |grad H|/sqrt(N) < 1e-4, float32 couplings) with the step
    :func:`descent_step` (0.15 for p = 3) and at most :func:`step_budget` steps.
    """
    _check_p_and_N(p, N, "final_energies")
    return run_descents(p, N, n_starts, seed).energy


def descent_histogram(p: int = 3, N: int = 48, n_starts: int = 48, seed: int = 0) -> Figure:
    """The widget's plot: histogram of final energies with -E_0 and -E_inf marked.

    N above ``MAX_N[p]`` is lowered to it; the title says so, and how many runs converged.
    """
    used = min(N, MAX_N[p])
    run = run_descents(p, used, n_starts, seed)
    fig = plot_final_energy_histogram(run.energy, p=p, N=used)
    ax = fig.axes[0]
    note = f"N capped at {used} for p = {p}; " if used != N else ""
    ax.set_title(f"{ax.get_title()}\n{note}dt = {run.dt:.3f}; {int(run.converged.sum())}/{n_starts} runs converged "
                 f"within {run.max_steps} steps", fontsize=9)
    return fig


def descent_histogram_widget():  # -> ipywidgets.VBox
    """Controls for p, N, the number of starts and the seed, a status line, and the plot.

    The N slider's maximum follows ``MAX_N[p]`` (the status line says why); while the descents run,
    the old plot is removed and the status line says "computing ...".
    """
    import ipywidgets as widgets
    import matplotlib.pyplot as plt

    p = widgets.Dropdown(options=sorted(MAX_N), value=3, description="p")
    N = widgets.IntSlider(value=48, min=8, max=MAX_N[3], step=4, description="N", continuous_update=False)
    n_starts = widgets.IntSlider(value=48, min=8, max=160, step=8, description="starts", continuous_update=False)
    seed = widgets.IntSlider(value=0, min=0, max=20, description="seed", continuous_update=False)
    status = widgets.HTML()
    from .fallback import FigureOutput, StaticVBox  # a static figure on pages without a kernel

    out = FigureOutput()

    def redraw(_change=None) -> None:
        out.clear_output()
        status.value = (f"<b>computing ...</b> {n_starts.value} descents, p = {p.value}, N = {N.value}, "
                        f"dt = {descent_step(p.value):.3f}, at most {step_budget(p.value, N.value, n_starts.value)} steps each")
        start = time.perf_counter()
        with out:
            descent_histogram(p.value, N.value, n_starts.value, seed.value)
            plt.show()
        status.value = (f"done in {time.perf_counter() - start:.1f} s. N can go up to {MAX_N[p.value]} for p = {p.value}: "
                        f"the couplings hold N<sup>p</sup> numbers.")

    def new_p(change) -> None:
        clamped = N.value > MAX_N[change["new"]]
        N.max = MAX_N[change["new"]]  # a larger N is lowered to the new maximum, which redraws once
        if not clamped:
            redraw()

    p.observe(new_p, names="value")
    for control in (N, n_starts, seed):
        control.observe(redraw, names="value")
    box = StaticVBox([p, N, n_starts, seed, status, out])
    box.redraw = redraw  # for the notebook (first draw) and the tests
    redraw()
    return box
