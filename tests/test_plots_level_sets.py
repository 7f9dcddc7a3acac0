"""Lecture 00 figures and widget: they draw headless, label their axes, and the widget's callback runs."""

from __future__ import annotations

import pytest
import torch

from landscape_lib import toys
from landscape_lib.plots.level_sets import (
    plot_components_vs_level,
    plot_landscape,
    plot_losses_along_paths,
    plot_sublevel_set,
    plot_taut_strings,
)
from landscape_lib.widgets.level_sets import TOYS, show_sublevel_set, sublevel_explorer


def _labelled(fig) -> None:
    for ax in fig.axes:
        if ax.get_label() == "<colorbar>":
            continue
        assert ax.get_xlabel() and ax.get_ylabel() and ax.get_title(), "every plot labels its axes"


def test_figures_are_labelled_and_render_to_png() -> None:
    ring = toys.ring_valley()
    beads = torch.tensor([[1.0, 0.0], [0.0, 1.0], [-1.0, 0.0]], dtype=torch.float64)
    figures = [
        plot_landscape(ring, resolution=41, strings={"string": beads}),
        plot_sublevel_set(toys.double_well(), 0.5, resolution=41),
        plot_components_vs_level([0.1, 0.5, 1.5], [2, 2, 1], marks={"saddle": 1.0}),
        plot_losses_along_paths({"line": (torch.linspace(0, 1, 5), torch.rand(5))}),
        plot_taut_strings(ring, {0.1: beads, 0.5: beads}, resolution=41),
    ]
    for fig in figures:
        _labelled(fig)
        assert fig._repr_png_()[:4] == b"\x89PNG"


def test_sublevel_set_title_reports_the_component_count() -> None:
    fig = plot_sublevel_set(toys.double_well(), 0.5, resolution=81)
    assert "N_\\lambda = 2" in fig.axes[0].get_title()


@pytest.mark.parametrize("toy", list(TOYS))
def test_widget_callback_draws_every_toy(toy: str, monkeypatch) -> None:
    """The callback displays one figure: the chosen toy on the left, its sublevel set at the chosen
    level on the right, titled with the component count of that level (recounted here)."""
    from landscape_lib.plots.level_sets import grid_axes
    from landscape_lib.topology import count_components, evaluate_on_grid, sublevel_mask
    from landscape_lib.widgets import level_sets as widget_module

    known = {("double well", 0.7): 2, ("double well", 1.5): 1, ("ring valley", 0.7): 1, ("convex bowl", 0.7): 1}
    for level in (0.7, 1.5):
        shown = []
        monkeypatch.setattr(widget_module, "display", shown.append)
        show_sublevel_set(toy, level, resolution=31)
        assert len(shown) == 1, f"the callback should display exactly one figure, displayed {len(shown)}"
        left, right = [ax for ax in shown[0].axes if ax.get_label() != "<colorbar>"]
        landscape = TOYS[toy]()
        assert left.get_title() == landscape.name
        values = evaluate_on_grid(landscape, grid_axes(landscape, 31))
        n = count_components(sublevel_mask(values, level))
        assert n == known.get((toy, level), n), f"{toy} at level {level}: {n} components on the grid"
        assert right.get_title() == rf"{landscape.name}: $\Omega(\lambda={level:.3g})$ has $N_\lambda = {n}$"
        assert right.images and right.images[0].get_array().shape == (31, 31), "the sublevel set is drawn on the grid"
        _labelled(shown[0])


def test_widget_has_a_level_slider_and_a_toy_menu() -> None:
    w = sublevel_explorer(toy="ring valley", level=0.3)
    kinds = {type(c).__name__ for c in w.children}
    assert {"Dropdown", "FloatSlider"} <= kinds
    with pytest.raises(ValueError, match=r"show_sublevel_set: argument `toy` must be one of"):
        show_sublevel_set("volcano", 0.5)


def test_taut_strings_plot_draws_one_string_and_one_boundary_per_level() -> None:
    ring = toys.ring_valley()
    beads = torch.tensor([[1.0, 0.0], [0.0, 1.0], [-1.0, 0.0]], dtype=torch.float64)
    fig = plot_taut_strings(ring, {0.3: beads, 0.01: beads, 0.1: beads}, resolution=41)
    labels = fig.axes[0].get_legend_handles_labels()[1]
    assert labels == ["$\\lambda$ = 0.01", "$\\lambda$ = 0.1", "$\\lambda$ = 0.3"]  # sorted by level
