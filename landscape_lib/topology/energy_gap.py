r"""The energy gap between two models: the lowest level at which they connect, found by bisection.

For two points $\theta_A,\theta_B$ of a landscape $F$, the *minimax level*

$$ \varepsilon(\theta_A,\theta_B) = \inf_{\gamma:\,\theta_A\to\theta_B}\ \max_{s\in[0,1]} F(\gamma(s)) $$

is the lowest $\lambda$ at which both lie in one component of $\Omega_F(\lambda)$ -- the saddle
level of a double well, the height of the mountain pass.  Freeman & Bruna (2017, Thm 2.4) bound
it for one-hidden-layer ReLU networks: any two models with $F\le\lambda$ connect inside
$\Omega_F(\max(\lambda,\varepsilon))$, with an *energy gap* $\varepsilon\to0$ as the width grows.

We measure it with Dynamic String Sampling as an **oracle**: "does DSS connect the pair at
threshold $L_0$?" is (roughly) monotone in $L_0$, so bisection on $L_0$ brackets $\varepsilon$:

* the **upper end** is a certificate: a string whose every segment, with its maximum refined
  around the grid maximum (``refine=True``), stays below the level -- so
  $\varepsilon\le$ ``gap`` $=$ the largest loss found along that string;
* the **lower end** is a failed search at $L_0=$ ``lower``: DSS found no string inside
  $\Omega(mL_0)$, $m$ = the slack.  This is *not* a proof (DSS can miss a path), so
  $\varepsilon\ge mL_0$ holds only as far as the search can be trusted.

The result states both ends and their difference, the **resolution**.  Because DSS accepts
segments up to $m L_0$, a slack close to 1 (default 1.01) keeps the two ends close.  Thresholds
are multiplicative (beads go below $\alpha L_0$), so bisection is geometric: $\sqrt{L_{lo}L_{hi}}$.

Every bisection round of *all* pairs is one call of the oracle (one ``connect_many``), so N pairs
cost as many DSS calls as one pair.  The oracle is a function you can swap (:data:`Oracle`).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import torch
from torch import Tensor
from tqdm.auto import tqdm

from ..validation import check_positive, describe
from ..dss import DSSOptions, connect_many
from ..landscape import Landscape
from ..training import progress_disabled


@dataclass(frozen=True)
class OracleAnswer:
    """One answer of a connection oracle at one threshold.

    Attributes:
        connected: the oracle found a certified path.
        certified: if connected, the largest loss found along that path (else ``nan``).
        checked_level: the level the path was checked against (DSS: slack x threshold).
        result: the oracle's own record (a :class:`~landscape_lib.dss.DSSResult` for DSS).
    """

    connected: bool
    certified: float
    checked_level: float
    result: Any


#: ``oracle(landscape, theta_a (N, P), theta_b (N, P), thresholds (N,)) -> N answers``, in one call.
Oracle = Callable[[Landscape, Tensor, Tensor, Tensor], list[OracleAnswer]]


def dss_oracle(options: DSSOptions | None = None, *, criterion: Landscape | None = None, **overrides: Any) -> Oracle:
    r"""DSS as a connection oracle: one ``connect_many`` call answers every (pair, threshold).

    Defaults for measuring a level (not Freeman & Bruna's): ``slack=1.01`` and ``refine=True``,
    so a certified string stays below $1.01\,L_0$ even between grid points.  Any other DSS
    option can be given as ``options`` or by keyword; ``criterion`` is the loss that decides.
    """
    opts = DSSOptions(**{"slack": 1.01, "refine": True, **(options.as_dict() if options else {}), **overrides})

    def oracle(landscape: Landscape, theta_a: Tensor, theta_b: Tensor, thresholds: Tensor) -> list[OracleAnswer]:
        results = connect_many(landscape, theta_a, theta_b, thresholds, criterion=criterion, options=opts)
        return [OracleAnswer(r.connected, float(r.checked_max.max()) if r.connected else math.nan, r.level, r)
                for r in results]

    return oracle


@dataclass(frozen=True)
class EnergyGap:
    r"""The bracket on the minimax level of one pair.

    Attributes:
        gap: the largest loss along the certified string: $\varepsilon\le$ ``gap`` (``inf`` if
            no threshold connected within the budget).
        lower_level: the level below which the search found no path: the checked level (slack x
            ``lower``) of the highest failed search that the certificate does not contradict, or
            ``floor`` if there is none.
        resolution: ``gap - lower_level``: how precisely the bisection located the gap.
        upper: the lowest threshold at which the oracle connected (``inf`` if none).
        lower: the threshold of that failed search (``floor`` if none).
        floor: $\max(F(\theta_A), F(\theta_B))$, a lower bound on any path's maximum.
        string: the oracle's certified record at ``upper`` (a DSSResult), or ``None``.
        failed: the oracle's record of the failed search at ``lower``, or ``None``.
        rounds: oracle calls this pair took part in.
        converged: the bracket closed to the requested tolerance.
        trials: every ``(threshold, connected, certified)`` tried, in order.
        contradicted: failed searches whose checked level lies *above* the certified gap (false
            negatives of the greedy search; they are not used for ``lower``).
    """

    gap: float
    lower_level: float
    resolution: float
    upper: float
    lower: float
    floor: float
    string: Any
    failed: Any
    rounds: int
    converged: bool
    trials: tuple[tuple[float, bool, float], ...]
    contradicted: int = 0

    @property
    def bracketed(self) -> bool:
        """Some threshold connected (so ``gap`` is a finite upper bound)."""
        return math.isfinite(self.gap)

    @property
    def excess(self) -> float:
        """``gap - floor``: the barrier above the higher of the two endpoints."""
        return self.gap - self.floor

    def __repr__(self) -> str:
        return (f"EnergyGap(gap={self.gap:.5g}, search failed below {self.lower_level:.5g}, "
                f"resolution={self.resolution:.3g}, floor={self.floor:.5g}, rounds={self.rounds}, "
                f"converged={self.converged})")


def _check_number(fn: str, name: str, value: object, *, low: float, strict: bool) -> float:
    ok = not isinstance(value, bool) and isinstance(value, (int, float)) and math.isfinite(value)
    if not ok or (value <= low if strict else value < low):
        raise ValueError(f"{fn}: argument `{name}` must be a finite number {'>' if strict else '>='} {low:g}, "
                         f"got {describe(value)}")
    return float(value)


def _per_pair(fn: str, name: str, value: object, n: int) -> list[float]:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        values = [float(value)] * n
    elif isinstance(value, Tensor) or (isinstance(value, Sequence) and not isinstance(value, str)):
        values = [float(v) for v in torch.as_tensor(value, dtype=torch.float64).reshape(-1)]
    else:
        raise TypeError(f"{fn}: argument `{name}` must be a number or one number per pair, got {describe(value)}")
    if len(values) != n:
        raise ValueError(f"{fn}: argument `{name}` must be one number or {n} numbers, got {len(values)}")
    for v in values:
        _check_number(fn, name, v, low=0.0, strict=True)
    return values


def energy_gap_many(
    landscape: Landscape,
    theta_a: Tensor,
    theta_b: Tensor,
    *,
    upper: float | Sequence[float] | Tensor,
    lower: float | Sequence[float] | Tensor | None = None,
    rtol: float = 0.02,
    max_rounds: int = 10,
    grow: float = 2.0,
    oracle: Oracle | None = None,
    criterion: Landscape | None = None,
    progress: bool | None = None,
    _fn: str = "energy_gap_many",  # the public function called (energy_gap passes its own name)
) -> list[EnergyGap]:
    r"""Bisect the connection threshold of N pairs at once; one oracle call per round for all pairs.

    Args:
        landscape: the training objective (beads are trained on it).
        theta_a, theta_b: endpoints, shape (N, P) (or (P,) for one pair).
        upper: the bracket's upper threshold(s) (a level where the pair should connect).  If the
            oracle fails there, the threshold is multiplied by ``grow`` until it connects or the
            budget runs out.
        lower: the lower threshold(s); default (and never below) ``floor`` = $\max(F(\theta_A),F(\theta_B))$
            under ``criterion``, since DSS needs both endpoints inside the level set.
        rtol: stop a pair once ``upper / lower - 1 <= rtol`` (thresholds are multiplicative).
        max_rounds: the budget: oracle calls (the first tests both ends of the bracket).
        grow: factor by which ``upper`` grows while it fails.
        oracle: the connection test (default :func:`dss_oracle` with ``slack=1.01``, ``refine=True``).
        criterion: the loss that decides (passed to the default oracle; also defines ``floor``).
        progress: show a progress bar over rounds.

    Returns:
        One :class:`EnergyGap` per pair.
    """
    fn = _fn
    if not isinstance(landscape, Landscape):
        raise TypeError(f"{fn}: argument `landscape` must be a Landscape, got {describe(landscape)}")
    crit = landscape if criterion is None else criterion
    theta_a = landscape.check(theta_a, fn=fn, arg="theta_a")
    theta_b = landscape.check(theta_b, fn=fn, arg="theta_b")
    if theta_a.shape != theta_b.shape:
        raise ValueError(f"{fn}: `theta_a` and `theta_b` must have the same shape, got "
                         f"{tuple(theta_a.shape)} and {tuple(theta_b.shape)}")
    theta_a, theta_b = theta_a.reshape(-1, landscape.dim), theta_b.reshape(-1, landscape.dim)
    N = len(theta_a)
    _check_number(fn, "rtol", rtol, low=0.0, strict=True)
    check_positive(max_rounds, fn=fn, arg="max_rounds", integer=True)
    if _check_number(fn, "grow", grow, low=1.0, strict=True) <= 1:
        raise ValueError(f"{fn}: argument `grow` must be > 1, got {grow}")
    if oracle is None:
        oracle = dss_oracle(criterion=criterion)
    elif not callable(oracle):
        raise TypeError(f"{fn}: argument `oracle` must be callable, got {describe(oracle)}")

    with torch.no_grad():
        ends = crit.evaluate(torch.cat([theta_a, theta_b])).reshape(2, N)
    floor = ends.max(dim=0).values.tolist()
    if not all(f > 0 for f in floor):
        raise ValueError(f"{fn}: the endpoint losses must be > 0 (thresholds are multiplicative), got a floor "
                         f"of {min(floor):.6g}: shift the loss by a positive constant")
    hi = _per_pair(fn, "upper", upper, N)
    # A hair above the floor, so that rounding in a re-evaluation never puts an endpoint above it.
    start = [f * (1 + 1e-9) for f in floor]
    lo = start if lower is None else [max(f, x) for f, x in zip(start, _per_pair(fn, "lower", lower, N))]
    for p in range(N):
        if not hi[p] > lo[p]:
            raise ValueError(f"{fn}: argument `upper` ({hi[p]:.6g}) must be above the lower end of the bracket "
                             f"({lo[p]:.6g}; pair {p}: max(F(theta_a), F(theta_b)) = {floor[p]:.6g})")

    connected_at: list[tuple[float, OracleAnswer] | None] = [None] * N
    failed_at: list[tuple[float, OracleAnswer] | None] = [None] * N
    trials: list[list[tuple[float, bool, float]]] = [[] for _ in range(N)]
    answers_of: list[list[tuple[float, OracleAnswer]]] = [[] for _ in range(N)]
    rounds, done = [0] * N, [False] * N
    for r in tqdm(range(max_rounds), desc="energy gap (bisection)", disable=progress_disabled(progress), leave=False):
        jobs: list[tuple[int, float]] = []
        for p in range(N):
            if done[p]:
                continue
            if r == 0:
                jobs += [(p, lo[p]), (p, hi[p])]
            elif connected_at[p] is None:  # the upper end has not connected yet: grow it
                jobs.append((p, trials[p][-1][0] * grow))
            else:
                below = failed_at[p][0]
                jobs.append((p, math.sqrt(below * connected_at[p][0])))
        if not jobs:
            break
        idx = torch.tensor([p for p, _ in jobs])
        answers = oracle(landscape, theta_a[idx], theta_b[idx], torch.tensor([t for _, t in jobs], dtype=torch.float64))
        for (p, t), ans in zip(jobs, answers):
            trials[p].append((t, bool(ans.connected), float(ans.certified)))
            answers_of[p].append((t, ans))
            if ans.connected and (connected_at[p] is None or t < connected_at[p][0]):
                connected_at[p] = (t, ans)
            if not ans.connected and (failed_at[p] is None or t > failed_at[p][0]):
                failed_at[p] = (t, ans)
        for p in {p for p, _ in jobs}:
            rounds[p] += 1
            c, f = connected_at[p], failed_at[p]
            if c is not None and (f is None or f[0] >= c[0] or c[0] / f[0] - 1 <= rtol):
                done[p] = True  # connected at the floor, bracket closed, or a non-monotone answer

    out = []
    for p in range(N):
        c = connected_at[p]
        gap = c[1].certified if c else math.inf
        # The lower end is the highest failed search *not contradicted* by the certificate: a failure
        # whose checked level lies above the certified gap was a false negative of the greedy search.
        failures = [(t, a) for t, a in answers_of[p] if not a.connected and a.checked_level <= gap]
        f = max(failures, key=lambda x: x[0]) if failures else None
        lower_level = f[1].checked_level if f else floor[p]
        out.append(EnergyGap(
            gap=gap, lower_level=lower_level, resolution=gap - lower_level,
            upper=c[0] if c else math.inf, lower=f[0] if f else floor[p], floor=floor[p],
            string=c[1].result if c else None, failed=f[1].result if f else None, rounds=rounds[p],
            converged=c is not None and (f is None or c[0] / f[0] - 1 <= rtol), trials=tuple(trials[p]),
            contradicted=sum(1 for _, a in answers_of[p] if not a.connected and a.checked_level > gap)))
    return out


def energy_gap(landscape: Landscape, theta_a: Tensor, theta_b: Tensor, **kwargs: Any) -> EnergyGap:
    """:func:`energy_gap_many` for one pair (``theta_a``, ``theta_b`` of shape (P,)); same keywords."""
    if not isinstance(landscape, Landscape):
        raise TypeError(f"energy_gap: argument `landscape` must be a Landscape, got {describe(landscape)}")
    theta_a = landscape.check(theta_a, fn="energy_gap", arg="theta_a")
    if theta_a.ndim != 1:
        raise ValueError(f"energy_gap: `theta_a` must be one point (P,), got shape {tuple(theta_a.shape)}; "
                         "use energy_gap_many for a batch of pairs")
    return energy_gap_many(landscape, theta_a[None], landscape.check(theta_b, fn="energy_gap", arg="theta_b").reshape(1, -1),
                           **kwargs, _fn="energy_gap")[0]
