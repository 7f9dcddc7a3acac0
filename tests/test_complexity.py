"""Unit tests of the ABC complexity functions against the table of theory_anchors.md §1."""

from __future__ import annotations

import math

import numpy as np
import pytest

from landscape_lib.spin_glass.complexity import (
    complexity,
    critical_energy,
    ground_state_energy,
    large_deviation_i1,
    threshold_energy,
    total_complexity,
)

# p: (E_inf, E0, E1, E2, E3, Sigma_min = Theta_{0,p}(-E_inf), 1/2 log(p-1)) -- computed from ABC (2013), Thm. 2.5 (see the science notes)
TABLE = {
    3: (1.632993, 1.656998, 1.652873, 1.650253, 1.648399, 0.013240, 0.346574),
    4: (1.732051, 1.794085, 1.783300, 1.776478, 1.771662, 0.049306, 0.549306),
    5: (1.788854, 1.887989, 1.870576, 1.859599, 1.851870, 0.093147, 0.693147),
}


@pytest.mark.parametrize("p", sorted(TABLE))
def test_numbers_match_the_table(p: int) -> None:
    e_inf, e0, e1, e2, e3, sigma_min, half_log = TABLE[p]
    assert abs(threshold_energy(p) - e_inf) < 1e-6
    for k, ek in enumerate((e0, e1, e2, e3)):
        assert abs(critical_energy(p, k) - ek) < 1e-6
    assert abs(ground_state_energy(p) - e0) < 1e-6
    assert abs(complexity(-threshold_energy(p), p) - sigma_min) < 1e-6
    assert abs(total_complexity(1.0, p) - half_log) < 1e-6


def test_shape_of_the_curves() -> None:
    p = 3
    e_inf = threshold_energy(p)
    u = np.linspace(-1.70, -1.0, 141)
    for k in range(4):
        theta = complexity(u, p, k)
        assert theta.shape == u.shape
        assert np.all(np.diff(theta) >= -1e-12)  # more critical points below a higher level
        assert abs(complexity(-critical_energy(p, k), p, k)) < 1e-10  # -E_k is the zero
    # above the threshold every index has the same constant complexity
    assert np.allclose(complexity(u[u > -e_inf], p, 2), 0.5 * math.log(2) - 1 / 3)
    # below the threshold a higher index means fewer critical points: minima dominate
    below = u[u < -e_inf]
    assert np.all(complexity(below, p, 0) > complexity(below, p, 1))
    # the total complexity is continuous at -E_inf and at 0
    assert abs(total_complexity(-e_inf - 1e-9, p) - total_complexity(-e_inf + 1e-9, p)) < 1e-6
    assert abs(total_complexity(-1e-12, p) - total_complexity(1e-12, p)) < 1e-9
    assert large_deviation_i1(-e_inf, p) == 0.0 and math.isnan(large_deviation_i1(-1.0, p))
    assert isinstance(complexity(-1.64, 3), float)


@pytest.mark.parametrize(
    ("call", "error", "match"),
    [
        (lambda: threshold_energy(1), ValueError, r"threshold_energy: argument `p` must be an integer >= 2, got 1"),
        (lambda: complexity(-1.6, 3.0), TypeError, r"complexity: argument `p` must be an integer, got float 3.0"),
        (lambda: complexity(-1.6, 3, k=-1), ValueError, r"complexity: argument `k` \(the index\) must be an integer >= 0, got -1"),
        (lambda: complexity("low", 3), TypeError, r"complexity: argument `u` must be a number or an array of numbers, got str"),
        (lambda: complexity(float("nan"), 3), ValueError, r"complexity: argument `u` must be finite"),
        (lambda: critical_energy(2), ValueError, r"critical_energy: argument `p` must be >= 3"),
    ],
)
def test_bad_inputs_give_clear_errors(call, error, match) -> None:
    with pytest.raises(error, match=match):
        call()
