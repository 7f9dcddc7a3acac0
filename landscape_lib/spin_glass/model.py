r"""The spherical pure p-spin model: energy, Riemannian gradient and Riemannian Hessian.

Configurations live on the sphere $S_N = \{\sigma\in\mathbb{R}^N : |\sigma|^2 = N\}$ and the
Hamiltonian is the random homogeneous polynomial (Auffinger, Ben Arous & Černý 2013)

$$H(\sigma) = N^{-(p-1)/2} \sum_{i_1,\dots,i_p=1}^N J_{i_1\dots i_p}\,\sigma_{i_1}\cdots\sigma_{i_p},
\qquad J_{i_1\dots i_p}\ \text{i.i.d.}\ \mathcal N(0, 1),$$

so that $\mathbb E[H(\sigma)H(\sigma')] = N\,q^p$ with the overlap $q = \sigma\cdot\sigma'/N$.  The
*energy per spin* is $E(\sigma) = H(\sigma)/N$; it is of order one.

We store $J$ **symmetrised** (averaged over the $p!$ permutations of its indices).  That leaves
$H$ unchanged and makes the derivatives one contraction each:

$$\nabla H(\sigma) = p\,N^{-(p-1)/2}\,J(\sigma,\dots,\sigma,\cdot),\qquad
\nabla^2 H(\sigma) = p(p-1)\,N^{-(p-1)/2}\,J(\sigma,\dots,\sigma,\cdot,\cdot).$$

On the sphere only tangent directions count.  With the projection $P_\sigma = I - \sigma\sigma^T/N$,

* Riemannian gradient: $\operatorname{grad} H = P_\sigma \nabla H$;
* Riemannian Hessian: $\operatorname{Hess} H = P_\sigma\big(\nabla^2 H - \tfrac{\sigma\cdot\nabla H}{N} I\big)P_\sigma
  = P_\sigma(\nabla^2 H - p\,E(\sigma)\,I)P_\sigma$ (Euler: $\sigma\cdot\nabla H = pH$).

Shapes.  One instance: ``J`` of shape ``(N,)*p`` and ``sigma`` of shape ``(N,)`` or ``(S, N)``
(S points at once).  B instances at once: ``J`` of shape ``(B,) + (N,)*p`` and ``sigma`` of shape
``(B, S, N)``.  Energies have shape ``sigma.shape[:-1]``.
"""

from __future__ import annotations

import itertools
import math

import torch
from torch import Tensor

from ..validation import (check_finite, check_float_dtype, check_int, check_memory, check_tensor,
                          describe, reported_as)
from ..threads import torch_threads


# -- input checks ----------------------------------------------------------------------------
def _check_p_N(N: object, p: object, fn: str) -> tuple[int, int]:
    for name, value, low in (("N", N, 2), ("p", p, 2)):
        if isinstance(value, bool) or not isinstance(value, int):
            raise TypeError(f"{fn}: argument `{name}` must be an integer, got {describe(value)}")
        if value < low:
            raise ValueError(f"{fn}: argument `{name}` must be an integer >= {low}, got {value}")
    return N, p  # type: ignore[return-value]


def _check_model(J: object, sigma: object, fn: str, *, check_symmetry: bool = True,
                 sigma_arg: str = "sigma") -> tuple[Tensor, Tensor, int]:
    """Validate ``(J, sigma)``; return them and p (see the module docstring for the shapes).

    ``sigma_arg`` is the name the calling function gives ``sigma`` (e.g. ``sigma0``).
    """
    J = check_tensor(J, fn=fn, arg="J")
    sigma = check_tensor(sigma, fn=fn, arg=sigma_arg)
    if not J.is_floating_point():
        raise TypeError(f"{fn}: argument `J` must be a floating tensor, got {describe(J)}")
    if not sigma.is_floating_point() or sigma.ndim not in (1, 2, 3):
        raise ValueError(
            f"{fn}: argument `{sigma_arg}` must be a floating tensor of shape (N,), (S, N) or (B, S, N), "
            f"got {describe(sigma)}"
        )
    batched = sigma.ndim == 3
    p = J.ndim - 1 if batched else J.ndim
    N = sigma.shape[-1]
    want = ((sigma.shape[0],) if batched else ()) + (N,) * max(p, 0)
    if p < 2 or tuple(J.shape) != want:
        layout = "(B,) + (N,)*p with B = sigma.shape[0]" if batched else "(N,)*p with p >= 2"
        raise ValueError(
            f"{fn}: argument `J` must have shape {layout} and N = sigma.shape[-1] = {N}, "
            f"got J of shape {tuple(J.shape)} and sigma of shape {tuple(sigma.shape)}"
        )
    if J.dtype != sigma.dtype:
        raise TypeError(f"{fn}: `J` and `{sigma_arg}` must share a dtype, got {J.dtype} and {sigma.dtype}")
    check_finite(sigma, fn=fn, arg=sigma_arg)
    # NaN or infinite couplings would give NaN energies (and pass the symmetry test, NaN > tol being False).
    check_finite(J, fn=fn, arg="J")
    norm2 = (sigma**2).sum(-1)
    rtol = max(1e-6, 1000 * torch.finfo(sigma.dtype).eps)  # float32 runs: 1.2e-4
    if not bool(torch.allclose(norm2, torch.full_like(norm2, float(N)), rtol=rtol, atol=0.0)):
        worst = float(norm2.flatten()[(norm2 - N).abs().flatten().argmax()])
        raise ValueError(
            f"{fn}: argument `{sigma_arg}` must lie on the sphere |sigma|^2 = N = {N}, got |sigma|^2 = {worst:.6g} "
            "(use landscape_lib.spin_glass.project_to_sphere)"
        )
    if check_symmetry and not is_symmetric(J, p):
        raise ValueError(
            f"{fn}: argument `J` must be symmetric under permutations of its {p} indices "
            "(use sample_couplings, or symmetrize(J) -- it leaves H unchanged)"
        )
    return J, sigma, p


def is_symmetric(J: Tensor, p: int, *, rtol: float | None = None) -> bool:
    """Whether the last ``p`` axes of ``J`` are symmetric (a transposition and a p-cycle generate S_p)."""
    if rtol is None:
        rtol = 100 * torch.finfo(J.dtype).eps if J.is_floating_point() else 0.0
    scale = float(J.abs().max()) if J.numel() else 0.0
    tol = rtol * max(scale, 1.0)
    swap = J.transpose(-1, -2)
    cycle = J.movedim(-1, J.ndim - p)
    return bool((J - swap).abs().max() <= tol) and bool((J - cycle).abs().max() <= tol)


# -- sampling -----------------------------------------------------------------------------------
def symmetrize(J: Tensor, p: int | None = None) -> Tensor:
    r"""Average the last ``p`` axes of ``J`` over all $p!$ permutations (H is unchanged).

    Args:
        J: couplings of shape ``(*batch, N, ..., N)``.
        p: number of index axes (default ``J.ndim``, i.e. one instance).
    """
    fn = "symmetrize"
    J = check_tensor(J, fn=fn, arg="J")
    if not J.is_floating_point():
        raise TypeError(f"{fn}: argument `J` must be a floating tensor, got {describe(J)}")
    p = J.ndim if p is None else p
    if isinstance(p, bool) or not isinstance(p, int) or not 1 <= p <= J.ndim:
        raise ValueError(f"symmetrize: argument `p` must be an integer between 1 and J.ndim = {J.ndim}, got {p!r}")
    if len(set(J.shape[J.ndim - p:])) > 1:
        raise ValueError(f"symmetrize: the last {p} axes of argument `J` must have one length N, got shape {tuple(J.shape)}")
    check_memory(_symmetrize_numbers(J.numel(), p), fn=fn, what=f"symmetrising argument `J` of shape {tuple(J.shape)}",
                 fix="use a smaller N or p", itemsize=J.element_size())
    check_finite(J, fn=fn, arg="J")
    return _symmetrize(J, p)


#: Above this order, symmetrise by averaging over index classes instead of enumerating the p! permutations.
ENUMERATE_UP_TO = 6


def _symmetrize_numbers(numel: int, p: int) -> int:
    """Numbers held at once while symmetrising ``numel`` couplings of order p (J, the sum, a temporary;
    plus p indices per entry above :data:`ENUMERATE_UP_TO`)."""
    return numel * (3 if p <= ENUMERATE_UP_TO else p + 4)


def _symmetrize(J: Tensor, p: int) -> Tensor:
    lead = J.ndim - p
    if p > ENUMERATE_UP_TO:
        return _symmetrize_by_classes(J, p)
    out = torch.zeros_like(J)
    for perm in itertools.permutations(range(p)):
        out += J.permute(*range(lead), *(lead + i for i in perm))
    return out / math.factorial(p)


def _symmetrize_by_classes(J: Tensor, p: int) -> Tensor:
    r"""The average over all p! permutations, without enumerating them.

    The orbit of a multi-index $(i_1,\dots,i_p)$ under $S_p$ is the set of its rearrangements, and
    each rearrangement is hit by the same number of permutations, so the permutation average of
    $J$ at an index is the plain mean of $J$ over the index's class (its sorted tuple): one pass of
    ``index_add`` over the $N^p$ entries instead of $p!$ passes.
    """
    N = J.shape[-1]
    lead = J.shape[: J.ndim - p]
    flat = J.reshape(-1, N**p)
    axes = torch.arange(N, device=J.device)
    idx = torch.stack(torch.meshgrid(*[axes] * p, indexing="ij"), dim=-1).reshape(-1, p)
    powers = N ** torch.arange(p - 1, -1, -1, device=J.device)
    code = (idx.sort(dim=1).values * powers).sum(dim=1)  # the flat index of the sorted tuple
    del idx
    sums = torch.zeros_like(flat).index_add_(1, code, flat)
    counts = torch.zeros(N**p, dtype=J.dtype, device=J.device).index_add_(0, code, torch.ones_like(flat[0]))
    return (sums[:, code] / counts[code]).reshape(*lead, *(N,) * p)


def sample_couplings(
    N: int,
    p: int,
    *,
    n_instances: int | None = None,
    generator: torch.Generator | None = None,
    dtype: torch.dtype = torch.float64,
) -> Tensor:
    r"""Random couplings $J$ (i.i.d. standard Gaussian, then symmetrised).

    Args:
        N: number of spins (>= 2).
        p: order of the interaction (>= 2).
        n_instances: if given, B independent instances stacked on a leading axis.
        generator: random generator (seeded runs repeat exactly).
        dtype: floating dtype (float64 by default: descent is run to gradients of 1e-7).

    Returns:
        ``J`` of shape ``(N,)*p``, or ``(n_instances,) + (N,)*p``.
    """
    fn = "sample_couplings"
    N, p = _check_p_N(N, p, fn)
    check_float_dtype(dtype, fn=fn)
    if generator is not None and not isinstance(generator, torch.Generator):
        raise TypeError(f"{fn}: argument `generator` must be a torch.Generator or None, got {describe(generator)}")
    if n_instances is not None and (isinstance(n_instances, bool) or not isinstance(n_instances, int) or n_instances < 1):
        raise ValueError(f"sample_couplings: argument `n_instances` must be None or an integer >= 1, got {n_instances!r}")
    itemsize = torch.finfo(dtype).bits // 8
    # Refused before allocating: N^p couplings per instance (Python ints: no overflow), the
    # symmetrisation's working set for one instance, and the stacked result.
    arg = "N" if p <= 4 else "p"
    check_memory(_symmetrize_numbers(N**p, p) + (n_instances or 0) * N**p, fn=fn,
                 what=f"{n_instances or 1} instance(s) of N^p = {N}^{p} = {N**p:,} couplings "
                 f"(arguments `{arg}`, `n_instances`)",
                 fix="use a smaller N or p (the course uses N <= 200 for p = 3)", itemsize=itemsize)
    if n_instances is None:
        return _symmetrize(torch.randn((N,) * p, generator=generator, dtype=dtype), p)
    # One instance at a time keeps the temporary of the symmetrisation small.
    return torch.stack(
        [_symmetrize(torch.randn((N,) * p, generator=generator, dtype=dtype), p) for _ in range(n_instances)]
    )


def project_to_sphere(x: Tensor) -> Tensor:
    r"""The retraction $x \mapsto \sqrt N\, x/|x|$ onto the sphere $|\sigma|^2 = N$ (last axis)."""
    fn = "project_to_sphere"
    x = check_tensor(x, fn=fn, arg="x")
    if not x.is_floating_point() or x.ndim == 0:
        raise TypeError(f"{fn}: argument `x` must be a floating tensor with the N coordinates on its last axis, "
                        f"got {describe(x)}")
    check_finite(x, fn=fn, arg="x")
    if bool((x.norm(dim=-1) == 0).any()):
        raise ValueError(f"{fn}: argument `x` has a zero vector (it has no direction to project); "
                         "start from a random point, e.g. random_sphere_points")
    return _retract(x)


def _retract(x: Tensor) -> Tensor:
    return x * (math.sqrt(x.shape[-1]) / x.norm(dim=-1, keepdim=True))


def random_sphere_points(
    N: int,
    shape: tuple[int, ...] = (),
    *,
    generator: torch.Generator | None = None,
    dtype: torch.dtype = torch.float64,
) -> Tensor:
    """Points uniform on the sphere |sigma|^2 = N, of shape ``shape + (N,)`` (normalised Gaussians)."""
    fn = "random_sphere_points"
    if isinstance(N, bool) or not isinstance(N, int) or N < 2:
        raise ValueError(f"random_sphere_points: argument `N` must be an integer >= 2, got {N!r}")
    if not isinstance(shape, (tuple, list)):
        raise TypeError(f"{fn}: argument `shape` must be a tuple of integers, got {describe(shape)}")
    total = N
    for size in shape:
        total *= check_int(size, fn=fn, arg="shape", minimum=0)
    check_float_dtype(dtype, fn=fn)
    check_memory(2 * total, fn=fn, what=f"{total:,} coordinates (argument `shape` = {tuple(shape)}, N = {N})",
                 fix="ask for fewer points", itemsize=torch.finfo(dtype).bits // 8)
    return _retract(torch.randn(*shape, N, generator=generator, dtype=dtype))


def great_circle(sigma_a: Tensor, sigma_b: Tensor, angles: Tensor) -> Tensor:
    r"""Points $\sqrt N(\cos\theta\,a + \sin\theta\,b)$ on the great circle through ``sigma_a``.

    ``b`` is the unit vector of ``sigma_b`` orthogonalised against ``a = sigma_a/|sigma_a|``.
    Returns shape ``(len(angles), N)``.
    """
    fn = "great_circle"
    a = check_tensor(sigma_a, fn=fn, arg="sigma_a")
    b = check_tensor(sigma_b, fn=fn, arg="sigma_b")
    if a.ndim != 1 or b.shape != a.shape:
        raise ValueError(f"{fn}: arguments `sigma_a` and `sigma_b` must both have shape (N,), "
                         f"got {tuple(a.shape)} and {tuple(b.shape)}")
    check_finite(a, fn=fn, arg="sigma_a")
    check_finite(b, fn=fn, arg="sigma_b")
    angles = check_finite(check_tensor(angles, fn=fn, arg="angles"), fn=fn, arg="angles")
    if angles.ndim != 1:
        raise ValueError(f"{fn}: argument `angles` must be 1-D, got shape {tuple(angles.shape)}")
    if float(a.norm()) == 0:
        raise ValueError(f"{fn}: argument `sigma_a` is the zero vector")
    a = a / a.norm()
    b = b - (b @ a) * a
    if float(b.norm()) <= 1e-12 * float(sigma_b.norm()):
        raise ValueError(f"{fn}: argument `sigma_b` is parallel to `sigma_a`: they span no great circle")
    b = b / b.norm()
    angles = angles.to(a.dtype)
    return math.sqrt(a.shape[0]) * (torch.cos(angles)[:, None] * a + torch.sin(angles)[:, None] * b)


# -- contractions (unchecked; shapes as in the module docstring) ---------------------------------
def _contract(J: Tensor, sigma: Tensor, times: int) -> Tensor:
    r"""$J(\sigma,\dots,\sigma,\cdot)$ with ``times`` copies of sigma on the last axes of J.

    ``sigma`` is (S, N) for one instance or (B, S, N) for B; returns ``(*b, S) + (N,)*(p - times)``.
    The first contraction is one matrix product (N^p S multiply-adds: the cost of everything).
    """
    N, S = sigma.shape[-1], sigma.shape[-2]
    lead = sigma.shape[:-2]
    p = J.ndim - len(lead)
    if times == 0:  # nothing to contract (the Hessian of a p = 2 model): J itself, per point
        return J.unsqueeze(len(lead)).expand(*lead, S, *((N,) * p))
    cols = sigma.transpose(-1, -2)  # (*b, N, S)
    out = J.reshape(*lead, -1, N) @ cols  # (*b, N^(p-1), S)
    for _ in range(times - 1):
        out = (out.reshape(*lead, -1, N, S) * cols.unsqueeze(-3)).sum(-2)  # (*b, N^(p-k), S)
    out = out.transpose(-1, -2)  # (*b, S, N^(p-times))
    return out.reshape(*lead, S, *((N,) * (p - times)))


def _as_points(sigma: Tensor) -> tuple[Tensor, bool]:
    """View a single point (N,) as a batch (1, N); remember to squeeze back."""
    return (sigma[None], True) if sigma.ndim == 1 else (sigma, False)


def _field_and_energy(J: Tensor, sigma: Tensor, p: int) -> tuple[Tensor, Tensor]:
    r"""$(\nabla H, E)$ for sigma of shape (S, N) or (B, S, N), from one contraction."""
    N = sigma.shape[-1]
    scale = N ** (-(p - 1) / 2)
    c = _contract(J, sigma, p - 1)  # J(sigma, ..., sigma, .)
    hamiltonian = scale * (c * sigma).sum(-1)
    return p * scale * c, hamiltonian / N


def _tangent(sigma: Tensor, v: Tensor) -> Tensor:
    r"""$P_\sigma v = v - \sigma(\sigma\cdot v)/N$."""
    N = sigma.shape[-1]
    return v - sigma * ((sigma * v).sum(-1, keepdim=True) / N)


# -- public model functions ---------------------------------------------------------------------
def pspin_hamiltonian(J: Tensor, sigma: Tensor) -> Tensor:
    r"""$H(\sigma) = N^{-(p-1)/2}\sum J_{i_1\dots i_p}\sigma_{i_1}\cdots\sigma_{i_p}$ (ABC 2013, eq. 1.1).

    Args:
        J: symmetric couplings, ``(N,)*p`` (or ``(B,)+(N,)*p`` with sigma ``(B, S, N)``).
        sigma: point(s) on the sphere |sigma|^2 = N, shape (N,), (S, N) or (B, S, N).

    Returns:
        H, of shape ``sigma.shape[:-1]``; it is of order N.
    """
    J, sigma, p = _check_model(J, sigma, "pspin_hamiltonian", check_symmetry=False)
    return pspin_energy_unchecked(J, sigma, p) * sigma.shape[-1]


def pspin_energy(J: Tensor, sigma: Tensor) -> Tensor:
    r"""Energy per spin $E(\sigma) = H(\sigma)/N$ (order one; its minimum tends to $-E_0(p)$).

    Same arguments as :func:`pspin_hamiltonian`; J need not be symmetric for the energy.
    """
    J, sigma, p = _check_model(J, sigma, "pspin_energy", check_symmetry=False)
    return pspin_energy_unchecked(J, sigma, p)


def pspin_energy_unchecked(J: Tensor, sigma: Tensor, p: int) -> Tensor:
    """:func:`pspin_energy` without input checks (for inner loops and autograd)."""
    pts, single = _as_points(sigma)
    N = pts.shape[-1]
    energy = N ** (-(p - 1) / 2) * _contract(J, pts, p) / N  # (..., S)
    return energy[0] if single else energy


def euclidean_gradient(J: Tensor, sigma: Tensor) -> Tensor:
    r"""$\nabla H(\sigma) = p\,N^{-(p-1)/2} J(\sigma,\dots,\sigma,\cdot)$, same shape as sigma (J symmetric)."""
    J, sigma, p = _check_model(J, sigma, "euclidean_gradient")
    pts, single = _as_points(sigma)
    g = _field_and_energy(J, pts, p)[0]
    return g[0] if single else g


def riemannian_gradient(J: Tensor, sigma: Tensor) -> Tensor:
    r"""$\operatorname{grad} H(\sigma) = P_\sigma\nabla H(\sigma)$, tangent to the sphere (orthogonal to sigma).

    Args and shapes as in :func:`pspin_hamiltonian` (J must be symmetric).
    """
    J, sigma, p = _check_model(J, sigma, "riemannian_gradient")
    pts, single = _as_points(sigma)
    g = _tangent(pts, _field_and_energy(J, pts, p)[0])
    return g[0] if single else g


def riemannian_hessian(J: Tensor, sigma: Tensor) -> Tensor:
    r"""$\operatorname{Hess} H(\sigma) = P_\sigma\big(\nabla^2H(\sigma) - p\,E(\sigma)\,I\big)P_\sigma$.

    An N x N matrix (S x N x N for S points) acting on the tangent space; sigma itself is in its
    kernel.  Its eigenvalues on the tangent space are those of a GOE-like matrix with semicircle
    radius $2\sqrt{p(p-1)}$, shifted by $-pE$ (ABC 2013, §3): see :func:`tangent_hessian_eigenvalues`.

    Args:
        J: symmetric couplings ``(N,)*p`` (one instance).
        sigma: (N,) or (S, N) on the sphere.
    """
    fn = "riemannian_hessian"
    J, sigma, p = _check_model(J, sigma, fn)
    if sigma.ndim == 3:
        raise ValueError(f"{fn}: argument `sigma` must have shape (N,) or (S, N) (one instance), got {tuple(sigma.shape)}")
    pts, single = _as_points(sigma)
    N = pts.shape[-1]
    euclid = p * (p - 1) * N ** (-(p - 1) / 2) * _contract(J, pts, p - 2)  # (S, N, N)
    energy = pspin_energy_unchecked(J, pts, p)
    proj = torch.eye(N, dtype=pts.dtype) - pts[:, :, None] * pts[:, None, :] / N  # (S, N, N)
    shifted = euclid - p * energy[:, None, None] * torch.eye(N, dtype=pts.dtype)
    hess = proj @ shifted @ proj
    return hess[0] if single else hess


def tangent_basis(sigma: Tensor) -> Tensor:
    """An orthonormal basis of the tangent space {v : v . sigma = 0}: shape (N, N-1), or (S, N, N-1)."""
    sigma = check_tensor(sigma, fn="tangent_basis", arg="sigma")
    if not sigma.is_floating_point() or sigma.ndim not in (1, 2) or sigma.shape[-1] < 2:
        raise ValueError(f"tangent_basis: argument `sigma` must be a floating tensor of shape (N,) or (S, N), "
                         f"N >= 2, got {describe(sigma)}")
    check_finite(sigma, fn="tangent_basis", arg="sigma")
    pts, single = _as_points(sigma)
    N = pts.shape[-1]
    eye = torch.eye(N, dtype=pts.dtype).expand(pts.shape[0], N, N)
    q = torch.linalg.qr(torch.cat([pts[:, :, None], eye], dim=-1)).Q  # first column spans sigma
    basis = q[:, :, 1:N]
    return basis[0] if single else basis


def tangent_hessian_eigenvalues(J: Tensor, sigma: Tensor) -> Tensor:
    r"""The N - 1 eigenvalues of the Riemannian Hessian on the tangent space, ascending.

    A critical point is a local minimum iff they are all > 0; its *index* is the number of
    negative ones.  Shape (N-1,) or (S, N-1).  (sigma is an eigenvector of the N x N matrix
    :func:`riemannian_hessian` with eigenvalue 0; adding $c\,\sigma\sigma^T/N$ with c above the
    spectral norm moves it to the top, where it is dropped -- no basis of the tangent space needed.)
    """
    with torch_threads(1):  # many small matrix products: one thread (see torch_threads)
        with reported_as("tangent_hessian_eigenvalues", "riemannian_hessian"):
            hess = riemannian_hessian(J, sigma)
        pts, single = _as_points(sigma)
        N = pts.shape[-1]
        big = 1.0 + 2.0 * torch.linalg.matrix_norm(hess.reshape(-1, N, N)).amax()  # Frobenius >= spectral norm
        lifted = hess + big * (pts[:, :, None] * pts[:, None, :] / N).reshape(hess.shape)
        eig = torch.linalg.eigvalsh(lifted)
    return eig[..., :-1]


def semicircle_radius(p: int) -> float:
    r"""$2\sqrt{p(p-1)}$: radius of the semicircle of the Hessian's random part $M$ (ABC 2013)."""
    _check_p_N(2, p, "semicircle_radius")
    return 2.0 * math.sqrt(p * (p - 1))


def semicircle_mass_below(x: float, radius: float) -> float:
    r"""Mass of Wigner's semicircle on $[-R, R]$ below ``x``: $\tfrac12 + (u\sqrt{1-u^2} + \arcsin u)/\pi$, $u = x/R$.

    The finite-N picture of lecture 01: at energy E the tangent Hessian is the semicircle of radius
    $R = 2\sqrt{p(p-1)}$ shifted by $-pE$, so ``(N - 1) * semicircle_mass_below(p * E, R)`` is the
    mean number of negative directions of a critical point at E (0.56 at E = -1.56, p = 3, N = 100).

    Args:
        x: the point (any real; clipped to the support).
        radius: R > 0.
    """
    fn = "semicircle_mass_below"
    for arg, value in (("x", x), ("radius", radius)):
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
            raise TypeError(f"{fn}: argument `{arg}` must be a finite number, got {describe(value)}")
    if radius <= 0:
        raise ValueError(f"{fn}: argument `radius` must be > 0, got {radius}")
    u = min(1.0, max(-1.0, x / radius))
    return 0.5 + (u * math.sqrt(1 - u * u) + math.asin(u)) / math.pi
