"""Lecture 03's assertions can fail: inject a bug into the code they guard and watch them fail.

The tagged cells of ``lectures/03_dynamic_string_sampling.ipynb`` run in this process, first
unchanged (they must pass), then with a plausible bug patched into the library.  Each test also
shows that the assertion it replaced ("segment maximum below the bump", "fitted exponent < 0")
stays silent under the same bug -- which is why it was replaced.
"""

from __future__ import annotations

from pathlib import Path

import matplotlib
import nbformat
import pytest
import torch

import landscape_lib.dss.search as search
from landscape_lib.paths import segment_max
from landscape_lib.toys import RING_VALLEY_BUMP_HEIGHT
from tests.test_lecture_assertions_catch_bugs import run_cells

matplotlib.use("Agg")
LECTURE_03 = Path(__file__).resolve().parents[1] / "lectures" / "03_dynamic_string_sampling.ipynb"


def _beads_only(landscape, left, right, n_grid=100):
    """A segment check that looks only at the two beads (t = 0 and t = 1): the grid in between is skipped."""
    return segment_max(landscape, left, right, 2)


def _skips_last_point(landscape, left, right, n_grid=100):
    """An off-by-one: the grid point t = 1 is never evaluated (t = 0, ..., (n-2)/(n-1))."""
    t_last = (n_grid - 2) / (n_grid - 1)
    maxima, t = segment_max(landscape, left, left + t_last * (right - left), n_grid - 1)
    return maxima, t * t_last


def test_ring_cells_pass_on_the_library() -> None:
    ns = run_cells(LECTURE_03, "setup", "ring-setup", "ring-certificate", "ring-sweep", "ring-law")
    assert ns["ring_fine"] <= ns["ring"].level
    assert abs(ns["k_ring"] + 0.25) < ns["tol_ring"]


def test_a_broken_segment_check_fails_the_independent_recheck(monkeypatch) -> None:
    monkeypatch.setattr(search, "segment_max", _beads_only)
    with pytest.raises(AssertionError, match=r"the certified string leaves Omega\(m L0\)"):
        run_cells(LECTURE_03, "setup", "ring-setup", "ring-certificate")


def test_the_old_bump_assertion_is_silent_under_the_bug(monkeypatch) -> None:
    monkeypatch.setattr(search, "segment_max", _beads_only)
    ns = run_cells(LECTURE_03, "setup", "ring-setup")
    ring = ns["connect"](ns["F_ring"], ns["pt"](1.0, 0.0), ns["pt"](-1.0, 1e-3), 1e-3, lr=0.01, max_steps=5000)
    assert ring.connected and float(ring.segment_max.max()) < RING_VALLEY_BUMP_HEIGHT  # the old check passes
    assert ns["recheck_max"](ns["F_ring"], ring.beads, 2001) > ring.level  # the string is not a certificate


def test_a_broken_segment_check_breaks_the_bead_law(monkeypatch) -> None:
    ns = run_cells(LECTURE_03, "setup", "ring-setup", "ring-certificate")
    monkeypatch.setattr(search, "segment_max", _beads_only)
    law = next(c for c in nbformat.read(LECTURE_03, as_version=4).cells if "ring-law" in c.metadata.get("tags", []))
    with pytest.raises(AssertionError, match=r"no string can have fewer segments than the geometric minimum"):
        exec(compile(law.source, "ring-law", "exec"), ns)


def test_one_acceptance_level_for_all_pairs_fails_the_exponent_comparison(monkeypatch) -> None:
    """A batching bug: every pair of a ``connect_many`` call is checked against pair 0's level.

    The sweep's first pairs are at L0 = 0.1, so the strings at 0.005 are accepted at 0.11: the bead
    count stops growing and the fitted exponent is far from the paper's.
    """
    good, first = search.PairSearch.__init__, {}

    def shared_level(self, index, theta_a, theta_b, threshold, options):
        good(self, index, theta_a, theta_b, threshold, options)
        self.level = first.setdefault("level", self.level)

    monkeypatch.setattr(search.PairSearch, "__init__", shared_level)
    with pytest.raises(AssertionError, match=r"bead exponent .* vs the paper's"):
        run_cells(LECTURE_03, "setup", "regression-setup", "quad-sweep", "power-law")


def test_skipping_the_last_grid_point_cannot_change_a_verdict(monkeypatch) -> None:
    """The point t = 1 of a segment is a bead, trained to alpha * L0 < slack * L0: it never decides.

    So this off-by-one needs no assertion to catch it -- the certificate is the same string.  (The
    self-check of exercise 1 still rejects it, since there the exact grid maximum is asked for.)
    """
    ns = run_cells(LECTURE_03, "setup", "ring-setup", "ring-certificate")
    monkeypatch.setattr(search, "segment_max", _skips_last_point)
    bugged = run_cells(LECTURE_03, "setup", "ring-setup", "ring-certificate")
    assert torch.equal(ns["ring"].beads, bugged["ring"].beads)
