r"""Curvature operators: matrix-free products $v\mapsto Av$ with a symmetric P x P matrix $A$.

Every algorithm of :mod:`landscape_lib.curvature` (power iteration, Lanczos, stochastic Lanczos
quadrature, Hutchinson) touches the matrix only through products, so the same code runs on

* :class:`HessianOperator` -- $\nabla^2F(\theta)\,v$ of a landscape at one point, by double
  backpropagation (Pearlmutter 1994), **summed over minibatches of the data**;
* :class:`GaussNewtonOperator` -- the generalised Gauss-Newton matrix
  $G=\sum_i J_i^\top\,\nabla^2_{z}\ell(z_i,y_i)\,J_i$ of a network (for the softmax
  cross-entropy $\nabla^2_z\ell = \tfrac1n(\operatorname{diag}p-pp^\top)$; Schraudolph 2002;
  Papyan 2019 splits the Hessian as $H = G + $ a residual term that vanishes at zero loss);
* :class:`MatrixOperator` -- a dense symmetric matrix (tests, small problems);
* :class:`FunctionOperator` -- any callable ``v -> A v`` (its symmetry is checked on random
  probes before an algorithm trusts it, see :func:`check_symmetric`).

The Hessian of a mean loss $F=\frac1n\sum_i\ell_i$ over data split into minibatches $B_c$ is
$\sum_c \frac{|B_c|}{n}\nabla^2F_{B_c}$ (each $F_{B_c}$ is the mean over its batch); the graph of
every minibatch gradient is built once and kept, so each product costs one backward pass per
minibatch -- the same work as PyHessian's ``retain_graph`` products (Yao et al. 2020).
"""

from __future__ import annotations

import math
from collections.abc import Callable

import torch
from torch import Tensor
from torch.func import functional_call

from ..validation import check_finite, check_tensor, describe
from ..landscape import Landscape, ModuleLandscape


class CurvatureOperator:
    """A symmetric linear operator on $\\mathbb{R}^P$ known through its products.

    Attributes:
        dim: P.
        dtype, device: of the vectors it acts on.
        symmetric_by_construction: True for Hessians, Gauss-Newton and checked matrices; the
            algorithms probe the symmetry of the others (:func:`check_symmetric`).
        name: a short name for messages.
    """

    dim: int
    dtype: torch.dtype
    device: torch.device
    symmetric_by_construction: bool = True
    name: str = "A"

    def matvec(self, v: Tensor) -> Tensor:
        """$Av$ for one vector of shape (P,)."""
        raise NotImplementedError

    def matmat(self, V: Tensor) -> Tensor:
        """$AV^\\top$ row by row: ``V`` of shape (m, P) -> (m, P).

        (A loop: for the small networks of the course, ``autograd.grad(..., is_grads_batched=True)``
        measured 2.4x *slower* than one backward pass per vector.)
        """
        return torch.stack([self.matvec(v) for v in V]) if len(V) else V.clone()

    def __matmul__(self, v: Tensor) -> Tensor:
        return self.matvec(v) if v.ndim == 1 else self.matmat(v.T).T

    def __repr__(self) -> str:
        return f"{type(self).__name__}(name={self.name!r}, dim={self.dim}, dtype={self.dtype})"


def dense(op: CurvatureOperator, *, block: int = 256) -> Tensor:
    """The P x P matrix of ``op``, from P products in blocks (only for small P: tests, checks)."""
    eye = torch.eye(op.dim, dtype=op.dtype, device=op.device)
    return torch.cat([op.matmat(eye[i:i + block]) for i in range(0, op.dim, block)]).T.contiguous()


def _check_theta(landscape: Landscape, theta: object, fn: str) -> Tensor:
    theta = landscape.check(theta, fn=fn)
    if theta.ndim != 1:
        raise ValueError(f"{fn}: argument `theta` must be one point of shape (P,), got {tuple(theta.shape)}")
    return theta.detach()


def _batches(landscape: Landscape, batch_size: int | None, fn: str) -> list[tuple[float, Landscape]]:
    """``[(weight, landscape on one minibatch)]`` with weights |B_c|/n summing to 1."""
    if batch_size is None:
        return [(1.0, landscape)]
    if isinstance(batch_size, bool) or not isinstance(batch_size, int) or batch_size < 1:
        raise ValueError(f"{fn}: argument `batch_size` must be None or an integer >= 1, got {batch_size!r}")
    if not isinstance(landscape, ModuleLandscape):
        raise TypeError(f"{fn}: `batch_size` needs a ModuleLandscape (data to split), got {type(landscape).__name__}")
    n = len(landscape.inputs)
    return [(min(batch_size, n - s) / n, landscape.with_data(landscape.inputs[s:s + batch_size],
                                                             landscape.targets[s:s + batch_size]))
            for s in range(0, n, batch_size)]


def _check_loss(value: Tensor, fn: str, what: str) -> None:
    if not bool(torch.isfinite(value).all()):
        raise ValueError(
            f"{fn}: the loss at argument `theta` is {value.item() if value.numel() == 1 else value} ({what}); "
            "curvature is undefined there -- check the parameters and the data for NaN/inf or overflow")


class HessianOperator(CurvatureOperator):
    r"""$v\mapsto\nabla^2F(\theta)\,v$: exact Hessian-vector products by double backpropagation.

    Args:
        landscape: the loss F (for a :class:`ModuleLandscape` a mean over its data).
        theta: the point, shape (P,).
        batch_size: split the data into minibatches of this size and sum their weighted
            Hessians (``None``: all data at once).  Exact either way; smaller batches bound memory.

    Raises:
        ValueError: if the loss at ``theta`` is NaN or infinite.

    Reference: Pearlmutter (1994), "Fast exact multiplication by the Hessian".
    """

    def __init__(self, landscape: Landscape, theta: Tensor, *, batch_size: int | None = None) -> None:
        fn = "HessianOperator"
        if not isinstance(landscape, Landscape):
            raise TypeError(f"{fn}: argument `landscape` must be a Landscape, got {describe(landscape)}")
        theta = _check_theta(landscape, theta, fn)
        self.dim, self.dtype, self.device = landscape.dim, landscape.dtype, landscape.device
        self.name = f"Hessian of {landscape.name}"
        self.theta = theta.clone().requires_grad_(True)
        self.loss = torch.zeros((), dtype=self.dtype, device=self.device)
        self._grads: list[Tensor] = []
        for weight, part in _batches(landscape, batch_size, fn):
            # One graph per minibatch, kept: every product is then one backward pass through it.
            loss = weight * part.evaluate(self.theta)
            _check_loss(loss, fn, f"minibatch {len(self._grads)}")
            self.loss = self.loss + loss.detach()
            self._grads.append(torch.autograd.grad(loss, self.theta, create_graph=True)[0])
        self.gradient = sum(g.detach() for g in self._grads)

    def matvec(self, v: Tensor) -> Tensor:
        out = torch.zeros(self.dim, dtype=self.dtype, device=self.device)
        for g in self._grads:
            out += torch.autograd.grad(g, self.theta, v, retain_graph=True)[0]
        return out


class GaussNewtonOperator(CurvatureOperator):
    r"""$v\mapsto Gv$ with the generalised Gauss-Newton matrix $G=J^\top\,\nabla^2_z L\,J$.

    $J$ is the Jacobian of the network outputs $z=f_\theta(X)$ (all samples) and
    $\nabla^2_z L$ the Hessian of the loss with respect to the outputs; for the mean softmax
    cross-entropy it is block diagonal with blocks $\tfrac1n(\operatorname{diag}p_i-p_ip_i^\top)$.
    $G$ is positive semi-definite for any loss convex in the outputs; it is the part of the
    Hessian that carries the outliers (Papyan 2019).  One product = one forward-mode product $Jv$,
    one output-space Hessian product and one backward product $J^\top u$.

    Args:
        landscape: a :class:`ModuleLandscape` (model, data, loss).
        theta: the point, shape (P,).
        batch_size: minibatch size for the sum over the data (``None``: all at once).
    """

    def __init__(self, landscape: ModuleLandscape, theta: Tensor, *, batch_size: int | None = None) -> None:
        fn = "GaussNewtonOperator"
        if not isinstance(landscape, ModuleLandscape):
            raise TypeError(f"{fn}: argument `landscape` must be a ModuleLandscape, got {describe(landscape)}")
        self.theta = _check_theta(landscape, theta, fn)
        self.dim, self.dtype, self.device = landscape.dim, landscape.dtype, landscape.device
        self.name = f"Gauss-Newton of {landscape.name}"
        self._theta = self.theta.clone().requires_grad_(True)
        self._parts = []
        for weight, part in _batches(landscape, batch_size, fn):
            z = functional_call(part.model, (part.unflatten(self._theta), part.buffers), (part.inputs,))
            loss = weight * part.loss_fn(z, part.targets)
            _check_loss(loss, fn, f"minibatch {len(self._parts)}")
            # Output-space Hessian products come from the gradient of the loss in z, kept as a graph.
            gz = torch.autograd.grad(loss, z, create_graph=True)[0]
            # J v without forward mode: J^T u is linear in a dummy u, and its gradient in u along v is J v.
            u = torch.zeros_like(z, requires_grad=True)
            JTu = torch.autograd.grad(z, self._theta, u, create_graph=True)[0]
            self._parts.append((z, gz, u, JTu))

    def matvec(self, v: Tensor) -> Tensor:
        out = torch.zeros(self.dim, dtype=self.dtype, device=self.device)
        for z, gz, u, JTu in self._parts:
            Jv = torch.autograd.grad(JTu, u, v, retain_graph=True)[0]
            HJv = torch.autograd.grad(gz, z, Jv, retain_graph=True)[0]  # output-space Hessian times Jv
            out += torch.autograd.grad(z, self._theta, HJv, retain_graph=True)[0]
        return out


class MatrixOperator(CurvatureOperator):
    """A dense symmetric matrix as an operator.

    Raises:
        ValueError: if the matrix is not square, not finite or not symmetric (relative 1e-10).
    """

    def __init__(self, matrix: Tensor, *, name: str = "A", rtol: float = 1e-10) -> None:
        fn = "MatrixOperator"
        matrix = check_tensor(matrix, fn=fn, arg="matrix")
        if matrix.ndim != 2 or matrix.shape[0] != matrix.shape[1] or not matrix.is_floating_point():
            raise ValueError(f"{fn}: argument `matrix` must be a square floating-point matrix, got {describe(matrix)}")
        check_finite(matrix, fn=fn, arg="matrix")
        asym = float((matrix - matrix.T).abs().max())
        scale = float(matrix.abs().max())
        if asym > rtol * max(scale, 1e-300):
            raise ValueError(
                f"{fn}: argument `matrix` is not symmetric: max |A - A^T| = {asym:.3g} vs max |A| = {scale:.3g}; "
                "these algorithms need a symmetric matrix (a Hessian); symmetrise with (A + A.T) / 2")
        self.matrix = matrix
        self.dim, self.dtype, self.device, self.name = matrix.shape[0], matrix.dtype, matrix.device, name

    def matvec(self, v: Tensor) -> Tensor:
        return self.matrix @ v

    def matmat(self, V: Tensor) -> Tensor:
        return V @ self.matrix  # the matrix is symmetric: (A V^T)^T = V A


class FunctionOperator(CurvatureOperator):
    """Any callable ``matvec(v) -> A v`` on vectors of shape (P,) (symmetry is probed, not assumed)."""

    symmetric_by_construction = False

    def __init__(self, matvec: Callable[[Tensor], Tensor], dim: int, *, dtype: torch.dtype = torch.float64,
                 device: torch.device | str = "cpu", name: str = "A") -> None:
        if not callable(matvec):
            raise TypeError(f"FunctionOperator: argument `matvec` must be callable, got {describe(matvec)}")
        if isinstance(dim, bool) or not isinstance(dim, int) or dim < 1:
            raise ValueError(f"FunctionOperator: argument `dim` must be an integer >= 1, got {dim!r}")
        self._fn, self.dim, self.dtype, self.device, self.name = matvec, dim, dtype, torch.device(device), name

    def matvec(self, v: Tensor) -> Tensor:
        out = self._fn(v)
        if not isinstance(out, Tensor) or out.shape != v.shape:
            raise ValueError(f"FunctionOperator: `matvec` must return a tensor of shape {tuple(v.shape)}, got {describe(out)}")
        return out


def as_operator(op: object, fn: str) -> CurvatureOperator:
    """Accept an operator or a dense symmetric matrix; anything else is a clear ``TypeError``."""
    if isinstance(op, CurvatureOperator):
        return op
    if isinstance(op, Tensor):
        try:
            return MatrixOperator(op)
        except (TypeError, ValueError) as err:  # name the function the user called and its argument
            raise type(err)(f"{fn}: argument `operator` (a matrix) is refused -- {err}") from err
    raise TypeError(
        f"{fn}: argument `operator` must be a CurvatureOperator (HessianOperator, GaussNewtonOperator, "
        f"MatrixOperator, FunctionOperator) or a symmetric matrix, got {describe(op)}")


def check_symmetric(op: CurvatureOperator, fn: str, *, generator: torch.Generator | None = None,
                    rtol: float = 1e-8) -> None:
    r"""Raise ``ValueError`` unless $u^\top(Av) = v^\top(Au)$ for two random probes (relative ``rtol``).

    Skipped for operators that are symmetric by construction.  Two products.
    """
    if op.symmetric_by_construction:
        return
    g = generator if generator is not None else torch.Generator().manual_seed(12345)
    u = torch.randn(op.dim, generator=g, dtype=op.dtype).to(op.device)
    v = torch.randn(op.dim, generator=g, dtype=op.dtype).to(op.device)
    Av, Au = op.matvec(v), op.matvec(u)
    check_finite(Av, fn=fn, arg="operator(v)")
    a, b = float(u @ Av), float(v @ Au)
    scale = float(Av.norm() * u.norm() + Au.norm() * v.norm())
    if abs(a - b) > rtol * max(scale, 1e-300):
        raise ValueError(
            f"{fn}: argument `operator` ({op.name}) is not symmetric: u.(Av) = {a:.6g} but v.(Au) = {b:.6g} "
            f"on random probes; these algorithms assume a symmetric matrix such as a Hessian")


def check_k(k: object, dim: int, fn: str, arg: str = "k") -> int:
    """An integer 1 <= k <= P, or a ``ValueError`` naming the dimension."""
    if isinstance(k, bool) or not isinstance(k, int) or not 1 <= k <= dim:
        raise ValueError(f"{fn}: argument `{arg}` must be an integer between 1 and P = {dim}, got {k!r}")
    return k


def unit(v: Tensor) -> Tensor:
    """``v / |v|`` along the last axis."""
    return v / v.norm(dim=-1, keepdim=True).clamp_min(math.ulp(1.0))
