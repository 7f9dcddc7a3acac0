"""The autouse fixture of ``tests/conftest.py`` undoes what a test does to process-wide state.

The first test changes every piece of global state the library touches; the second (run after it,
in file order) checks that all of it is back.  Without the fixture the second test fails.
"""

from __future__ import annotations

import random

import numpy as np
import pytest
import torch

from landscape_lib.seeding import set_seed

_BEFORE: dict = {}


def _snapshot() -> dict:
    return {
        "python": random.getstate(), "numpy": np.random.get_state()[1].copy(), "torch": torch.random.get_rng_state(),
        "threads": torch.get_num_threads(), "deterministic": torch.are_deterministic_algorithms_enabled(),
        "warn_only": torch.is_deterministic_algorithms_warn_only_enabled(), "dtype": torch.get_default_dtype(),
    }


def test_a_test_that_changes_global_state() -> None:
    _BEFORE.update(_snapshot())
    set_seed(1234)  # seeds every generator and turns deterministic algorithms on
    random.random(), np.random.rand(), torch.rand(1)
    torch.set_num_threads(1 if _BEFORE["threads"] != 1 else 2)
    torch.use_deterministic_algorithms(not _BEFORE["deterministic"], warn_only=not _BEFORE["warn_only"])
    torch.set_default_dtype(torch.float64 if _BEFORE["dtype"] != torch.float64 else torch.float32)
    after = _snapshot()
    assert all(not _same(after[k], _BEFORE[k]) for k in ("python", "numpy", "torch", "threads", "dtype"))


def _same(a, b) -> bool:
    if isinstance(a, torch.Tensor):
        return torch.equal(a, b)
    if isinstance(a, np.ndarray):
        return np.array_equal(a, b)
    return a == b


def test_the_next_test_finds_it_restored() -> None:
    if not _BEFORE:
        pytest.skip("runs after test_a_test_that_changes_global_state")
    now = _snapshot()
    changed = [k for k in now if not _same(now[k], _BEFORE[k])]
    assert not changed, f"global state leaked from the previous test: {changed}"
