"""scikit-learn's bundled 8x8 handwritten digits (1,797 images, 10 classes): nothing is downloaded."""

from __future__ import annotations

import numpy as np
import torch

from .regression import Split


def digits(*, n_train: int = 1200, seed: int = 0, center: bool = False, dtype: torch.dtype = torch.float64) -> Split:
    """scikit-learn's 8x8 digits, pixel values scaled to [0, 1]; labels as int64 class indices.

    Args:
        n_train: size of the training split (the remaining 597 images are the test split).
        seed: seed of the shuffle.
        center: subtract the training mean from every image.
    """
    from sklearn.datasets import load_digits  # shipped with scikit-learn: no download

    bunch = load_digits()
    if not 0 < n_train < len(bunch.target):
        raise ValueError(f"digits: argument `n_train` must be between 1 and {len(bunch.target) - 1}, got {n_train}")
    order = np.random.default_rng(seed).permutation(len(bunch.target))
    x = torch.tensor(bunch.data[order] / 16.0, dtype=dtype)
    y = torch.tensor(bunch.target[order], dtype=torch.long)
    if center:
        x = x - x[:n_train].mean(0)
    return Split(x[:n_train], y[:n_train], x[n_train:], y[n_train:])
