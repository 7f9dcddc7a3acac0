r"""Training the beads of a DSS string below a level, many beads as one batch.

Freeman & Bruna (2017, Alg. 1) train each new bead with the ordinary objective until its loss is
at most $\alpha L_0$; their Appendix A adds a spring and a pull onto the hyperplane equidistant
from the bead's neighbours (:func:`bead_objective`).  :func:`train_below` trains K beads at once
and freezes each one as soon as it is below the level; the search keeps one
:class:`~landscape_lib.training.PointPool` of beads for all pairs.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch
from torch import Tensor

from ..validation import describe
from ..landscape import Landscape
from ..training import Objective, PointPool, check_training_options


@dataclass(frozen=True)
class BeadTraining:
    """What :func:`train_below` returns: final points, their criterion loss, steps, success flags."""

    theta: Tensor
    loss: Tensor
    steps: Tensor
    converged: Tensor


def bead_objective(
    landscape: Landscape, theta: Tensor, left: Tensor | None = None, right: Tensor | None = None,
    *, spring: float = 0.0, pull: float = 0.0,
) -> Tensor:
    r"""The loss a bead is trained on, shape (K,) for beads ``theta`` of shape (K, P).

    Freeman & Bruna train beads on the plain loss $F(\theta_i)$.  Their Appendix A adds a spring
    $\zeta$ and a pull $\kappa$ onto the hyperplane equidistant from the neighbours $\theta_{i\pm1}$:

    $$ F(\theta_i) + \zeta\big(\lVert\theta_{i-1}-\theta_i\rVert + \lVert\theta_{i+1}-\theta_i\rVert\big)
       + \kappa\,\big|\cos\angle\big(\theta_{i+1}-\theta_{i-1},\ \theta_i - \tfrac12(\theta_{i-1}+\theta_{i+1})\big)\big| $$

    (the printed midpoint $(\theta_{i-1}-\theta_{i+1})/2$ is read as the sum; see the notes).
    Norms are smoothed by $10^{-12}$ so that a bead sitting exactly at the midpoint has a gradient.
    """
    value = landscape.evaluate(theta)
    if spring == 0.0 and pull == 0.0:
        return value
    eps = 1e-12

    def norm(x: Tensor) -> Tensor:
        return torch.sqrt((x * x).sum(dim=1) + eps**2)

    if spring:
        value = value + spring * (norm(left - theta) + norm(right - theta))
    if pull:
        chord, offset = right - left, theta - (left + right) / 2
        cos = (chord * offset).sum(dim=1) / (norm(chord) * norm(offset))
        value = value + pull * cos.abs()
    return value


def train_below(
    landscape: Landscape,
    theta: Tensor,
    level: Tensor | float,
    *,
    criterion: Landscape | None = None,
    lr: float = 1e-3,
    max_steps: int = 20_000,
    optimizer: str = "adam",
    check_every: int = 15,
    left: Tensor | None = None,
    right: Tensor | None = None,
    spring: float = 0.0,
    pull: float = 0.0,
) -> BeadTraining:
    r"""Train K points together until each one's ``criterion`` loss is $\le$ its ``level``.

    The K rows of ``theta`` are independent runs of Adam (Kingma & Ba 2015, per-row step counts)
    or plain gradient descent on :func:`bead_objective`.  Every ``check_every`` steps (and before
    the first) the criterion is evaluated and converged rows are frozen; only the remaining rows
    are computed, as one batch.  This is the inner loop of Freeman & Bruna's DSS ("train until
    the test metric is below $\alpha L_0$", checked every 15 Adam steps).

    Args:
        landscape: the training objective F (the plain loss; penalties are added for Appendix A).
        theta: starting points, shape (K, P); not modified.
        level: target per row, a number or shape (K,).
        criterion: the loss that decides convergence (default ``landscape``; FB: the test loss).
        lr, optimizer, max_steps: step size, ``"adam"``/``"sgd"``, step budget per row.
        check_every: steps between convergence checks.
        left, right: neighbours (K, P), needed when ``spring`` or ``pull`` is non-zero.
        spring, pull: $\zeta$ and $\kappa$ of :func:`bead_objective` (0: Freeman & Bruna's runs).
    """
    fn = "train_below"
    if not isinstance(landscape, Landscape):
        raise TypeError(f"{fn}: argument `landscape` must be a Landscape, got {describe(landscape)}")
    theta = landscape.check(theta, fn=fn, arg="theta")
    if theta.ndim != 2:
        raise ValueError(f"{fn}: argument `theta` must have shape (K, P), got {tuple(theta.shape)}")
    check_training_options(fn, optimizer, lr, max_steps, check_every)
    criterion = landscape if criterion is None else criterion
    K = theta.shape[0]
    pool = PointPool(bead_trainer(landscape, spring, pull), criterion, optimizer=optimizer, lr=lr,
                     max_steps=max_steps, check_every=check_every,
                     fused=criterion is landscape and not (spring or pull))
    pool.add(theta, level, range(K), left, right)
    out = BeadTraining(theta.detach().clone(), torch.full((K,), math.nan, dtype=theta.dtype),
                       torch.zeros(K, dtype=torch.long), torch.zeros(K, dtype=torch.bool))
    while len(pool):
        for f in pool.advance():
            out.theta[f.tag], out.loss[f.tag], out.steps[f.tag], out.converged[f.tag] = f.theta, f.loss, f.steps, f.converged
    return out


def bead_trainer(landscape: Landscape, spring: float, pull: float) -> Objective:
    """:func:`bead_objective` as a :class:`~landscape_lib.training.PointPool` objective."""
    return lambda theta, left, right: bead_objective(landscape, theta, left, right, spring=spring, pull=pull)
