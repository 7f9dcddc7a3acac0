r"""Shortening a certified DSS string without losing its certificate (an option beyond the paper).

The greedy string over-estimates the geodesic; :func:`shorten_string` pulls it taut inside the
level set, accepting only moves after which every segment still passes the grid check.
"""

from __future__ import annotations

import torch
from torch import Tensor

from ..landscape import Landscape
from ..paths import segment_max


def _passes(criterion: Landscape, left: Tensor, right: Tensor, level: float, n_grid: int) -> Tensor:
    if len(left) == 0:
        return torch.zeros(0, dtype=torch.bool)
    return segment_max(criterion, left, right, n_grid)[0] <= level


def _remove_redundant(criterion: Landscape, beads: Tensor, level: float, n_grid: int) -> Tensor:
    """Drop interior beads whose neighbours' direct segment passes (odd, then even indices)."""
    changed = True
    while changed and len(beads) > 2:
        changed = False
        for parity in (1, 0):
            i = torch.arange(1, len(beads) - 1)
            i = i[i % 2 == parity]
            ok = _passes(criterion, beads[i - 1], beads[i + 1], level, n_grid)
            if bool(ok.any()):
                keep = torch.ones(len(beads), dtype=torch.bool)
                keep[i[ok]] = False
                beads, changed = beads[keep], True
                break  # indices have shifted: recompute the candidates
    return beads


def shorten_string(
    criterion: Landscape,
    beads: Tensor,
    level: float,
    *,
    n_grid: int = 100,
    max_iters: int = 200,
    step: float = 0.5,
) -> Tensor:
    r"""Shorten a certified string while every segment keeps passing the grid check at ``level``.

    The greedy string over-estimates the geodesic: beads are trained wherever gradient descent
    drops them.  This pass (not in Freeman & Bruna) (1) moves interior beads towards the midpoint
    of their neighbours,

    $$ b_i \leftarrow b_i + \eta_i\big(\tfrac12(b_{i-1}+b_{i+1}) - b_i\big), $$

    accepting a move only if both new segments pass (odd beads, then even beads, so that each
    batch of moves has fixed neighbours); a rejected bead halves its $\eta_i$.  Each accepted
    move cannot lengthen the string (convexity of $x\mapsto\lVert a-x\rVert+\lVert x-b\rVert$),
    so the length decreases monotonically towards a taut string inside the level set; (2) removes
    every bead whose two neighbours can be joined directly (the triangle inequality: shorter again);
    then repeats (1) and (2) once.  The result is taut *for its number of beads*: a polygon with few
    beads cannot follow a curved boundary, so it stays longer than the true geodesic.

    Args:
        criterion: the loss that decides (as in :func:`connect`).
        beads: a string that passes at ``level``, shape (n, P).
        level: the acceptance level $m L_0$.
        n_grid: grid points per segment (use the same grid as the certificate).
        max_iters: sweeps of moves; stops earlier once every $\eta_i < 10^{-6}$.
        step: initial $\eta$ (0 < step <= 1).

    Returns:
        The shortened string (fewer or equally many beads, same endpoints).
    """
    beads = beads.detach().clone()
    for _ in range(2):  # slide, drop what became redundant, slide again
        beads = _slide(criterion, beads, level, n_grid, max_iters, step)
        beads = _remove_redundant(criterion, beads, level, n_grid)
    return beads


def _slide(criterion: Landscape, beads: Tensor, level: float, n_grid: int, max_iters: int, step: float) -> Tensor:
    """Move beads towards their neighbours' midpoint while both new segments pass (odd, then even)."""
    eta = torch.full((len(beads),), float(step), dtype=beads.dtype)
    for _ in range(max_iters):
        for parity in (1, 0):
            i = torch.arange(1, len(beads) - 1)
            i = i[(i % 2 == parity) & (eta[i] > 1e-6)]
            if len(i) == 0:
                continue
            proposal = beads[i] + eta[i, None] * ((beads[i - 1] + beads[i + 1]) / 2 - beads[i])
            ok = _passes(criterion, torch.cat([beads[i - 1], proposal]), torch.cat([proposal, beads[i + 1]]),
                         level, n_grid)
            ok = ok[: len(i)] & ok[len(i):]
            beads[i[ok]] = proposal[ok]
            eta[i[~ok]] /= 2
        if bool((eta[1:-1] <= 1e-6).all()):
            break
    return beads
