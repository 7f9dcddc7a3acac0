"""Lecture 06 widget: the Hessian's spectral density at a chosen training step (or threshold)."""

from __future__ import annotations

from collections.abc import Mapping

from matplotlib.figure import Figure

from ..curvature.results import DensityResult
from ..plots.curvature import density_grid, plot_spectral_density


def density_at(densities: Mapping[int | float | str, DensityResult], key, *, sigma: float = 0.02,
               log: bool = True) -> Figure:
    """The widget's plot: the density stored under ``key``, on the common grid of all of them (axes stay put)."""
    if key not in densities:
        raise ValueError(f"density_at: argument `key` must be one of {list(densities)}, got {key!r}")
    grid = density_grid(list(densities.values()), sigma)
    return plot_spectral_density({f"{key}": densities[key]}, sigma=sigma, grid=grid, log=log,
                                 xlim=(float(grid[0]), float(grid[-1])), ylim=(1e-5, 1e3) if log else None,
                                 title=f"Hessian spectral density at {key}")


def density_widget(densities: Mapping[int | float | str, DensityResult], *, label: str = "step"):  # -> StaticInteractive
    """A slider over the keys of ``densities`` (training steps or thresholds), a log-scale toggle and sigma."""
    import ipywidgets as widgets
    from IPython.display import display

    from .fallback import StaticInteractive

    keys = list(densities)

    def show(key, sigma: float, log: bool) -> None:
        display(density_at(densities, key, sigma=sigma, log=log))

    return StaticInteractive(
        show,
        key=widgets.SelectionSlider(options=keys, value=keys[-1], description=label, continuous_update=False),
        sigma=widgets.FloatLogSlider(value=0.02, base=10, min=-3, max=-0.5, description="sigma", continuous_update=False),
        log=widgets.Checkbox(value=True, description="log density"),
    )
