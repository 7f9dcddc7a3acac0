r"""Two-dimensional slices of a high-dimensional loss: the plane through three parameter vectors.

For points $\theta_A, \theta_B, \theta_C\in\mathbb{R}^P$ (e.g. two solutions and a third point),
the plane $\{\theta_A + \alpha u + \beta v\}$ with $u, v$ the Gram-Schmidt orthonormalisation of
$\theta_B-\theta_A$, $\theta_C-\theta_A$ contains all three; $F$ on a grid of $(\alpha, \beta)$
is a 2-D landscape whose sublevel components we can count
(:mod:`~landscape_lib.topology.sublevel`).  A slice can only *separate* more than the full
space does: two points in one component of the slice are connected in $\mathbb{R}^P$, but two
components of the slice may be joined by a path that leaves the plane.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import Tensor

from ..landscape import Landscape


@dataclass(frozen=True)
class PlaneSlice:
    """The loss on a grid of the plane through three points.

    Attributes:
        alphas, betas: grid coordinates along ``u`` and ``v`` (1-D).
        values: F on the grid, shape (len(alphas), len(betas)) (``indexing="ij"``).
        origin, u, v: the plane is ``origin + alpha * u + beta * v`` (u, v orthonormal).
        coords: the (alpha, beta) coordinates of the three points, shape (3, 2).
    """

    alphas: Tensor
    betas: Tensor
    values: Tensor
    origin: Tensor
    u: Tensor
    v: Tensor
    coords: Tensor


def plane_slice(landscape: Landscape, a: Tensor, b: Tensor, c: Tensor, *, resolution: int = 81,
                margin: float = 0.5) -> PlaneSlice:
    r"""Evaluate ``landscape`` on the plane through ``a``, ``b``, ``c`` (one batched call).

    Args:
        a, b, c: three points of shape (P,), not collinear.
        resolution: grid points per axis.
        margin: the grid covers the three points' bounding box enlarged by ``margin`` times its size.
    """
    fn = "plane_slice"
    a, b, c = (landscape.check(p, fn=fn, arg=n) for p, n in ((a, "a"), (b, "b"), (c, "c")))
    if a.ndim != 1:
        raise ValueError(f"{fn}: arguments `a`, `b`, `c` must be single points of shape (P,), got {tuple(a.shape)}")
    if isinstance(resolution, bool) or not isinstance(resolution, int) or resolution < 3:
        raise ValueError(f"{fn}: argument `resolution` must be an integer >= 3, got {resolution!r}")
    u = b - a
    if float(u.norm()) == 0:
        raise ValueError(f"{fn}: `a` and `b` coincide; the plane is undefined")
    u = u / u.norm()
    w = (c - a) - ((c - a) @ u) * u
    if float(w.norm()) < 1e-12 * max(1.0, float((c - a).norm())):
        raise ValueError(f"{fn}: `a`, `b`, `c` are collinear; the plane is undefined")
    v = w / w.norm()
    coords = torch.stack([torch.stack([(p - a) @ u, (p - a) @ v]) for p in (a, b, c)])
    lo, hi = coords.min(dim=0).values, coords.max(dim=0).values
    pad = margin * (hi - lo).max()
    alphas = torch.linspace(float(lo[0] - pad), float(hi[0] + pad), resolution, dtype=a.dtype)
    betas = torch.linspace(float(lo[1] - pad), float(hi[1] + pad), resolution, dtype=a.dtype)
    A, B = torch.meshgrid(alphas, betas, indexing="ij")
    points = a + A.reshape(-1, 1) * u + B.reshape(-1, 1) * v
    values = landscape.evaluate_in_blocks(points).reshape(resolution, resolution)
    return PlaneSlice(alphas, betas, values, a.clone(), u, v, coords)
