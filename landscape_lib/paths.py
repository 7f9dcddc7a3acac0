r"""Paths in parameter space: straight segments and piecewise-linear strings of beads.

A *string* is a sequence of beads $b_0, b_1, \dots, b_k$ (a tensor of shape (k+1, P)); its path
is the polygon through them.  The quantities of Freeman & Bruna (2017) §3:

* loss along a path, on a grid of $t$ per segment (one batched evaluation for the whole string);
* the barrier of a segment: $\max_t F((1-t)a + tb) - \max(F(a), F(b))$;
* the length $|\gamma| = \sum_i \lVert b_{i+1}-b_i\rVert$ and the *normalized geodesic length*
  $|\gamma| / \lVert b_k - b_0\rVert$ (1 for a straight path, > 1 for a bent one).
"""

from __future__ import annotations

import torch
from torch import Tensor

from .validation import check_finite, check_memory, check_positive, check_tensor, describe
from .landscape import Landscape


def _check_beads(beads: object, fn: str, *, min_beads: int = 2) -> Tensor:
    beads = check_tensor(beads, fn=fn, arg="beads")
    if beads.ndim != 2 or beads.shape[0] < min_beads:
        raise ValueError(
            f"{fn}: argument `beads` must have shape (n, P) with n >= {min_beads}, got shape {tuple(beads.shape)}"
        )
    return check_finite(beads, fn=fn, arg="beads")


def _check_landscape(landscape: object, fn: str) -> Landscape:
    if not isinstance(landscape, Landscape):
        raise TypeError(f"{fn}: argument `landscape` must be a Landscape (e.g. AnalyticLandscape or "
                        f"ModuleLandscape), got {describe(landscape)}")
    return landscape


def _grid(n_points: int, like: Tensor, fn: str, arg: str = "n_points") -> Tensor:
    """The grid of t in [0, 1]; ``like`` holds the segment ends (S + 1 beads or S segments of P)."""
    check_positive(n_points, fn=fn, arg=arg, integer=True)
    if n_points < 2:
        raise ValueError(f"{fn}: argument `{arg}` must be >= 2 (both ends of a segment), got {n_points}")
    # The points of all segments, (S, n_points, P), and about three temporaries of that size.
    check_memory(4 * len(like) * n_points * like.shape[-1], fn=fn, what=f"`{arg}` = {n_points} points on each of "
                 f"{len(like)} segments in {like.shape[-1]} dimensions", fix=f"use a smaller `{arg}`",
                 itemsize=like.element_size())
    return torch.linspace(0.0, 1.0, n_points, dtype=like.dtype, device=like.device)


def string_points(beads: Tensor, n_points: int = 21) -> tuple[Tensor, Tensor]:
    """Points on every segment of a string, ``n_points`` per segment (ends included).

    Returns:
        ``(s, points)``: ``s`` of shape (n-1, n_points) is the position along the string (segment
        index + local t), ``points`` of shape (n-1, n_points, P).
    """
    beads = _check_beads(beads, "string_points")
    t = _grid(n_points, beads, "string_points")
    a, b = beads[:-1, None, :], beads[1:, None, :]
    points = (1 - t)[None, :, None] * a + t[None, :, None] * b
    s = torch.arange(len(beads) - 1, dtype=beads.dtype, device=beads.device)[:, None] + t[None, :]
    return s, points


def loss_along_string(landscape: Landscape, beads: Tensor, n_points: int = 21) -> tuple[Tensor, Tensor]:
    """Loss on ``n_points`` points of every segment, all in one batched evaluation.

    Returns:
        ``(s, losses)``, both of shape (n-1, n_points); see :func:`string_points`.
    """
    return _loss_along_string(landscape, beads, n_points, "loss_along_string")


def _loss_along_string(landscape: Landscape, beads: Tensor, n_points: int, fn: str,
                       arg: str = "beads") -> tuple[Tensor, Tensor]:
    """:func:`loss_along_string`, with errors naming ``fn`` -- the function the user called."""
    beads = _check_landscape(landscape, fn).check(beads, fn=fn, arg=arg)
    beads = _check_beads(beads, fn)
    t = _grid(n_points, beads, fn)
    s = torch.arange(len(beads) - 1, dtype=beads.dtype, device=beads.device)[:, None] + t[None, :]
    return s, _on_segments(landscape, beads[:-1], beads[1:], t, fn)


def _on_segments(landscape: Landscape, left: Tensor, right: Tensor, t: Tensor, fn: str) -> Tensor:
    """``landscape.evaluate_on_segments`` with its output checked once (one number per point)."""
    try:
        values = landscape.evaluate_on_segments(left, right, t)
    except RuntimeError as err:
        if isinstance(err, NotImplementedError):
            raise
        raise ValueError(f"{fn}: evaluating the landscape's `{landscape._formula_arg}` on {len(left)} segment(s) "
                         f"failed ({err}); it must return one scalar per point of shape (P,)") from err
    return landscape.check_values(values, left[:, None, :].expand(-1, len(t), -1), fn=fn)


def loss_along_segment(landscape: Landscape, a: Tensor, b: Tensor, n_points: int = 101) -> tuple[Tensor, Tensor]:
    """Loss on the straight segment from ``a`` (t = 0) to ``b`` (t = 1): returns ``(t, losses)``."""
    return _loss_along_segment(landscape, a, b, n_points, "loss_along_segment")


def _loss_along_segment(landscape: Landscape, a: Tensor, b: Tensor, n_points: int, fn: str) -> tuple[Tensor, Tensor]:
    landscape = _check_landscape(landscape, fn)
    a = landscape.check(a, fn=fn, arg="a")
    b = landscape.check(b, fn=fn, arg="b")
    for arg, point in (("a", a), ("b", b)):
        if point.ndim != 1:
            raise ValueError(f"{fn}: argument `{arg}` must be one point of shape (P,), got shape {tuple(point.shape)}")
    s, losses = _loss_along_string(landscape, torch.stack([a, b]), n_points, fn)
    return s[0], losses[0]


def segment_max(landscape: Landscape, left: Tensor, right: Tensor, n_grid: int = 100) -> tuple[Tensor, Tensor]:
    r"""Maximum loss on each segment $[a_s, b_s]$, sampled at ``n_grid`` equally spaced $t\in[0,1]$.

    The one segment check of the course: Dynamic String Sampling accepts a segment by it
    (Freeman & Bruna 2017, Alg. 1), and the plots and self-checks use it too.  All
    $S\times$ ``n_grid`` points go through the landscape's batched evaluation together.
    For a string ``beads`` (n, P), pass ``beads[:-1], beads[1:]``.

    Args:
        landscape: the loss that decides.
        left, right: segment ends $a_s, b_s$, shape (S, P).
        n_grid: grid points per segment, both ends included (Freeman & Bruna: 100 for the
            polynomial tasks, 20 for MNIST/CIFAR).

    Returns:
        ``(maxima, t_star)``, both of shape (S,): $\max_t F((1-t)a_s + t b_s)$ and the grid $t$
        where it is attained.
    """
    fn = "segment_max"
    landscape = _check_landscape(landscape, fn)
    left = landscape.check(left, fn=fn, arg="left")
    right = landscape.check(right, fn=fn, arg="right")
    if left.ndim != 2 or left.shape != right.shape:
        raise ValueError(f"{fn}: arguments `left` and `right` must both have shape (S, P), "
                         f"got {tuple(left.shape)} and {tuple(right.shape)}")
    t = _grid(n_grid, left, fn, arg="n_grid")
    values = _on_segments(landscape, left, right, t, fn)
    maxima, where = values.max(dim=1)
    return maxima, t[where]


def barrier(landscape: Landscape, a: Tensor, b: Tensor, n_points: int = 101) -> float:
    r"""Straight-line barrier $\max_t F((1-t)a+tb) - \max(F(a), F(b))$ (0 if the segment never rises)."""
    _, losses = _loss_along_segment(landscape, a, b, n_points, "barrier")
    return float(losses.max() - torch.maximum(losses[0], losses[-1]))


def path_length(beads: Tensor, mask: Tensor | None = None) -> float:
    r"""Length $\sum_i \lVert b_{i+1} - b_i\rVert$ of the polygon through ``beads`` (n, P).

    Args:
        beads: the string.
        mask: optional boolean (P,) selecting the coordinates that count (e.g. weights only, as in
            Freeman & Bruna's polynomial scripts).
    """
    beads = _check_beads(beads, "path_length")
    if mask is not None:
        mask = check_tensor(mask, fn="path_length", arg="mask")
        if mask.dtype != torch.bool or mask.shape != beads.shape[1:]:
            raise ValueError(
                f"path_length: argument `mask` must be a boolean tensor of shape {tuple(beads.shape[1:])}, "
                f"got {mask.dtype} of shape {tuple(mask.shape)}"
            )
        beads = beads[:, mask]
    return float((beads[1:] - beads[:-1]).norm(dim=1).sum())


def normalized_geodesic_length(beads: Tensor, mask: Tensor | None = None) -> float:
    r"""$|\gamma| / \lVert b_{last} - b_0 \rVert$: 1 for a straight path, larger for a bent one.

    Freeman & Bruna (2017), §3: "normalized geodesic length".
    """
    beads = _check_beads(beads, "normalized_geodesic_length")
    ends = beads[[0, -1]]
    chord = path_length(ends, mask)
    if chord == 0:
        raise ValueError("normalized_geodesic_length: argument `beads`: the first and last beads coincide "
                         "(zero distance: the ratio is undefined); pass a string between two different points")
    return path_length(beads, mask) / chord
