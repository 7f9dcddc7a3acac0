r"""MNIST-1D (Greydanus 2020), generated locally: ten 1-D digit templates, randomly transformed.

Each sample is one of ten hand-drawn 12-point templates, padded, sheared, scaled, translated,
blurred with correlated noise and resampled to 40 points (``mnist1d.data.make_dataset``).  It is
small enough for a laptop and, unlike 8x8 digits, hard: a linear classifier is near 30 %
accuracy and a small CNN needs spatial inductive bias to go far beyond an MLP -- a laptop-sized
stand-in for the harder data sets of Freeman & Bruna (2017).

We call the package's *generator* (``make_dataset``), never its ``get_dataset``, which downloads a
pickle from GitHub by default and writes a cache file into the working directory.  Nothing here
touches the network or the disk.
"""

from __future__ import annotations

import random

import numpy as np
import torch

from .regression import Split


def mnist1d(
    *, n_samples: int = 5000, train_fraction: float = 0.8, seed: int = 42, dtype: torch.dtype = torch.float64
) -> Split:
    """MNIST-1D signals of length 40 (shape (n, 40), standardised) with int64 labels 0-9.

    Args:
        n_samples: total number of samples (500 per class for the default 5,000; a multiple of 10).
        train_fraction: share of the samples in the training split (the package's default 0.8).
        seed: the generator's seed (42 reproduces the package's published data set).
        dtype: dtype of the signals.

    The package seeds NumPy's and Python's *global* generators; their states are restored
    afterwards, so loading the data does not change the random numbers of the calling notebook.
    """
    fn = "mnist1d"
    if isinstance(n_samples, bool) or not isinstance(n_samples, int) or n_samples < 20 or n_samples % 10:
        raise ValueError(f"{fn}: argument `n_samples` must be a multiple of 10 and >= 20, got {n_samples!r}")
    if isinstance(train_fraction, bool) or not isinstance(train_fraction, (int, float)) or not 0 < train_fraction < 1:
        raise ValueError(f"{fn}: argument `train_fraction` must be in (0, 1), got {train_fraction!r}")
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise ValueError(f"{fn}: argument `seed` must be a non-negative integer, got {seed!r}")
    n_train = int(n_samples * train_fraction)
    if not 0 < n_train < n_samples:
        raise ValueError(f"{fn}: `train_fraction` {train_fraction} leaves an empty split of {n_samples} samples")
    from mnist1d.data import get_dataset_args, make_dataset  # the local generator: no download, no file

    args = get_dataset_args()
    args.num_samples, args.train_split, args.seed = n_samples, train_fraction, seed
    np_state, py_state = np.random.get_state(), random.getstate()
    try:
        data = make_dataset(args)
    finally:
        np.random.set_state(np_state)
        random.setstate(py_state)
    x = np.concatenate([data["x"], data["x_test"]])
    y = np.concatenate([data["y"], data["y_test"]])
    x, y = torch.tensor(x, dtype=dtype), torch.tensor(y, dtype=torch.long)
    split = len(data["y"])
    return Split(x[:split], y[:split], x[split:], y[split:])
