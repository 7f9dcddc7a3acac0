"""Dynamic String Sampling: closed-form cases, certificates, batching, options and error messages."""

from __future__ import annotations

import dataclasses
import math

import pytest
import torch
from torch import nn

from landscape_lib.dss import (
    PAPER_QUADRATIC,
    DSSOptions,
    connect,
    connect_many,
    fit_power_law,
    train_below,
)
from landscape_lib.dss.beads import bead_objective
from landscape_lib.dss.result import DSSResult, StopReason
from landscape_lib.dss.segments import insert_bead, refine_segment_max
from landscape_lib.dss.shorten import shorten_string
from landscape_lib.landscape import ModuleLandscape
from landscape_lib.models import mlp
from landscape_lib.paths import path_length, segment_max
from landscape_lib.toys import (
    DOUBLE_WELL_SADDLE_LEVEL,
    RING_VALLEY_BUMP_HEIGHT,
    convex_bowl,
    double_well,
    many_minima,
    ring_valley,
)

from .helpers import point, small_mlp_landscape

FAST = dict(lr=0.01, max_steps=5000)  # 2-D toys: a larger step than FB's 1e-3 keeps the tests quick


def segment_maxima(F, beads: torch.Tensor, n_grid: int) -> torch.Tensor:
    """The maximum of every segment of a string on a grid of ``n_grid`` points."""
    return segment_max(F, beads[:-1], beads[1:], n_grid)[0]


@pytest.fixture(autouse=True)
def _one_thread():
    # Tiny problems: a second thread saves nothing, and on a loaded machine it costs a lot.
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


def _trained_mlp_pair(threshold: float) -> tuple[ModuleLandscape, torch.Tensor, torch.Tensor]:
    F = small_mlp_landscape(seed=0)
    starts = torch.stack([F.flatten(mlp((3, 6, 2), activation="tanh", seed=s)) for s in (1, 2)])
    ends = train_below(F, starts, 0.9 * threshold, lr=0.01, max_steps=5000)
    assert bool(ends.converged.all())
    return F, ends.theta[0], ends.theta[1]


# -- closed-form cases -------------------------------------------------------------------------
def test_convex_bowl_connects_with_the_three_initial_beads_and_length_one() -> None:
    r = connect(convex_bowl(), point(1.0, 0.5), point(-1.0, -0.5), threshold=2.0)
    assert r.connected and r.reason is StopReason.CONNECTED
    assert r.n_beads == 3 and r.depth == 0
    assert r.normalized_length == pytest.approx(1.0, abs=1e-12)
    assert r.length == pytest.approx(float((point(2.0, 1.0)).norm()), abs=1e-12)
    assert float(r.segment_max.max()) <= r.level


def test_double_well_below_its_saddle_hits_the_depth_cap_and_says_why() -> None:
    L0 = 0.5 * DOUBLE_WELL_SADDLE_LEVEL
    r = connect(double_well(), point(-1.0, 0.0), point(0.9, 0.2), L0, max_depth=4, **FAST)
    assert not r.connected
    assert r.reason is StopReason.DEPTH_CAP and r.depth == 4
    assert "does NOT prove" in r.reason.message
    # The failing segment really crosses the saddle region: its maximum is above the level.
    assert float(r.segment_max.max()) > r.level
    assert len(r.history) == 5 and all(len(h.failing) >= 1 for h in r.history)


def test_double_well_above_its_saddle_connects() -> None:
    r = connect(double_well(), point(-1.0, 0.0), point(0.9, 0.3), 1.5 * DOUBLE_WELL_SADDLE_LEVEL, **FAST)
    assert r.connected


def test_ring_valley_opposite_points_are_connected_around_the_bump() -> None:
    L0 = 1e-3 * RING_VALLEY_BUMP_HEIGHT
    r = connect(ring_valley(), point(1.0, 0.0), point(-1.0, 0.001), L0, shorten=True, **FAST)
    assert r.connected
    assert r.normalized_length == pytest.approx(math.pi / 2, rel=0.05)
    assert r.shortened_normalized_length == pytest.approx(math.pi / 2, rel=0.02)
    # Every bead is on the valley floor, never near the bump's top.
    assert float(r.beads.norm(dim=1).min()) > 0.9


def test_exactly_opposite_points_put_the_first_bead_on_the_bump_top() -> None:
    # The midpoint is the critical point (0, 0): the gradient vanishes, training cannot move it.
    r = connect(ring_valley(), point(1.0, 0.0), point(-1.0, 0.0), 0.01, lr=0.01, max_steps=300)
    assert not r.connected and r.reason is StopReason.BEAD_NOT_CONVERGED
    assert "critical point" in r.reason.message


# -- certificates --------------------------------------------------------------------------------
CERTIFICATE_CASES = [
    ("ring valley", ring_valley, point(1.0, 0.0), point(-0.5, 0.85), 0.01, "midpoint"),
    ("ring valley argmax", ring_valley, point(1.0, 0.0), point(-1.0, 0.05), 0.01, "argmax"),
    ("many minima", many_minima, point(0.0, 0.0), point(1.9, 0.1), 0.6, "midpoint"),
    ("double well", double_well, point(-1.0, 0.1), point(1.0, -0.2), 1.2, "argmax"),
]


@pytest.mark.parametrize("name, make, a, b, L0, insert", CERTIFICATE_CASES, ids=[c[0] for c in CERTIFICATE_CASES])
def test_a_connected_string_is_a_certificate_on_a_much_finer_grid(name, make, a, b, L0, insert) -> None:
    F = make()
    r = connect(F, a, b, L0, insert=insert, shorten=True, **FAST)
    assert r.connected, r
    for beads in (r.beads, r.shortened_beads):
        fine = segment_maxima(F, beads, 2001)  # 20x the 100-point grid of the search
        assert float(fine.max()) <= r.level, f"{name}: {float(fine.max())} > {r.level}"
    assert r.shortened_length <= r.length + 1e-12


def test_a_connected_string_is_a_certificate_on_a_neural_network() -> None:
    F, a, b = _trained_mlp_pair(0.6)
    r = connect(F, a, b, 0.6, lr=0.01, shorten=True)
    assert r.connected, r
    assert float(segment_maxima(F, r.beads, 1001).max()) <= r.level
    assert float(segment_maxima(F, r.shortened_beads, 1001).max()) <= r.level
    assert r.shortened_length <= r.length


# -- batching ------------------------------------------------------------------------------------
def plain_dss(F, a, b, L0, *, alpha=0.95, slack=1.1, n_grid=100, lr=0.01, max_steps=5000, max_depth=10):
    """A plain recursive DSS, written as directly as the paper's Algorithm 1 (midpoint insertion).

    One bead at a time with ``torch.optim.Adam``; every segment checked by a loop over its grid.
    Returns (connected, beads) -- the reference the pool must agree with.
    """
    def train(theta):
        x = theta.clone().requires_grad_(True)
        opt = torch.optim.Adam([x], lr=lr)
        for step in range(max_steps + 1):
            if step % 15 == 0 or step == max_steps:
                with torch.no_grad():
                    if float(F(x.detach())) <= alpha * L0:
                        return x.detach(), True
                if step == max_steps:
                    return x.detach(), False
            opt.zero_grad()
            F(x).backward()
            opt.step()

    def worst(u, v):
        return max(float(F((1 - t) * u + t * v)) for t in torch.linspace(0, 1, n_grid, dtype=u.dtype))

    def bridge(u, v, depth):  # beads strictly between u and v, or None
        mid, ok = train((u + v) / 2)
        if not ok:
            return None
        parts = []
        for s, e in ((u, mid), (mid, v)):
            if worst(s, e) <= slack * L0:
                parts.append([])
            elif depth == max_depth:
                return None
            else:
                inner = bridge(s, e, depth + 1)
                if inner is None:
                    return None
                parts.append(inner)
        return parts[0] + [mid] + parts[1]

    inner = bridge(a, b, 0)
    return inner is not None, None if inner is None else torch.stack([a, *inner, b])


POOL_CASES = [  # (landscape, a, b, L0): connected and failing cases, several depths
    (ring_valley, point(1.0, 0.0), point(-0.5, 0.85), 0.01),
    (ring_valley, point(0.0, 1.0), point(-1.0, 0.05), 0.05),
    (ring_valley, point(1.0, 0.0), point(-0.5, 0.85), 0.002),
    (double_well, point(-1.0, 0.1), point(1.0, -0.2), 1.2),
    (double_well, point(-1.0, 0.0), point(0.9, 0.2), 0.5),
    (many_minima, point(0.0, 0.0), point(1.9, 0.1), 0.6),
]


def test_the_pool_gives_each_pair_the_outcome_of_a_plain_recursive_search() -> None:
    """All pairs share one pool; each one's outcome equals the plain one-pair-at-a-time search."""
    by_landscape, outcomes = {}, set()
    for k, (make, a, b, L0) in enumerate(POOL_CASES):
        by_landscape.setdefault(make, []).append(k)
    for make, ks in by_landscape.items():
        F = make()
        pooled = connect_many(F, torch.stack([POOL_CASES[k][1] for k in ks]), torch.stack([POOL_CASES[k][2] for k in ks]),
                              [POOL_CASES[k][3] for k in ks], max_depth=6, **FAST)
        for k, r in zip(ks, pooled):
            ok, beads = plain_dss(F, *POOL_CASES[k][1:], max_depth=6)
            assert r.connected == ok, (k, r)
            outcomes.add(ok)
            if ok:
                assert r.n_beads == len(beads), (k, r.n_beads, len(beads))
                torch.testing.assert_close(r.beads, beads, rtol=1e-6, atol=1e-6)
    assert outcomes == {True, False}  # both kinds of outcome are compared


def test_a_pair_gets_the_same_string_alone_and_in_a_pool() -> None:
    F, a, b = _trained_mlp_pair(0.6)
    alone = connect(F, a, b, 0.6, lr=0.01, max_depth=3)
    with_others = connect_many(F, torch.stack([b, a, a]), torch.stack([a, b, b]), [0.6, 0.6, 0.9], lr=0.01, max_depth=3)[1]
    assert alone.n_beads > 3  # several beads in flight at once: the pool is not trivial
    assert alone.n_beads == with_others.n_beads and alone.connected == with_others.connected
    torch.testing.assert_close(alone.beads, with_others.beads, rtol=1e-6, atol=1e-8)


def test_connect_many_runs_pairs_and_thresholds_together_like_single_runs() -> None:
    F = ring_valley()
    a = torch.stack([point(1.0, 0.0), point(0.0, 1.0), point(1.0, 0.0)])
    b = torch.stack([point(-0.5, 0.85), point(-1.0, 0.05), point(-0.5, 0.85)])
    L0 = [0.01, 0.05, 0.002]
    many = connect_many(F, a, b, L0, **FAST)
    for k in range(3):
        one = connect(F, a[k], b[k], L0[k], **FAST)
        assert many[k].n_beads == one.n_beads and many[k].connected == one.connected
        torch.testing.assert_close(many[k].beads, one.beads)
    # the same pair at a lower threshold needs more beads
    assert many[2].n_beads > many[0].n_beads


def test_train_below_freezes_each_row_once_it_reaches_its_own_level() -> None:
    F = convex_bowl()
    start = torch.stack([point(1.0, 1.0), point(1.0, 1.0)])
    out = train_below(F, start, torch.tensor([1.0, 0.01], dtype=torch.float64), lr=0.05, max_steps=2000, check_every=1)
    assert bool(out.converged.all())
    assert float(out.loss[0]) <= 1.0 and float(out.loss[1]) <= 0.01
    assert int(out.steps[0]) < int(out.steps[1])


def test_train_below_refuses_bad_inputs() -> None:
    F = convex_bowl()
    with pytest.raises(ValueError, match=r"train_below: argument `theta` must have shape \(K, P\), got \(2,\)"):
        train_below(F, point(1.0, 1.0), 0.1)
    with pytest.raises(ValueError, match=r"train_below: argument `optimizer` must be one of"):
        train_below(F, point(1.0, 1.0)[None], 0.1, optimizer="rmsprop")


# -- options beyond the paper ---------------------------------------------------------------------
def test_constrained_variant_pulls_the_bead_onto_the_equidistant_hyperplane() -> None:
    F = ring_valley()
    a, b = point(1.0, 0.0), point(math.cos(2.2), math.sin(2.2))

    def offset_cos(r: DSSResult) -> float:
        left, mid, right = r.history[0].beads
        chord, off = right - left, mid - (left + right) / 2
        return abs(float(chord @ off / (chord.norm() * off.norm())))

    plain = connect(F, a, b, 0.01, **FAST)
    zero = connect(F, a, b, 0.01, spring=0.0, pull=0.0, **FAST)
    pulled = connect(F, a, b, 0.01, pull=1.0, **FAST)
    assert pulled.connected and plain.connected
    torch.testing.assert_close(zero.beads, plain.beads)  # zeta = kappa = 0 is Freeman & Bruna's run
    assert offset_cos(plain) > 0.2  # Adam's sign-like first steps drop the bead off the bisector
    assert offset_cos(pulled) < 1e-2
    left, mid, right = pulled.history[0].beads
    assert float((mid - left).norm() / (right - mid).norm()) == pytest.approx(1.0, abs=0.02)


def test_spring_term_adds_the_distances_to_the_neighbours() -> None:
    F = convex_bowl()
    theta, left, right = point(0.0, 1.0)[None], point(-1.0, 0.0)[None], point(1.0, 0.0)[None]
    got = bead_objective(F, theta, left, right, spring=0.5)
    assert float(got) == pytest.approx(3.0 + 0.5 * 2 * math.sqrt(2), rel=1e-9)
    on_plane = bead_objective(F, theta, left, right, pull=2.0)
    assert float(on_plane) == pytest.approx(3.0, abs=1e-9)  # offset perpendicular to the chord: cos = 0


def test_shortening_keeps_the_certificate_and_never_lengthens() -> None:
    F = ring_valley()
    r = connect(F, point(1.0, 0.0), point(-1.0, 0.02), 0.01, **FAST)
    short = shorten_string(F, r.beads, r.threshold)
    assert path_length(short) < r.length
    assert float(segment_maxima(F, short, 2001).max()) <= r.level
    assert torch.equal(short[0], r.beads[0]) and torch.equal(short[-1], r.beads[-1])
    # The taut string hugs the inner edge of the annulus {(r^2 - 1)^2 <= L0}: radius sqrt(1 - sqrt(L0)).
    r_in = math.sqrt(1 - math.sqrt(0.01))
    assert float(short.norm(dim=1)[1:-1].min()) >= r_in - 1e-3


def test_shortening_removes_beads_a_straight_line_does_not_need() -> None:
    F = convex_bowl()
    beads = torch.stack([point(-1.0, 0.0), point(-0.5, 0.3), point(0.0, 0.4), point(0.5, 0.3), point(1.0, 0.0)])
    short = shorten_string(F, beads, 1.5)
    assert len(short) == 2
    assert path_length(short) == pytest.approx(2.0)


def test_length_on_weights_excludes_the_biases() -> None:
    F, a, b = _trained_mlp_pair(0.6)
    r_all = connect(F, a, b, 0.6, lr=0.01)
    r_w = connect(F, a, b, 0.6, lr=0.01, length_on="weights")
    mask = F.weight_mask()
    assert r_w.length == pytest.approx(path_length(r_all.beads, mask))
    assert r_w.length < r_all.length


def test_criterion_decides_when_it_differs_from_the_training_loss() -> None:
    F = small_mlp_landscape(seed=0)
    other = small_mlp_landscape(seed=1)  # fresh data from another seed: our "test set"
    F_test = F.with_data(other.inputs, other.targets, name="test")
    starts = torch.stack([F.flatten(mlp((3, 6, 2), activation="tanh", seed=s)) for s in (1, 2)])
    ends = train_below(F, starts, 1.2, criterion=F_test, lr=0.01, max_steps=5000)
    assert bool(ends.converged.all())
    r = connect(F, ends.theta[0], ends.theta[1], 1.3, criterion=F_test, lr=0.01)
    assert r.criterion == "test"
    assert r.connected, r
    assert float(segment_maxima(F_test, r.beads, 501).max()) <= r.level


def test_insert_bead_and_segment_max_primitives() -> None:
    beads = torch.stack([point(0.0, 0.0), point(2.0, 0.0), point(2.0, 2.0)])
    new = insert_bead(beads, 1, 0.25)
    torch.testing.assert_close(new[2], point(2.0, 0.5))
    assert len(new) == 4
    m, t = segment_max(ring_valley(), point(1.0, 0.0)[None], point(-1.0, 0.0)[None], 101)
    assert float(m) == pytest.approx(1.0) and float(t) == pytest.approx(0.5)
    with pytest.raises(ValueError, match=r"insert_bead: argument `segment` must be in \[0, 1\], got 2"):
        insert_bead(beads, 2)


def test_fit_power_law_is_the_least_squares_line_on_log_log_axes() -> None:
    """Exact laws are recovered, and noisy data (the paper's beads, a scattered law) give the
    least-squares line of log y on log x, computed here independently by NumPy."""
    import numpy as np

    x = torch.tensor([0.001, 0.003, 0.01, 0.1, 0.5], dtype=torch.float64)
    for c_true, k_true in ((4.0, -0.7), (0.02, 1.3), (7.0, 0.0)):
        c, k = fit_power_law(x, c_true * x**k_true)
        assert c == pytest.approx(c_true, rel=1e-10) and k == pytest.approx(k_true, abs=1e-10)
    L0, _, beads = zip(*PAPER_QUADRATIC)
    noisy = 3.0 * x**-0.5 * torch.tensor([1.3, 0.7, 1.1, 0.8, 1.25], dtype=torch.float64)
    for xs, ys in ((L0, beads), (x.tolist(), noisy.tolist())):
        slope, intercept = np.polyfit(np.log(xs), np.log(ys), 1)
        c, k = fit_power_law(xs, ys)
        assert k == pytest.approx(slope, rel=1e-10) and c == pytest.approx(math.exp(intercept), rel=1e-10)
    c, k = fit_power_law(L0, beads)
    c2, k2 = fit_power_law(L0, [10 * b for b in beads])  # rescaling y rescales c only
    assert k2 == pytest.approx(k, rel=1e-12) and c2 == pytest.approx(10 * c, rel=1e-10)
    with pytest.raises(ValueError, match=r"fit_power_law: `x` and `y` must be positive and finite"):
        fit_power_law([0.1, 0.0], [1.0, 2.0])
    with pytest.raises(ValueError, match=r"must be 1-D of equal length >= 2, got shapes \(3,\) and \(2,\)"):
        fit_power_law([0.1, 0.2, 0.3], [1.0, 2.0])


def test_history_and_repr() -> None:
    r = connect(ring_valley(), point(1.0, 0.0), point(0.0, 1.0), 0.01, **FAST)
    assert len(r.history[0].beads) == 3 and r.history[0].new == (1,)
    assert r.history[-1].beads.shape == r.beads.shape
    assert r.segment_max.shape == (r.n_beads - 1,)
    assert "connected=True" in repr(r)


# -- what a certificate certifies ----------------------------------------------------------------
def test_the_message_says_omega_of_slack_times_l0_at_the_margin() -> None:
    """Saddle at 1.0, L0 = 0.95, slack 1.1: a path in Omega(1.045), not in Omega(0.95)."""
    r = connect(double_well(), point(-1.0, 0.0), point(0.9, 0.2), 0.95, **FAST)
    assert r.connected and float(r.segment_max.max()) > 0.95
    assert "inside Omega(1.045) = Omega(slack 1.1 x L0 0.95), checked on a 100-point grid per segment" in r.message
    assert "NOT a path inside Omega(L0 = 0.95) itself" in r.message
    above = connect(double_well(), point(-1.0, 0.0), point(0.9, 0.2), 1.3, **FAST)
    assert "NOT" not in above.message and "also <= L0" in above.message
    # with slack 1 the same pair is not certified at 0.95 (the saddle is 1.0)
    assert not connect(double_well(), point(-1.0, 0.0), point(0.9, 0.2), 0.95, slack=1.0, max_depth=4, **FAST).connected


def narrow_ridge():
    """A shallow bowl with a wall of height 1 at x = 1/2, exactly between two points of a 100-point grid on [0, 1]."""
    from landscape_lib.landscape import AnalyticLandscape

    return AnalyticLandscape(lambda t: 0.1 * (t**2).sum() + torch.exp(-(((t[0] - 0.5) / 0.0045) ** 2)), 2, name="ridge")


def test_refinement_finds_a_peak_between_grid_points() -> None:
    F = narrow_ridge()
    a, b = point(0.0, 0.0), point(1.0, 0.0)
    grid_max, t_star = segment_max(F, a[None], b[None], 100)
    assert float(grid_max) < 0.4  # the grid sees only the wall's shoulders
    refined = refine_segment_max(F, a[None], b[None], t_star, grid_max, 100, rtol=1e-9)
    assert float(refined) == pytest.approx(1.025, abs=1e-6)  # the wall's top, 1, plus the bowl, 0.1 * 0.5**2
    # through DSS: the same segment is certified on the grid, and refused once refined
    coarse = connect(F, point(-1.0, 0.0), b, 0.5, slack=1.0, max_depth=0, **FAST)
    fine = connect(F, point(-1.0, 0.0), b, 0.5, slack=1.0, max_depth=0, refine=True, **FAST)
    assert coarse.connected and not fine.connected
    assert float(fine.refined_max.max()) == pytest.approx(1.025, abs=1e-6) and fine.refined_max.dtype == torch.float64


# -- errors --------------------------------------------------------------------------------------
def test_endpoints_above_the_threshold_are_refused() -> None:
    with pytest.raises(ValueError, match=r"connect: endpoint `theta_b` has loss 0\.5625 > threshold 0\.1; train both"):
        connect(ring_valley(), point(1.0, 0.0), point(0.5, 0.0), 0.1)


def test_mismatched_sizes_are_refused() -> None:
    with pytest.raises(ValueError, match=r"connect: argument `theta_b` must have shape \(P,\) or \(K, P\) with P = 2, got shape \(3,\)"):
        connect(ring_valley(), point(1.0, 0.0), point(0.0, 1.0, 0.0), 0.1)
    with pytest.raises(ValueError, match=r"connect: argument `theta_a` must be one point of shape \(P,\)"):
        connect(ring_valley(), torch.zeros(2, 2, dtype=torch.float64), point(0.0, 1.0), 0.1)


def test_nan_is_refused() -> None:
    with pytest.raises(ValueError, match=r"connect: argument `theta_a` contains nan at index \(1,\)"):
        connect(ring_valley(), point(1.0, math.nan), point(0.0, 1.0), 0.1)


@pytest.mark.parametrize("threshold", [0.0, -0.5])
def test_non_positive_threshold_is_refused(threshold) -> None:
    with pytest.raises(ValueError, match=r"connect: argument `threshold` must be > 0, got -?0\.\d"):
        connect(ring_valley(), point(1.0, 0.0), point(0.0, 1.0), threshold)


@pytest.mark.parametrize("kwargs, message", [
    (dict(alpha=1.5), r"connect: argument `alpha` must be in \(0, 1\]"),
    (dict(slack=0.9), r"connect: argument `slack` must be a finite number >= 1"),
    (dict(n_grid=1), r"connect: argument `n_grid` must be an integer >= 2"),
    (dict(n_grid=2.5), r"connect: argument `n_grid` must be an integer >= 2"),
    (dict(lr=0.0), r"connect: argument `lr` must be > 0, got 0.0"),
    (dict(lr="fast"), r"connect: argument `lr` must be a number, got str"),
    (dict(max_steps=0), r"connect: argument `max_steps` must be > 0, got 0"),
    (dict(check_every=1.5), r"connect: argument `check_every` must be an integer, got float"),
    (dict(spring=math.inf), r"connect: argument `spring` must be a finite number >= 0, got inf"),
    (dict(shorten="yes"), r"connect: argument `shorten` must be True or False, got 'yes'"),
    (dict(refine=1), r"connect: argument `refine` must be True or False, got 1"),
    (dict(refine_tol=0.0), r"connect: argument `refine_tol` must be in \(0, 1\], got 0.0"),
    (dict(insert="random"), r"connect: argument `insert` must be one of \('midpoint', 'argmax'\), got 'random'"),
    (dict(optimizer="lbfgs"), r"connect: argument `optimizer` must be one of"),
    (dict(max_depth=-1), r"connect: argument `max_depth` must be an integer >= 0, got -1"),
    (dict(length_on="biases"), r"connect: argument `length_on` must be one of"),
    (dict(length_on="weights"), r"connect: `length_on='weights'` needs a ModuleLandscape, got AnalyticLandscape"),
    (dict(pull=-1.0), r"connect: argument `pull` must be a finite number >= 0, got -1.0"),
    (dict(criterion=convex_bowl().__class__(lambda t: t.sum(), 3)), r"connect: `criterion` has dim 3, but `landscape` has dim 2"),
])
def test_invalid_options_are_refused_with_the_argument_named(kwargs, message) -> None:
    with pytest.raises(ValueError, match=message):
        connect(ring_valley(), point(1.0, 0.0), point(0.0, 1.0), 0.1, **kwargs)


def test_unknown_options_and_options_objects() -> None:
    with pytest.raises(TypeError, match=r"connect: unknown option `vectorize`; the options are alpha, check_every"):
        connect(ring_valley(), point(1.0, 0.0), point(0.0, 1.0), 0.1, vectorize="no")
    with pytest.raises(TypeError, match=r"connect_many: unknown option `step_size`"):
        connect_many(ring_valley(), point(1.0, 0.0)[None], point(0.0, 1.0)[None], 0.1, step_size=1)
    with pytest.raises(ValueError, match=r"connect_many: argument `alpha` must be in \(0, 1\]"):
        connect_many(ring_valley(), point(1.0, 0.0)[None], point(0.0, 1.0)[None], 0.1, alpha=0)
    with pytest.raises(ValueError, match=r"DSSOptions: argument `max_depth` must be an integer >= 0, got 2.0"):
        DSSOptions(max_depth=2.0)
    with pytest.raises(TypeError, match=r"connect: argument `options` must be a DSSOptions or None, got dict"):
        connect(ring_valley(), point(1.0, 0.0), point(0.0, 1.0), 0.1, options={"lr": 0.1})
    # an options object and keyword overrides combine; the result records what ran
    base = DSSOptions(lr=0.01, max_steps=5000, max_depth=4)
    r = connect(ring_valley(), point(1.0, 0.0), point(0.0, 1.0), 0.05, options=base, insert="argmax")
    assert r.options == DSSOptions(lr=0.01, max_steps=5000, max_depth=4, insert="argmax")
    with pytest.raises(dataclasses.FrozenInstanceError):
        r.options.lr = 1.0  # type: ignore[misc]


def test_other_invalid_inputs() -> None:
    with pytest.raises(ValueError, match=r"connect: `theta_a` and `theta_b` coincide"):
        connect(ring_valley(), point(1.0, 0.0), point(1.0, 0.0), 0.1)
    with pytest.raises(TypeError, match=r"connect: argument `threshold` must be a number, got str"):
        connect(ring_valley(), point(1.0, 0.0), point(0.0, 1.0), "0.1")
    with pytest.raises(TypeError, match=r"connect: argument `landscape` must be a Landscape"):
        connect(nn.Linear(2, 1), point(1.0, 0.0), point(0.0, 1.0), 0.1)
    with pytest.raises(ValueError, match=r"connect_many: argument `threshold` must be one number or 2 numbers, got 3"):
        connect_many(ring_valley(), torch.stack([point(1.0, 0.0)] * 2), torch.stack([point(0.0, 1.0)] * 2), [0.1] * 3)
    with pytest.raises(ValueError, match=r"endpoint `theta_a` \(pair 1\) has loss"):
        connect_many(ring_valley(), torch.stack([point(1.0, 0.0), point(0.2, 0.0)]), torch.stack([point(0.0, 1.0)] * 2), 0.1)
