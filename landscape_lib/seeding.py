"""Seeding: one call makes a run repeatable (same printed numbers twice on the same machine)."""

from __future__ import annotations

import random

import numpy as np
import torch


def set_seed(seed: int) -> torch.Generator:
    """Seed Python's, NumPy's and PyTorch's generators, and ask PyTorch for deterministic kernels.

    Args:
        seed: any non-negative integer.

    Returns:
        A ``torch.Generator`` seeded with ``seed``, for code that prefers an explicit generator.
    """
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise ValueError(f"set_seed: argument `seed` must be a non-negative integer, got {seed!r}")
    random.seed(seed)
    np.random.seed(seed % 2**32)
    torch.manual_seed(seed)
    # Deterministic kernels: on CPU this costs nothing measurable and rules out run-to-run drift.
    torch.use_deterministic_algorithms(True)
    return torch.Generator().manual_seed(seed)
