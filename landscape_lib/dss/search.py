r"""Dynamic String Sampling (DSS): certify that two points lie in one component of a level set.

Freeman & Bruna (2017, Alg. 1, "Greedy Dynamic String Sampling") connect two models
$\theta_A, \theta_B$ with $F(\theta_A), F(\theta_B) \le L_0$ by a *string* of beads
$b_0=\theta_A, b_1, \dots, b_k=\theta_B$ such that every straight segment stays below the level

$$ \max_{t\in[0,1]} F\big((1-t)\,b_i + t\,b_{i+1}\big) \;\le\; m\,L_0 \qquad (i = 0,\dots,k-1).$$

The greedy search, per pair:

1. start from $[\theta_A, \tfrac12(\theta_A+\theta_B), \theta_B]$ (endpoints frozen; the midpoint has depth 0);
2. train a new bead with the ordinary objective until its loss is $\le \alpha L_0$;
3. check its two segments on a grid of $t$;
4. insert a bead of depth $d+1$ into each failing segment of depth $d$ (at $t=\tfrac12$ or at the
   segment's worst grid point) and go to 2 -- unless $d$ = ``max_depth``.

The pair is **connected** once every bead is trained and every segment passes.  A bead's training
depends only on its two neighbours, which are trained before it is inserted, so the search is a
tree of independent bisections: the outcome does not depend on the order in which beads are
trained.  That is what makes it fast.  All beads of all pairs that need training are rows of one
:class:`~landscape_lib.training.PointPool`, stepped together; the moment a bead converges its two
segments are checked (batched with all others ready at that step) and the beads they need join
the pool at once -- nobody waits for the slowest bead of a depth.  (Freeman & Bruna's scripts
are breadth-first: depth by depth.  Algorithm 1 as printed recurses depth-first.  Both build the
same tree.)

A pair stops early when a bead cannot be trained below $\alpha L_0$ within ``max_steps``, or when
a segment of depth ``max_depth`` fails; neither proves that the points are disconnected.

The pieces live in small modules: :mod:`~landscape_lib.dss.options` (every choice),
:mod:`~landscape_lib.dss.segments` (check, refine, insert), :mod:`~landscape_lib.dss.beads`
(the bead objective), :mod:`~landscape_lib.dss.shorten` and :mod:`~landscape_lib.dss.result`.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import torch
from torch import Tensor

from ..validation import check_memory, describe, reported_as
from ..landscape import Landscape, ModuleLandscape
from ..paths import normalized_geodesic_length, path_length, segment_max
from ..training import PointPool
from .beads import bead_trainer
from .options import DSSOptions, resolve
from .result import DepthRecord, DSSResult, StopReason
from .segments import refine_segment_max
from .shorten import shorten_string

_ids = itertools.count()  # bead identities: positions in a string shift as beads are inserted


@dataclass(eq=False)
class Bead:
    """One bead of a string while the search runs."""

    theta: Tensor
    depth: int
    trained: bool = False
    steps: int = 0
    id: int = field(default_factory=lambda: next(_ids))


@dataclass
class Check:
    """The verdict on one segment: grid maximum, where it is, refined maximum (or None), passed."""

    maximum: float
    t: float
    refined: float | None
    passed: bool


class PairSearch:
    """One pair's string while the search runs: beads in order, segment checks, outcome."""

    def __init__(self, index: int, theta_a: Tensor, theta_b: Tensor, threshold: float, options: DSSOptions) -> None:
        self.index = index
        self.threshold, self.level, self.options = threshold, options.slack * threshold, options
        self.beads = [Bead(theta_a, 0, True), Bead((theta_a + theta_b) / 2, 0), Bead(theta_b, 0, True)]
        self.checks: dict[tuple[int, int], Check] = {}
        self.training: set[int] = {self.beads[1].id}
        self.reason: StopReason | None = None

    def neighbours(self, bead: Bead) -> tuple[Bead, Bead]:
        i = self.beads.index(bead)
        return self.beads[i - 1], self.beads[i + 1]

    def bead(self, bead_id: int) -> Bead:
        return next(b for b in self.beads if b.id == bead_id)

    def stop(self, reason: StopReason) -> set[int]:
        """End the search; returns the ids of beads still in training (to drop from the pool)."""
        self.reason, dropped, self.training = reason, self.training, set()
        return dropped

    def insert(self, left: Bead, right: Bead, t: float, depth: int) -> Bead:
        new = Bead((1 - t) * left.theta + t * right.theta, depth)
        self.beads.insert(self.beads.index(right), new)
        self.training.add(new.id)
        return new

    def string(self, max_depth: int | None = None) -> list[Bead]:
        """The trained beads (of depth <= ``max_depth``), in order along the string."""
        return [b for b in self.beads if b.trained and (max_depth is None or b.depth <= max_depth)]


def _check_segments(criterion: Landscape, segs: list[tuple[PairSearch, Bead, Bead]], options: DSSOptions) -> list[Check]:
    """Check many segments (of any pairs) in one batched evaluation."""
    if not segs:
        return []
    left = torch.stack([a.theta for _, a, _ in segs])
    right = torch.stack([b.theta for _, _, b in segs])
    maxima, t_star = segment_max(criterion, left, right, options.n_grid)
    refined = None
    if options.refine:
        refined = refine_segment_max(criterion, left, right, t_star, maxima, options.n_grid, rtol=options.refine_tol)
    checks = []
    for k, (pair, _, _) in enumerate(segs):
        decisive = float(maxima[k] if refined is None else refined[k])
        checks.append(Check(float(maxima[k]), float(t_star[k]), None if refined is None else float(refined[k]),
                            decisive <= pair.level))
    return checks


def _search(landscape: Landscape, criterion: Landscape, pairs: list[PairSearch], options: DSSOptions) -> None:
    """Run every pair's greedy search to its end, with one pool of beads for all pairs."""
    o = options
    penalties = bool(o.spring or o.pull)
    pool = PointPool(bead_trainer(landscape, o.spring, o.pull), criterion, optimizer=o.optimizer, lr=o.lr,
                     max_steps=o.max_steps, check_every=o.check_every,
                     fused=criterion is landscape and not penalties)

    def enqueue(new: list[tuple[int, PairSearch, Bead]]) -> None:
        if not new:
            return
        sides = [pair.neighbours(b) for _, pair, b in new]
        pool.add(torch.stack([b.theta for _, _, b in new]),
                 torch.tensor([o.alpha * pair.threshold for _, pair, _ in new], dtype=landscape.dtype),
                 [(p, b.id) for p, _, b in new],
                 torch.stack([s[0].theta for s in sides]) if penalties else None,
                 torch.stack([s[1].theta for s in sides]) if penalties else None)

    enqueue([(pair.index, pair, pair.beads[1]) for pair in pairs])
    while len(pool):
        ready: list[tuple[PairSearch, Bead, Bead]] = []
        for done in pool.advance():
            p, bead_id = done.tag
            pair = pairs[p]
            bead = pair.bead(bead_id)
            bead.theta, bead.trained, bead.steps = done.theta, True, done.steps
            pair.training.discard(bead_id)
            if not done.converged:
                pool.drop({(p, i) for i in pair.stop(StopReason.BEAD_NOT_CONVERGED)})
                continue
            left, right = pair.neighbours(bead)
            ready += [(pair, left, bead), (pair, bead, right)]
        new: list[tuple[int, PairSearch, Bead]] = []
        for (pair, left, right), check in zip(ready, _check_segments(criterion, ready, o)):
            if pair.reason is not None:
                continue  # stopped by another segment of this round
            pair.checks[left.id, right.id] = check
            if check.passed:
                continue
            depth = max(left.depth, right.depth)
            if depth >= o.max_depth:
                pool.drop({(pair.index, i) for i in pair.stop(StopReason.DEPTH_CAP)})
                continue
            t = 0.5 if o.insert == "midpoint" else min(max(check.t, 1 / o.n_grid), 1 - 1 / o.n_grid)
            new.append((pair.index, pair, pair.insert(left, right, t, depth + 1)))
        enqueue([item for item in new if item[1].reason is None])
    for pair in pairs:
        if pair.reason is None:
            pair.reason = StopReason.CONNECTED


def _result(pair: PairSearch, criterion: Landscape, mask: Tensor | None, options: DSSOptions) -> DSSResult:
    """Assemble a :class:`DSSResult`: the trained string, its checks, and the string after each depth."""
    string = pair.string()
    seg = [pair.checks[a.id, b.id] for a, b in zip(string, string[1:])]
    history = []
    for d in range(max(b.depth for b in string) + 1):
        part = pair.string(d)
        part_checks = [pair.checks[a.id, b.id] for a, b in zip(part, part[1:])]
        history.append(DepthRecord(
            d, torch.stack([b.theta for b in part]), torch.tensor([c.maximum for c in part_checks]),
            tuple(i for i, b in enumerate(part) if b.depth == d and 0 < i < len(part) - 1),
            tuple(j for j, c in enumerate(part_checks) if not c.passed),
            max((b.steps for b in part if b.depth == d), default=0)))
    beads = torch.stack([b.theta for b in string])
    connected = pair.reason is StopReason.CONNECTED
    # Shorten inside Omega(L0) itself: the slack m then stays a margin for what the grid misses.
    short = shorten_string(criterion, beads, pair.threshold, n_grid=options.n_grid) if (options.shorten and connected) else None
    return DSSResult(
        beads=beads, connected=connected, reason=pair.reason, threshold=pair.threshold, level=pair.level,
        segment_max=torch.tensor([c.maximum for c in seg], dtype=beads.dtype),
        refined_max=torch.tensor([c.refined for c in seg], dtype=beads.dtype) if options.refine else None,
        length=path_length(beads, mask), normalized_length=normalized_geodesic_length(beads, mask),
        history=tuple(history), shortened_beads=short,
        shortened_length=None if short is None else path_length(short, mask),
        shortened_normalized_length=None if short is None else normalized_geodesic_length(short, mask),
        options=options, criterion=criterion.name,
    )


def _check_unchecked(criterion: Landscape, pairs: list[PairSearch], options: DSSOptions) -> None:
    """Check the segments a stopped search never checked (around a stuck bead), in one batch."""
    todo = []
    for pair in pairs:
        string = pair.string()
        todo += [(pair, a, b) for a, b in zip(string, string[1:]) if (a.id, b.id) not in pair.checks]
    for (pair, a, b), check in zip(todo, _check_segments(criterion, todo, options)):
        pair.checks[a.id, b.id] = check


def _check_inputs(fn: str, landscape: object, criterion: object, options: DSSOptions) -> Landscape:
    if not isinstance(landscape, Landscape):
        raise TypeError(f"{fn}: argument `landscape` must be a Landscape, got {describe(landscape)}")
    if criterion is None:
        criterion = landscape
    elif not isinstance(criterion, Landscape):
        raise TypeError(f"{fn}: argument `criterion` must be a Landscape or None, got {describe(criterion)}")
    elif criterion.dim != landscape.dim:
        raise ValueError(f"{fn}: `criterion` has dim {criterion.dim}, but `landscape` has dim {landscape.dim}")
    if options.length_on == "weights" and not isinstance(landscape, ModuleLandscape):
        raise ValueError(f"{fn}: `length_on='weights'` needs a ModuleLandscape, got {type(landscape).__name__}")
    return criterion


def _run(fn: str, landscape: Landscape, theta_a: Tensor, theta_b: Tensor, threshold: Any,
         criterion: Landscape | None, options: DSSOptions) -> list[DSSResult]:
    crit = _check_inputs(fn, landscape, criterion, options)
    theta_a = landscape.check(theta_a, fn=fn, arg="theta_a")
    theta_b = landscape.check(theta_b, fn=fn, arg="theta_b")
    if theta_a.shape != theta_b.shape:
        raise ValueError(f"{fn}: `theta_a` and `theta_b` must have the same shape, got {tuple(theta_a.shape)} and {tuple(theta_b.shape)}")
    single = theta_a.ndim == 1
    theta_a, theta_b = (theta_a[None], theta_b[None]) if single else (theta_a, theta_b)
    N = len(theta_a)
    if N == 0:
        raise ValueError(f"{fn}: `theta_a` and `theta_b` hold no pairs (shape {tuple(theta_a.shape)})")
    if isinstance(threshold, (int, float)) and not isinstance(threshold, bool):
        thresholds = [float(threshold)] * N
    else:
        if isinstance(threshold, (str, bytes, bool)) or threshold is None:
            raise TypeError(f"{fn}: argument `threshold` must be a number, got {describe(threshold)}")
        thresholds = [float(x) for x in torch.as_tensor(threshold, dtype=torch.float64).reshape(-1)]
        if len(thresholds) != N:
            raise ValueError(f"{fn}: argument `threshold` must be one number or {N} numbers, got {len(thresholds)}")
    for L0 in thresholds:
        if not math.isfinite(L0) or L0 <= 0:
            raise ValueError(
                f"{fn}: argument `threshold` must be > 0, got {L0} (alpha * threshold and slack * threshold "
                "are multiplicative: shift a loss that can be negative so that the level is positive)")
    dist = (theta_b - theta_a).norm(dim=1)
    if bool((dist == 0).any()):
        raise ValueError(f"{fn}: `theta_a` and `theta_b` coincide (pair {int((dist == 0).nonzero()[0])}); nothing to connect")
    with torch.no_grad():
        ends = crit.evaluate(torch.cat([theta_a, theta_b]))
    for k, value in enumerate(ends.tolist()):
        if not value <= thresholds[k % N]:
            which = "theta_a" if k < N else "theta_b"
            pair = "" if single else f" (pair {k % N})"
            raise ValueError(
                f"{fn}: endpoint `{which}`{pair} has loss {value:.6g} > threshold {thresholds[k % N]:.6g}; "
                "train both endpoints below the threshold first (Freeman & Bruna, Alg. 1 step 1)")

    # Refused before the search starts: one segment check per pair holds n_grid points of P numbers
    # (and about three temporaries of that size); later checks of more segments go in blocks.
    check_memory(4 * N * options.n_grid * landscape.dim, fn=fn,
                 what=f"checking {N} segment(s) on argument `n_grid` = {options.n_grid} points in {landscape.dim} dimensions",
                 fix="use a smaller `n_grid` (Freeman & Bruna: 100, or 20 for large networks)",
                 itemsize=torch.finfo(landscape.dtype).bits // 8)
    pairs = [PairSearch(p, theta_a[p], theta_b[p], thresholds[p], options) for p in range(N)]
    with reported_as(fn, "segment_max", "PointPool", "PointPool.add"):
        _search(landscape, crit, pairs, options)
    _check_unchecked(crit, pairs, options)
    mask = landscape.weight_mask() if options.length_on == "weights" else None
    return [_result(pair, crit, mask, options) for pair in pairs]


def connect_many(
    landscape: Landscape,
    theta_a: Tensor,
    theta_b: Tensor,
    threshold: float | Sequence[float] | Tensor,
    *,
    criterion: Landscape | None = None,
    options: DSSOptions | None = None,
    **overrides: Any,
) -> list[DSSResult]:
    r"""Run :func:`connect` on N pairs at once: the beads of every pair share one training pool.

    Args:
        theta_a, theta_b: the endpoints, shape (N, P).
        threshold: $L_0$, one number or one per pair (N,) -- a whole threshold sweep can run at once.
        criterion, options, overrides: as in :func:`connect`.

    Returns:
        One :class:`~landscape_lib.dss.result.DSSResult` per pair, in order.
    """
    fn = "connect_many"
    return _run(fn, landscape, theta_a, theta_b, threshold, criterion, resolve(fn, options, overrides))


def connect(
    landscape: Landscape,
    theta_a: Tensor,
    theta_b: Tensor,
    threshold: float,
    *,
    criterion: Landscape | None = None,
    options: DSSOptions | None = None,
    **overrides: Any,
) -> DSSResult:
    r"""Freeman & Bruna's greedy Dynamic String Sampling between $\theta_A$ and $\theta_B$ at level $L_0$.

    Args:
        landscape: the training objective F that beads are trained on.
        theta_a, theta_b: endpoints, shape (P,), each with criterion loss $\le L_0$.
        threshold: $L_0 > 0$.
        criterion: the loss that decides (bead convergence and segment checks); default
            ``landscape`` (the training loss). Freeman & Bruna: the *test* loss.
        options: a :class:`~landscape_lib.dss.options.DSSOptions` (default: the authors'
            polynomial-regression settings -- α 0.95, slack 1.1, 100-point grid, midpoint
            insertion, Adam 1e-3 checked every 15 steps, depth cap 10).
        overrides: any option by keyword, e.g. ``connect(F, a, b, 0.1, lr=1e-2, max_depth=6)``.

    Returns:
        A :class:`~landscape_lib.dss.result.DSSResult`; ``result.connected`` certifies a path
        inside $\Omega(m L_0)$ (``result.level``), checked on a grid -- ``result.message`` says
        exactly what was shown.

    Performance:
        For networks of a few dozen parameters, ``torch.set_num_threads(1)`` costs nothing, and on
        a busy machine it is much faster than several threads (the matmuls are tiny).

    Raises:
        ValueError: endpoints above the threshold, of different shapes, equal or non-finite;
            ``threshold <= 0``; an option out of range.  TypeError: an unknown option.

    Example:
        >>> from landscape_lib.toys import convex_bowl
        >>> F = convex_bowl()
        >>> a, b = torch.tensor([1.0, 0.5], dtype=torch.float64), torch.tensor([-1.0, -0.5], dtype=torch.float64)
        >>> connect(F, a, b, threshold=2.0).n_beads
        3
    """
    fn = "connect"
    opts = resolve(fn, options, overrides)
    for name, theta in (("theta_a", theta_a), ("theta_b", theta_b)):
        if isinstance(landscape, Landscape):
            theta = landscape.check(theta, fn=fn, arg=name)
        if getattr(theta, "ndim", 1) != 1:
            raise ValueError(f"{fn}: argument `{name}` must be one point of shape (P,), got shape {tuple(theta.shape)} "
                             "(use connect_many for several pairs)")
    if isinstance(threshold, bool) or not isinstance(threshold, (int, float)):
        raise TypeError(f"{fn}: argument `threshold` must be a number, got {describe(threshold)}")
    return _run(fn, landscape, theta_a, theta_b, threshold, criterion, opts)[0]
