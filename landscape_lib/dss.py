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
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import torch
from torch import Tensor

from ._validate import check_positive, describe
from .dss_result import DepthRecord, DSSResult, StopReason
from .landscape import Landscape, ModuleLandscape
from .paths import normalized_geodesic_length, path_length

INSERTION_RULES = ("midpoint", "argmax")
LENGTH_ON = ("all", "weights")
OPTIMIZERS = ("adam", "sgd")

#: Freeman & Bruna (2017), quadratic task: (L0, normalized length, mean beads), digitised from the
#: authors' vector figure (about 1 % of the axis span).  **The paper's values** -- reference data to
#: overlay on our measurements, never used to compute anything.
PAPER_QUADRATIC = (
    (0.001, 1.86, 62.4), (0.0025, 1.75, 38.3), (0.005, 1.66, 23.5), (0.0075, 1.65, 18.8),
    (0.01, 1.48, 13.8), (0.025, 1.33, 8.2), (0.05, 1.37, 6.8), (0.075, 1.29, 5.4),
    (0.1, 1.35, 5.0), (0.125, 1.27, 4.0),
)
#: Freeman & Bruna (2017), cubic task, the digitised points that were read off individually (same
#: caveats; between 0.05 and 0.14 the paper's lengths lie at 1.37-1.44 while beads fall from 14 to 4.5,
#: the spike at 0.150-0.162 reaches lengths 1.66-2.54 with 3.2-3.8 beads, and >= 0.168 gives ~1.00 / ~3.1).
PAPER_CUBIC = ((0.01, 1.87, 46.0), (0.02, 1.69, 27.0), (0.03, 1.51, 18.7), (0.15, 1.66, float("nan")))


# -- the two primitive operations: check segments, insert beads ---------------------------------
def segment_max(landscape: Landscape, left: Tensor, right: Tensor, n_grid: int = 100) -> tuple[Tensor, Tensor]:
    r"""Maximum loss on each segment $[a_s, b_s]$, sampled at ``n_grid`` equally spaced $t\in[0,1]$.

    All $S \times$ ``n_grid`` points go through the landscape's batched evaluation together (in
    blocks of ``landscape.chunk_size``, default 256 points, to bound memory).

    Args:
        landscape: the loss that decides.
        left, right: segment ends $a_s, b_s$, shape (S, P).
        n_grid: grid points per segment, both ends included (Freeman & Bruna: 100 for the
            polynomial tasks, 20 for MNIST/CIFAR).

    Returns:
        ``(maxima, t_star)``, both of shape (S,): $\max_t F((1-t)a_s + t b_s)$ and the grid $t$
        where it is attained.
    """
    t = torch.linspace(0.0, 1.0, n_grid, dtype=left.dtype, device=left.device)
    points = (1 - t)[None, :, None] * left[:, None, :] + t[None, :, None] * right[:, None, :]
    # Blocks of a few hundred points: one huge vmap is memory-bound (2-3x slower on a small CPU).
    block = landscape.chunk_size or 256
    with torch.no_grad():
        values = torch.cat([landscape.evaluate(part) for part in points.reshape(-1, left.shape[1]).split(block)])
    values = values.reshape(len(left), n_grid)
    maxima, where = values.max(dim=1)
    return maxima, t[where]


def insert_bead(beads: Tensor, segment: int, t: float = 0.5) -> Tensor:
    r"""Insert the bead $(1-t)\,b_j + t\,b_{j+1}$ between beads $j$ and $j+1$ (one DSS insertion).

    Args:
        beads: the string, shape (n, P).
        segment: $j$, the index of the segment $[b_j, b_{j+1}]$ ($0 \le j \le n-2$).
        t: where on the segment (0.5: Freeman & Bruna's "halfway"; the worst grid point: "argmax").

    Returns:
        The new string, shape (n + 1, P); the new bead has index $j+1$.
    """
    if not 0 <= segment < len(beads) - 1:
        raise ValueError(f"insert_bead: argument `segment` must be in [0, {len(beads) - 2}], got {segment}")
    new = (1 - t) * beads[segment] + t * beads[segment + 1]
    return torch.cat([beads[: segment + 1], new[None], beads[segment + 1:]])


# -- training beads below a level ------------------------------------------------------------------
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
    vectorize: bool = True,
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
        vectorize: ``False`` trains the rows one after the other (same numbers, slower).
    """
    fn = "train_below"
    if not isinstance(landscape, Landscape):
        raise TypeError(f"{fn}: argument `landscape` must be a Landscape, got {describe(landscape)}")
    theta = landscape.check(theta, fn=fn, arg="theta")
    if theta.ndim != 2:
        raise ValueError(f"{fn}: argument `theta` must have shape (K, P), got {tuple(theta.shape)}")
    if optimizer not in OPTIMIZERS:
        raise ValueError(f"{fn}: argument `optimizer` must be one of {OPTIMIZERS}, got {optimizer!r}")
    check_positive(lr, fn=fn, arg="lr")
    check_positive(max_steps, fn=fn, arg="max_steps", integer=True)
    check_positive(check_every, fn=fn, arg="check_every", integer=True)
    criterion = landscape if criterion is None else criterion
    K = theta.shape[0]
    level = torch.as_tensor(level, dtype=theta.dtype, device=theta.device).expand(K).clone()
    if not vectorize and K > 1:
        parts = [
            train_below(landscape, theta[k:k + 1], level[k:k + 1], criterion=criterion, lr=lr,
                        max_steps=max_steps, optimizer=optimizer, check_every=check_every,
                        left=None if left is None else left[k:k + 1],
                        right=None if right is None else right[k:k + 1], spring=spring, pull=pull)
            for k in range(K)
        ]
        return BeadTraining(*(torch.cat([getattr(p, f) for p in parts]) for f in ("theta", "loss", "steps", "converged")))

    theta = theta.detach().clone()
    m, v = torch.zeros_like(theta), torch.zeros_like(theta)
    steps = torch.zeros(K, dtype=torch.long, device=theta.device)
    done = torch.zeros(K, dtype=torch.bool, device=theta.device)
    loss = torch.full((K,), math.nan, dtype=theta.dtype, device=theta.device)
    beta1, beta2, eps = 0.9, 0.999, 1e-8
    for step in range(max_steps + 1):
        if step % check_every == 0 or step == max_steps:
            idx = (~done).nonzero().squeeze(1)
            with torch.no_grad():
                loss[idx] = criterion.evaluate(theta[idx])
            done[idx] = loss[idx] <= level[idx]
            if bool(done.all()) or step == max_steps:
                break
        idx = (~done).nonzero().squeeze(1)  # only the unconverged rows are computed
        x = theta[idx].requires_grad_(True)
        obj = bead_objective(landscape, x, None if left is None else left[idx],
                             None if right is None else right[idx], spring=spring, pull=pull)
        (g,) = torch.autograd.grad(obj.sum(), x)
        steps[idx] += 1
        if optimizer == "adam":
            m[idx] = beta1 * m[idx] + (1 - beta1) * g
            v[idx] = beta2 * v[idx] + (1 - beta2) * g * g
            n = steps[idx].to(theta.dtype)[:, None]
            m_hat, v_hat = m[idx] / (1 - beta1**n), v[idx] / (1 - beta2**n)
            theta[idx] = x.detach() - lr * m_hat / (v_hat.sqrt() + eps)
        else:
            theta[idx] = x.detach() - lr * g
    return BeadTraining(theta, loss, steps, done)


# -- shortening: pull a certified string taut without losing the certificate -------------------
def _passes(criterion: Landscape, left: Tensor, right: Tensor, level: float, n_grid: int, vectorize: bool) -> Tensor:
    if len(left) == 0:
        return torch.zeros(0, dtype=torch.bool)
    if vectorize:
        return segment_max(criterion, left, right, n_grid)[0] <= level
    return torch.cat([segment_max(criterion, left[s:s + 1], right[s:s + 1], n_grid)[0] for s in range(len(left))]) <= level


def _remove_redundant(criterion: Landscape, beads: Tensor, level: float, n_grid: int, vectorize: bool) -> Tensor:
    """Drop interior beads whose neighbours' direct segment passes (odd, then even indices)."""
    changed = True
    while changed and len(beads) > 2:
        changed = False
        for parity in (1, 0):
            i = torch.arange(1, len(beads) - 1)
            i = i[i % 2 == parity]
            ok = _passes(criterion, beads[i - 1], beads[i + 1], level, n_grid, vectorize)
            if bool(ok.any()):
                keep = torch.ones(len(beads), dtype=torch.bool)
                keep[i[ok]] = False
                beads, changed = beads[keep], True
                break  # indices have shifted: recompute the candidates
    return beads


def shorten_string(
    criterion: Landscape,
    beads: Tensor,
    level: float,
    *,
    n_grid: int = 100,
    max_iters: int = 200,
    step: float = 0.5,
    vectorize: bool = True,
) -> Tensor:
    r"""Shorten a certified string while every segment keeps passing the grid check at ``level``.

    The greedy string over-estimates the geodesic: beads are trained wherever gradient descent
    drops them.  This pass (not in Freeman & Bruna) (1) moves interior beads towards the midpoint
    of their neighbours,

    $$ b_i \leftarrow b_i + \eta_i\big(\tfrac12(b_{i-1}+b_{i+1}) - b_i\big), $$

    accepting a move only if both new segments pass (odd beads, then even beads, so that each
    batch of moves has fixed neighbours); a rejected bead halves its $\eta_i$.  Each accepted
    move cannot lengthen the string (convexity of $x\mapsto\lVert a-x\rVert+\lVert x-b\rVert$),
    so the length decreases monotonically towards a taut string inside the level set; (2) removes
    every bead whose two neighbours can be joined directly (the triangle inequality: shorter again);
    then repeats (1) and (2) once.  The result is taut *for its number of beads*: a polygon with few
    beads cannot follow a curved boundary, so it stays longer than the true geodesic.

    Args:
        criterion: the loss that decides (as in :func:`connect`).
        beads: a string that passes at ``level``, shape (n, P).
        level: the acceptance level $m L_0$.
        n_grid: grid points per segment (use the same grid as the certificate).
        max_iters: sweeps of moves; stops earlier once every $\eta_i < 10^{-6}$.
        step: initial $\eta$ (0 < step <= 1).

    Returns:
        The shortened string (fewer or equally many beads, same endpoints).
    """
    beads = beads.detach().clone()
    for _ in range(2):  # slide, drop what became redundant, slide again
        beads = _slide(criterion, beads, level, n_grid, max_iters, step, vectorize)
        beads = _remove_redundant(criterion, beads, level, n_grid, vectorize)
    return beads


def _slide(criterion: Landscape, beads: Tensor, level: float, n_grid: int, max_iters: int, step: float,
           vectorize: bool) -> Tensor:
    """Move beads towards their neighbours' midpoint while both new segments pass (odd, then even)."""
    eta = torch.full((len(beads),), float(step), dtype=beads.dtype)
    for _ in range(max_iters):
        for parity in (1, 0):
            i = torch.arange(1, len(beads) - 1)
            i = i[(i % 2 == parity) & (eta[i] > 1e-6)]
            if len(i) == 0:
                continue
            proposal = beads[i] + eta[i, None] * ((beads[i - 1] + beads[i + 1]) / 2 - beads[i])
            ok = _passes(criterion, torch.cat([beads[i - 1], proposal]), torch.cat([proposal, beads[i + 1]]),
                         level, n_grid, vectorize)
            ok = ok[: len(i)] & ok[len(i):]
            beads[i[ok]] = proposal[ok]
            eta[i[~ok]] /= 2
        if bool((eta[1:-1] <= 1e-6).all()):
            break
    return beads


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
    if optimizer not in OPTIMIZERS:
        raise ValueError(f"{fn}: argument `optimizer` must be one of {OPTIMIZERS}, got {optimizer!r}")
    check_positive(lr, fn=fn, arg="lr")
    check_positive(max_steps, fn=fn, arg="max_steps", integer=True)
    check_positive(check_every, fn=fn, arg="check_every", integer=True)
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
        One :class:`~landscape_lib.dss_result.DSSResult` per pair, in order.
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
        A :class:`~landscape_lib.dss_result.DSSResult`; ``result.connected`` with
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


def fit_power_law(x: Sequence[float] | Tensor, y: Sequence[float] | Tensor) -> tuple[float, float]:
    r"""Least-squares fit of $y \approx c\,x^{k}$ on log-log axes: returns $(c, k)$.

    $\log y = \log c + k \log x$ is a straight line; $k$ is its slope (Freeman & Bruna: beads grow
    "as a power law" as $L_0$ falls, i.e. $k < 0$).
    """
    lx = torch.log(torch.as_tensor(x, dtype=torch.float64))
    ly = torch.log(torch.as_tensor(y, dtype=torch.float64))
    if lx.shape != ly.shape or lx.ndim != 1 or len(lx) < 2:
        raise ValueError(f"fit_power_law: `x` and `y` must be 1-D of equal length >= 2, got shapes {tuple(lx.shape)} and {tuple(ly.shape)}")
    if not bool(torch.isfinite(lx).all() & torch.isfinite(ly).all()):
        raise ValueError("fit_power_law: `x` and `y` must be positive and finite")
    design = torch.stack([torch.ones_like(lx), lx], dim=1)
    coef = torch.linalg.lstsq(design, ly[:, None]).solution[:, 0]
    return float(torch.exp(coef[0])), float(coef[1])
