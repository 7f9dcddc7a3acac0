"""The pairs x thresholds sweep, the growth-law fits and the geometry plots of lecture 05."""

from __future__ import annotations

import math

import pytest
import torch
from matplotlib.figure import Figure

from landscape_lib.dss.growth import LAWS, PAPER_CIFAR, PAPER_MNIST, compare_growth, fit_growth
from landscape_lib.dss.reference import PAPER_QUADRATIC
from landscape_lib.dss.sweep import LevelSweep, sweep_levels
from landscape_lib.paths import segment_max
from landscape_lib.plots.geometry import plot_barriers, plot_growth, plot_profile, plot_string_plane, string_plane
from landscape_lib.toys import DOUBLE_WELL_SADDLE_LEVEL, convex_bowl, double_well, ring_valley
from tests.helpers import point

FAST = dict(lr=0.01, max_steps=3000, n_grid=50)


@pytest.fixture(scope="module")
def ring_sweep() -> LevelSweep:
    # two pairs of (almost) opposite points on the ring's floor, at two thresholds, one call
    a = torch.stack([point(1.0, 0.0), point(0.0, 1.0)])
    b = torch.stack([point(-1.0, 1e-3), point(1e-3, -1.0)])
    return sweep_levels(ring_valley(), a, b, [0.1, 0.01], **FAST)


def test_table_layout_and_values(ring_sweep):
    sw = ring_sweep
    assert len(sw) == 4 and sw.threshold.tolist() == [0.1, 0.1, 0.01, 0.01] and sw.pair.tolist() == [0, 1, 0, 1]
    assert sw.levels == [0.1, 0.01]
    assert bool(sw.connected.all()) and sw.reason == ("connected",) * 4
    for i, r in enumerate(sw.results):
        assert sw.normalized_length[i] == pytest.approx(r.normalized_length)
        assert int(sw.n_beads[i]) == r.n_beads
        assert float(sw.string_max[i]) == pytest.approx(float(r.segment_max.max()))
        # the straight line crosses the bump at the origin: F(0) = 1, on the 50-point grid just below
        expected, _ = segment_max(ring_valley(), r.beads[:1], r.beads[-1:], 50)
        assert float(sw.line_max[i]) == pytest.approx(float(expected[0]))
        assert float(sw.line_max[i]) > 0.9
    assert sw.slack == pytest.approx(1.1)
    rows = sw.rows()
    assert rows[2]["threshold"] == 0.01 and rows[2]["connected"] is True and set(rows[0]) >= {"line_max", "n_beads"}


def test_summary_means_over_connected_pairs(ring_sweep):
    summary = ring_sweep.summary()
    assert [s["threshold"] for s in summary] == [0.1, 0.01]
    low = summary[1]
    assert low["connected"] == 2 and low["pairs"] == 2 and low["lines_above"] == 2
    assert low["length"] == pytest.approx(float(ring_sweep.normalized_length[2:].mean()))
    # opposite points of the ring: the string must go around the bump (length near pi/2, lecture 03)
    assert 1.3 < low["length"] < 2.0
    assert "0.01" in ring_sweep.format() and "connected" in ring_sweep.format(per_pair=True)


def test_straight_landscape_gives_straight_strings():
    a = torch.stack([point(1.0, 0.5), point(-0.3, 0.2)])
    sw = sweep_levels(convex_bowl(), a, -a, [2.0, 1.8], **FAST)
    assert sw.n_beads.tolist() == [3, 3, 3, 3]
    assert torch.allclose(sw.normalized_length, torch.ones(4, dtype=torch.float64))
    assert bool((sw.line_max <= sw.endpoint_max + 1e-12).all())  # convex: the maximum is at an end


def test_per_threshold_endpoints_and_failed_rows_are_kept():
    # (T, N, P) endpoints; below the saddle the double well cannot be connected: the row stays in the table
    a = point(-1.0, 0.0).expand(2, 1, 2)
    b = torch.stack([point(0.9, 0.2), point(0.95, 0.1)])[:, None, :]
    levels = [1.3 * DOUBLE_WELL_SADDLE_LEVEL, 0.5 * DOUBLE_WELL_SADDLE_LEVEL]
    sw = sweep_levels(double_well(), a, b, levels, max_depth=3, **FAST)
    assert sw.connected.tolist() == [True, False]
    assert sw.reason[1] in ("depth_cap", "bead_not_converged")
    assert sw.summary()[1]["connected"] == 0 and math.isnan(sw.summary()[1]["length"])
    assert torch.equal(sw.results[1].beads[-1], b[1, 0])


@pytest.mark.parametrize("kwargs, error, message", [
    (dict(thresholds=0.1), TypeError, "thresholds"),
    (dict(thresholds=[]), ValueError, "empty"),
    (dict(thresholds=[0.1, -1.0]), ValueError, "positive"),
    (dict(theta_a=point(1.0, 0.0)), ValueError, "theta_a"),
    (dict(theta_a=torch.zeros(3, 1, 2, dtype=torch.float64)), ValueError, "3 sets of pairs"),
    (dict(landscape="ring"), TypeError, "landscape"),
])
def test_bad_inputs(kwargs, error, message):
    args = dict(landscape=ring_valley(), theta_a=point(1.0, 0.0)[None], theta_b=point(-1.0, 1e-3)[None], thresholds=[0.1, 0.05])
    args.update(kwargs)
    with pytest.raises(error, match=rf"sweep_levels.*{message}|{message}"):
        sweep_levels(args.pop("landscape"), args.pop("theta_a"), args.pop("theta_b"), args.pop("thresholds"))


# -- growth laws -------------------------------------------------------------------------------
LEVELS = torch.tensor([0.5, 0.2, 0.1, 0.05, 0.01], dtype=torch.float64)


@pytest.mark.parametrize("law, excess, a, b", [
    ("linear", 0.3 - 0.4 * LEVELS, 0.3, -0.4),
    ("log", 0.01 + 0.07 * torch.log10(1 / LEVELS), 0.01, 0.07),
    ("power", 0.002 * LEVELS ** -1.3, 0.002, -1.3),
])
def test_fit_recovers_exact_laws(law, excess, a, b):
    fit = fit_growth(LEVELS, excess, law)
    assert fit.a == pytest.approx(a, rel=1e-9) and fit.b == pytest.approx(b, rel=1e-9) and fit.rss < 1e-20
    assert torch.allclose(fit(LEVELS), excess)
    fits = compare_growth(LEVELS, excess)
    assert min(fits, key=lambda k: fits[k].rss) == law


def test_paper_quadratic_grows_about_028_per_decade():
    fit = fit_growth([p[0] for p in PAPER_QUADRATIC], [p[1] - 1 for p in PAPER_QUADRATIC], "log")
    assert fit.b == pytest.approx(0.28, abs=0.01)
    assert all(0 < L < 1 and length >= 1 for L, length, _ in PAPER_MNIST + PAPER_CIFAR)


def test_compare_growth_skips_the_power_law_for_non_positive_excess():
    assert set(compare_growth([0.1, 0.01], [0.0, 0.1])) == {"linear", "log"} and LAWS[2] == "power"


@pytest.mark.parametrize("args, message", [
    (([0.1, 0.01], [0.1, 0.2], "cubic"), "law"),
    (([0.1], [0.1], "log"), "equal length >= 2"),
    (([0.1, -0.01], [0.1, 0.2], "log"), "positive"),
    (([0.1, 0.01], [0.1, -0.2], "power"), "positive `excess`"),
])
def test_fit_bad_inputs(args, message):
    with pytest.raises(ValueError, match=rf"fit_growth: .*{message}|{message}"):
        fit_growth(*args)


# -- the plane of a string and the plots ---------------------------------------------------------
def test_string_plane_known_coordinates():
    beads = torch.tensor([[0.0, 0, 0], [1.0, 2.0, 0], [2.0, 0.5, 1.0], [4.0, 0, 0]], dtype=torch.float64)
    origin, basis, coords = string_plane(beads)
    assert torch.equal(origin, beads[0])
    assert torch.allclose(basis @ basis.T, torch.eye(2, dtype=torch.float64))
    assert torch.allclose(coords[:, 0], torch.tensor([0.0, 1.0, 2.0, 4.0], dtype=torch.float64))
    assert torch.allclose(coords[1], torch.tensor([1.0, 2.0], dtype=torch.float64))  # the most deviating bead
    assert coords[-1, 1] == pytest.approx(0.0)
    assert coords[2, 1] == pytest.approx(0.5)  # its (y, z) = (0.5, 1.0) projected on v = e_y


@pytest.mark.parametrize("beads, message", [
    (torch.zeros(2, 3, dtype=torch.float64), "n >= 3"),
    (torch.tensor([[0.0, 0], [1.0, 1], [0.0, 0]], dtype=torch.float64), "coincide"),
    (torch.tensor([[0.0, 0], [1.0, 0], [2.0, 0]], dtype=torch.float64), "straight"),
])
def test_string_plane_bad_inputs(beads, message):
    with pytest.raises(ValueError, match=rf"string_plane: .*{message}"):
        string_plane(beads)


def test_plots_return_figures(ring_sweep):
    r = ring_sweep.results[2]
    F = ring_valley()
    for fig in (plot_string_plane(F, r.beads, level=r.level, n=9),
                plot_profile(F, r.beads, threshold=r.threshold, level=r.level, n_points=5),
                plot_barriers(ring_sweep, title="ring"),
                plot_growth([0.1, 0.01], [[1.1, 1.2], [1.3]], [[3, 4], [5]], fits=compare_growth([0.1, 0.01], [0.15, 0.3]),
                            paper={"Freeman & Bruna, MNIST": PAPER_MNIST})):
        assert isinstance(fig, Figure)
        assert all(ax.get_xlabel() and ax.get_ylabel() for ax in fig.axes if ax.get_label() != "<colorbar>")


def test_threshold_stepper_builds(ring_sweep):
    from landscape_lib.widgets.geometry import threshold_stepper

    w = threshold_stepper(ring_valley(), ring_sweep, n_points=5)
    assert w.children[0].max == 1 and w.children[1].max == 1
