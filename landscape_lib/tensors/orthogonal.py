r"""Orthogonal tensor decomposition as optimisation on the sphere: a benign landscape.

For components $a_1,\dots,a_r\in\mathbb R^d$ (rows of ``A``), maximise on the unit sphere

$$T(u) = \sum_{i=1}^r \langle a_i,u\rangle^4 ,\qquad |u| = 1,$$

the fourth-order tensor $\sum_i a_i^{\otimes 4}$ evaluated at $u^{\otimes 4}$.  With $P_u = I - uu^\top$:

* $\nabla T = 4\sum_i\langle a_i,u\rangle^3 a_i$, $\operatorname{grad}T = P_u\nabla T$;
* $\nabla^2 T = 12\sum_i\langle a_i,u\rangle^2 a_ia_i^\top$,
  $\operatorname{Hess}T = P_u\big(\nabla^2T - 4T(u)\,I\big)P_u$ (Euler: $u\cdot\nabla T = 4T$).

**Orthonormal components** (Ge, Huang, Jin & Yuan 2015, §C): every local maximum is a component
$\pm a_i$, and the other critical points are the normalised signed subset sums
$u_S = \sum_{i\in S}\varepsilon_i a_i/\sqrt{|S|}$.  There $T = 1/|S|$ and the tangent Hessian has
eigenvalue $8/|S|$ on the $|S|-1$ directions inside $\operatorname{span}\{a_i\}_{i\in S}$ and
$-4/|S|$ on the others: $u_S$ is a saddle whose number of ascent directions is $|S| - 1$
(:func:`subset_sum_point`, :func:`ascent_index`).

Shapes: ``A`` is ``(r, d)``; points ``u`` are ``(d,)`` or ``(S, d)``.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass

import torch
from torch import Tensor

from ..validation import check_positive, check_tensor, describe
from ._sphere import check_unit_sphere


def _check(A: object, u: object, fn: str) -> tuple[Tensor, Tensor]:
    A = check_tensor(A, fn=fn, arg="A")
    u = check_tensor(u, fn=fn, arg="u")
    if A.ndim != 2 or not A.is_floating_point():
        raise ValueError(f"{fn}: argument `A` must be a floating (r, d) matrix of components, got {describe(A)}")
    if u.ndim not in (1, 2) or u.shape[-1] != A.shape[1] or u.dtype != A.dtype:
        raise ValueError(f"{fn}: argument `u` must have shape (d,) or (S, d) with d = {A.shape[1]} and dtype "
                         f"{A.dtype}, got {describe(u)}")
    check_unit_sphere(u, fn=fn, arg="u")
    return A, u


def random_orthonormal_components(r: int, d: int, *, generator: torch.Generator | None = None,
                                  dtype: torch.dtype = torch.float64) -> Tensor:
    """r orthonormal rows in R^d (r <= d): the Q factor of a Gaussian matrix."""
    fn = "random_orthonormal_components"
    check_positive(r, fn=fn, arg="r", integer=True)
    check_positive(d, fn=fn, arg="d", integer=True)
    if r > d:
        raise ValueError(f"{fn}: at most d = {d} orthonormal components fit in R^d, got r = {r} (argument `r`)")
    q = torch.linalg.qr(torch.randn(d, r, generator=generator, dtype=dtype)).Q
    return q.T.contiguous()


def decomposition_objective(A: Tensor, u: Tensor) -> Tensor:
    r"""$T(u) = \sum_i\langle a_i,u\rangle^4$, shape ``u.shape[:-1]``."""
    A, u = _check(A, u, "decomposition_objective")
    return ((u @ A.T) ** 4).sum(-1)


def decomposition_gradient(A: Tensor, u: Tensor) -> Tensor:
    r"""Riemannian gradient $P_u\,4\sum_i\langle a_i,u\rangle^3 a_i$, shape of ``u``."""
    A, u = _check(A, u, "decomposition_gradient")
    return _gradient(A, u)


def _gradient(A: Tensor, u: Tensor) -> Tensor:
    g = 4 * ((u @ A.T) ** 3) @ A
    return g - (g * u).sum(-1, keepdim=True) * u


def decomposition_hessian(A: Tensor, u: Tensor) -> Tensor:
    r"""Riemannian Hessian $P_u(12\sum_i\langle a_i,u\rangle^2a_ia_i^\top - 4T(u)I)P_u$: (d, d) or (S, d, d)."""
    A, u = _check(A, u, "decomposition_hessian")
    c = u @ A.T  # (..., r)
    d = A.shape[1]
    eye = torch.eye(d, dtype=u.dtype)
    euclid = 12 * torch.einsum("...i,ij,ik->...jk", c**2, A, A)
    shifted = euclid - 4 * (c**4).sum(-1)[..., None, None] * eye
    proj = eye - u[..., :, None] * u[..., None, :]
    return proj @ shifted @ proj


def tangent_eigenvalues(hess: Tensor, u: Tensor) -> Tensor:
    """The d - 1 eigenvalues of a Riemannian Hessian on the tangent space at u, ascending.

    ``u`` is an eigenvector of the (d, d) matrix with eigenvalue 0 that is not a tangent direction:
    it is moved below the spectrum (by subtracting a large multiple of uu^T) and dropped.
    """
    hess = check_tensor(hess, fn="tangent_eigenvalues", arg="hess")
    u = check_tensor(u, fn="tangent_eigenvalues", arg="u")
    big = 1.0 + 2.0 * float(torch.linalg.matrix_norm(hess.reshape(-1, *hess.shape[-2:])).max())
    eig = torch.linalg.eigvalsh(hess - big * u[..., :, None] * u[..., None, :])
    return eig[..., 1:]


def ascent_index(A: Tensor, u: Tensor, *, tol: float = 1e-8) -> Tensor:
    """Number of ascent directions (positive tangent Hessian eigenvalues > tol) of T at u.

    For a maximisation problem this is the saddle's index: 0 at a local maximum.
    """
    eig = tangent_eigenvalues(decomposition_hessian(A, u), u)
    return (eig > tol).sum(-1)


def subset_sum_point(A: Tensor, subset: Sequence[int], signs: Sequence[int] | None = None) -> Tensor:
    r"""The normalised signed subset sum $u_S = \sum_{i\in S}\varepsilon_i a_i/|\sum_{i\in S}\varepsilon_i a_i|$."""
    A = check_tensor(A, fn="subset_sum_point", arg="A")
    subset = list(subset)
    if not subset or len(set(subset)) != len(subset) or not all(0 <= i < A.shape[0] for i in subset):
        raise ValueError(f"subset_sum_point: argument `subset` must be distinct row indices of A "
                         f"(0..{A.shape[0] - 1}), got {subset!r}")
    signs = [1] * len(subset) if signs is None else list(signs)
    if len(signs) != len(subset) or any(s not in (1, -1) for s in signs):
        raise ValueError(f"subset_sum_point: argument `signs` must be {len(subset)} values +-1, got {signs!r}")
    u = (torch.tensor(signs, dtype=A.dtype)[:, None] * A[subset]).sum(0)
    return u / u.norm()


def all_subsets(r: int) -> list[tuple[int, ...]]:
    """Every non-empty subset of range(r), by size then lexicographically."""
    return [s for k in range(1, r + 1) for s in itertools.combinations(range(r), k)]


@dataclass(frozen=True)
class DecompositionAscent:
    """Endpoints of :func:`decomposition_ascent` (shapes follow ``u0``)."""

    u: Tensor
    value: Tensor
    grad_norm: Tensor
    steps: int


def decomposition_ascent(A: Tensor, u0: Tensor, *, step: float = 0.2, max_steps: int = 5000,
                         tol: float = 1e-12) -> DecompositionAscent:
    r"""Projected gradient ascent $u \leftarrow (u + \eta\operatorname{grad}T)/|\cdot|$ from many starts.

    Stops when every run has $|\operatorname{grad}T| <$ ``tol`` or after ``max_steps`` steps.
    (The curvature is at most $12\max_i|a_i|^4$, so $\eta = 0.2$ is stable for unit components
    up to a few overlapping ones; for correlated components use a smaller step.)
    """
    fn = "decomposition_ascent"
    A, u = _check(A, u0, fn)
    check_positive(step, fn=fn, arg="step")
    check_positive(max_steps, fn=fn, arg="max_steps", integer=True)
    check_positive(tol, fn=fn, arg="tol")
    steps = 0
    grad = _gradient(A, u)
    while steps < max_steps and float(grad.norm(dim=-1).max()) >= tol:
        u = u + step * grad
        u = u / u.norm(dim=-1, keepdim=True)
        grad = _gradient(A, u)
        steps += 1
    return DecompositionAscent(u=u, value=((u @ A.T) ** 4).sum(-1), grad_norm=grad.norm(dim=-1), steps=steps)


def distance_to_components(A: Tensor, u: Tensor) -> Tensor:
    r"""$\min_i\min(|u - a_i|, |u + a_i|)$ for each point (components normalised to unit length)."""
    A = check_tensor(A, fn="distance_to_components", arg="A")
    unit = A / A.norm(dim=-1, keepdim=True)
    signs = torch.where(u @ unit.T >= 0, 1.0, -1.0).to(u.dtype)  # the nearer of +a_i and -a_i
    return (u[..., None, :] - signs[..., None] * unit).norm(dim=-1).min(-1).values
