r"""Lanczos with full reorthogonalisation: extreme eigenvalues from a few dozen products.

$m$ steps build an orthonormal basis $Q_m$ of the Krylov space
$\operatorname{span}\{q,Aq,\dots,A^{m-1}q\}$ and the tridiagonal $T_m=Q_m^\top AQ_m$
(diagonal $\alpha$, off-diagonal $\beta$).  The eigenvalues of $T_m$ (Ritz values) converge to the
extreme eigenvalues of $A$ first, much faster than power iteration (Kaniel-Paige theory; Golub &
Van Loan §10.1).  In floating point the basis loses orthogonality as Ritz values converge and
spurious copies appear; here every new vector is orthogonalised against the whole basis twice
("full reorthogonalisation", Parlett 1998), which costs $O(mP)$ per step -- nothing next to a
Hessian-vector product.  The Ritz pair $(\theta_i, y_i=Q_ms_i)$ has residual
$\lVert Ay_i-\theta_iy_i\rVert=\beta_m|e_m^\top s_i|$, so convergence is read off $T_m$ without
extra products; the residuals reported at the end are measured with fresh products.
"""

from __future__ import annotations


import torch
from torch import Tensor

from .operators import CurvatureOperator, as_operator, check_k, check_symmetric, unit
from .results import EigenResult

WHICH = ("largest", "smallest")


def _tridiagonal(alpha: Tensor, beta: Tensor) -> Tensor:
    """The (b, m, m) symmetric tridiagonal matrices of ``alpha`` (b, m) and ``beta`` (b, m-1)."""
    T = torch.diag_embed(alpha)
    if beta.shape[-1]:
        T = T + torch.diag_embed(beta, 1) + torch.diag_embed(beta, -1)
    return T


def _start_vector(op: CurvatureOperator, v0: Tensor | None, generator: torch.Generator | None, fn: str) -> Tensor:
    if v0 is None:
        return torch.randn(op.dim, generator=generator, dtype=op.dtype).to(op.device)
    if not isinstance(v0, Tensor) or v0.shape != (op.dim,) or not bool(torch.isfinite(v0).all()) or float(v0.norm()) == 0:
        raise ValueError(f"{fn}: argument `v0` must be a finite non-zero tensor of shape ({op.dim},)")
    return v0.to(op.dtype)


def lanczos(
    operator: CurvatureOperator | Tensor,
    k: int = 1,
    *,
    which: str = "largest",
    tol: float = 1e-10,
    max_steps: int | None = None,
    check_every: int = 1,
    v0: Tensor | None = None,
    generator: torch.Generator | None = None,
) -> EigenResult:
    r"""The ``k`` largest (or smallest) eigenvalues of a symmetric operator by Lanczos.

    Args:
        operator: a :class:`~landscape_lib.curvature.operators.CurvatureOperator` or a symmetric matrix.
        k: how many eigenpairs, 1 <= k <= P.
        which: ``"largest"`` (algebraically, e.g. the outliers of a Hessian) or ``"smallest"``
            (the most negative curvature).
        tol: stop once every wanted Ritz pair has $\beta_j|e_j^\top s_i|\le$ ``tol`` $\cdot|\theta_i|$;
            the eigenvalue error is then about residual$^2$/gap, far below ``tol``.
        max_steps: Lanczos steps at most (default ``min(P, max(4k + 40, 2k + 60))``).
        check_every: test convergence every this many steps (one small eigensolve of $T_j$).
        v0: start vector (default: Gaussian from ``generator``).
        generator: random generator.

    Returns:
        :class:`~landscape_lib.curvature.results.EigenResult` with measured residuals.
    """
    fn = "lanczos"
    op = as_operator(operator, fn)
    k = check_k(k, op.dim, fn)
    if which not in WHICH:
        raise ValueError(f"{fn}: argument `which` must be one of {WHICH}, got {which!r}")
    if not isinstance(tol, (int, float)) or not tol > 0:
        raise ValueError(f"{fn}: argument `tol` must be a number > 0, got {tol!r}")
    m = min(op.dim, max(4 * k + 40, 2 * k + 60)) if max_steps is None else max_steps
    m = check_k(m, op.dim, fn, "max_steps")
    if m < k:
        raise ValueError(f"{fn}: argument `max_steps` = {m} must be >= k = {k}")
    check_symmetric(op, fn, generator=generator)
    q0 = _start_vector(op, v0, generator, fn)[None]

    alpha, beta, Q = _run_until_converged(op, q0, m, k, which, tol, check_every, generator)
    theta, S = torch.linalg.eigh(_tridiagonal(alpha, beta)[0])
    sel = slice(-k, None) if which == "largest" else slice(0, k)
    vals, vecs = theta[sel], (S[:, sel].T @ Q[0])
    if which == "largest":
        vals, vecs = vals.flip(0), vecs.flip(0)
    vecs = unit(vecs)
    Av = op.matmat(vecs)
    residuals = (Av - vals[:, None] * vecs).norm(dim=-1)
    steps = alpha.shape[1]
    # Measured residuals may sit a little above tol*|theta| (rounding in the products): judge with 10x slack.
    ok = bool((residuals <= 10 * tol * vals.abs().clamp_min(1e-300) + 1e-12 * float(vals.abs().max())).all()) \
        or steps == op.dim
    return EigenResult(vals, vecs, residuals, torch.full((k,), steps), steps + k, ok, "lanczos")


def _run_until_converged(op: CurvatureOperator, q0: Tensor, m: int, k: int, which: str, tol: float,
                         check_every: int, generator: torch.Generator | None) -> tuple[Tensor, Tensor, Tensor]:
    """Lanczos steps with the convergence test of :func:`lanczos` (residual estimate beta_j |s_ji|)."""
    # Steps are taken in rounds of ``check_every``; each round extends the previous basis.
    alpha, beta, Q = None, None, None
    done = 0
    while True:
        target = min(m, max(k, done + check_every))
        alpha, beta, Q = _extend(op, q0, alpha, beta, Q, target, generator)
        done = alpha.shape[1]
        broke = (beta[0, :done] == 0).nonzero()
        if done >= m:
            return alpha, beta[:, :done - 1], Q[:, :done]
        if len(broke) and done <= int(broke[-1]) + k + 1:
            # An invariant subspace was just exhausted (residuals are exactly 0 there), but a
            # repeated eigenvalue shows up only in the restarted block: give it k more steps.
            continue
        theta, S = torch.linalg.eigh(_tridiagonal(alpha, beta[:, :done - 1])[0])
        sel = slice(-k, None) if which == "largest" else slice(0, k)
        est = beta[0, done - 1].abs() * S[-1, sel].abs()
        if bool((est <= tol * theta[sel].abs().clamp_min(1e-300)).all()):
            return alpha, beta[:, :done - 1], Q[:, :done]


def lanczos_steps(op: CurvatureOperator, q0: Tensor, m: int, *,
                  generator: torch.Generator | None = None) -> tuple[Tensor, Tensor, Tensor]:
    r"""``m`` Lanczos steps from the unit vector along ``q0`` (P,): ``(alpha (m,), beta (m-1,), Q (m, P))``.

    When the run exhausts an invariant subspace ($\beta\approx0$) it continues from a fresh random
    vector orthogonal to its basis with $\beta=0$: $T$ splits into blocks, and the new blocks get
    zero quadrature weight (their eigenvectors have zero first component).
    """
    alpha, beta, Q = _extend(op, q0[None], None, None, None, m, generator)
    return alpha[0], beta[0, :m - 1], Q[0, :m]


def _extend(op: CurvatureOperator, q0: Tensor, alpha: Tensor | None, beta: Tensor | None, Q: Tensor | None,
            target: int, generator: torch.Generator | None) -> tuple[Tensor, Tensor, Tensor]:
    """Continue one Lanczos run (q0 of shape (1, P)) to ``target`` steps, full reorthogonalisation.

    Returns alpha (1, target), beta (1, target) -- the last one couples to the next vector, already
    stored -- and Q (1, target + 1, P).
    """
    P = q0.shape[1]
    if alpha is None:
        alpha = q0.new_zeros(1, 0)
        beta = q0.new_zeros(1, 0)
        Q = unit(q0)[:, None]
    j = alpha.shape[1]
    alpha = torch.cat([alpha, q0.new_zeros(1, target - j)], 1)
    beta = torch.cat([beta, q0.new_zeros(1, target - beta.shape[1])], 1)
    Q = torch.cat([Q, q0.new_zeros(1, target + 1 - Q.shape[1], P)], 1)
    scale = float(alpha.abs().max()) if j else 0.0
    for i in range(j, target):
        q = Q[0, i]
        w = op.matvec(q)
        a = float(q @ w)
        alpha[0, i] = a
        basis = Q[0, :i + 1]
        for _ in range(2):  # full reorthogonalisation, twice ("twice is enough", Parlett)
            w = w - basis.T @ (basis @ w)
        norm = float(w.norm())
        scale = max(scale, abs(a), norm)
        if norm <= 1e-10 * scale:  # invariant subspace: restart orthogonally, beta = 0 decouples T
            fresh = torch.randn(P, generator=generator, dtype=q0.dtype).to(q0.device)
            for _ in range(2):
                fresh = fresh - basis.T @ (basis @ fresh)
            w, norm = unit(fresh), 0.0
            beta[0, i] = 0.0
            Q[0, i + 1] = w
        else:
            beta[0, i] = norm
            Q[0, i + 1] = w / norm
    return alpha, beta, Q
