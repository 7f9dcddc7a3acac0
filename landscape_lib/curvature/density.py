r"""The spectral density of a curvature operator by stochastic Lanczos quadrature (SLQ).

The empirical spectral density $\phi(\lambda)=\frac1P\sum_i\delta(\lambda-\lambda_i)$ is
broadened by a Gaussian of width $\sigma$ and estimated as

$$\phi_\sigma(\lambda)\approx\frac1{n_v}\sum_{v=1}^{n_v}\sum_{j=1}^m\tau_j^{(v)}\,g_\sigma\big(\lambda-\theta_j^{(v)}\big),$$

where for each random unit probe $q_v$, $m$ Lanczos steps give the Ritz values $\theta_j$ and the
squared first components $\tau_j$ of the eigenvectors of $T_m$ (Gauss quadrature for
$q^\top g_\sigma(\lambda-A)q$; Lin, Saad & Yang 2016).  Ghorbani, Krishnan & Xiao (2019) used
$m\approx90$ on ImageNet networks.  (PyHessian's SLQ weights were wrong between its PRs #18 and #23: here
the weights are $\tau_j=S_{1j}^2$, which sum to one per probe -- a unit test checks it.)
"""

from __future__ import annotations

import torch

from .lanczos import _tridiagonal, lanczos_steps
from .operators import CurvatureOperator, as_operator, check_k, check_symmetric
from .results import DensityResult


def slq_density(
    operator: CurvatureOperator | torch.Tensor,
    *,
    n_probes: int = 8,
    steps: int | None = None,
    generator: torch.Generator | None = None,
) -> DensityResult:
    """Stochastic Lanczos quadrature: ``n_probes`` Gaussian probes, ``steps`` Lanczos steps each.

    Args:
        operator: a curvature operator or a symmetric matrix.
        n_probes: number of random probes (>= 1; >= 2 for standard errors of moments).
        steps: Lanczos steps per probe, 1 <= steps <= P (default ``min(60, P)``).
        generator: random generator of the probes.

    Returns:
        :class:`~landscape_lib.curvature.results.DensityResult`; call ``.density(grid, sigma)``.
    """
    fn = "slq_density"
    op = as_operator(operator, fn)
    n_probes = check_k(n_probes, 10**9, fn, "n_probes")
    steps = check_k(min(60, op.dim) if steps is None else steps, op.dim, fn, "steps")
    check_symmetric(op, fn, generator=generator)
    q0 = torch.randn(n_probes, op.dim, generator=generator, dtype=op.dtype).to(op.device)
    runs = [lanczos_steps(op, q, steps, generator=generator)[:2] for q in q0]
    alpha, beta = torch.stack([r[0] for r in runs]), torch.stack([r[1] for r in runs])
    theta, S = torch.linalg.eigh(_tridiagonal(alpha, beta))
    return DensityResult(theta, S[:, 0, :] ** 2, op.dim, steps, n_probes * steps)
