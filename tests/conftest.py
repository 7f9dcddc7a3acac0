"""Test isolation: every unit test leaves the process's global state as it found it.

Library code and tests call ``set_seed`` (which seeds the global generators *and* turns on
``torch.use_deterministic_algorithms``), ``torch.set_num_threads`` and the global generators;
without this fixture one test's settings leak into the next and a test's result depends on
which tests ran before it.
"""

from __future__ import annotations

import random

import numpy as np
import pytest
import torch


@pytest.fixture(autouse=True)
def restore_global_state():
    """Restore the RNG states (Python, NumPy, torch), torch's thread count, default dtype and
    deterministic-algorithms flags after every test."""
    python_rng, numpy_rng, torch_rng = random.getstate(), np.random.get_state(), torch.random.get_rng_state()
    threads = torch.get_num_threads()
    deterministic = torch.are_deterministic_algorithms_enabled()
    warn_only = torch.is_deterministic_algorithms_warn_only_enabled()
    dtype = torch.get_default_dtype()
    yield
    random.setstate(python_rng)
    np.random.set_state(numpy_rng)
    torch.random.set_rng_state(torch_rng)
    if torch.get_num_threads() != threads:
        torch.set_num_threads(threads)
    torch.use_deterministic_algorithms(deterministic, warn_only=warn_only)
    torch.set_default_dtype(dtype)
