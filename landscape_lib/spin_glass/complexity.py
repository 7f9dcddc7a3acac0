r"""Complexity of the spherical p-spin model: how many critical points lie below each energy.

Auffinger, Ben Arous & Černý (2013) computed, by the Kac–Rice formula and random-matrix theory,
the mean number of critical points of index k with energy per spin below u:

$$\lim_{N\to\infty}\frac1N\log\mathbb E\,\mathrm{Crt}_{N,k}(u) = \Theta_{k,p}(u).$$

With the threshold $E_\infty(p) = 2\sqrt{(p-1)/p}$ and, for $u\le -E_\infty$,

$$I_1(u) = -\frac{u}{E_\infty^2}\sqrt{u^2-E_\infty^2} - \log\big(-u+\sqrt{u^2-E_\infty^2}\big) + \log E_\infty,$$

$$\Theta_{k,p}(u) = \begin{cases}
\tfrac12\log(p-1) - \tfrac{p-2}{4(p-1)}u^2 - (k+1)\,I_1(u) & u \le -E_\infty,\\
\tfrac12\log(p-1) - \tfrac{p-2}{p} & u \ge -E_\infty,\end{cases}$$

and for all critical points together $\Theta_p(u) = \tfrac12\log(p-1) - \tfrac{p-2}{4(p-1)}u^2 - I_1(u)$
below $-E_\infty$, $\tfrac12\log(p-1) - \tfrac{p-2}{4(p-1)}u^2$ on $[-E_\infty, 0]$ and
$\tfrac12\log(p-1)$ above 0.  $-E_k(p)$ is the zero of $\Theta_{k,p}$: below it there are
(exponentially) no critical points of index k.  $-E_0(p)$ is the ground-state energy
(for p >= 3 it is the true minimum; Subag 2017).  Minima and saddles of fixed index pile up
at the threshold $-E_\infty$, where the Hessian spectrum touches zero.

All functions take a float or a NumPy array ``u`` (energies per spin, in ABC units) and
return the same kind.
"""

from __future__ import annotations

import math

import numpy as np
from scipy.optimize import brentq

from ..validation import describe


def _check_p(p: object, fn: str) -> int:
    if isinstance(p, bool) or not isinstance(p, (int, np.integer)):
        raise TypeError(f"{fn}: argument `p` must be an integer, got {describe(p)}")
    if p < 2:
        raise ValueError(f"{fn}: argument `p` must be an integer >= 2, got {p}")
    return int(p)


def _check_k(k: object, fn: str) -> int:
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or k < 0:
        raise ValueError(f"{fn}: argument `k` (the index) must be an integer >= 0, got {k!r}")
    return int(k)


def _as_energy(u: object, fn: str) -> np.ndarray:
    try:
        arr = np.asarray(u, dtype=float)
    except (TypeError, ValueError):
        raise TypeError(f"{fn}: argument `u` must be a number or an array of numbers, got {describe(u)}") from None
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{fn}: argument `u` must be finite, got {u!r}")
    return arr


def _like(u: object, value: np.ndarray) -> float | np.ndarray:
    return float(value) if np.ndim(u) == 0 else value


def threshold_energy(p: int) -> float:
    r"""$E_\infty(p) = 2\sqrt{(p-1)/p}$: minus the energy where minima and saddles pile up (ABC 2013)."""
    p = _check_p(p, "threshold_energy")
    return 2.0 * math.sqrt((p - 1) / p)


def large_deviation_i1(u: float | np.ndarray, p: int) -> float | np.ndarray:
    r"""$I_1(u)$ for $u \le -E_\infty$ (0 at $u = -E_\infty$, increasing as u decreases); NaN above."""
    fn = "large_deviation_i1"
    p = _check_p(p, fn)
    arr = _as_energy(u, fn)
    e_inf = threshold_energy(p)
    below = arr <= -e_inf
    x = np.where(below, arr, -e_inf)  # keep the square root real; masked out below
    root = np.sqrt(np.maximum(x**2 - e_inf**2, 0.0))
    value = -(x / e_inf**2) * root - np.log(-x + root) + math.log(e_inf)
    return _like(u, np.where(below, value, np.nan))


def complexity(u: float | np.ndarray, p: int, k: int = 0) -> float | np.ndarray:
    r"""$\Theta_{k,p}(u)$: exponential growth rate of the number of index-k critical points below u.

    Args:
        u: energy per spin (float or array).
        p: order of the model (>= 2; the formula is for p >= 3, p = 2 has no complexity).
        k: index (number of negative Hessian eigenvalues); 0 = local minima.
    """
    fn = "complexity"
    p, k = _check_p(p, fn), _check_k(k, fn)
    arr = _as_energy(u, fn)
    e_inf = threshold_energy(p)
    half_log = 0.5 * math.log(p - 1)
    below = np.clip(arr, None, -e_inf)
    deep = half_log - (p - 2) / (4 * (p - 1)) * below**2 - (k + 1) * np.asarray(large_deviation_i1(below, p))
    flat = half_log - (p - 2) / p
    return _like(u, np.where(arr <= -e_inf, deep, flat))


def total_complexity(u: float | np.ndarray, p: int) -> float | np.ndarray:
    r"""$\Theta_p(u)$: growth rate of the number of critical points of any index below u."""
    fn = "total_complexity"
    p = _check_p(p, fn)
    arr = _as_energy(u, fn)
    e_inf = threshold_energy(p)
    half_log = 0.5 * math.log(p - 1)
    quad = half_log - (p - 2) / (4 * (p - 1)) * arr**2
    below = np.clip(arr, None, -e_inf)
    deep = half_log - (p - 2) / (4 * (p - 1)) * below**2 - np.asarray(large_deviation_i1(below, p))
    value = np.where(arr <= -e_inf, deep, np.where(arr <= 0, quad, half_log))
    return _like(u, value)


def critical_energy(p: int, k: int = 0) -> float:
    r"""$E_k(p)$: $-E_k$ is the zero of $\Theta_{k,p}$ (no index-k critical points below it).

    Found by Brent's method on $[-E_\infty - 2, -E_\infty]$ ($\Theta_{k,p}$ decreases as u falls).
    ``critical_energy(p, 0)`` is the ground-state energy $E_0(p)$ (1.656998 for p = 3).
    """
    return _critical_energy(p, k, "critical_energy")


def _critical_energy(p: int, k: int, fn: str) -> float:
    p, k = _check_p(p, fn), _check_k(k, fn)
    if p < 3:
        raise ValueError(f"{fn}: argument `p` must be >= 3 (for p = 2 the complexity vanishes), got {p}")
    e_inf = threshold_energy(p)
    root = brentq(lambda u: complexity(u, p, k), -e_inf - 2.0, -e_inf, xtol=1e-13, rtol=1e-13)
    return -float(root)


def ground_state_energy(p: int) -> float:
    r"""$E_0(p)$, minus the ground-state energy per spin (ABC 2013; Subag 2017 for its exactness)."""
    return _critical_energy(p, 0, "ground_state_energy")
