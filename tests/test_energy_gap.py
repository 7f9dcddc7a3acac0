"""The energy gap by bisection with DSS as the oracle, on toy landscapes whose barrier is known."""

from __future__ import annotations

import math

import pytest
import torch

from landscape_lib.landscape import AnalyticLandscape
from landscape_lib.toys import DOUBLE_WELL_SADDLE_LEVEL, convex_bowl, double_well
from landscape_lib.topology.energy_gap import EnergyGap, OracleAnswer, dss_oracle, energy_gap, energy_gap_many
from tests.helpers import point

TOY_DSS = dict(lr=0.01, max_steps=3000, max_depth=8)


def two_wells() -> tuple[AnalyticLandscape, float]:
    r"""$F = (x^2-1)^2 + 0.3x + y^2 + 0.5$: a deep well near x = -1, a shallow one near x = +1.

    The saddle lies on y = 0 at the local maximum of $f(x) = (x^2-1)^2 + 0.3x$ between the wells,
    found here on a fine grid.  (+0.5 keeps every level positive: thresholds are multiplicative.)
    """
    F = AnalyticLandscape(lambda t: (t[0] ** 2 - 1) ** 2 + 0.3 * t[0] + t[1] ** 2 + 0.5, 2, name="two wells")
    x = torch.linspace(-0.5, 0.5, 200_001, dtype=torch.float64)
    return F, float(((x**2 - 1) ** 2 + 0.3 * x).max()) + 0.5


def ridge_on_hump(width: float = 0.01) -> tuple[AnalyticLandscape, float]:
    r"""$F = \tfrac12(x^2-1)^2 + y^2 + e^{-x^2/(2w^2)}$: a broad hump of height 0.5 with a ridge of
    height 1 and width $w$ = ``width`` on its top.  Every path crosses x = 0: the gap is 1.5 (at y = 0).
    A grid of spacing much larger than ``width`` sees the hump (0.5) but steps over the ridge."""
    F = AnalyticLandscape(lambda t: 0.5 * (t[0] ** 2 - 1) ** 2 + t[1] ** 2 + torch.exp(-0.5 * (t[0] / width) ** 2),
                          2, name="ridge on a hump")
    return F, 1.5


def test_double_well_gap_equals_the_saddle_level_within_the_stated_resolution() -> None:
    F = double_well()
    gap = energy_gap(F, point(-0.95, 0.1), point(0.9, 0.2), upper=3.0, rtol=0.005, max_rounds=12,
                     oracle=dss_oracle(**TOY_DSS))
    assert gap.converged and gap.bracketed
    assert gap.lower_level <= DOUBLE_WELL_SADDLE_LEVEL <= gap.gap
    assert abs(gap.gap - DOUBLE_WELL_SADDLE_LEVEL) <= gap.resolution
    assert 0 < gap.resolution < 0.01
    # both ends carry their DSS records: a certificate above, a failed search below
    assert gap.string.connected and not gap.failed.connected
    assert gap.upper / gap.lower - 1 <= 0.005
    assert gap.gap <= gap.string.level  # the certified level is below slack * upper
    assert gap.floor == pytest.approx(max(float(F(point(-0.95, 0.1))), float(F(point(0.9, 0.2)))))


def test_two_wells_at_different_depths() -> None:
    F, saddle = two_wells()
    deep, shallow = point(-1.03, 0.05), point(0.95, -0.05)
    gap = energy_gap(F, deep, shallow, upper=4.0, rtol=0.005, max_rounds=12, oracle=dss_oracle(**TOY_DSS))
    assert gap.floor == pytest.approx(float(F(shallow)))  # the shallower endpoint sets the floor
    assert gap.lower_level <= saddle <= gap.gap
    assert gap.resolution < 0.01 * saddle
    # the barrier seen from the shallow well is the saddle minus the shallow well's level
    assert gap.excess == pytest.approx(saddle - float(F(shallow)), abs=gap.resolution)


def test_a_narrow_ridge_is_missed_by_a_coarse_grid_and_caught_by_the_refined_check() -> None:
    F, barrier = ridge_on_hump()
    a, b = point(-1.0, 0.1), point(1.05, -0.1)
    common = dict(upper=4.0, rtol=0.01, max_rounds=10)
    coarse = energy_gap(F, a, b, oracle=dss_oracle(**TOY_DSS, n_grid=8, refine=False), **common)
    refined = energy_gap(F, a, b, oracle=dss_oracle(**TOY_DSS, n_grid=8, refine=True), **common)
    # the coarse grid only sees the hump: its "gap" is far below the true barrier (not a valid bound)
    assert coarse.gap < 0.7 * barrier
    assert abs(refined.gap - barrier) <= refined.resolution < 0.02
    # a dense re-check of the refined certificate: it holds (below slack * upper), and the refined
    # maximum is close to the dense one (the refinement stops at a finite window: ~1e-4 here)
    beads = refined.string.beads
    t = torch.linspace(0, 1, 200_001, dtype=torch.float64)[:, None]
    dense = max(float(F((1 - t) * beads[j] + t * beads[j + 1]).max()) for j in range(len(beads) - 1))
    assert dense <= refined.string.level
    assert abs(dense - refined.gap) < 1e-3 * barrier


def test_a_pair_connected_at_the_floor_has_no_failed_search() -> None:
    F = convex_bowl()
    a, b = point(1.0, 0.2), point(-0.5, -0.3)
    gap = energy_gap(F, a, b, upper=10.0, oracle=dss_oracle(**TOY_DSS))
    assert gap.failed is None and gap.rounds == 1 and gap.converged
    assert gap.lower == gap.floor == gap.lower_level == pytest.approx(float(F(a)))
    assert gap.floor <= gap.gap <= 1.01 * gap.floor * (1 + 1e-6)


# -- batching and the oracle switch, with an exact oracle ------------------------------------
class CountingOracle:
    """Connected iff L0 >= barrier of the pair (the pair is recognised by its first coordinate)."""

    def __init__(self, barriers: dict[float, float]) -> None:
        self.barriers, self.calls = barriers, []

    def __call__(self, landscape, theta_a, theta_b, thresholds):
        self.calls.append(len(thresholds))
        out = []
        for a, t in zip(theta_a[:, 0].tolist(), thresholds.tolist()):
            ok = t >= self.barriers[a]
            out.append(OracleAnswer(ok, self.barriers[a] if ok else math.nan, t, None))
        return out


FLAT = AnalyticLandscape(lambda t: 1e-3 + 0 * t.sum(), 2, name="flat")


def test_every_round_is_one_oracle_call_over_all_unresolved_pairs() -> None:
    barriers = {0.0: 0.5, 1.0: 0.05, 2.0: 3.0}
    oracle = CountingOracle(barriers)
    A = torch.tensor([[0.0, 0.0], [1.0, 0.0], [2.0, 0.0]], dtype=torch.float64)
    gaps = energy_gap_many(FLAT, A, A + 1, upper=1.0, rtol=0.01, max_rounds=20, oracle=oracle)
    assert oracle.calls[0] == 6  # both ends of every bracket in the first call
    assert all(n <= 3 for n in oracle.calls[1:]) and len(oracle.calls) <= 20
    for g, barrier in zip(gaps, barriers.values()):
        assert g.converged and g.lower < barrier <= g.upper and g.upper / g.lower - 1 <= 0.01
        assert g.gap == barrier
    # the third pair's bracket [floor, 1] did not contain 3.0: upper grew by factors of 2
    assert gaps[2].upper == 4.0 or gaps[2].trials[2][0] == 2.0
    # geometric midpoints: every later threshold is the geometric mean of the current bracket
    t = [x[0] for x in gaps[0].trials]
    assert t[2] == pytest.approx(math.sqrt(t[0] * t[1]))


def test_the_budget_is_respected_and_an_unbracketed_pair_says_so() -> None:
    oracle = CountingOracle({0.0: 100.0})
    A = torch.zeros(1, 2, dtype=torch.float64)
    gap = energy_gap_many(FLAT, A, A + 1, upper=1.0, max_rounds=3, oracle=oracle)[0]
    assert len(oracle.calls) == 3 and not gap.bracketed and not gap.converged
    assert gap.gap == math.inf and gap.string is None
    assert [x[0] for x in gap.trials][1:] == [1.0, 2.0, 4.0]


def test_a_failure_above_the_certificate_is_reported_as_contradicted() -> None:
    def oracle(landscape, theta_a, theta_b, thresholds):  # fails at high levels, connects low: a false negative
        return [OracleAnswer(t < 0.5, 0.2 if t < 0.5 else math.nan, 1.01 * t, None) for t in thresholds.tolist()]

    A = torch.zeros(1, 2, dtype=torch.float64)
    gap = energy_gap_many(FLAT, A, A + 1, lower=0.3, upper=0.9, oracle=oracle)[0]
    assert gap.gap == 0.2 and gap.contradicted >= 1 and gap.resolution >= 0


def test_real_dss_batched_equals_pair_by_pair() -> None:
    F = double_well()
    A = torch.stack([point(-0.95, 0.1), point(-1.0, -0.2)])
    B = torch.stack([point(0.9, 0.2), point(1.1, 0.1)])
    kw = dict(upper=3.0, rtol=0.05, max_rounds=5, oracle=dss_oracle(**TOY_DSS))
    many = energy_gap_many(F, A, B, **kw)
    single = [energy_gap(F, a, b, **kw) for a, b in zip(A, B)]
    for m, s in zip(many, single):
        assert isinstance(m, EnergyGap)
        assert m.gap == pytest.approx(s.gap, rel=1e-6) and m.upper == pytest.approx(s.upper, rel=1e-12)


@pytest.mark.parametrize("kwargs, error, message", [
    (dict(upper=0.001), ValueError, r"energy_gap: argument `upper` \(0.001\) must be above the lower end"),
    (dict(upper=3.0, rtol=0.0), ValueError, r"energy_gap: argument `rtol` must be a finite number > 0, got float 0.0"),
    (dict(upper=3.0, max_rounds=0), ValueError, r"energy_gap: argument `max_rounds` must be > 0, got 0"),
    (dict(upper=3.0, grow=1.0), ValueError, r"energy_gap: argument `grow` must be a finite number > 1"),
    (dict(upper=3.0, oracle="dss"), TypeError, r"energy_gap: argument `oracle` must be callable, got str 'dss'"),
    (dict(upper=[1.0, 2.0]), ValueError, r"energy_gap: argument `upper` must be one number or 1 numbers, got 2"),
    (dict(upper="high"), TypeError, r"energy_gap: argument `upper` must be a number or one number per pair"),
])
def test_bad_arguments_are_named(kwargs, error, message) -> None:
    with pytest.raises(error, match=message):
        energy_gap(double_well(), point(-1.0, 0.1), point(1.0, 0.1), **kwargs)


def test_bad_points_and_landscapes_are_named() -> None:
    with pytest.raises(TypeError, match=r"energy_gap_many: argument `landscape` must be a Landscape, got str"):
        energy_gap_many("F", point(0.0, 0.0), point(1.0, 0.0), upper=1.0)
    with pytest.raises(ValueError, match=r"energy_gap_many: `theta_a` and `theta_b` must have the same shape"):
        energy_gap_many(double_well(), torch.zeros(2, 2, dtype=torch.float64), point(1.0, 0.0), upper=1.0)
    with pytest.raises(ValueError, match=r"energy_gap: `theta_a` must be one point \(P,\)"):
        energy_gap(double_well(), torch.zeros(2, 2, dtype=torch.float64), torch.ones(2, 2, dtype=torch.float64), upper=1.0)
    with pytest.raises(ValueError, match=r"the endpoint losses must be > 0 \(thresholds are multiplicative\)"):
        energy_gap(double_well(), point(-1.0, 0.0), point(1.0, 0.0), upper=2.0)


def test_plots_and_widget_return_labelled_figures() -> None:
    from matplotlib.figure import Figure

    from landscape_lib.plots.energy_gap import (path_curves, plot_gap_vs_width, plot_merge_costs, plot_paths,
                                                plot_success_vs_width, plot_units_on_circle)
    from landscape_lib.widgets.energy_gap import energy_gap_widget

    phi = torch.linspace(0, 6, 7, dtype=torch.float64)
    w, u = torch.stack([torch.cos(phi), torch.sin(phi)], 1), torch.linspace(-1, 1, 7, dtype=torch.float64)
    beads = torch.stack([point(-1.0, 0.1), point(0.0, 0.3), point(1.0, 0.0)])
    curves = path_curves(double_well(), beads, gap=1.1, label="toy")
    assert float(curves.string_position[0]) == 0.0 and float(curves.string_position[-1]) == pytest.approx(1.0)
    figures = [plot_units_on_circle(w, u), plot_merge_costs([0.1, 0.5], [1e-6, -1e-3]), plot_paths(curves),
               plot_gap_vs_width([2, 4], {"a": [[0.5, 0.4], [0.1]]}, fits={"a": (1.0, -1.0)}, reference_slope=-0.5),
               plot_success_vs_width([1, 2, 3], {"q": [0.0, 0.5, 1.0]}, intrinsic_dimension=3)]
    for fig in figures:
        assert isinstance(fig, Figure)
        for ax in fig.axes:
            if ax.get_label() != "<colorbar>":
                assert ax.get_xlabel() and ax.get_ylabel()
    widget = energy_gap_widget({2: curves, 4: curves})
    assert widget.children[0].options == (2, 4)
    with pytest.raises(ValueError, match=r"plot_units_on_circle: `w` must have shape \(m, 2\)"):
        plot_units_on_circle(torch.zeros(3, 3, dtype=torch.float64), u[:3])
    with pytest.raises(ValueError, match=r"energy_gap_widget: argument `curves` must hold at least one width"):
        energy_gap_widget({})
