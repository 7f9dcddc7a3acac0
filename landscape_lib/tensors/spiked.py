r"""The spiked tensor model (tensor PCA) for k = 3: power iteration and gradient ascent on the sphere.

An unknown unit vector $v\in\mathbb R^N$ is observed through the noisy symmetric tensor

$$Y = \lambda\,v^{\otimes 3} + \frac{W}{\sqrt N},$$

with $W$ the symmetrised i.i.d. Gaussian couplings of lecture 01
(:func:`landscape_lib.spin_glass.sample_couplings`).  The maximum-likelihood estimate maximises, on
the **unit** sphere $|x| = 1$,

$$f(x) = Y(x,x,x) = \lambda\langle v,x\rangle^3 + \frac{W(x,x,x)}{\sqrt N}
       = \lambda\langle v,x\rangle^3 + E(\sqrt N\,x),$$

where $E = H/N$ is the 3-spin energy per spin of lecture 01 (Auffinger-Ben Arous-Černý units):
with $\lambda = 0$ the landscape *is* the 3-spin model (maximising $f$ = minimising the energy of
$-W$).  Derivatives on the unit sphere, with $P_x = I - xx^\top$ and $Y(\cdot,x,x)$ the vector
$\sum_{jk} Y_{ijk}x_jx_k$ (``field``):

* $\operatorname{grad} f = 3P_x\,Y(\cdot,x,x)$;
* $\operatorname{Hess} f = P_x\big(6\,Y(\cdot,\cdot,x) - 3f(x)\,I\big)P_x$.

Thresholds (Richard & Montanari 2014; Ben Arous, Gheissari & Jagannath 2020): the signal is
information-theoretically detectable at $\lambda = O(1)$, but power iteration and gradient ascent
from a random start need $\lambda \gtrsim \sqrt N$ (up to logarithms) -- the experiments of
lecture 07 collapse on $\lambda/\sqrt N$.  Landscape (Ben Arous, Mei, Montanari & Nica 2019):
for $\lambda$ above a constant, critical points lie near $v$ or in an equatorial band
$|\langle v,x\rangle| = O(\lambda^{-1/(k-1)})$ (local maxima: $O(\lambda^{-1/(k-2)})$).

Shapes: ``W`` is ``(N, N, N)`` (one noise tensor), ``v`` is ``(N,)``, points ``x`` are
``(..., N)`` and ``lam`` is a number or a tensor broadcastable to ``x.shape[:-1]`` (so one
contraction of ``W`` serves many values of $\lambda$ and many starts at once).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch
from torch import Tensor

from ..validation import check_finite, check_positive, check_tensor, describe, reported_as
from ..spin_glass import sample_couplings
from ._sphere import check_unit_sphere


@dataclass(frozen=True)
class SpikedTensor:
    """One instance: symmetric noise ``W`` of shape (N, N, N) and the unit spike ``v`` of shape (N,)."""

    W: Tensor
    v: Tensor

    @property
    def N(self) -> int:
        return self.v.shape[0]

    def dense(self, lam: float) -> Tensor:
        r"""The full tensor $Y = \lambda v^{\otimes 3} + W/\sqrt N$ (N^3 numbers; for tests and small N)."""
        v = self.v
        return lam * v[:, None, None] * v[None, :, None] * v[None, None, :] + self.W / math.sqrt(self.N)


def sample_spiked_tensor(
    N: int, *, generator: torch.Generator | None = None, dtype: torch.dtype = torch.float64
) -> SpikedTensor:
    """A spike ``v`` uniform on the unit sphere and noise ``W`` = lecture 01's couplings (p = 3).

    The signal strength $\\lambda$ is not stored: every function takes it as an argument, so one
    noise tensor serves a whole sweep over $\\lambda$.
    """
    with reported_as("sample_spiked_tensor", "sample_couplings"):
        W = sample_couplings(N, 3, generator=generator, dtype=dtype)
    v = torch.randn(N, generator=generator, dtype=dtype)
    return SpikedTensor(W=W, v=v / v.norm())


def _check(model: object, x: object, lam: object, fn: str) -> tuple[Tensor, Tensor, Tensor, Tensor]:
    if not isinstance(model, SpikedTensor):
        raise TypeError(f"{fn}: argument `model` must be a SpikedTensor (see sample_spiked_tensor), got {describe(model)}")
    x = check_tensor(x, fn=fn, arg="x")
    N = model.N
    if model.W.shape != (N, N, N):
        raise ValueError(f"{fn}: `model.W` must have shape (N, N, N) = {(N, N, N)}, got {tuple(model.W.shape)}")
    if x.ndim < 1 or x.shape[-1] != N or x.dtype != model.W.dtype:
        raise ValueError(f"{fn}: argument `x` must have shape (..., N) with N = {N} and dtype {model.W.dtype}, "
                         f"got {describe(x)}")
    check_unit_sphere(x, fn=fn, arg="x")
    lam_t = torch.as_tensor(lam, dtype=x.dtype)
    check_finite(lam_t, fn=fn, arg="lam")
    try:
        torch.broadcast_shapes(lam_t.shape, x.shape[:-1])
    except RuntimeError:
        raise ValueError(f"{fn}: argument `lam` of shape {tuple(lam_t.shape)} does not broadcast to the "
                         f"points' batch shape {tuple(x.shape[:-1])}") from None
    return model.W, model.v, x, lam_t


def _noise_field(W: Tensor, x: Tensor) -> Tensor:
    r"""$W(\cdot,x,x)$ for points ``x`` of shape (..., N): one (N^2 x N) @ (N x M) matrix product."""
    N = x.shape[-1]
    cols = x.reshape(-1, N).T  # (N, M)
    t = (W.reshape(N * N, N) @ cols).reshape(N, N, -1)  # W(i, j, x_m)
    return (t * cols[None]).sum(1).T.reshape(x.shape)


def _field(W: Tensor, v: Tensor, lam: Tensor, x: Tensor) -> Tensor:
    m = x @ v
    return (lam * m**2)[..., None] * v + _noise_field(W, x) / math.sqrt(x.shape[-1])


def spiked_field(model: SpikedTensor, lam: float | Tensor, x: Tensor) -> Tensor:
    r"""$Y(\cdot,x,x) = \lambda\langle v,x\rangle^2 v + W(\cdot,x,x)/\sqrt N$, shape of ``x``."""
    W, v, x, lam = _check(model, x, lam, "spiked_field")
    return _field(W, v, lam, x)


def spiked_objective(model: SpikedTensor, lam: float | Tensor, x: Tensor) -> Tensor:
    r"""$f(x) = Y(x,x,x) = \lambda\langle v,x\rangle^3 + W(x,x,x)/\sqrt N$, shape ``x.shape[:-1]``."""
    W, v, x, lam = _check(model, x, lam, "spiked_objective")
    return (_field(W, v, lam, x) * x).sum(-1)


def spiked_riemannian_gradient(model: SpikedTensor, lam: float | Tensor, x: Tensor) -> Tensor:
    r"""$\operatorname{grad} f(x) = 3P_x Y(\cdot,x,x)$ on the unit sphere (tangent: orthogonal to x)."""
    W, v, x, lam = _check(model, x, lam, "spiked_riemannian_gradient")
    F = _field(W, v, lam, x)
    return 3 * (F - (F * x).sum(-1, keepdim=True) * x)


def spiked_riemannian_hessian(model: SpikedTensor, lam: float, x: Tensor) -> Tensor:
    r"""$\operatorname{Hess} f(x) = P_x(6Y(\cdot,\cdot,x) - 3f(x)I)P_x$: shape (N, N) or (S, N, N) for x (N,) or (S, N)."""
    W, v, x, lam_t = _check(model, x, lam, "spiked_riemannian_hessian")
    if x.ndim > 2 or lam_t.ndim > 0:
        raise ValueError("spiked_riemannian_hessian: `x` must be (N,) or (S, N) and `lam` a number, "
                         f"got x {tuple(x.shape)} and lam {tuple(lam_t.shape)}")
    pts = x.reshape(-1, x.shape[-1])
    N = pts.shape[-1]
    m = pts @ v
    mat = torch.einsum("ijk,sk->sij", W, pts) / math.sqrt(N) + lam_t * m[:, None, None] * torch.outer(v, v)
    f = torch.einsum("sij,si,sj->s", mat, pts, pts)
    eye = torch.eye(N, dtype=pts.dtype)
    proj = eye - pts[:, :, None] * pts[:, None, :]
    hess = proj @ (6 * mat - 3 * f[:, None, None] * eye) @ proj
    return hess.reshape(*x.shape[:-1], N, N)


@dataclass(frozen=True)
class AscentResult:
    """Endpoints of power iteration or gradient ascent (shapes follow the starts ``x0``).

    Attributes:
        x: final points on the unit sphere, shape of ``x0``.
        overlap: $\\langle v, x\\rangle$ at the end, shape ``x0.shape[:-1]``.
        value: $f(x)$ at the end.
        grad_norm: $|\\operatorname{grad} f(x)|$ at the end.
        overlap_history: $\\langle v,x\\rangle$ after every iteration, shape ``(T + 1,) + x0.shape[:-1]``.
    """

    x: Tensor
    overlap: Tensor
    value: Tensor
    grad_norm: Tensor
    overlap_history: Tensor


def _finish(W: Tensor, v: Tensor, lam: Tensor, x: Tensor, history: list[Tensor]) -> AscentResult:
    F = _field(W, v, lam, x)
    f = (F * x).sum(-1)
    grad = 3 * (F - f[..., None] * x)
    return AscentResult(x=x, overlap=x @ v, value=f, grad_norm=grad.norm(dim=-1), overlap_history=torch.stack(history))


def power_iteration(model: SpikedTensor, lam: float | Tensor, x0: Tensor, n_iter: int) -> AscentResult:
    r"""Tensor power iteration $x \leftarrow Y(\cdot,x,x)/|Y(\cdot,x,x)|$, all starts at once.

    Args:
        model: the instance (noise and spike).
        lam: signal strength $\lambda$, a number or a tensor broadcastable to ``x0.shape[:-1]``
            (e.g. shape (L, 1) with starts (L, S, N): L values of lambda, S starts each).
        x0: starting points on the unit sphere, shape (..., N).
        n_iter: number of iterations (the *budget*: success at fixed budget is what collapses on
            $\lambda/\sqrt N$).

    References:
        Richard & Montanari (2014), *A statistical model for tensor PCA*, NeurIPS.
    """
    fn = "power_iteration"
    W, v, x, lam = _check(model, x0, lam, fn)
    check_positive(n_iter, fn=fn, arg="n_iter", integer=True)
    history = [x @ v]
    for _ in range(n_iter):
        F = _field(W, v, lam, x)
        x = F / F.norm(dim=-1, keepdim=True)
        history.append(x @ v)
    return _finish(W, v, lam, x, history)


def projected_gradient_ascent(
    model: SpikedTensor,
    lam: float | Tensor,
    x0: Tensor,
    *,
    step: float = 0.1,
    max_steps: int = 1000,
) -> AscentResult:
    r"""Riemannian gradient ascent of $f$ on the unit sphere, $x \leftarrow (x + \eta\,\operatorname{grad}f)/|\cdot|$.

    Each run keeps its own step $\eta$: a step that would lower $f$ is refused and $\eta$ halved,
    an accepted step grows $\eta$ by 1.2 (up to ``step``).  Near $v$ the curvature is about
    $3\lambda$, near the equator it is of order one, so no single step size suits both; with
    this safeguard every run ascends monotonically to a local maximum.  (In float32 the ascent
    stalls once the gain $\eta|\operatorname{grad}f|^2$ falls below the rounding of $f$: near $v$
    at large $\lambda$ that leaves $|\operatorname{grad}f|$ of order $10^{-3}\lambda$.)

    Args:
        model, lam, x0: as in :func:`power_iteration`.
        step: largest step $\eta$.
        max_steps: number of iterations.
    """
    fn = "projected_gradient_ascent"
    W, v, x, lam = _check(model, x0, lam, fn)
    check_positive(step, fn=fn, arg="step")
    check_positive(max_steps, fn=fn, arg="max_steps", integer=True)
    eta = torch.full(x.shape[:-1], float(step), dtype=x.dtype)
    F = _field(W, v, lam, x)
    f = (F * x).sum(-1)
    history = [x @ v]
    for _ in range(max_steps):
        grad = 3 * (F - f[..., None] * x)
        y = x + eta[..., None] * grad
        y = y / y.norm(dim=-1, keepdim=True)
        Fy = _field(W, v, lam, y)
        fy = (Fy * y).sum(-1)
        ok = fy >= f
        x = torch.where(ok[..., None], y, x)
        F = torch.where(ok[..., None], Fy, F)
        f = torch.where(ok, fy, f)
        eta = torch.where(ok, (1.2 * eta).clamp(max=step), 0.5 * eta)
        history.append(x @ v)
    return _finish(W, v, lam, x, history)


def success_rate(overlaps: Tensor, threshold: float = 0.9) -> Tensor:
    r"""Fraction of runs with $|\langle v,x\rangle| >$ ``threshold``, averaged over the last axis."""
    overlaps = check_tensor(overlaps, fn="success_rate", arg="overlaps")
    if not 0 < threshold < 1:
        raise ValueError(f"success_rate: argument `threshold` must be in (0, 1), got {threshold!r}")
    return (overlaps.abs() > threshold).to(torch.float64).mean(-1)
