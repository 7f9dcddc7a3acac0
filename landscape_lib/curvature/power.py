r"""Power iteration with deflation: the top-k eigenvalues, one at a time.

$v\leftarrow Av/\lVert Av\rVert$ converges to the eigenvector of the eigenvalue of largest
*magnitude*, with error shrinking like $|\lambda_2/\lambda_1|^t$.  To get the next one, the
iteration is confined to the orthogonal complement of the eigenvectors already found
(projection deflation, as in PyHessian, Yao et al. 2020).  The eigenvalue is the Rayleigh quotient
$v^\top Av$.  Simple and robust, but slow when eigenvalues are close -- compare
:func:`~landscape_lib.curvature.lanczos.lanczos`.

For a Hessian whose largest eigenvalue dominates its most negative one (trained networks) this
gives the top of the spectrum; otherwise it returns the largest in magnitude.
"""

from __future__ import annotations

import torch
from torch import Tensor

from .lanczos import _start_vector
from .operators import CurvatureOperator, as_operator, check_k, check_symmetric, unit
from .results import EigenResult


def power_iteration(
    operator: CurvatureOperator | Tensor,
    k: int = 1,
    *,
    tol: float = 1e-8,
    max_iter: int = 1000,
    generator: torch.Generator | None = None,
) -> EigenResult:
    r"""Top-``k`` eigenpairs (largest magnitude) by power iteration with projection deflation.

    Args:
        operator: a curvature operator or a symmetric matrix.
        k: how many eigenpairs, 1 <= k <= P.
        tol: stop each pair once $\lVert Av-\lambda v\rVert\le$ ``tol`` $\cdot|\lambda|$ (the
            eigenvalue error is then of order tol$^2|\lambda|$/relative gap).
        max_iter: iterations per pair at most.
        generator: random generator of the start vectors.

    Returns:
        :class:`~landscape_lib.curvature.results.EigenResult`; ``converged`` is False if some
        pair hit ``max_iter``.
    """
    fn = "power_iteration"
    op = as_operator(operator, fn)
    k = check_k(k, op.dim, fn)
    if not isinstance(tol, (int, float)) or not tol > 0:
        raise ValueError(f"{fn}: argument `tol` must be a number > 0, got {tol!r}")
    check_k(max_iter, 10**9, fn, "max_iter")
    check_symmetric(op, fn, generator=generator)
    U = torch.zeros(0, op.dim, dtype=op.dtype, device=op.device)
    vals, iters = [], []
    matvecs, ok = 0, True

    def deflate(x: Tensor) -> Tensor:
        for _ in range(2):  # twice: keeps the complement clean in floating point
            x = x - U.T @ (U @ x)
        return x

    for _ in range(k):
        v = unit(deflate(_start_vector(op, None, generator, fn)))
        lam, r = 0.0, float("inf")
        for it in range(1, max_iter + 1):
            w = op.matvec(v)
            matvecs += 1
            lam = float(v @ w)
            w = deflate(w)
            # Converge on the deflated operator: the earlier vectors carry their own small errors,
            # which would put a floor under the residual of A itself (reported below).
            r = float((w - lam * v).norm())
            if r <= tol * abs(lam) or float(w.norm()) == 0.0:  # (w = 0: an eigenvalue 0)
                break
            v = unit(w)
        ok &= r <= tol * abs(lam) or r == 0.0
        U = torch.cat([U, v[None]])
        vals.append(lam)
        iters.append(it)
    vals_t = torch.tensor(vals, dtype=op.dtype)
    res = (op.matmat(U) - vals_t[:, None] * U).norm(dim=-1)  # measured residuals of A itself
    matvecs += k
    return EigenResult(vals_t, U, res, torch.tensor(iters), matvecs, ok, "power")
