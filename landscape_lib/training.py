r"""One training loop for the whole course: many points, each trained until its own level.

A :class:`PointPool` holds K points $\theta_1,\dots,\theta_K$ as the rows of one ``(K, P)``
tensor and steps them together: the loss of the batch is the sum of the K losses, so each row
receives exactly its own gradient, and one vectorised optimiser step (Adam, Kingma & Ba 2015, with
one step counter per row -- or plain gradient descent) updates all of them.  Every
``check_every`` steps of its own, a row's *criterion* loss is compared with its *level*; a row
that is below leaves the pool, and so does a row that has spent its ``max_steps``.  Rows may join
at any time: this is what lets Dynamic String Sampling keep one pool of beads busy
(:mod:`landscape_lib.dss.search`) instead of waiting depth by depth.

:func:`descend` is the plain use: K runs from K starting points, each frozen at the first step
where $F(\theta_k)\le$ ``target`` -- the "train until the loss is at most $L_0$" of Freeman &
Bruna's Algorithm 1.
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass

import torch
from torch import Tensor
from tqdm.auto import tqdm

from .validation import DivergenceError, check_bool, check_positive, describe
from .landscape import Landscape, ModuleLandscape

OPTIMIZERS = ("adam", "sgd")
ADAM_BETAS, ADAM_EPS = (0.9, 0.999), 1e-8  # torch.optim.Adam's defaults

#: ``objective(theta, left, right) -> (K,)``: what the rows are trained on (``left``/``right`` are
#: per-row context tensors, e.g. a bead's neighbours, or ``None``).
Objective = Callable[[Tensor, "Tensor | None", "Tensor | None"], Tensor]


def check_training_options(fn: str, optimizer: object, lr: object, max_steps: object, check_every: object) -> None:
    """Validate an optimiser's settings, naming ``fn`` -- the function the user called."""
    if optimizer not in OPTIMIZERS:
        raise ValueError(f"{fn}: argument `optimizer` must be one of {OPTIMIZERS}, got {optimizer!r}")
    check_positive(lr, fn=fn, arg="lr")
    check_positive(max_steps, fn=fn, arg="max_steps", integer=True)
    check_positive(check_every, fn=fn, arg="check_every", integer=True)


@dataclass(frozen=True)
class Finished:
    """A row that left a :class:`PointPool`: its tag, final point, criterion loss, steps, success."""

    tag: Hashable
    theta: Tensor
    loss: float
    steps: int
    converged: bool


class PointPool:
    """Points trained together, each until its own criterion level; rows join and leave at any time.

    Checks are aligned: a row joins at the next iteration that is a multiple of ``check_every``
    (it waits at most ``check_every - 1`` iterations), so that every row's own steps 0,
    ``check_every``, 2·``check_every``, ... fall on the same iterations and one evaluation of the
    criterion serves every row that is due.

    Args:
        objective: what the rows are trained on, ``objective(theta, left, right) -> (K,)``.
        criterion: the landscape that decides (a row is done once ``criterion <= level``).
        optimizer: ``"adam"`` or ``"sgd"``; lr: the step size.
        max_steps: steps after which an unconverged row leaves (``converged=False``).
        check_every: a row's criterion is checked at its steps 0, check_every, 2·check_every, ...
        fused: the objective *is* the criterion (no penalty terms): the forward pass of the
            gradient then also gives the check, and no separate evaluation is needed.
    """

    def __init__(self, objective: Objective, criterion: Landscape, *, optimizer: str, lr: float,
                 max_steps: int, check_every: int, fused: bool = False, fn: str = "PointPool") -> None:
        # Checked once here; the iterations (advance) call Landscape.evaluate unchecked.
        if not callable(objective):
            raise TypeError(f"{fn}: argument `objective` must be callable, got {describe(objective)}")
        if not isinstance(criterion, Landscape):
            raise TypeError(f"{fn}: argument `criterion` must be a Landscape, got {describe(criterion)}")
        check_training_options(fn, optimizer, lr, max_steps, check_every)
        self.fn = fn  # the function the user called, named when a run diverges
        self.objective, self.criterion, self.fused = objective, criterion, fused
        self.optimizer, self.lr, self.max_steps, self.check_every = optimizer, lr, max_steps, check_every
        P, dtype, device = criterion.dim, criterion.dtype, criterion.device
        self.theta = torch.zeros(0, P, dtype=dtype, device=device)
        self.m, self.v = self.theta.clone(), self.theta.clone()
        self.left: Tensor | None = None
        self.right: Tensor | None = None
        self.level = torch.zeros(0, dtype=dtype, device=device)
        self.steps = torch.zeros(0, dtype=torch.long, device=device)
        self.tags: list[Hashable] = []
        self.clock = 0  # iterations done
        self.first_join = 0  # the clock at which the oldest row in training joined (rows step once per iteration)
        self.joined: list[int] = []
        self.waiting: list[tuple[Tensor, Tensor, list[Hashable], Tensor | None, Tensor | None]] = []

    def __len__(self) -> int:
        """Rows in training or waiting to join."""
        return len(self.tags) + sum(len(w[2]) for w in self.waiting)

    def add(self, theta: Tensor, level: Tensor | float, tags: Sequence[Hashable],
            left: Tensor | None = None, right: Tensor | None = None) -> None:
        """Rows ``theta`` (k, P) join at the next aligned iteration, each with its level and a tag."""
        fn = "PointPool.add"
        theta = self.criterion.check(theta, fn=fn, arg="theta")
        if theta.ndim != 2:
            raise ValueError(f"{fn}: argument `theta` must be rows of shape (k, P), got shape {tuple(theta.shape)}")
        tags = list(tags)
        if len(tags) != len(theta):
            raise ValueError(f"{fn}: argument `tags` must hold one tag per row ({len(theta)}), got {len(tags)}")
        if isinstance(level, bool) or not isinstance(level, (int, float, Tensor)):
            raise TypeError(f"{fn}: argument `level` must be a number or a tensor of {len(theta)}, got {describe(level)}")
        level = torch.as_tensor(level, dtype=self.theta.dtype, device=self.theta.device)
        if level.numel() not in (1, len(theta)) or torch.isnan(level).any():
            raise ValueError(f"{fn}: argument `level` must be one number or {len(theta)} numbers, none NaN, "
                             f"got {describe(level)}")
        level = level.reshape(-1).expand(len(theta))
        self.waiting.append((theta.detach(), level, list(tags), left, right))

    def _admit(self) -> None:
        for theta, level, tags, left, right in self.waiting:
            zeros = torch.zeros_like(theta)
            self.theta = torch.cat([self.theta, theta])
            self.m, self.v = torch.cat([self.m, zeros]), torch.cat([self.v, zeros])
            self.level = torch.cat([self.level, level])
            self.steps = torch.cat([self.steps, torch.zeros(len(theta), dtype=torch.long, device=self.steps.device)])
            if left is not None:  # context rows (a bead's neighbours) live beside the rows they belong to
                self.left = left.detach() if self.left is None else torch.cat([self.left, left.detach()])
                self.right = right.detach() if self.right is None else torch.cat([self.right, right.detach()])
            self.tags.extend(tags)
            self.joined.extend([self.clock] * len(tags))
        self.waiting = []
        self.first_join = min(self.joined)

    def _keep(self, keep: Tensor) -> None:
        self.theta, self.m, self.v = self.theta[keep], self.m[keep], self.v[keep]
        self.level, self.steps = self.level[keep], self.steps[keep]
        if self.left is not None:
            self.left, self.right = self.left[keep], self.right[keep]
        flags = keep.tolist()
        self.tags = [t for t, k in zip(self.tags, flags) if k]
        self.joined = [c for c, k in zip(self.joined, flags) if k]
        self.first_join = min(self.joined, default=self.clock)

    def drop(self, tags: set[Hashable]) -> None:
        """Remove the rows whose tag is in ``tags`` (e.g. the beads of a pair that has stopped)."""
        if not tags:
            return
        self._keep(torch.tensor([t not in tags for t in self.tags], dtype=torch.bool))
        waiting, self.waiting = self.waiting, []
        for theta, level, wtags, left, right in waiting:
            keep = torch.tensor([t not in tags for t in wtags], dtype=torch.bool)
            if bool(keep.any()):
                self.waiting.append((theta[keep], level[keep], [t for t, k in zip(wtags, keep.tolist()) if k],
                                     None if left is None else left[keep], None if right is None else right[keep]))

    def advance(self, objective: Objective | None = None) -> list[Finished]:
        """One iteration: admit waiting rows (on aligned iterations), check the rows that are due,
        let the finished ones leave, and step the others once.

        Returns the rows that left, in pool order.
        """
        if not self.tags and self.waiting:  # nothing to step: skip ahead to the next aligned iteration
            self.clock += -self.clock % self.check_every
        aligned = self.clock % self.check_every == 0
        if aligned and self.waiting:
            self._admit()
        self.clock += 1
        if not self.tags:
            return []
        objective = objective or self.objective
        check = aligned or self.clock - 1 - self.first_join >= self.max_steps
        grad = crit = None
        if self.fused:  # one forward pass gives the gradient and the check
            x = self.theta.detach().requires_grad_(True)
            values = objective(x, self.left, self.right)
            (grad,) = torch.autograd.grad(values.sum(), x)
            crit = values.detach()
        finished: list[Finished] = []
        if check:
            due = (self.steps % self.check_every == 0) | (self.steps >= self.max_steps)
            if crit is None:
                crit = torch.full_like(self.level, math.inf)
                with torch.no_grad():
                    crit[due] = self.criterion.evaluate(self.theta[due])
            self._check_finite(crit, due)
            converged = due & (crit <= self.level)
            leaving = converged | (due & (self.steps >= self.max_steps))
            finished = [Finished(self.tags[i], self.theta[i], float(crit[i]), int(self.steps[i]), bool(converged[i]))
                        for i in leaving.nonzero().squeeze(1).tolist()]
            if finished:
                stay = ~leaving
                grad = None if grad is None else grad[stay]
                self._keep(stay)
        if self.tags:
            if grad is None:
                x = self.theta.detach().requires_grad_(True)
                (grad,) = torch.autograd.grad(objective(x, self.left, self.right).sum(), x)
            self._step(grad)
        return finished

    def _check_finite(self, crit: Tensor, due: Tensor) -> None:
        """Stop a diverged row (NaN/inf criterion) instead of letting it train on garbage:
        one reduction per check, on values already computed."""
        bad = due & ~torch.isfinite(crit)
        if bool(bad.any()):
            i = int(bad.nonzero()[0])
            hint = "or switch to optimizer='adam'" if self.optimizer == "sgd" else "or start from smaller weights"
            raise DivergenceError(
                f"{self.fn}: the run diverged: the loss of row {self.tags[i]!r} became {float(crit[i])} at its "
                f"step {int(self.steps[i])}; lower `lr` (now {self.lr}) {hint}, and check the data for NaN/inf")

    def _step(self, g: Tensor) -> None:
        self.steps += 1
        if self.optimizer == "sgd":
            self.theta = self.theta.detach() - self.lr * g
            return
        (b1, b2), n = ADAM_BETAS, self.steps.to(self.theta.dtype)[:, None]
        self.m.mul_(b1).add_(g, alpha=1 - b1)
        self.v.mul_(b2).addcmul_(g, g, value=1 - b2)
        # Exactly torch.optim.Adam's update (bias corrections per row: rows joined at different times).
        denom = (self.v / (1 - b2**n)).sqrt_().add_(ADAM_EPS)
        self.theta = self.theta.detach().addcdiv(self.m, denom * (1 - b1**n), value=-self.lr)


def plain_objective(landscape: Landscape) -> Objective:
    """The objective ``F(theta)`` itself (no context), for :class:`PointPool`."""
    return lambda theta, _left, _right: landscape.evaluate(theta)


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


def progress_disabled(progress: bool | None) -> bool:
    """Whether a progress bar should stay hidden: as asked, else hidden in tests and CI."""
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
    target: float | Tensor | None = None,
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
            loss is the full-data loss even when training on minibatches); a number, or one per run.
        batch_size: for a :class:`ModuleLandscape`, train on random minibatches of this size
            (``None``: full batch).  All K runs see the same minibatch at a step.
        generator: random generator for the minibatches (seeded runs repeat exactly).
        record_every: store the losses every this many steps in ``history``.
        progress: show a progress bar (default: yes, except in tests/CI).

    Returns:
        A :class:`DescentResult`.
    """
    fn = "descend"
    if not isinstance(landscape, Landscape):
        raise TypeError(f"{fn}: argument `landscape` must be a Landscape, got {describe(landscape)}")
    theta = landscape.check(theta0, fn=fn, arg="theta0")
    check_training_options(fn, optimizer, lr, max_steps, 1)
    check_positive(record_every, fn=fn, arg="record_every", integer=True)
    if batch_size is not None:
        check_positive(batch_size, fn=fn, arg="batch_size", integer=True)
        if not isinstance(landscape, ModuleLandscape):
            raise TypeError(f"{fn}: `batch_size` needs a ModuleLandscape, got {type(landscape).__name__} (argument `batch_size`)")
        if batch_size > len(landscape.inputs):
            raise ValueError(f"{fn}: argument `batch_size` = {batch_size} is larger than the data "
                             f"({len(landscape.inputs)} samples); use batch_size=None for full batches")
    if generator is not None and not isinstance(generator, torch.Generator):
        raise TypeError(f"{fn}: argument `generator` must be a torch.Generator or None, got {describe(generator)}")
    if progress is not None:
        check_bool(progress, fn=fn, arg="progress")
    single = theta.ndim == 1
    theta = theta[None] if single else theta
    K = theta.shape[0]
    if target is None:
        level = torch.full((K,), -math.inf, dtype=theta.dtype, device=theta.device)
    else:
        if isinstance(target, bool) or not isinstance(target, (int, float, Tensor)):
            raise TypeError(f"{fn}: argument `target` must be a number, one per run, or None, got {describe(target)}")
        level = torch.as_tensor(target, dtype=theta.dtype, device=theta.device)
        if level.numel() not in (1, K) or not bool(torch.isfinite(level).all()):
            raise ValueError(f"{fn}: argument `target` must be one finite number or {K} of them, got {describe(target)}")
        level = level.reshape(-1).expand(K)

    with torch.no_grad():  # once: F returns one finite number per start point
        start = landscape.evaluate_checked(theta, fn=fn)
    if not bool(torch.isfinite(start).all()):
        k = int((~torch.isfinite(start)).nonzero()[0])
        raise ValueError(f"{fn}: the loss at the start point `theta0`{f' (run {k})' if K > 1 else ''} is "
                         f"{float(start[k])}: check the `landscape`'s data and parameters for NaN/inf")

    # Full batch: the forward pass that gives the gradient also gives the check ("fused").
    pool = PointPool(plain_objective(landscape), landscape, optimizer=optimizer, lr=lr, max_steps=max_steps,
                     check_every=1, fused=batch_size is None, fn=fn)
    pool.add(theta, level, range(K))
    out, steps, reached = theta.detach().clone(), torch.zeros(K, dtype=torch.long), torch.zeros(K, dtype=torch.bool)
    last = torch.full((K,), math.nan, dtype=theta.dtype)
    history = []
    n = len(landscape.inputs) if batch_size is not None else 0
    bar = tqdm(total=max_steps, desc=f"descend ({K} run{'s' if K > 1 else ''})",
               disable=progress_disabled(progress), leave=False)
    for step in range(max_steps + 1):
        objective = None
        if batch_size is not None:
            idx = torch.randperm(n, generator=generator, device="cpu")[:batch_size].to(theta.device)
            objective = plain_objective(landscape.with_data(landscape.inputs[idx], landscape.targets[idx]))
        if step % record_every == 0:
            with torch.no_grad():
                current = out.clone()
                current[torch.tensor(pool.tags, dtype=torch.long)] = pool.theta
                history.append(landscape.evaluate(current))
        for f in pool.advance(objective):
            out[f.tag], last[f.tag], steps[f.tag], reached[f.tag] = f.theta, f.loss, f.steps, f.converged
        if not len(pool):
            break
        bar.update(1)
    bar.close()
    with torch.no_grad():
        final = landscape.evaluate(out)
    history.append(final.clone())
    reached = final <= level if target is not None else torch.ones(K, dtype=torch.bool)
    if single:
        return DescentResult(out[0], final[0], steps[0], reached[0], torch.stack(history))
    return DescentResult(out, final, steps, reached, torch.stack(history))
