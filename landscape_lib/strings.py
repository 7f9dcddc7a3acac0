r"""Two ways to relax a string of beads between two points $a$ and $b$ of a landscape.

* :func:`minimum_energy_path` -- the *string method* (E, Ren & Vanden-Eijnden 2002, 2007): move
  every interior bead down the gradient, then redistribute the beads at equal arc length.  The
  string converges to a minimum-energy path, whose highest point is the *mountain pass* (the
  lowest possible barrier between $a$ and $b$).
* :func:`taut_string` -- the shortest path *inside* a sublevel set $\Omega(\lambda)$: pull every
  bead towards the midpoint of its neighbours (curve shortening), push beads that left
  $\Omega(\lambda)$ back onto its boundary, redistribute.  Its length divided by
  $\lVert b - a\rVert$ is the normalized geodesic length of the level set between $a$ and $b$
  (Freeman & Bruna 2017, §3).

Both update all beads at once: one batched gradient / loss evaluation per iteration.
"""

from __future__ import annotations

import torch
from torch import Tensor

from .validation import (check_finite, check_int, check_memory, check_not_diverged, check_number,
                         check_positive, check_tensor, describe)
from .landscape import Landscape


def _check_n_beads(n_beads: object, P: int, like: Tensor, fn: str, minimum: int = 2) -> int:
    n_beads = check_int(n_beads, fn=fn, arg="n_beads", minimum=minimum)
    # the string and a few temporaries of its size per iteration
    check_memory(4 * n_beads * P, fn=fn, what=f"a string of `n_beads` = {n_beads} beads in {P} dimensions",
                 fix="use fewer beads", itemsize=like.element_size())
    return n_beads


def straight_string(a: Tensor, b: Tensor, n_beads: int) -> Tensor:
    """``n_beads`` equally spaced beads on the segment from ``a`` to ``b``: shape (n_beads, P)."""
    fn = "straight_string"
    for arg, point in (("a", a), ("b", b)):
        check_finite(check_tensor(point, fn=fn, arg=arg), fn=fn, arg=arg)
        if point.ndim != 1 or not point.is_floating_point():
            raise ValueError(f"{fn}: argument `{arg}` must be one floating point of shape (P,), got {describe(point)}")
    if b.shape != a.shape or b.dtype != a.dtype:
        raise ValueError(f"{fn}: argument `b` must have the shape and dtype of `a` ({describe(a)}), got {describe(b)}")
    _check_n_beads(n_beads, a.shape[0], a, fn)
    return _straight(a, b, n_beads)


def _straight(a: Tensor, b: Tensor, n_beads: int) -> Tensor:
    t = torch.linspace(0.0, 1.0, n_beads, dtype=a.dtype, device=a.device)[:, None]
    return (1 - t) * a + t * b


def redistribute(beads: Tensor, n_beads: int | None = None) -> Tensor:
    """The same polygon, re-sampled at equal arc-length spacing with ``n_beads`` beads (default: as many)."""
    fn = "redistribute"
    beads = check_tensor(beads, fn=fn, arg="beads")
    if beads.ndim != 2 or len(beads) < 2 or not beads.is_floating_point():
        raise ValueError(f"{fn}: argument `beads` must be a floating tensor of shape (n, P) with n >= 2, "
                         f"got {describe(beads)}")
    check_finite(beads, fn=fn, arg="beads")
    if n_beads is not None:
        _check_n_beads(n_beads, beads.shape[1], beads, fn)
    return _redistribute(beads, n_beads)


def _redistribute(beads: Tensor, n_beads: int | None = None) -> Tensor:
    """:func:`redistribute` without input checks (inside the string iterations)."""
    n_beads = len(beads) if n_beads is None else n_beads
    steps = (beads[1:] - beads[:-1]).norm(dim=1)
    s = torch.cat([steps.new_zeros(1), steps.cumsum(0)])
    if float(s[-1]) == 0:
        return beads[:1].expand(n_beads, -1).clone()
    targets = torch.linspace(0.0, float(s[-1]), n_beads, dtype=beads.dtype, device=beads.device)
    seg = torch.searchsorted(s, targets, right=True).clamp(1, len(beads) - 1) - 1
    local = ((targets - s[seg]) / steps[seg].clamp_min(1e-300)).clamp(0, 1)[:, None]
    out = (1 - local) * beads[seg] + local * beads[seg + 1]
    out[0], out[-1] = beads[0], beads[-1]  # the ends never move
    return out


def _start(landscape: Landscape, a: Tensor, b: Tensor, n_beads: int, via: Tensor | None, fn: str) -> Tensor:
    if not isinstance(landscape, Landscape):
        raise TypeError(f"{fn}: argument `landscape` must be a Landscape, got {describe(landscape)}")
    a = landscape.check(a, fn=fn, arg="a")
    b = landscape.check(b, fn=fn, arg="b")
    if a.ndim != 1 or b.ndim != 1:
        raise ValueError(f"{fn}: arguments `a` and `b` must be single points of shape (P,), "
                         f"got {tuple(a.shape)} and {tuple(b.shape)}")
    check_positive(n_beads, fn=fn, arg="n_beads", integer=True)
    if n_beads < 3:
        raise ValueError(f"{fn}: argument `n_beads` must be >= 3, got {n_beads}")
    _check_n_beads(n_beads, landscape.dim, a, fn, minimum=3)
    if via is None:
        return _straight(a, b, n_beads)
    via = landscape.check(via, fn=fn, arg="via")
    if via.ndim != 1:
        raise ValueError(f"{fn}: argument `via` must be one point of shape (P,), got {tuple(via.shape)}")
    # Start from the polygon a -> via -> b: needed when a straight start is a symmetric
    # equilibrium (e.g. through the top of the ring valley's bump, where the gradient vanishes).
    return _redistribute(torch.stack([a, via, b]), n_beads)


def _finite(beads: Tensor, fn: str, step: int, lr: float) -> Tensor:
    """Stop a string whose beads blew up (too large a step), saying when and what to do."""
    check_not_diverged(beads, fn=fn, step=step, what="string (a bead coordinate)",
                       fix=f"lower `lr` (now {lr}) -- the step must be below 2 / (largest curvature)")
    return beads


def minimum_energy_path(
    landscape: Landscape,
    a: Tensor,
    b: Tensor,
    *,
    n_beads: int = 41,
    steps: int = 2000,
    lr: float = 1e-2,
    via: Tensor | None = None,
) -> Tensor:
    r"""Relax a string towards a minimum-energy path from ``a`` to ``b`` (simplified string method).

    Each iteration: $b_i \leftarrow b_i - \eta \nabla F(b_i)$ for the interior beads, then
    re-sample the polygon at equal arc length (E, Ren & Vanden-Eijnden, J. Chem. Phys. 126, 2007).

    Args:
        landscape: F.
        a, b: the fixed ends, shape (P,) (ideally minima).
        n_beads: number of beads including both ends.
        steps: number of iterations.
        lr: gradient step $\eta$.
        via: optional point the initial string passes through (to break a symmetry).

    Returns:
        The beads, shape (n_beads, P).
    """
    fn = "minimum_energy_path"
    beads = _start(landscape, a, b, n_beads, via, fn)
    check_positive(steps, fn=fn, arg="steps", integer=True)
    check_positive(lr, fn=fn, arg="lr")
    for step in range(steps):
        inner = beads[1:-1] - lr * landscape.grad(_finite(beads, fn, step, lr)[1:-1])
        beads = _redistribute(torch.cat([beads[:1], inner, beads[-1:]]))
    return _finite(beads, fn, steps, lr)


def taut_string(
    landscape: Landscape,
    a: Tensor,
    b: Tensor,
    level: float,
    *,
    n_beads: int = 41,
    steps: int = 1500,
    pull: float = 0.5,
    tol: float = 1e-10,
    via: Tensor | None = None,
) -> Tensor:
    r"""Shortest path from ``a`` to ``b`` inside $\Omega(\lambda)$, found by a relaxing string.

    Each iteration: (1) curve shortening $b_i \leftarrow b_i + \rho\,(\tfrac12(b_{i-1}+b_{i+1}) - b_i)$;
    (2) every bead with $F(b_i) > \lambda$ takes Newton steps onto the level surface,
    $b_i \leftarrow b_i - \frac{F(b_i)-\lambda}{\lVert\nabla F(b_i)\rVert^2}\nabla F(b_i)$;
    (3) equal-arc-length re-sampling.  Only the beads are constrained: with many beads the
    segments between them stay within $O(\text{spacing}^2)$ of $\Omega(\lambda)$.

    Args:
        landscape: F.
        a, b: ends inside $\Omega(\lambda)$, shape (P,).
        level: $\lambda$.
        n_beads: beads including both ends.
        steps: iterations.
        pull: curve-shortening rate $\rho \in (0, 1]$.
        tol: stop early once no bead moves more than this in an iteration.
        via: optional point the initial string passes through (it must lead around obstacles
            the same way as the path you want).

    Returns:
        The beads, shape (n_beads, P); the normalized geodesic length is
        ``paths.normalized_geodesic_length(beads)``.
    """
    fn = "taut_string"
    beads = _start(landscape, a, b, n_beads, via, fn)
    check_positive(steps, fn=fn, arg="steps", integer=True)
    level = check_number(level, fn=fn, arg="level")
    pull = check_number(pull, fn=fn, arg="pull")
    if not 0 < pull <= 1:
        raise ValueError(f"{fn}: argument `pull` must be in (0, 1], got {pull}")
    check_number(tol, fn=fn, arg="tol", minimum=0.0)
    with torch.no_grad():
        ends = landscape.evaluate_checked(torch.stack([beads[0], beads[-1]]), fn=fn)
    if bool((ends > level).any()):
        raise ValueError(f"{fn}: both ends must lie in the sublevel set (F <= `level` = {level}); "
                         f"F(a), F(b) = {ends.tolist()}; raise `level` or move the ends")
    for _ in range(steps):
        inner = beads[1:-1] + pull * (0.5 * (beads[:-2] + beads[2:]) - beads[1:-1])
        for _newton in range(3):
            with torch.no_grad():
                excess = (landscape.evaluate(inner) - level).clamp_min(0)
            if not bool((excess > 0).any()):
                break
            g = landscape.grad(inner)
            inner = inner - (excess / (g * g).sum(1).clamp_min(1e-12))[:, None] * g
        new = _redistribute(torch.cat([beads[:1], inner, beads[-1:]]))
        moved = float((new - beads).norm(dim=1).max())
        beads = new
        if moved < tol:
            break
    return beads
