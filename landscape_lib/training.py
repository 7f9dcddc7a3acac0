r"""A plain training loop over flat parameter vectors: many independent runs at once.

``descend`` minimises a :class:`~landscape_lib.landscape.Landscape` from K starting points
together: the K points are the rows of one ``(K, P)`` tensor, the loss of the batch is the sum of
the K losses (so each row receives exactly its own gradient), and one optimizer step updates all
of them.  Rows that reach ``target`` are frozen, so each run stops at the first step where
$F(\theta_k)\le$ ``target`` -- the "train until the loss is at most $L_0$" of Freeman & Bruna's
Algorithm 1.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

import torch
from torch import Tensor
from tqdm.auto import tqdm

from ._validate import check_positive
from .landscape import Landscape, ModuleLandscape


@dataclass(frozen=True)
class DescentResult:
    """What :func:`descend` returns.

    Attributes:
        theta: final points, same shape as the start ((P,) or (K, P)).
        loss: final losses (scalar or (K,)).
        steps: number of steps each run took (a scalar or (K,) integer tensor).
        reached_target: whether each run reached ``target`` (all True when no target was set).
        history: the loss of every run after every ``record_every`` steps, shape (T, K).
    """

    theta: Tensor
    loss: Tensor
    steps: Tensor
    reached_target: Tensor
    history: Tensor


def _progress_disabled(progress: bool | None) -> bool:
    if progress is not None:
        return not progress
    # Quiet in tests and CI (tqdm also honours TQDM_DISABLE itself).
    return bool(os.environ.get("TQDM_DISABLE")) or bool(os.environ.get("CI"))


def descend(
    landscape: Landscape,
    theta0: Tensor,
    *,
    lr: float,
    max_steps: int,
    optimizer: str = "adam",
    target: float | None = None,
    batch_size: int | None = None,
    generator: torch.Generator | None = None,
    record_every: int = 10,
    progress: bool | None = None,
) -> DescentResult:
    r"""Minimise ``landscape`` from one point (P,) or K points (K, P) at once.

    Args:
        landscape: the loss F.
        theta0: starting point(s); not modified.
        lr: learning rate.
        max_steps: step budget per run.
        optimizer: ``"adam"`` (Kingma & Ba 2015) or ``"sgd"`` (plain gradient descent).
        target: stop each run once its loss is ``<= target`` (checked before every step; the
            loss is the full-data loss even when training on minibatches).
        batch_size: for a :class:`ModuleLandscape`, train on random minibatches of this size
            (``None``: full batch).  All K runs see the same minibatch at a step.
        generator: random generator for the minibatches (seeded runs repeat exactly).
        record_every: store the losses every this many steps in ``history``.
        progress: show a progress bar (default: yes, except in tests/CI).

    Returns:
        A :class:`DescentResult`.
    """
    fn = "descend"
    theta = landscape.check(theta0, fn=fn, arg="theta0")
    check_positive(lr, fn=fn, arg="lr")
    check_positive(max_steps, fn=fn, arg="max_steps", integer=True)
    if optimizer not in ("adam", "sgd"):
        raise ValueError(f"{fn}: argument `optimizer` must be 'adam' or 'sgd', got {optimizer!r}")
    if batch_size is not None:
        check_positive(batch_size, fn=fn, arg="batch_size", integer=True)
        if not isinstance(landscape, ModuleLandscape):
            raise TypeError(f"{fn}: `batch_size` needs a ModuleLandscape, got {type(landscape).__name__}")

    single = theta.ndim == 1
    theta = (theta[None] if single else theta).detach().clone().requires_grad_(True)
    K = theta.shape[0]
    opt_cls = torch.optim.Adam if optimizer == "adam" else torch.optim.SGD
    opt = opt_cls([theta], lr=lr)

    done = torch.zeros(K, dtype=torch.bool, device=theta.device)
    steps = torch.zeros(K, dtype=torch.long, device=theta.device)
    history = []
    n = len(landscape.inputs) if batch_size is not None else 0

    bar = tqdm(range(max_steps), desc=f"descend ({K} run{'s' if K > 1 else ''})",
               disable=_progress_disabled(progress), leave=False)
    for step in bar:
        opt.zero_grad(set_to_none=True)
        if batch_size is None:
            # Full batch: the forward pass that gives the gradient also gives the losses to check.
            losses = landscape.evaluate(theta)
            full = losses.detach()
        else:
            idx = torch.randperm(n, generator=generator, device="cpu")[:batch_size].to(theta.device)
            losses = landscape.with_data(landscape.inputs[idx], landscape.targets[idx]).evaluate(theta)
            full = None
            if target is not None or step % record_every == 0:
                with torch.no_grad():
                    full = landscape.evaluate(theta)
        if step % record_every == 0:
            history.append(full.clone())
        if target is not None:
            done |= full <= target
            if bool(done.all()):
                break
        frozen = theta.detach()[done].clone()
        losses.sum().backward()
        opt.step()
        with torch.no_grad():
            theta[done] = frozen  # finished runs stay exactly where they stopped
        steps += (~done).long()

    with torch.no_grad():
        final = landscape.evaluate(theta)
    history.append(final.clone())
    reached = final <= target if target is not None else torch.ones(K, dtype=torch.bool)
    out = theta.detach()
    if single:
        return DescentResult(out[0], final[0], steps[0], reached[0], torch.stack(history))
    return DescentResult(out, final, steps, reached, torch.stack(history))
