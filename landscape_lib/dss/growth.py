r"""How fast do strings lengthen as the level falls?  Three laws for "length - 1 versus $L_0$".

Freeman & Bruna (2017) write that level sets "become exponentially more curvy as the energy level
decays".  To make that testable we fit the excess length $e = |\gamma|/\lVert\theta_B-\theta_A\rVert - 1$
(0 for a straight string) against the level $L_0$ with three two-parameter laws:

* ``"linear"``: $e = a + b\,L_0$;
* ``"log"``:    $e = a + b\,\log_{10}(1/L_0)$ -- $b$ is the growth **per decade** of $L_0$
  (on the paper's own quadratic points $b\approx 0.28$);
* ``"power"``:  $e = c\,L_0^{\,k}$, fitted as a straight line on log-log axes.

Each fit reports its residual sum of squares on $e$ itself, so the three are compared on one scale.
The paper's published points to compare with, :data:`PAPER_MNIST` and :data:`PAPER_CIFAR`, live in
:mod:`~landscape_lib.dss.reference` with the other digitised values.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import torch
from torch import Tensor

from .reference import PAPER_CIFAR as PAPER_CIFAR
from .reference import PAPER_MNIST as PAPER_MNIST

LAWS = ("linear", "log", "power")



@dataclass(frozen=True)
class GrowthFit:
    r"""One fitted law: ``law``, its two coefficients, and its residual sum of squares on $e$.

    ``(a, b)`` are the intercept and slope for ``"linear"`` and ``"log"``; for ``"power"``,
    ``a`` is $c$ and ``b`` is the exponent $k$.
    """

    law: str
    a: float
    b: float
    rss: float

    def __call__(self, level: Sequence[float] | Tensor) -> Tensor:
        """The law's prediction of the excess length at ``level``."""
        x = torch.as_tensor(level, dtype=torch.float64)
        if self.law == "linear":
            return self.a + self.b * x
        if self.law == "log":
            return self.a + self.b * torch.log10(1 / x)
        return self.a * x**self.b


def _line(x: Tensor, y: Tensor) -> tuple[float, float]:
    design = torch.stack([torch.ones_like(x), x], dim=1)
    coef = torch.linalg.lstsq(design, y[:, None]).solution[:, 0]
    return float(coef[0]), float(coef[1])


def fit_growth(level: Sequence[float] | Tensor, excess: Sequence[float] | Tensor, law: str) -> GrowthFit:
    r"""Least-squares fit of the excess length $e$ against the level $L_0$ with one law of :data:`LAWS`.

    Args:
        level: $L_0$ values, positive (shape (n,), n >= 2).
        excess: normalized length minus 1 at each level (must be positive for ``"power"``).
        law: ``"linear"``, ``"log"`` or ``"power"`` (see the module notes).
    """
    fn = "fit_growth"
    if law not in LAWS:
        raise ValueError(f"{fn}: argument `law` must be one of {LAWS}, got {law!r}")
    x = torch.as_tensor(level, dtype=torch.float64)
    y = torch.as_tensor(excess, dtype=torch.float64)
    if x.shape != y.shape or x.ndim != 1 or len(x) < 2:
        raise ValueError(f"{fn}: `level` and `excess` must be 1-D of equal length >= 2, got shapes {tuple(x.shape)} and {tuple(y.shape)}")
    if not bool(torch.isfinite(x).all() & torch.isfinite(y).all()) or bool((x <= 0).any()):
        raise ValueError(f"{fn}: `level` must be positive and both must be finite, got level {x.tolist()}, excess {y.tolist()}")
    if law == "linear":
        a, b = _line(x, y)
    elif law == "log":
        a, b = _line(torch.log10(1 / x), y)
    else:
        if bool((y <= 0).any()):
            raise ValueError(f"{fn}: a power law needs a positive `excess` (length > 1), got {y.tolist()}")
        log_c, b = _line(torch.log(x), torch.log(y))
        a = math.exp(log_c)
    fit = GrowthFit(law, a, b, math.nan)
    rss = float(((fit(x) - y) ** 2).sum())
    return GrowthFit(law, a, b, rss)


def compare_growth(level: Sequence[float] | Tensor, excess: Sequence[float] | Tensor) -> dict[str, GrowthFit]:
    """All laws of :data:`LAWS` fitted to the same points (``"power"`` is left out if some excess is <= 0)."""
    y = torch.as_tensor(excess, dtype=torch.float64)
    laws = LAWS if bool((y > 0).all()) else LAWS[:2]
    return {law: fit_growth(level, excess, law) for law in laws}
