"""The DSS figures (``landscape_lib.plots.dss``): a colour scale that resolves the valley, one colour
bar per figure, a legend that names every mark, the bisector of the pull, and widths that fit a
notebook column (also for the other lectures' plot modules and notebooks)."""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path

import numpy as np
import pytest
import torch
from matplotlib.colors import LogNorm

from landscape_lib.dss import connect
from landscape_lib.plots.dss import (
    PASS_COLOR,
    dss_depth_panel,
    plot_dss_ablation,
    plot_dss_depth,
    plot_dss_depths,
    plot_dss_sweep,
    plot_loss_along_string,
    plot_string,
    plot_strings,
)
from landscape_lib.toys import double_well, ring_valley

ROOT = Path(__file__).resolve().parents[1]
MAX_WIDTH = 10.0  # inches: a notebook column
F64 = torch.float64


def pt(*xs: float) -> torch.Tensor:
    return torch.tensor(xs, dtype=F64)


@pytest.fixture(scope="module")
def ring_run():
    """A DSS run around the ring valley's bump: three depths, failing then passing segments."""
    F = ring_valley()
    return F, connect(F, pt(1.0, 0.0), pt(-1.0, 1e-3), 1e-3, lr=0.01, max_steps=5000)


def colorbars(fig) -> list:
    return [ax for ax in fig.axes if ax.get_label() == "<colorbar>"]


def panels(fig) -> list:
    return [ax for ax in fig.axes if ax.get_label() != "<colorbar>"]


def legend_texts(fig) -> list[str]:
    legends = list(fig.legends) + [ax.get_legend() for ax in fig.axes if ax.get_legend() is not None]
    return [t.get_text() for legend in legends for t in legend.get_texts()]


# -- the colour scale ---------------------------------------------------------------------------
def test_a_multi_panel_figure_has_one_colour_bar_and_one_shared_logarithmic_norm(ring_run) -> None:
    F, result = ring_run
    fig = plot_dss_depths(F, result, [0, 1, len(result.history) - 1])
    assert len(colorbars(fig)) == 1, f"{len(colorbars(fig))} colour bars, expected one for the figure"
    norms = [ax.collections[0].norm for ax in panels(fig)]
    assert len(norms) == 3 and all(isinstance(n, LogNorm) for n in norms)
    assert all(n is norms[0] for n in norms), "the panels must share one colour scale"


def test_the_colour_scale_resolves_the_valley_below_the_level(ring_run) -> None:
    F, result = ring_run
    fig = plot_dss_depth(F, result, 0)
    cs = panels(fig)[0].collections[0]
    below = [v for v in cs.levels if v < 3 * result.threshold]
    assert len(below) >= 5, f"only {len(below)} colour levels below 3 L0 = {3 * result.threshold:g}: {cs.levels}"
    # the valley (a tenth of the level), the level and the bump (F = 1) are far apart in colour:
    # on the old linear scale up to 16 they all lay within the lowest 7 % of the colours
    valley, level, bump = cs.norm([result.level / 10, result.level, 1.0])
    assert level - valley > 0.1 and bump - level > 0.3, (valley, level, bump)


def test_the_norm_follows_the_level_not_a_fixed_range() -> None:
    F = double_well()
    low = plot_string(F, torch.stack([pt(-1.0, 0.0), pt(1.0, 0.0)]), level=0.01)
    high = plot_string(F, torch.stack([pt(-1.0, 0.0), pt(1.0, 0.0)]), level=1.0)
    v_low, v_high = (panels(f)[0].collections[0].norm.vmin for f in (low, high))
    assert v_low == pytest.approx(1e-4) and v_high == pytest.approx(1e-2)


# -- what the legend names ----------------------------------------------------------------------
def test_the_legend_names_the_level_set_and_passing_and_failing_segments(ring_run) -> None:
    F, result = ring_run
    texts = legend_texts(plot_dss_depths(F, result, [0, len(result.history) - 1]))
    assert any(r"\Omega(mL_0)" in t for t in texts), texts
    assert any("passes" in t for t in texts) and any("fails" in t for t in texts), texts
    assert any("new beads" in t for t in texts) and any("endpoints" in t for t in texts), texts


def test_a_single_panel_names_only_what_it_draws(ring_run) -> None:
    F, result = ring_run
    last = legend_texts(plot_dss_depth(F, result, len(result.history) - 1))
    assert any("passes" in t for t in last) and not any("fails" in t for t in last), last
    bare = legend_texts(plot_string(F, result.beads))  # no level, no segment maxima
    assert not any(r"\Omega" in t for t in bare) and any("not checked" in t for t in bare), bare


def test_passing_segments_are_drawn_in_the_pass_colour(ring_run) -> None:
    F, result = ring_run
    ax = panels(plot_dss_depth(F, result, len(result.history) - 1))[0]
    segments = [line for line in ax.lines if line.get_linestyle() == "-" and len(line.get_xdata()) == 2]
    assert len(segments) == result.n_beads - 1
    assert all(line.get_color() == PASS_COLOR for line in segments)


# -- the bisector of the pull -------------------------------------------------------------------
def bisector_lines(fig) -> list:
    return [line for ax in fig.axes for line in ax.lines if line.get_gid() == "bisector"]


def test_the_pulled_bead_panel_draws_the_perpendicular_bisector_of_its_neighbours() -> None:
    F = ring_valley()
    beads = torch.stack([pt(1.0, 0.0), pt(0.6, 0.9), pt(-0.6, 0.8)])
    fig = plot_strings(F, [{"beads": beads, "level": 0.01}, {"beads": beads, "level": 0.01, "bisector": 1}])
    (line,) = bisector_lines(fig)
    assert line.axes is panels(fig)[1], "the bisector belongs to the pulled-bead panel only"
    x, y = np.asarray(line.get_xdata()), np.asarray(line.get_ydata())
    direction = np.array([x[-1] - x[0], y[-1] - y[0]])
    chord = (beads[2] - beads[0]).numpy()
    cos = abs(direction @ chord) / (np.linalg.norm(direction) * np.linalg.norm(chord))
    assert cos < 1e-12, f"the bisector is not perpendicular to the chord: |cos| = {cos:.3e}"
    mid = ((beads[0] + beads[2]) / 2).numpy()
    offset = mid - np.array([x[0], y[0]])
    assert abs(offset[0] * direction[1] - offset[1] * direction[0]) < 1e-9, "it must pass through the midpoint"
    assert any("bisector" in t for t in legend_texts(fig))


def test_the_bisector_needs_an_interior_bead() -> None:
    beads = torch.stack([pt(1.0, 0.0), pt(0.0, 1.0), pt(-1.0, 0.0)])
    with pytest.raises(ValueError, match=r"plot_string: argument `bisector` must be an interior bead index in \[1, 1\], got 2"):
        plot_string(ring_valley(), beads, bisector=2)


def test_bad_inputs_are_refused(ring_run) -> None:
    F, result = ring_run
    with pytest.raises(ValueError, match=r"plot_dss_depth: argument `depth` must be in \[0, \d+\], got 99"):
        dss_depth_panel(result, 99)
    with pytest.raises(ValueError, match=r"plot_strings: argument `panels` must hold at least one panel"):
        plot_strings(F, [])


# -- widths: every figure fits a notebook column ------------------------------------------------
def test_every_dss_figure_fits_a_notebook_column(ring_run) -> None:
    F, result = ring_run
    beads = result.beads
    figures = {
        "plot_string": plot_string(F, beads, level=result.level),
        "plot_dss_depth": plot_dss_depth(F, result, 0),
        "plot_dss_depths (3)": plot_dss_depths(F, result, [0, 1, 2]),
        "plot_strings (5)": plot_strings(F, [{"beads": beads}] * 5),
        "plot_loss_along_string": plot_loss_along_string(F, beads, level=result.level),
        "plot_dss_sweep": plot_dss_sweep([0.1, 0.01], [[1.0, 1.1], [1.2]], [[3, 4], [5]]),
        "plot_dss_ablation": plot_dss_ablation({"a": [3, 4], "b": [5]}, {"a": [1.0, 1.1], "b": [1.2]}),
    }
    wide = {name: float(fig.get_size_inches()[0]) for name, fig in figures.items()
            if fig.get_size_inches()[0] > MAX_WIDTH}
    assert not wide, f"wider than {MAX_WIDTH} in: {wide}"


PLOT_MODULES = ["dss", "topology", "energy_gap", "geometry", "curvature", "simplified_models"]


@pytest.mark.parametrize("module", PLOT_MODULES)
def test_literal_figure_sizes_of_the_plot_modules_fit_a_notebook_column(module: str) -> None:
    """Every ``figsize=(w, h)`` written in the module has ``w <= 10``; a computed width must be capped."""
    source = (ROOT / "landscape_lib" / "plots" / f"{module}.py").read_text()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.keyword) and node.arg == "figsize" and isinstance(node.value, ast.Tuple):
            width = node.value.elts[0]
            text = ast.get_source_segment(source, width)
            if isinstance(width, ast.Constant):
                assert width.value <= MAX_WIDTH, f"{module}.py line {node.lineno}: figsize width {width.value}"
            else:
                assert text.startswith("min(") and f"{MAX_WIDTH}" in text, f"{module}.py line {node.lineno}: {text}"


LECTURES = sorted(p for p in (ROOT / "lectures").glob("0[2-7]_*.ipynb"))


@pytest.mark.parametrize("path", LECTURES, ids=[p.stem[:2] for p in LECTURES])
def test_figure_sizes_written_in_the_lectures_fit_a_notebook_column(path: Path) -> None:
    cells = json.loads(path.read_text())["cells"]
    widths = [(i, float(m.group(1))) for i, c in enumerate(cells) if c["cell_type"] == "code"
              for m in re.finditer(r"figsize=\(\s*([0-9.]+)", "".join(c["source"]))]
    assert all(w <= MAX_WIDTH for _, w in widths), f"{path.name}: (cell, width) {widths}"
