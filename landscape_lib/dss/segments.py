r"""The segment operations of Dynamic String Sampling: check, refine, insert.

A string $b_0,\dots,b_k$ is accepted when every straight segment between neighbouring beads stays
below the acceptance level (Freeman & Bruna 2017, Alg. 1); a failing segment receives a new bead.
The check itself is :func:`landscape_lib.paths.segment_max` (maximum on a grid of $t$);
:func:`refine_segment_max` looks closer around the grid maximum, and :func:`insert_bead` is one
insertion.
"""

from __future__ import annotations

import math

import torch
from torch import Tensor

from ..landscape import Landscape


def refine_segment_max(landscape: Landscape, left: Tensor, right: Tensor, t_star: Tensor, maxima: Tensor,
                       n_grid: int, *, rtol: float = 1e-6, points: int = 9, max_rounds: int = 40) -> Tensor:
    r"""Search each segment's maximum more finely around its best grid point.

    A grid of ``n_grid`` points cannot see a peak narrower than its spacing $h = 1/(n_{grid}-1)$.
    Starting from the grid maximum $t^*$, evaluate ``points`` equally spaced $t$ in
    $[t^*-h, t^*+h]$, move $t^*$ to the best of them and shrink the window by the factor
    $(\text{points}-1)/2$; stop once, for every segment, the parabola through the best sample and
    its two neighbours rises less than ``rtol`` (relative) above the best value found.  The result is $\ge$ the grid maximum and converges to the local maximum of the
    peak the grid found (a second, narrower peak elsewhere on the segment can still be missed).

    Args:
        landscape: the loss that decides.
        left, right: segment ends, shape (S, P).
        t_star, maxima: the grid argmax and maximum of each segment (from ``segment_max``).
        n_grid: the grid they came from.
        rtol: relative change below which a round counts as converged.

    Returns:
        The refined maxima, shape (S,).
    """
    best, centre = maxima.clone(), t_star.clone()
    half = torch.full_like(centre, 1.0 / (n_grid - 1))
    offsets = torch.linspace(-1.0, 1.0, points, dtype=left.dtype, device=left.device)
    for _ in range(max_rounds):
        t = (centre[:, None] + half[:, None] * offsets[None, :]).clamp(0.0, 1.0)  # (S, points)
        values = landscape.evaluate_on_segments(left, right, t)
        top, where = values.max(dim=1)
        rose = top > best
        best, centre = torch.maximum(best, top), torch.where(rose, t.gather(1, where[:, None])[:, 0], centre)
        half = half * 2 / (points - 1)
        # How much higher can the peak still be?  The parabola through the best sample and its two
        # neighbours estimates it; a sample that did not rise says nothing by itself.
        j = where.clamp(1, points - 2)
        lo, mid, hi = (values.gather(1, (j + d)[:, None])[:, 0] for d in (-1, 0, 1))
        curvature = (2 * mid - lo - hi).clamp_min(1e-300)
        headroom = ((hi - lo) ** 2 / (8 * curvature)).nan_to_num(posinf=math.inf)
        headroom = torch.where((where == 0) | (where == points - 1), torch.full_like(headroom, math.inf), headroom)
        if bool((headroom <= rtol * best.abs().clamp_min(1e-300)).all()) or float(half.max()) < 1e-15:
            break
    return best


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
