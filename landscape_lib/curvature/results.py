"""What the curvature algorithms return: small frozen records carrying what is needed to judge them.

Every estimate comes with its evidence: eigenvalues with the residual norms $\\lVert Av-\\lambda v\\rVert$
of their vectors and the number of iterations and products spent; stochastic estimates with every
probe's value, so that their spread (and a standard error) can be read off.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch
from torch import Tensor


@dataclass(frozen=True)
class EigenResult:
    r"""Extreme eigenpairs of a symmetric operator.

    Attributes:
        eigenvalues: shape (k,), largest first (``which="largest"``) or smallest first.
        eigenvectors: shape (k, P), unit rows.
        residuals: shape (k,), $\lVert Av_i-\lambda_iv_i\rVert$ measured with fresh products (for a
            symmetric $A$ some eigenvalue lies within this distance of $\lambda_i$).
        iterations: shape (k,), iterations spent on each pair (power) or Lanczos steps (the same for all).
        matvecs: products with the operator in total (including the residual check).
        converged: whether every pair met the tolerance.
        method: ``"power"`` or ``"lanczos"``.
    """

    eigenvalues: Tensor
    eigenvectors: Tensor
    residuals: Tensor
    iterations: Tensor
    matvecs: int
    converged: bool
    method: str

    @property
    def relative_residuals(self) -> Tensor:
        """$\\lVert Av-\\lambda v\\rVert/|\\lambda|$."""
        return self.residuals / self.eigenvalues.abs().clamp_min(1e-300)

    def __repr__(self) -> str:
        vals = ", ".join(f"{x:.6g}" for x in self.eigenvalues.tolist())
        return (f"EigenResult({self.method}: [{vals}], max residual {float(self.residuals.max()):.2e}, "
                f"{self.matvecs} products, converged={self.converged})")


@dataclass(frozen=True)
class TraceResult:
    r"""Hutchinson's estimate $\widehat{\operatorname{tr}A}=\frac1n\sum_s z_s^\top Az_s$.

    Attributes:
        estimate: the mean over probes.
        stderr: the standard error, sample standard deviation / $\sqrt n$.
        samples: shape (n,), every probe's $z_s^\top Az_s$ (their spread is the evidence).
        n_probes: n.
        matvecs: products spent.
    """

    estimate: float
    stderr: float
    samples: Tensor
    n_probes: int
    matvecs: int

    def interval(self, z: float = 3.0) -> tuple[float, float]:
        """``estimate -/+ z * stderr``."""
        return self.estimate - z * self.stderr, self.estimate + z * self.stderr

    def __repr__(self) -> str:
        return f"TraceResult({self.estimate:.6g} +/- {self.stderr:.2g} (1 s.e.), {self.n_probes} probes)"


@dataclass(frozen=True)
class DensityResult:
    r"""Stochastic Lanczos quadrature: one Gauss quadrature rule per probe.

    For a unit probe $q$, $m$ Lanczos steps give Ritz values $\theta_j$ (``nodes``) and weights
    $\tau_j=(e_1^\top s_j)^2$ (``weights``, summing to 1) such that
    $q^\top f(A)q\approx\sum_j\tau_jf(\theta_j)$, exactly for polynomials of degree $<2m$.
    Averaged over probes, $\frac1P\operatorname{tr}f(A)\approx\frac1{n_v}\sum_v\sum_j\tau_j^{(v)}f(\theta_j^{(v)})$
    (Lin, Saad & Yang 2016; Ghorbani, Krishnan & Xiao 2019).

    Attributes:
        nodes, weights: shape (n_v, m).
        dim: P (to turn masses into eigenvalue counts).
        steps: Lanczos steps m per probe.
        matvecs: products spent.
    """

    nodes: Tensor
    weights: Tensor
    dim: int
    steps: int
    matvecs: int

    @property
    def n_probes(self) -> int:
        return int(self.nodes.shape[0])

    def density_per_probe(self, grid: Tensor, sigma: float) -> Tensor:
        r"""Each probe's broadened quadrature rule $\sum_j\tau_jg_\sigma(\lambda-\theta_j)$ on ``grid``: shape (n_v, G).

        Their spread across probes is the sampling error of :meth:`density`.
        """
        if not isinstance(sigma, (int, float)) or isinstance(sigma, bool) or not sigma > 0:
            raise ValueError(f"DensityResult: argument `sigma` must be a number > 0, got {sigma!r}")
        grid = torch.as_tensor(grid, dtype=self.nodes.dtype)
        diff = grid[None, :, None] - self.nodes[:, None, :]  # (n_v, G, m)
        g = torch.exp(-0.5 * (diff / sigma) ** 2) / (sigma * math.sqrt(2 * math.pi))
        return (g * self.weights[:, None, :]).sum(-1)

    def density(self, grid: Tensor, sigma: float) -> Tensor:
        r"""$\phi_\sigma(\lambda)=\frac1{n_v}\sum_v\sum_j\tau_j\,g_\sigma(\lambda-\theta_j)$ on ``grid`` (Gaussian $g_\sigma$).

        Integrates to 1 over the real line (each probe's weights sum to 1).
        """
        return self.density_per_probe(grid, sigma).mean(0)

    def moments(self, order: int) -> Tensor:
        r"""Per-probe quadrature moments $\sum_j\tau_j\theta_j^r$, shape (n_v,); their mean estimates $\operatorname{tr}(A^r)/P$."""
        return (self.weights * self.nodes**order).sum(-1)

    def moment(self, order: int) -> tuple[float, float]:
        """``(mean, standard error)`` over probes of :meth:`moments`."""
        m = self.moments(order)
        se = float(m.std() / math.sqrt(len(m))) if len(m) > 1 else math.nan
        return float(m.mean()), se

    def mass_above(self, edge: float) -> float:
        r"""Spectral mass beyond ``edge``: $\frac1{n_v}\sum_v\sum_j\tau_j[\theta_j>\text{edge}]$."""
        return float((self.weights * (self.nodes > edge)).sum(-1).mean())

    def count_above(self, edge: float) -> float:
        """Estimated number of eigenvalues above ``edge``: ``dim * mass_above(edge)``."""
        return self.dim * self.mass_above(edge)

    def __repr__(self) -> str:
        return f"DensityResult({self.n_probes} probes x {self.steps} Lanczos steps, P = {self.dim})"
