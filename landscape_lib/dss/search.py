r"""Dynamic String Sampling (DSS): certify that two points lie in one component of a level set.

Freeman & Bruna (2017, Alg. 1, "Greedy Dynamic String Sampling") connect two models
$\theta_A, \theta_B$ with $F(\theta_A), F(\theta_B) \le L_0$ by a *string* of beads
$b_0=\theta_A, b_1, \dots, b_k=\theta_B$ such that every straight segment stays in the level set

$$ \max_{t\in[0,1]} F\big((1-t)\,b_i + t\,b_{i+1}\big) \;\le\; m\,L_0 \qquad (i = 0,\dots,k-1).$$

The greedy search, breadth first as in the authors' scripts:

1. start from $[\theta_A, \tfrac12(\theta_A+\theta_B), \theta_B]$ (endpoints frozen);
2. train every new bead with the ordinary objective until its loss is $\le \alpha L_0$;
3. check every new segment on a grid of $t$; if all pass, the string is a certificate;
4. otherwise insert a bead into each failing segment (at $t=\tfrac12$ or at the segment's worst
   grid point) and go to 2 -- at most ``max_depth`` times.

Every implicit choice of the original is a parameter, with the authors' polynomial-regression
setting as default: $\alpha=0.95$, slack $m=1.1$, 100 grid points, insertion at $t=\tfrac12$,
Adam with learning rate $10^{-3}$ and a convergence check every 15 steps, depth cap 10.
(Their scripts decide with the *test* loss -- pass it as ``criterion`` -- and measure length on
weights only -- ``length_on="weights"``.)  Two options go beyond the paper: the constrained
bead objective of their Appendix A (``spring``, ``pull``), and a shortening pass that pulls the
string taut while keeping the certificate (``shorten=True``).

Everything is batched: all new beads of one depth -- of *all* pairs given to
:func:`connect_many` -- are trained as one ``(K, P)`` tensor, and all new segments are checked
in one call of the landscape's batched evaluation.  ``vectorize=False`` runs the identical
computation bead by bead and segment by segment (for the benchmark and for reading).

The pieces live in small modules: :mod:`~landscape_lib.dss.segments` (check a segment, insert a
bead), :mod:`~landscape_lib.dss.beads` (train beads below a level),
:mod:`~landscape_lib.dss.shorten` (the shortening pass) and :mod:`~landscape_lib.dss.result`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import torch
from torch import Tensor

from .._validate import check_positive, describe
from .beads import check_training_options, train_below
from .result import DepthRecord, DSSResult, StopReason
from .segments import segment_max
from .shorten import shorten_string
from ..landscape import Landscape, ModuleLandscape
from ..paths import normalized_geodesic_length, path_length

INSERTION_RULES = ("midpoint", "argmax")
LENGTH_ON = ("all", "weights")

# -- the search ------------------------------------------------------------------------------------
def _check_options(fn: str, landscape: object, criterion: object, alpha: float, slack: float, n_grid: int,
                   insert: str, optimizer: str, lr: float, max_steps: int, check_every: int, max_depth: int,
                   length_on: str, spring: float, pull: float) -> None:
    if not isinstance(landscape, Landscape):
        raise TypeError(f"{fn}: argument `landscape` must be a Landscape, got {describe(landscape)}")
    if criterion is not None:
        if not isinstance(criterion, Landscape):
            raise TypeError(f"{fn}: argument `criterion` must be a Landscape or None, got {describe(criterion)}")
        if criterion.dim != landscape.dim:
            raise ValueError(f"{fn}: `criterion` has dim {criterion.dim}, but `landscape` has dim {landscape.dim}")
    check_positive(alpha, fn=fn, arg="alpha")
    if alpha > 1:
        raise ValueError(f"{fn}: argument `alpha` must be in (0, 1] (beads are trained below alpha * threshold), got {alpha}")
    check_positive(slack, fn=fn, arg="slack")
    if slack < 1:
        raise ValueError(f"{fn}: argument `slack` must be >= 1 (segments are accepted below slack * threshold), got {slack}")
    check_positive(n_grid, fn=fn, arg="n_grid", integer=True)
    if n_grid < 2:
        raise ValueError(f"{fn}: argument `n_grid` must be >= 2 (both ends of a segment), got {n_grid}")
    if insert not in INSERTION_RULES:
        raise ValueError(f"{fn}: argument `insert` must be one of {INSERTION_RULES}, got {insert!r}")
    check_training_options(fn, optimizer, lr, max_steps, check_every)
    if isinstance(max_depth, bool) or not isinstance(max_depth, int) or max_depth < 0:
        raise ValueError(f"{fn}: argument `max_depth` must be an integer >= 0, got {max_depth!r}")
    if length_on not in LENGTH_ON:
        raise ValueError(f"{fn}: argument `length_on` must be one of {LENGTH_ON}, got {length_on!r}")
    if length_on == "weights" and not isinstance(landscape, ModuleLandscape):
        raise ValueError(f"{fn}: `length_on='weights'` needs a ModuleLandscape, got {type(landscape).__name__}")
    for name, value in (("spring", spring), ("pull", pull)):
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) or value < 0:
            raise ValueError(f"{fn}: argument `{name}` must be a number >= 0, got {value!r}")


def connect_many(
    landscape: Landscape,
    theta_a: Tensor,
    theta_b: Tensor,
    threshold: float | Sequence[float] | Tensor,
    *,
    criterion: Landscape | None = None,
    alpha: float = 0.95,
    slack: float = 1.1,
    n_grid: int = 100,
    insert: str = "midpoint",
    optimizer: str = "adam",
    lr: float = 1e-3,
    max_steps: int = 20_000,
    check_every: int = 15,
    max_depth: int = 10,
    length_on: str = "all",
    spring: float = 0.0,
    pull: float = 0.0,
    shorten: bool = False,
    vectorize: bool = True,
) -> list[DSSResult]:
    r"""Run :func:`connect` on N pairs in lockstep: the new beads of every pair are trained as one batch.

    Args:
        theta_a, theta_b: the endpoints, shape (N, P).
        threshold: $L_0$, one number or one per pair (N,) -- a whole threshold sweep can run at once.
        all others: as in :func:`connect`.

    Returns:
        One :class:`~landscape_lib.dss.result.DSSResult` per pair, in order.
    """
    fn = "connect"
    _check_options(fn, landscape, criterion, alpha, slack, n_grid, insert, optimizer, lr, max_steps,
                   check_every, max_depth, length_on, spring, pull)
    crit = landscape if criterion is None else criterion
    theta_a = landscape.check(theta_a, fn=fn, arg="theta_a")
    theta_b = landscape.check(theta_b, fn=fn, arg="theta_b")
    if theta_a.shape != theta_b.shape:
        raise ValueError(f"{fn}: `theta_a` and `theta_b` must have the same shape, got {tuple(theta_a.shape)} and {tuple(theta_b.shape)}")
    single = theta_a.ndim == 1
    theta_a, theta_b = (theta_a[None], theta_b[None]) if single else (theta_a, theta_b)
    N = len(theta_a)
    if isinstance(threshold, (int, float)) and not isinstance(threshold, bool):
        thresholds = [float(threshold)] * N
    else:
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

    levels = [slack * L0 for L0 in thresholds]
    strings = [[theta_a[p], (theta_a[p] + theta_b[p]) / 2, theta_b[p]] for p in range(N)]
    seg_max = [[math.nan, math.nan] for _ in range(N)]
    seg_t = [[0.5, 0.5] for _ in range(N)]
    new = [[1] for _ in range(N)]
    status: list[StopReason | None] = [None] * N
    history: list[list[DepthRecord]] = [[] for _ in range(N)]
    train_kw = dict(criterion=crit, lr=lr, max_steps=max_steps, optimizer=optimizer, check_every=check_every,
                    spring=spring, pull=pull, vectorize=vectorize)

    for depth in range(max_depth + 1):
        running = [p for p in range(N) if status[p] is None]
        if not running:
            break
        # 1. train every new bead of every running pair, as one (K, P) batch
        jobs = [(p, i) for p in running for i in new[p]]
        trained = train_below(
            landscape, torch.stack([strings[p][i] for p, i in jobs]),
            torch.tensor([alpha * thresholds[p] for p, _ in jobs], dtype=theta_a.dtype),
            left=torch.stack([strings[p][i - 1] for p, i in jobs]),
            right=torch.stack([strings[p][i + 1] for p, i in jobs]), **train_kw)
        stuck, steps = set(), {p: 0 for p in running}
        for k, (p, i) in enumerate(jobs):
            strings[p][i] = trained.theta[k]
            steps[p] = max(steps[p], int(trained.steps[k]))
            if not bool(trained.converged[k]):
                stuck.add(p)
        # 2. check every new segment (the two next to each new bead), as one batch
        segs = [(p, j) for p in running for j in sorted({j for i in new[p] for j in (i - 1, i)})]
        left = torch.stack([strings[p][j] for p, j in segs])
        right = torch.stack([strings[p][j + 1] for p, j in segs])
        if vectorize:
            maxima, t_star = segment_max(crit, left, right, n_grid)
        else:
            parts = [segment_max(crit, left[s:s + 1], right[s:s + 1], n_grid) for s in range(len(segs))]
            maxima, t_star = torch.cat([q[0] for q in parts]), torch.cat([q[1] for q in parts])
        for (p, j), mx, ts in zip(segs, maxima.tolist(), t_star.tolist()):
            seg_max[p][j], seg_t[p][j] = mx, ts
        # 3. decide, record, insert
        for p in running:
            failing = [j for j, mx in enumerate(seg_max[p]) if not mx <= levels[p]]
            history[p].append(DepthRecord(depth, torch.stack(strings[p]), torch.tensor(seg_max[p]),
                                          tuple(new[p]), tuple(failing), steps[p]))
            if p in stuck:
                status[p] = StopReason.BEAD_NOT_CONVERGED
            elif not failing:
                status[p] = StopReason.CONNECTED
            elif depth == max_depth:
                status[p] = StopReason.DEPTH_CAP
            else:
                beads, mx_list, t_list, added = list(strings[p]), list(seg_max[p]), list(seg_t[p]), []
                for j in reversed(failing):  # from the last, so earlier indices stay valid
                    t = 0.5 if insert == "midpoint" else min(max(seg_t[p][j], 1 / n_grid), 1 - 1 / n_grid)
                    beads.insert(j + 1, (1 - t) * beads[j] + t * beads[j + 1])
                    mx_list[j:j + 1], t_list[j:j + 1] = [math.nan, math.nan], [0.5, 0.5]
                    added = [a + 1 for a in added] + [j + 1]
                strings[p], seg_max[p], seg_t[p], new[p] = beads, mx_list, t_list, sorted(added)

    mask = landscape.weight_mask() if length_on == "weights" else None
    results = []
    for p in range(N):
        beads = torch.stack(strings[p])
        connected = status[p] is StopReason.CONNECTED
        # Shorten inside Omega(L0) itself: the slack m then stays a margin for what the grid misses.
        short = shorten_string(crit, beads, thresholds[p], n_grid=n_grid, vectorize=vectorize) if (shorten and connected) else None
        results.append(DSSResult(
            beads=beads, connected=connected, reason=status[p], threshold=thresholds[p], level=levels[p],
            segment_max=torch.tensor(seg_max[p]), length=path_length(beads, mask),
            normalized_length=normalized_geodesic_length(beads, mask), history=tuple(history[p]),
            shortened_beads=short,
            shortened_length=None if short is None else path_length(short, mask),
            shortened_normalized_length=None if short is None else normalized_geodesic_length(short, mask),
            options=dict(alpha=alpha, slack=slack, n_grid=n_grid, insert=insert, optimizer=optimizer, lr=lr,
                         max_steps=max_steps, check_every=check_every, max_depth=max_depth, length_on=length_on,
                         spring=spring, pull=pull, shorten=shorten, criterion=crit.name),
        ))
    return results


def connect(
    landscape: Landscape,
    theta_a: Tensor,
    theta_b: Tensor,
    threshold: float,
    *,
    criterion: Landscape | None = None,
    alpha: float = 0.95,
    slack: float = 1.1,
    n_grid: int = 100,
    insert: str = "midpoint",
    optimizer: str = "adam",
    lr: float = 1e-3,
    max_steps: int = 20_000,
    check_every: int = 15,
    max_depth: int = 10,
    length_on: str = "all",
    spring: float = 0.0,
    pull: float = 0.0,
    shorten: bool = False,
    vectorize: bool = True,
) -> DSSResult:
    r"""Freeman & Bruna's greedy Dynamic String Sampling between $\theta_A$ and $\theta_B$ at level $L_0$.

    Defaults are the authors' polynomial-regression settings (their scripts, see the module notes).

    Args:
        landscape: the training objective F that beads are trained on.
        theta_a, theta_b: endpoints, shape (P,), each with criterion loss $\le L_0$.
        threshold: $L_0 > 0$.
        criterion: the loss that decides (bead convergence and segment checks); default
            ``landscape`` (the training loss). Freeman & Bruna: the *test* loss.
        alpha: beads are trained until criterion $\le \alpha L_0$ (FB: 0.95; 0.98 for MNIST/CIFAR/PTB).
        slack: a segment passes if its grid maximum is $\le m L_0$, $m$ = ``slack`` (FB: 1.1).
        n_grid: grid points per segment, ends included (FB: 100; t = 0...0.99).
        insert: ``"midpoint"`` ($t=\frac12$, FB polynomial/PTB) or ``"argmax"`` (worst grid point, FB MNIST/CIFAR).
        optimizer, lr: ``"adam"`` with 1e-3 (FB) or ``"sgd"``.
        max_steps: step budget per bead (FB: none -- they trained until convergence).
        check_every: steps between convergence checks (FB: 15).
        max_depth: insertion rounds after the initial midpoint (FB: 10).
        length_on: ``"all"`` parameters or ``"weights"`` only (FB polynomial scripts: weights only).
        spring, pull: $\zeta$, $\kappa$ of the constrained bead objective (Appendix A; FB: 0, 0).
        shorten: also run :func:`shorten_string` on a connected string (not in FB), at level
            $L_0$ itself rather than $m L_0$, so that the taut string keeps the slack as a margin
            between grid points (a taut string touches its level, and a finer grid would see it).
        vectorize: ``False`` trains and checks bead by bead (identical numbers, for benchmarks).

    Returns:
        A :class:`~landscape_lib.dss.result.DSSResult`; ``result.connected`` with
        ``result.reason.message`` explaining the outcome.

    Performance:
        For networks of a few dozen parameters, ``torch.set_num_threads(1)`` costs nothing, and on
        a busy machine it is much faster than several threads (the matmuls are tiny; threads that
        wait for each other on loaded cores made them up to ~70x slower in our measurements).

    Raises:
        ValueError: endpoints above the threshold, of different shapes, equal or non-finite;
            ``threshold <= 0``; an option out of range.

    Example:
        >>> from landscape_lib.toys import convex_bowl
        >>> F = convex_bowl()
        >>> a, b = torch.tensor([1.0, 0.5], dtype=torch.float64), torch.tensor([-1.0, -0.5], dtype=torch.float64)
        >>> connect(F, a, b, threshold=2.0).n_beads
        3
    """
    fn = "connect"
    for name, theta in (("theta_a", theta_a), ("theta_b", theta_b)):
        theta = landscape.check(theta, fn=fn, arg=name) if isinstance(landscape, Landscape) else theta
        if getattr(theta, "ndim", 1) != 1:
            raise ValueError(f"{fn}: argument `{name}` must be one point of shape (P,), got shape {tuple(theta.shape)} "
                             "(use connect_many for several pairs)")
    if isinstance(threshold, bool) or not isinstance(threshold, (int, float)):
        raise TypeError(f"{fn}: argument `threshold` must be a number, got {describe(threshold)}")
    return connect_many(
        landscape, theta_a, theta_b, threshold, criterion=criterion, alpha=alpha, slack=slack, n_grid=n_grid,
        insert=insert, optimizer=optimizer, lr=lr, max_steps=max_steps, check_every=check_every,
        max_depth=max_depth, length_on=length_on, spring=spring, pull=pull, shorten=shorten, vectorize=vectorize,
    )[0]
