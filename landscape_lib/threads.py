"""Thread count of PyTorch for a block of code.

Small models (a few hundred parameters, a few thousand samples) make tiny matrix products: there
intra-op parallelism buys little, and on a machine whose cores are busy, every parallel region
waits for a descheduled thread.  The loops of the course that run many small steps (descent on
the sphere, DSS beads, ensembles of small networks) therefore run with one thread.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import torch


@contextmanager
def torch_threads(n: int | None) -> Iterator[None]:
    """Run a block with ``n`` PyTorch threads (``None``: leave the setting alone), then restore it.

    The steps of these loops are small (a few milliseconds), so intra-op parallelism buys little,
    and on a machine whose cores are busy with other jobs every parallel region waits for a
    descheduled thread: we measured 10-90x slow-downs with 2 threads on 2 busy cores
    (``benchmarks/bench_spin_glass.py``).
    """
    before = torch.get_num_threads()
    if n is not None:
        torch.set_num_threads(n)
    try:
        yield
    finally:
        torch.set_num_threads(before)
