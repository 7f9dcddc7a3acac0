r"""Hutchinson's trace estimator with Rademacher probes, and its standard error.

For $z$ with independent entries $\pm1$, $\mathbb{E}[z^\top Az]=\operatorname{tr}A$ and
$\operatorname{Var}[z^\top Az]=2\big(\lVert A\rVert_F^2-\sum_iA_{ii}^2\big)$ (Hutchinson 1990;
Avron & Toledo 2011) -- the diagonal contributes no noise, so a diagonal matrix has its trace
exactly from one probe.  With n probes the standard error is the sample standard deviation over
$\sqrt n$; the estimate lies within 3 standard errors of the trace with probability ~0.997
(central limit theorem).

A Hessian with a few large outliers makes the variance large (they dominate $\lVert A\rVert_F$).
With ``deflate`` (orthonormal vectors $U$, e.g. the top Lanczos eigenvectors) the estimator splits
$\operatorname{tr}A=\operatorname{tr}(U^\top AU)+\operatorname{tr}(P_\perp AP_\perp)$,
$P_\perp=I-UU^\top$: the first part is the sum of the Rayleigh quotients $u_i^\top Au_i$ (exact; the
Ritz values), only the second is estimated -- still unbiased, and with the outliers' variance
removed (the idea behind Hutch++, Meyer, Musco, Musco & Woodruff 2021).
"""

from __future__ import annotations

import math

import torch
from torch import Tensor

from .operators import CurvatureOperator, as_operator, check_k, check_symmetric
from .results import EigenResult, TraceResult


def rademacher(n: int, dim: int, *, generator: torch.Generator | None = None, dtype: torch.dtype = torch.float64) -> Tensor:
    """``n`` probes of shape (dim,) with independent entries +1 / -1."""
    return torch.randint(0, 2, (n, dim), generator=generator).to(dtype) * 2 - 1


def hutchinson(
    operator: CurvatureOperator | Tensor,
    n_probes: int = 100,
    *,
    block: int = 32,
    deflate: EigenResult | None = None,
    generator: torch.Generator | None = None,
) -> TraceResult:
    r"""$\widehat{\operatorname{tr}A}=\frac1n\sum_{s=1}^nz_s^\top Az_s$ with Rademacher $z_s$.

    Args:
        operator: a curvature operator or a symmetric matrix.
        n_probes: n >= 2 (the standard error needs two).
        block: probes drawn per batch.
        deflate: eigenpairs found before (an :class:`EigenResult` with orthonormal vectors): their
            Rayleigh quotients are added exactly and the probes are projected off their span.
        generator: random generator of the probes.

    Returns:
        :class:`~landscape_lib.curvature.results.TraceResult` (estimate, standard error, every sample).
    """
    fn = "hutchinson"
    op = as_operator(operator, fn)
    if isinstance(n_probes, bool) or not isinstance(n_probes, int) or n_probes < 2:
        raise ValueError(f"{fn}: argument `n_probes` must be an integer >= 2, got {n_probes!r}")
    block = check_k(block, 10**9, fn, "block")
    check_symmetric(op, fn, generator=generator)
    U, exact = None, 0.0
    if deflate is not None:
        if not isinstance(deflate, EigenResult) or deflate.eigenvectors.shape[-1] != op.dim:
            raise ValueError(f"{fn}: argument `deflate` must be an EigenResult of this operator (vectors of length "
                             f"{op.dim}), got {type(deflate).__name__}")
        U = deflate.eigenvectors.to(op.dtype)
        exact = float((U * op.matmat(U)).sum())  # sum of Rayleigh quotients: tr(U^T A U)
    samples = []
    for start in range(0, n_probes, block):
        Z = rademacher(min(block, n_probes - start), op.dim, generator=generator, dtype=op.dtype).to(op.device)
        if U is not None:
            Z = Z - (Z @ U.T) @ U
        samples.append((Z * op.matmat(Z)).sum(-1) + exact)
    s = torch.cat(samples)
    extra = 0 if U is None else len(U)
    return TraceResult(float(s.mean()), float(s.std() / math.sqrt(n_probes)), s, n_probes, n_probes + extra)


def hutchinson_variance(matrix: Tensor) -> float:
    r"""The exact per-probe variance $2(\lVert A\rVert_F^2-\sum_iA_{ii}^2)$ of a dense symmetric matrix."""
    return float(2 * ((matrix**2).sum() - (torch.diagonal(matrix) ** 2).sum()))
