"""What a student sees in lectures 00 and 01 (issue 14, part 4): figure widths, ticks, legends, marks.

Each test checks one property found wrong by hand in JupyterLab: figures wider than a notebook
column, non-integer ticks on a count, a saddle mark hidden under the staircase, a sublevel plot
without the boundary {F = lambda}, reference lines -E_0 and -E_inf that cannot be told apart,
legends over histogram bars, and a widget whose energy axis jumps between redraws.
"""

from __future__ import annotations

import re
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import nbformat  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402
from matplotlib.backends.backend_agg import FigureCanvasAgg  # noqa: E402
from matplotlib.contour import ContourSet  # noqa: E402
from matplotlib.patches import Rectangle  # noqa: E402

from landscape_lib import toys  # noqa: E402
from landscape_lib.ensembles import EnsembleResult  # noqa: E402
from landscape_lib.plots import level_sets as ls  # noqa: E402
from landscape_lib.plots import spin_glass as sg  # noqa: E402
from landscape_lib.spin_glass import complexity as cx  # noqa: E402
from landscape_lib.spin_glass.descent import fit_finite_size  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
MAX_WIDTH = 10.0  # inches: a JupyterLab notebook column


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def drawn(fig):
    """Lay out and draw ``fig`` (pyplot-free figures get an Agg canvas) and return its renderer."""
    if not hasattr(fig.canvas, "get_renderer"):
        FigureCanvasAgg(fig)
    fig.canvas.draw()
    return fig.canvas.get_renderer()


def overlap(a, b) -> bool:
    """Two display-space bounding boxes share an area (touching edges do not count)."""
    return a.x0 < b.x1 - 0.5 and b.x0 < a.x1 - 0.5 and a.y0 < b.y1 - 0.5 and b.y0 < a.y1 - 0.5


def legend_hits_bars(ax) -> list:
    """The bars (non-empty histogram rectangles) of ``ax`` that its legend covers on the canvas."""
    renderer = drawn(ax.figure)
    legend = ax.get_legend()
    assert legend is not None, "the plot has a legend"
    box = legend.get_window_extent(renderer)
    bars = [p for p in ax.patches if isinstance(p, Rectangle) and p.get_height() > 0]
    assert bars, "the plot has bars"
    return [p for p in bars if overlap(box, p.get_window_extent(renderer))]


# -- every figure of lectures 00 and 01 fits a notebook column ---------------------------------
def _lecture00_figures():
    ring = toys.ring_valley()
    beads = torch.tensor([[1.0, 0.0], [0.0, 1.0], [-1.0, 0.0]], dtype=torch.float64)
    yield "plot_landscape", ls.plot_landscape(ring, resolution=31)
    yield "plot_landscapes", ls.plot_landscapes([toys.convex_bowl(), toys.double_well(), ring, toys.many_minima()],
                                                resolution=31)
    yield "plot_sublevel_set", ls.plot_sublevel_set(toys.double_well(), 0.5, resolution=31)
    yield "plot_components_vs_level", ls.plot_components_vs_level([0.1, 0.5, 1.5], [2, 2, 1])
    yield "plot_losses_along_paths", ls.plot_losses_along_paths({"line": (torch.linspace(0, 1, 5), torch.rand(5))})
    yield "plot_taut_strings", ls.plot_taut_strings(ring, {0.1: beads}, resolution=31)


def _lecture01_figures():
    g = torch.Generator().manual_seed(0)
    energies = -1.55 + 0.03 * torch.randn(12, generator=g, dtype=torch.float64)
    eig = torch.sort(torch.rand(12, 19, generator=g, dtype=torch.float64) * 9, dim=1).values
    ns = [32, 48, 64, 100]
    means = torch.tensor([-1.48, -1.51, -1.53, -1.55], dtype=torch.float64)
    fits = [fit_finite_size(torch.tensor(ns, dtype=torch.float64), means, torch.full((4,), 0.005, dtype=torch.float64))]
    results = [EnsembleResult(h, torch.rand(4, generator=g), torch.rand(4, generator=g) + 0.1, torch.rand(4),
                              torch.zeros(4, 2), depth=d) for d in (1, 2) for h in (2, 5)]
    angles = torch.linspace(0, 6.28, 50)
    yield "plot_great_circle_energy", sg.plot_great_circle_energy(angles, torch.stack([angles.cos(), angles.sin()]),
                                                                  labels=["a", "b"], p=3)
    yield "plot_energy_histograms", sg.plot_energy_histograms(0.1 * torch.randn(400, generator=g), energies, p=3, N=100)
    yield "plot_complexity_curves", sg.plot_complexity_curves(3)
    yield "plot_hessian_spectrum", sg.plot_hessian_spectrum(eig, energies, p=3, N=20)
    yield "plot_endpoint_energies_vs_n", sg.plot_endpoint_energies_vs_n(ns, [means[i] + 0.01 * torch.randn(5, generator=g)
                                                                             for i in range(4)], fits, p=3)
    yield "plot_test_loss_spread", sg.plot_test_loss_spread(results)
    yield "plot_energy_relaxation", sg.plot_energy_relaxation(torch.arange(5.0), -torch.linspace(0, 1.5, 5)[:, None].expand(5, 3),
                                                              p=3)
    yield "plot_final_energy_histogram", sg.plot_final_energy_histogram(energies, p=3, N=20)


def test_every_plotting_function_of_lectures_00_and_01_fits_a_notebook_column() -> None:
    for name, fig in [*_lecture00_figures(), *_lecture01_figures()]:
        width, height = fig.get_size_inches()
        assert width <= MAX_WIDTH, f"{name}: {width:g} in wide, more than a notebook column ({MAX_WIDTH:g} in)"
        assert height <= 8, f"{name}: {height:g} in high"
        drawn(fig)
        for ax in fig.axes:  # readable: no tick label smaller than 7 pt
            for label in ax.get_xticklabels() + ax.get_yticklabels():
                if label.get_text():
                    assert label.get_fontsize() >= 7, f"{name}: tick label {label.get_text()!r} at {label.get_fontsize()} pt"


def test_the_widget_callbacks_draw_figures_that_fit_a_notebook_column(monkeypatch) -> None:
    from landscape_lib.widgets import level_sets as widget00
    from landscape_lib.widgets.spin_glass import descent_histogram

    shown = []
    monkeypatch.setattr(widget00, "display", shown.append)
    widget00.show_sublevel_set("double well", 0.7, resolution=31)
    for fig in (shown[0], descent_histogram(p=3, N=8, n_starts=4)):
        assert fig.get_size_inches()[0] <= MAX_WIDTH


@pytest.mark.parametrize("notebook", ["lectures/00_landscapes_and_level_sets.ipynb", "lectures/01_spin_glass_intuition.ipynb",
                                      "solutions/00_landscapes_and_level_sets.ipynb", "solutions/01_spin_glass_intuition.ipynb"])
def test_figure_sizes_written_in_the_notebooks_fit_a_notebook_column(notebook: str) -> None:
    nb = nbformat.read(ROOT / notebook, as_version=4)
    code = "\n".join(c.source for c in nb.cells if c.cell_type == "code")
    for width, height in re.findall(r"figsize\s*=\s*\(\s*([0-9.]+)\s*,\s*([0-9.]+)\s*\)", code):
        assert float(width) <= MAX_WIDTH, f"{notebook}: figsize=({width}, {height}) is wider than {MAX_WIDTH:g} in"


# -- lecture 00 ---------------------------------------------------------------------------------
def test_component_staircase_has_integer_ticks_and_the_saddle_mark_on_top() -> None:
    fig = ls.plot_components_vs_level(torch.linspace(0.02, 2, 50), [2] * 25 + [1] * 25, marks={"saddle": 1.0},
                                      title="double well: two wells merge")
    drawn(fig)
    ax = fig.axes[0]
    ticks = [t for t in ax.get_yticks() if ax.get_ylim()[0] <= t <= ax.get_ylim()[1]]
    assert ticks and all(float(t).is_integer() for t in ticks), f"non-integer ticks on a count: {ticks}"
    step, mark = ax.lines[0], ax.lines[1]
    assert mark.get_zorder() > step.get_zorder(), "the saddle mark is drawn over the staircase's own step"
    assert mark.get_linestyle() != step.get_linestyle() and mark.get_color() != step.get_color()
    assert "saddle" in ax.get_legend_handles_labels()[1], "the saddle mark has a legend entry"
    assert ax.get_title() == "double well: two wells merge"


def _contour_sets(ax) -> list[ContourSet]:
    return [c for c in ax.collections if isinstance(c, ContourSet)]


@pytest.mark.parametrize("toy,level", [("double_well", 0.5), ("ring_valley", 0.3), ("many_minima", 0.6)])
def test_sublevel_set_plot_draws_the_boundary_at_exactly_lambda(toy: str, level: float) -> None:
    fig = ls.plot_sublevel_set(getattr(toys, toy)(), level, resolution=61)
    ax = fig.axes[0]
    contours = _contour_sets(ax)
    assert len(contours) == 1, f"one contour set (the boundary), not generic contours: {len(contours)}"
    assert list(contours[0].levels) == [level], f"the boundary is the contour F = {level}, got {list(contours[0].levels)}"
    assert any("F(\\theta) = \\lambda" in label for label in ax.get_legend_handles_labels()[1] +
               [t.get_text() for t in ax.get_legend().get_texts()]), "the legend names the boundary"
    assert len(ax.get_legend().get_texts()) == 2, "the legend says what the colours and the line are"


def test_sublevel_set_plot_can_leave_out_the_boundary_line() -> None:
    ax = ls.plot_sublevel_set(toys.ring_valley(), 1e-4, resolution=61, boundary_width=0).axes[0]
    assert not _contour_sets(ax) and len(ax.get_legend().get_texts()) == 1


def test_the_widget_shows_the_boundary_of_omega_lambda(monkeypatch) -> None:
    from landscape_lib.widgets import level_sets as widget00

    shown = []
    monkeypatch.setattr(widget00, "display", shown.append)
    widget00.show_sublevel_set("double well", 0.7, resolution=41)
    right = [ax for ax in shown[0].axes if ax.get_label() != "<colorbar>"][1]
    assert [list(c.levels) for c in _contour_sets(right)] == [[0.7]]


def test_landscape_colour_bar_has_even_levels_and_its_label_clear_of_the_ticks() -> None:
    for landscape in (toys.convex_bowl(), toys.double_well(), toys.ring_valley(), toys.many_minima()):
        fig = ls.plot_landscape(landscape, resolution=61)
        renderer = drawn(fig)
        ax, bar = fig.axes[0], fig.axes[1]
        levels = np.asarray(_contour_sets(ax)[0].levels)
        steps = np.diff(levels)
        assert np.allclose(steps, steps[0], rtol=1e-6), f"{landscape.name}: uneven levels {levels}"
        values = ls.evaluate_on_grid(landscape, ls.grid_axes(landscape, 61))
        assert levels[0] <= float(values.min()), f"{landscape.name}: the lowest values are not coloured"
        label = bar.yaxis.label
        assert label.get_text(), "the colour bar says what it shows"
        box = label.get_window_extent(renderer)
        for tick in bar.get_yticklabels():
            if tick.get_text():
                assert not overlap(box, tick.get_window_extent(renderer)), f"{landscape.name}: label on tick {tick.get_text()}"
        ticks = [t for t in bar.get_yticks()]
        assert all(levels[0] - 1e-9 <= t <= levels[-1] + 1e-9 for t in ticks), "no tick on the colour bar's arrow"


def test_landscape_gallery_is_a_grid_inside_a_notebook_column() -> None:
    fig = ls.plot_landscapes([toys.convex_bowl(), toys.double_well(), toys.ring_valley()], ncols=2, resolution=31)
    renderer = drawn(fig)
    panels = [ax for ax in fig.axes if ax.get_label() != "<colorbar>" and ax.axison]
    assert len(panels) == 3 and fig.get_size_inches()[0] <= MAX_WIDTH
    for ax in panels:  # every axis label inside the figure (constrained layout cut them off)
        assert ax.yaxis.label.get_window_extent(renderer).x0 >= 0
    with pytest.raises(ValueError, match="plot_landscapes: argument `landscapes`"):
        ls.plot_landscapes([])


def test_losses_along_paths_says_what_is_plotted() -> None:
    ax = ls.plot_losses_along_paths({"line": (torch.linspace(0, 1, 5), torch.rand(5))},
                                    ylabel="training loss: cross-entropy (nats)", title="digits MLP").axes[0]
    assert ax.get_ylabel() == "training loss: cross-entropy (nats)" and ax.get_title() == "digits MLP"


# -- lecture 01 ---------------------------------------------------------------------------------
def _reference_lines(ax, p: int):
    e0, e_inf = cx.ground_state_energy(p), cx.threshold_energy(p)
    lines = {round(float(np.asarray(line.get_xdata() if line.get_xdata()[0] == line.get_xdata()[-1]
                                     else line.get_ydata())[0]), 6): line for line in ax.lines}
    return lines[round(-e0, 6)], lines[round(-e_inf, 6)]


@pytest.mark.parametrize("p", [3, 5])
def test_ground_state_and_threshold_lines_differ_in_colour_style_and_label(p: int) -> None:
    fig = sg.plot_final_energy_histogram(torch.tensor([-1.5, -1.55, -1.6]), p=p, N=20)
    ax = fig.axes[0]
    ground, threshold = _reference_lines(ax, p)
    assert ground.get_color() != threshold.get_color(), "different colours"
    assert ground.get_linestyle() != threshold.get_linestyle(), "different line styles"
    assert f"{-cx.ground_state_energy(p):.3f}" in ground.get_label()
    assert f"{-cx.threshold_energy(p):.3f}" in threshold.get_label()
    tags = [t.get_text() for t in ax.texts]
    assert "$-E_0$" in "".join(tags) and "$-E_\\infty$" in "".join(tags), f"the lines are named beside them: {tags}"


def test_tags_of_the_reference_lines_do_not_overlap_each_other() -> None:
    """p = 3: the lines are 0.024 apart; their names, written on opposite sides, must not collide."""
    figures = [sg.plot_final_energy_histogram(torch.tensor([-1.5, -1.55]), p=3, N=20),
               sg.plot_energy_relaxation(torch.arange(5.0), -torch.linspace(0, 1.5, 5)[:, None].expand(5, 3), p=3),
               sg.plot_complexity_curves(3)]
    for fig in figures:
        renderer = drawn(fig)
        for ax in fig.axes:
            boxes = [t.get_window_extent(renderer) for t in ax.texts if "E_" in t.get_text()]
            for i in range(len(boxes)):
                for j in range(i):
                    assert not overlap(boxes[i], boxes[j]), f"{ax.get_title()}: the tags of -E_0 and -E_inf overlap"


def test_energy_histogram_zooms_on_the_band_in_an_inset() -> None:
    g = torch.Generator().manual_seed(1)
    fig = sg.plot_energy_histograms(0.1 * torch.randn(500, generator=g), -1.55 + 0.03 * torch.randn(40, generator=g),
                                    p=3, N=100)
    ax = fig.axes[0]
    assert len(ax.child_axes) == 1, "one inset"
    lo, hi = ax.child_axes[0].get_xlim()
    assert lo < -cx.ground_state_energy(3) < -cx.threshold_energy(3) < hi and hi - lo < 0.5


def test_histogram_legends_do_not_cover_the_bars() -> None:
    g = torch.Generator().manual_seed(2)
    energies = -1.5 + 0.05 * torch.randn(48, generator=g, dtype=torch.float64)
    eig = torch.sort(torch.rand(30, 99, generator=g, dtype=torch.float64) * 9.8, dim=1).values
    cases = {
        "widget histogram": sg.plot_final_energy_histogram(energies, p=3, N=48).axes[0],
        "energy histograms": sg.plot_energy_histograms(0.1 * torch.randn(4000, generator=g), energies, p=3, N=100).axes[0],
        "Hessian spectrum": sg.plot_hessian_spectrum(eig, energies[:30], p=3, N=100).axes[0],
    }
    for name, ax in cases.items():
        assert not legend_hits_bars(ax), f"{name}: the legend covers bars"


def test_the_legend_check_can_fail() -> None:
    """The overlap test above would see a legend drawn over the bars (the old layout)."""
    fig, ax = plt.subplots(figsize=(7, 3.5))
    ax.hist(np.random.default_rng(0).normal(size=500), bins=20, label="bars")
    ax.legend(loc="center")
    assert legend_hits_bars(ax)


def test_widget_energy_axis_is_fixed_by_p() -> None:
    from landscape_lib.widgets.spin_glass import descent_histogram

    first, second = descent_histogram(p=3, N=16, n_starts=8, seed=0), descent_histogram(p=3, N=16, n_starts=8, seed=1)
    assert first.axes[0].get_xlim() == second.axes[0].get_xlim(), "another seed, same energy axis"
    other_n = descent_histogram(p=3, N=8, n_starts=16, seed=2)
    assert other_n.axes[0].get_xlim() == first.axes[0].get_xlim(), "another N and number of starts, same energy axis"
    edges = lambda fig: sorted({round(p.get_x(), 9) for p in fig.axes[0].patches if isinstance(p, Rectangle)})
    assert edges(first) == edges(second), "the same bins"
    lo, hi = first.axes[0].get_xlim()
    assert lo < -cx.ground_state_energy(3) and -cx.threshold_energy(3) < hi
    assert descent_histogram(p=5, N=8, n_starts=4).axes[0].get_xlim() == sg.energy_window(5) != sg.energy_window(3)


def test_widget_histogram_counts_runs_outside_its_window() -> None:
    lo, hi = sg.energy_window(3)
    fig = sg.plot_final_energy_histogram(torch.tensor([lo - 0.5, -1.5, -1.5, hi + 0.1, hi + 0.2]), p=3, N=8)
    ax = fig.axes[0]
    texts = " ".join(t.get_text() for t in ax.texts)
    assert "1 run\nbelow" in texts and "2 runs\nabove" in texts
    assert sum(p.get_height() for p in ax.patches if isinstance(p, Rectangle)) == 5, "every run is in a bin"
    ticks = [t for t in ax.get_yticks() if 0 <= t <= ax.get_ylim()[1]]
    assert all(float(t).is_integer() for t in ticks), "counts of runs: integer ticks"
