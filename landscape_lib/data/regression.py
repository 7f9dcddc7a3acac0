"""Freeman & Bruna's polynomial-regression tasks (x ~ U[0, 1]), and the train/test :class:`Split`."""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import Tensor

from ..validation import check_data_request

#: Freeman & Bruna (2017) §3.1 targets: the quadratic (fit by a bias-free sigmoid net with a
#: sigmoid output) and the cubic (sigmoid net with biases, linear output).
POLYNOMIAL_TARGETS = {
    "quadratic": lambda x: 0.5 * x**2 + 0.25 * x + 0.1,
    "cubic": lambda x: 8 * x**3 - 10 * x**2 + 3 * x,
}


@dataclass(frozen=True)
class Split:
    """A train/test split: ``x_train, y_train, x_test, y_test``."""

    x_train: Tensor
    y_train: Tensor
    x_test: Tensor
    y_test: Tensor


def polynomial_regression(
    target: str, *, n_train: int = 1000, n_test: int = 1000, seed: int = 0, dtype: torch.dtype = torch.float64
) -> Split:
    """Freeman & Bruna's regression data: x ~ U[0, 1], y = target(x), shapes (n, 1).

    Args:
        target: ``"quadratic"`` (0.5x^2 + 0.25x + 0.1) or ``"cubic"`` (8x^3 - 10x^2 + 3x).
        n_train, n_test: sample sizes (the paper used 10,000 each; 1,000 shows the same landscape).
        seed: seed of the sampler.
    """
    if target not in POLYNOMIAL_TARGETS:
        raise ValueError(f"polynomial_regression: argument `target` must be one of {sorted(POLYNOMIAL_TARGETS)}, got {target!r}")
    check_data_request("polynomial_regression", {"n_train": n_train, "n_test": n_test}, seed=seed, dtype=dtype)
    g = torch.Generator().manual_seed(seed)
    x = torch.rand(n_train + n_test, 1, generator=g, dtype=dtype)
    y = POLYNOMIAL_TARGETS[target](x)
    return Split(x[:n_train], y[:n_train], x[n_train:], y[n_train:])
