r"""Full-batch gradient descent on the population loss in the mean-field scaling, many seeds at once.

Each particle moves by $\theta_i \leftarrow \theta_i - \eta\,m\,\nabla_{\theta_i}L$.  The factor $m$
is the mean-field step scaling: $\nabla_{\theta_i}L$ is $O(1/m)$ (the particle carries weight
$1/m$ in $f$), so without it the particles of a wide network would not move at all in a fixed
number of steps; with it the empirical measure of the particles follows, as $m\to\infty$, a
width-independent gradient flow on measures (Mei, Montanari & Nguyen 2018; Chizat & Bach 2018;
Rotskoff & Vanden-Eijnden 2018).  Consequence measured in lecture 07: loss curves converge to an
$m$-independent limit and runs with different seeds become alike.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import Tensor

from ..validation import check_positive, reported_as
from ..threads import torch_threads
from .network import _check_particles, _loss_and_grads, init_particles


@dataclass(frozen=True)
class MeanFieldRun:
    """What :func:`train_mean_field` returns (R = number of seeds).

    Attributes:
        width: m.
        steps: recorded step numbers, shape (T,).
        loss: population loss at those steps, shape (T, R).
        a, W: final particles, (R, m) and (R, m, d).
        snapshots: particles ``(a, W)`` of run 0 at ``snapshot_steps`` (for the particle picture).
        snapshot_steps: shape (K,).
    """

    width: int
    steps: Tensor
    loss: Tensor
    a: Tensor
    W: Tensor
    snapshots: list[tuple[Tensor, Tensor]]
    snapshot_steps: Tensor


def mean_field_descent(
    a: Tensor,
    W: Tensor,
    teacher: Tensor,
    *,
    lr: float = 0.5,
    steps: int = 1000,
    record_every: int = 1,
    snapshot_every: int | None = None,
) -> MeanFieldRun:
    """Full-batch GD on the population loss from the particles (a, W), all runs (seeds) at once.

    Args:
        a, W: initial particles, (R, m) and (R, m, d).
        teacher: (m0, d) unit teacher neurons.
        lr: the mean-field step $\\eta$ (the actual gradient is multiplied by m).
        steps: number of steps.
        record_every: record the loss every this many steps (step 0 and the last always).
        snapshot_every: keep run 0's particles every this many steps (None: none).
    """
    fn = "mean_field_descent"
    a, W = _check_particles(a, W, fn)
    check_positive(lr, fn=fn, arg="lr")
    check_positive(steps, fn=fn, arg="steps", integer=True)
    check_positive(record_every, fn=fn, arg="record_every", integer=True)
    if snapshot_every is not None:
        check_positive(snapshot_every, fn=fn, arg="snapshot_every", integer=True)
    teacher = teacher.to(W.dtype)
    m = a.shape[1]
    rec_steps, losses, snaps, snap_steps = [], [], [], []
    with torch_threads(1):  # small matrices, many steps (see landscape_lib.threads)
        for t in range(steps + 1):
            loss, ga, gW = _loss_and_grads(a, W, teacher)
            if t % record_every == 0 or t == steps:
                rec_steps.append(t)
                losses.append(loss)
            if snapshot_every is not None and (t % snapshot_every == 0 or t == steps):
                snap_steps.append(t)
                snaps.append((a[0].clone(), W[0].clone()))
            if t == steps:
                break
            a = a - lr * m * ga
            W = W - lr * m * gW
    return MeanFieldRun(width=m, steps=torch.tensor(rec_steps), loss=torch.stack(losses), a=a, W=W,
                        snapshots=snaps, snapshot_steps=torch.tensor(snap_steps))


def train_mean_field(
    m: int,
    teacher: Tensor,
    *,
    n_seeds: int = 6,
    seed: int = 0,
    lr: float = 0.5,
    steps: int = 1000,
    record_every: int = 1,
    snapshot_every: int | None = None,
) -> MeanFieldRun:
    """Train ``n_seeds`` students of width ``m`` from :func:`init_particles` (seeded) with :func:`mean_field_descent`."""
    g = torch.Generator().manual_seed(seed)
    with reported_as("train_mean_field", "init_particles", "mean_field_descent"):
        a, W = init_particles(m, n_seeds, teacher.shape[1], generator=g, dtype=teacher.dtype)
        return mean_field_descent(a, W, teacher, lr=lr, steps=steps, record_every=record_every,
                                  snapshot_every=snapshot_every)
