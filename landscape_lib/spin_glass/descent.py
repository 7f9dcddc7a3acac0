r"""Gradient descent (and Langevin dynamics) on the sphere for the p-spin model, many runs at once.

One step of Riemannian gradient descent with the normalisation retraction is

$$\sigma \leftarrow \sqrt N\,\frac{\sigma - \delta t\,\operatorname{grad}H(\sigma)}{|\sigma - \delta t\,\operatorname{grad}H(\sigma)|},
\qquad \operatorname{grad}H = P_\sigma\nabla H,$$

a discretisation of the gradient flow $\dot\sigma = -\operatorname{grad}H(\sigma)$ with time step
$\delta t$.  With ``temperature`` $T > 0$ the step adds $\sqrt{2T\delta t}\,P_\sigma\xi$ with
$\xi\sim\mathcal N(0, I_N)$: Langevin dynamics at temperature $T$, the setting of
Cugliandolo & Kurchan (1993) and of Sellke (2023), who proved that low-temperature Langevin
started at random reaches the threshold energy $-E_\infty(p)$ as $N\to\infty$.

A run stops when $|\operatorname{grad}H|/\sqrt N <$ ``tol`` (descent only).  All runs advance
together: S starting points of one instance (``J`` of shape ``(N,)*p``, ``sigma0`` of shape
``(S, N)``) or S starts on each of B instances (``J`` of shape ``(B,)+(N,)*p``, ``sigma0`` of shape
``(B, S, N)``).  The cost of a step is one matrix product of the couplings with the S points
($N^p S$ multiply-adds per instance); instances whose runs have all stopped are dropped.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass

import torch
from torch import Tensor
from tqdm.auto import tqdm

from ..validation import check_bool, check_finite, check_int, check_not_diverged, check_positive, describe
from .model import (
    _check_model,
    _field_and_energy,
    _retract,
    _tangent,
)
from ..threads import torch_threads


@dataclass(frozen=True)
class FiniteSizeFit:
    r"""Weighted least-squares fit $u(N) = u_\infty + a\,N^{-\gamma}$ (see :func:`fit_finite_size`)."""

    u_inf: float
    a: float
    u_inf_se: float
    a_se: float
    chi2: float
    dof: int
    gamma: float

    def __call__(self, N: Tensor | float) -> Tensor | float:
        """The fitted curve at N."""
        return self.u_inf + self.a * N ** (-self.gamma)


def fit_finite_size(
    ns: Tensor, means: Tensor, sems: Tensor, *, gamma: float = 2 / 3
) -> FiniteSizeFit:
    r"""Fit the mean GD endpoint energy $u(N) = u_\infty + a N^{-\gamma}$, weights $1/\mathrm{sem}^2$.

    The standard errors come from the weighted normal equations, $(X^TWX)^{-1}$, i.e. they take
    the sems at face value (no rescaling by $\chi^2$/dof).  The exponent is an *input*: the data of
    a laptop-sized sweep do not pin it down ($\gamma = 2/3$ and $1/2$ both fit sweeps up to N = 400;
    Boltz, Kurchan & Liu 2019 discuss the non-trivial finite-size scaling of these minima).

    Args:
        ns: sizes N, shape (M,) with M >= 3.
        means: mean final energy per spin at each N.
        sems: standard error of each mean (> 0).
        gamma: the finite-size exponent.
    """
    fn = "fit_finite_size"
    ns, means, sems = (torch.as_tensor(v, dtype=torch.float64) for v in (ns, means, sems))
    if not (ns.ndim == means.ndim == sems.ndim == 1 and len(ns) == len(means) == len(sems) >= 3):
        raise ValueError(f"{fn}: `ns`, `means` and `sems` must be 1-D of one length >= 3, "
                         f"got shapes {tuple(ns.shape)}, {tuple(means.shape)}, {tuple(sems.shape)}")
    for arg, value in (("ns", ns), ("means", means), ("sems", sems)):
        check_finite(value, fn=fn, arg=arg)
    if not bool((sems > 0).all()):
        raise ValueError(f"{fn}: argument `sems` must be > 0, got {sems.tolist()}")
    check_positive(gamma, fn=fn, arg="gamma")
    X = torch.stack([torch.ones_like(ns), ns ** (-gamma)], dim=1)
    W = 1.0 / sems**2
    cov = torch.linalg.inv(X.T @ (W[:, None] * X))
    coef = cov @ (X.T @ (W * means))
    chi2 = float((W * (means - X @ coef) ** 2).sum())
    return FiniteSizeFit(float(coef[0]), float(coef[1]), float(cov[0, 0].sqrt()), float(cov[1, 1].sqrt()),
                         chi2, len(ns) - 2, float(gamma))


@dataclass(frozen=True)
class SphereDescentResult:
    """What :func:`sphere_gradient_descent` returns (shapes follow ``sigma0`` without its last axis).

    Attributes:
        sigma: final points, shape of ``sigma0``.
        energy: final energies per spin E = H/N.
        grad_norm: final $|\\operatorname{grad}H|/\\sqrt N$.
        steps: number of steps each run took.
        converged: whether each run met ``tol`` (always False for Langevin runs).
        history: energies every ``record_every`` steps, shape ``(T,) + energy.shape``
            (runs that stopped keep their final energy).
    """

    sigma: Tensor
    energy: Tensor
    grad_norm: Tensor
    steps: Tensor
    converged: Tensor
    history: Tensor


def sphere_gradient_descent(
    J: Tensor,
    sigma0: Tensor,
    *,
    dt: float = 0.05,
    max_steps: int = 20_000,
    tol: float = 1e-7,
    temperature: float = 0.0,
    generator: torch.Generator | None = None,
    record_every: int = 10,
    progress: bool | None = None,
    threads: int | None = 1,
) -> SphereDescentResult:
    r"""Riemannian gradient descent (or Langevin at ``temperature``) of the p-spin energy.

    Args:
        J: symmetric couplings, ``(N,)*p`` or ``(B,)+(N,)*p`` (see the module docstring).
        sigma0: starting points on the sphere |sigma|^2 = N: (N,), (S, N), or (B, S, N).
        dt: time step $\delta t$.  Stable while $\delta t < 2/\lambda_{\max}$ of the Hessian,
            about 0.2 near p = 3 minima ($\lambda_{\max}\approx -3E + 2\sqrt 6 \approx 9.6$).
        max_steps: step budget per run.
        tol: stop a run when $|\operatorname{grad}H|/\sqrt N <$ tol (ignored if temperature > 0).
        temperature: T >= 0; T > 0 runs Langevin dynamics for ``max_steps`` steps.
        generator: random generator for the Langevin noise.
        record_every: store the energies every this many steps in ``history``.
        progress: show a progress bar (default: yes, except when TQDM_DISABLE or CI is set).
        threads: PyTorch threads during the loop (see :func:`torch_threads`; ``None``: unchanged).

    Returns:
        A :class:`SphereDescentResult`.

    References:
        Cugliandolo & Kurchan (1993); Sellke (2023), arXiv:2305.07956.
    """
    fn = "sphere_gradient_descent"
    J, sigma0, p = _check_model(J, sigma0, fn, sigma_arg="sigma0")
    check_positive(dt, fn=fn, arg="dt")
    check_positive(max_steps, fn=fn, arg="max_steps", integer=True)
    check_positive(tol, fn=fn, arg="tol")
    check_positive(record_every, fn=fn, arg="record_every", integer=True)
    if isinstance(temperature, bool) or not isinstance(temperature, (int, float)) or not temperature >= 0:
        raise ValueError(f"{fn}: argument `temperature` must be a number >= 0, got {temperature!r}")
    if not math.isfinite(temperature):
        raise ValueError(f"{fn}: argument `temperature` must be finite, got {temperature!r}")
    if generator is not None and not isinstance(generator, torch.Generator):
        raise TypeError(f"{fn}: argument `generator` must be a torch.Generator or None, got {describe(generator)}")
    if progress is not None:
        check_bool(progress, fn=fn, arg="progress")
    if threads is not None:
        check_int(threads, fn=fn, arg="threads", minimum=1)

    shape = sigma0.shape[:-1]
    # Internally B instances x S starts; a single instance is B = 1.
    if sigma0.ndim == 3:
        Jb, sigma = J, sigma0
    else:
        Jb, sigma = J[None], sigma0.reshape(1, -1, sigma0.shape[-1])
    B, S, N = sigma.shape
    langevin = temperature > 0
    disable = (not progress) if progress is not None else bool(os.environ.get("TQDM_DISABLE") or os.environ.get("CI"))
    bar = tqdm(total=B, desc=f"{'Langevin' if langevin else 'descent'} ({B} x {S} runs)", disable=disable, leave=False)
    runs = []
    with torch_threads(threads):
        for b in range(B):  # instance by instance: each step reads J_b once for all its active runs
            runs.append(_descend_one_instance(Jb[b], sigma[b], p, dt=dt, max_steps=max_steps, tol=tol,
                                              temperature=temperature, generator=generator,
                                              record_every=record_every, fn=fn))
            bar.update()
    bar.close()
    sigma, energy, gnorm, steps, converged = (torch.stack([r[i] for r in runs]) for i in range(5))
    # Instances stop at different times: pad each history with its final energies.
    length = max(len(r[5]) for r in runs)
    history = torch.stack([torch.cat([r[5], r[5][-1:].expand(length - len(r[5]), -1)]) for r in runs], dim=1)
    return SphereDescentResult(
        sigma=sigma.reshape(sigma0.shape), energy=energy.reshape(shape), grad_norm=gnorm.reshape(shape),
        steps=steps.reshape(shape), converged=converged.reshape(shape), history=history.reshape(-1, *shape),
    )


def _descend_one_instance(
    J: Tensor, sigma: Tensor, p: int, *, dt: float, max_steps: int, tol: float, temperature: float,
    generator: torch.Generator | None, record_every: int, fn: str = "sphere_gradient_descent",
) -> tuple[Tensor, ...]:
    """The loop of :func:`sphere_gradient_descent` for S runs of one instance (J (N,)*p, sigma (S, N)).

    Only runs that have not stopped are stepped, so a step costs in proportion to their number.
    """
    S, N = sigma.shape
    langevin = temperature > 0
    noise_scale = math.sqrt(2.0 * temperature * dt)
    sigma = sigma.clone()
    field, energy = _field_and_energy(J, sigma, p)
    grad = _tangent(sigma, field)
    gnorm = grad.norm(dim=-1) / math.sqrt(N)
    steps = torch.zeros(S, dtype=torch.long)
    active = torch.arange(S) if langevin else (gnorm >= tol).nonzero().flatten()
    fix = f"lower `dt` (now {dt}; stable below 2 / (largest Hessian eigenvalue)) and check `J`"
    check_not_diverged(energy, fn=fn, step=0, what="energy", fix=fix)
    history = [energy.clone()]
    for step in range(1, max_steps + 1):
        if len(active) == 0:
            break
        s = sigma[active]
        new = s - dt * grad[active]
        if langevin:
            xi = torch.randn(new.shape, generator=generator, dtype=new.dtype)
            new = new + noise_scale * _tangent(s, xi)
        new = _retract(new)
        f, e = _field_and_energy(J, new, p)  # the one contraction of the step
        g = _tangent(new, f)
        sigma[active], grad[active], energy[active] = new, g, e
        gnorm[active] = g.norm(dim=-1) / math.sqrt(N)
        steps[active] += 1
        if not langevin:
            active = active[gnorm[active] >= tol]
        if step % record_every == 0:  # a diverged run is stopped here, not after max_steps of NaN
            check_not_diverged(energy, fn=fn, step=step, what="energy", fix=fix)
            history.append(energy.clone())
    check_not_diverged(energy, fn=fn, step=int(steps.max()) if S else 0, what="energy", fix=fix)
    history.append(energy.clone())
    converged = gnorm < tol if not langevin else torch.zeros(S, dtype=torch.bool)
    return sigma, energy, gnorm, steps, converged, torch.stack(history)
