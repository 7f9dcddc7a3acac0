r"""The two primitive operations of Dynamic String Sampling: check segments, insert beads.

A string $b_0,\dots,b_k$ is accepted when every straight segment between neighbouring beads stays
below the acceptance level on a grid of $t$ (Freeman & Bruna 2017, Alg. 1); a failing segment
receives a new bead.  :func:`segment_max` checks many segments in one batched evaluation;
:func:`insert_bead` is one insertion.
"""

from __future__ import annotations

import torch
from torch import Tensor

from ..landscape import Landscape


def segment_max(landscape: Landscape, left: Tensor, right: Tensor, n_grid: int = 100) -> tuple[Tensor, Tensor]:
    r"""Maximum loss on each segment $[a_s, b_s]$, sampled at ``n_grid`` equally spaced $t\in[0,1]$.

    All $S \times$ ``n_grid`` points go through the landscape's batched evaluation together (in
    blocks of ``landscape.chunk_size``, default 256 points, to bound memory).

    Args:
        landscape: the loss that decides.
        left, right: segment ends $a_s, b_s$, shape (S, P).
        n_grid: grid points per segment, both ends included (Freeman & Bruna: 100 for the
            polynomial tasks, 20 for MNIST/CIFAR).

    Returns:
        ``(maxima, t_star)``, both of shape (S,): $\max_t F((1-t)a_s + t b_s)$ and the grid $t$
        where it is attained.
    """
    t = torch.linspace(0.0, 1.0, n_grid, dtype=left.dtype, device=left.device)
    points = (1 - t)[None, :, None] * left[:, None, :] + t[None, :, None] * right[:, None, :]
    # Blocks of a few hundred points: one huge vmap is memory-bound (2-3x slower on a small CPU).
    block = landscape.chunk_size or 256
    with torch.no_grad():
        values = torch.cat([landscape.evaluate(part) for part in points.reshape(-1, left.shape[1]).split(block)])
    values = values.reshape(len(left), n_grid)
    maxima, where = values.max(dim=1)
    return maxima, t[where]


def insert_bead(beads: Tensor, segment: int, t: float = 0.5) -> Tensor:
    r"""Insert the bead $(1-t)\,b_j + t\,b_{j+1}$ between beads $j$ and $j+1$ (one DSS insertion).

    Args:
        beads: the string, shape (n, P).
        segment: $j$, the index of the segment $[b_j, b_{j+1}]$ ($0 \le j \le n-2$).
        t: where on the segment (0.5: Freeman & Bruna's "halfway"; the worst grid point: "argmax").

    Returns:
        The new string, shape (n + 1, P); the new bead has index $j+1$.
    """
    if not 0 <= segment < len(beads) - 1:
        raise ValueError(f"insert_bead: argument `segment` must be in [0, {len(beads) - 2}], got {segment}")
    new = (1 - t) * beads[segment] + t * beads[segment + 1]
    return torch.cat([beads[: segment + 1], new[None], beads[segment + 1:]])
