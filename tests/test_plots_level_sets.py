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
    ]
    for fig in figures:
        _labelled(fig)
        assert fig._repr_png_()[:4] == b"\x89PNG"


def test_sublevel_set_title_reports_the_component_count() -> None:
    fig = plot_sublevel_set(toys.double_well(), 0.5, resolution=81)
    assert "N_\\lambda = 2" in fig.axes[0].get_title()


@pytest.mark.parametrize("toy", list(TOYS))
def test_widget_callback_draws_every_toy(toy: str, capsys) -> None:
    show_sublevel_set(toy, 0.7, resolution=31)


def test_widget_has_a_level_slider_and_a_toy_menu() -> None:
    w = sublevel_explorer(toy="ring valley", level=0.3)
    kinds = {type(c).__name__ for c in w.children}
    assert {"Dropdown", "FloatSlider"} <= kinds
    with pytest.raises(ValueError, match=r"show_sublevel_set: argument `toy` must be one of"):
        show_sublevel_set("volcano", 0.5)
