r"""Freeman & Bruna's published DSS numbers, and the power-law fit used to compare with them.

The tuples are **the paper's values**, digitised from the authors' vector figures (about 1 % of
the axis span): reference data to overlay on our measurements, never used to compute anything.
"""

from __future__ import annotations

from collections.abc import Sequence

import torch
from torch import Tensor

#: Freeman & Bruna (2017), quadratic task: (L0, normalized length, mean beads), digitised from the
#: authors' vector figure (about 1 % of the axis span).  **The paper's values** -- reference data to
#: overlay on our measurements, never used to compute anything.
PAPER_QUADRATIC = (
    (0.001, 1.86, 62.4), (0.0025, 1.75, 38.3), (0.005, 1.66, 23.5), (0.0075, 1.65, 18.8),
    (0.01, 1.48, 13.8), (0.025, 1.33, 8.2), (0.05, 1.37, 6.8), (0.075, 1.29, 5.4),
    (0.1, 1.35, 5.0), (0.125, 1.27, 4.0),
)
#: Freeman & Bruna (2017), cubic task, the digitised points that were read off individually (same
#: caveats; between 0.05 and 0.14 the paper's lengths lie at 1.37-1.44 while beads fall from 14 to 4.5,
#: the spike at 0.150-0.162 reaches lengths 1.66-2.54 with 3.2-3.8 beads, and >= 0.168 gives ~1.00 / ~3.1).
PAPER_CUBIC = ((0.01, 1.87, 46.0), (0.02, 1.69, 27.0), (0.03, 1.51, 18.7), (0.15, 1.66, float("nan")))

#: Freeman & Bruna (2017), MNIST CNN: (test error as a fraction, normalized length, mean beads).
PAPER_MNIST = ((0.007, 1.071, 7.1), (0.0075, 1.047, 6.6), (0.008, 1.026, 6.0), (0.01, 1.016, 5.5),
               (0.02, 1.005, 4.8), (0.04, 1.003, 4.1))
#: Freeman & Bruna (2017), CIFAR-10 CNN: (test error as a fraction, normalized length, mean beads);
#: at 40 % error and above the paper shows lengths 1.00-1.01 and 3 beads (one point kept: 0.40).
PAPER_CIFAR = ((0.20, 1.85, 5.9), (0.30, 1.16, 3.9), (0.40, 1.005, 3.0))


def fit_power_law(x: Sequence[float] | Tensor, y: Sequence[float] | Tensor) -> tuple[float, float]:
    r"""Least-squares fit of $y \approx c\,x^{k}$ on log-log axes: returns $(c, k)$.

    $\log y = \log c + k \log x$ is a straight line; $k$ is its slope (Freeman & Bruna: beads grow
    "as a power law" as $L_0$ falls, i.e. $k < 0$).
    """
    lx = torch.log(torch.as_tensor(x, dtype=torch.float64))
    ly = torch.log(torch.as_tensor(y, dtype=torch.float64))
    if lx.shape != ly.shape or lx.ndim != 1 or len(lx) < 2:
        raise ValueError(f"fit_power_law: `x` and `y` must be 1-D of equal length >= 2, got shapes {tuple(lx.shape)} and {tuple(ly.shape)}")
    if not bool(torch.isfinite(lx).all() & torch.isfinite(ly).all()):
        raise ValueError("fit_power_law: `x` and `y` must be positive and finite")
    design = torch.stack([torch.ones_like(lx), lx], dim=1)
    coef = torch.linalg.lstsq(design, ly[:, None]).solution[:, 0]
    return float(torch.exp(coef[0])), float(coef[1])
