r"""A DSS sweep over pairs x thresholds in one :func:`~landscape_lib.dss.connect_many` call, as a tidy table.

Freeman & Bruna (2017, §3) measure the geometry of level sets by connecting trained pairs at a
sweep of thresholds $L_0$ and reporting, per threshold, the mean normalized length and number of
beads.  :func:`sweep_levels` runs the whole sweep -- every pair at every threshold -- as **one**
batched search and returns one row per (threshold, pair) with, side by side,

* whether DSS certified a connection (and why it stopped otherwise -- failed rows are kept),
* the normalized length $|\gamma|/\lVert\theta_B-\theta_A\rVert$ and the number of beads,
* the *straight-line maximum* $\max_t F_c((1-t)\theta_A+t\theta_B)$ of the criterion on the
  same grid: the height the straight path reaches (above $mL_0$ means the straight path fails
  the very check the string passes),
* the string's own maximum (largest grid maximum over its segments).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import torch
from torch import Tensor

from ..validation import describe
from ..landscape import Landscape
from ..paths import segment_max
from .options import DSSOptions
from .result import DSSResult
from .search import connect_many


@dataclass(frozen=True)
class LevelSweep:
    """One row per (threshold, pair): the columns are tensors of length R = T x N, thresholds outer.

    Attributes:
        threshold: $L_0$ of the row.
        pair: index of the pair (0 ... N-1).
        connected: DSS certified a connection.
        reason: why the search stopped (``"connected"``, ``"depth_cap"``, ``"bead_not_converged"``).
        normalized_length: the string's $|\\gamma|/\\lVert\\theta_B-\\theta_A\\rVert$.
        n_beads: beads including both endpoints (Freeman & Bruna's count).
        line_max: the criterion's maximum on the straight segment (same grid as DSS).
        string_max: the largest segment maximum of the string.
        endpoint_max: $\\max(F_c(\\theta_A), F_c(\\theta_B))$.
        slack: $m$; a row's certificate is for $\\Omega(m L_0)$.
        results: the :class:`DSSResult` of every row (beads, segment maxima, ...).
    """

    threshold: Tensor
    pair: Tensor
    connected: Tensor
    reason: tuple[str, ...]
    normalized_length: Tensor
    n_beads: Tensor
    line_max: Tensor
    string_max: Tensor
    endpoint_max: Tensor
    slack: float
    results: tuple[DSSResult, ...]

    def __len__(self) -> int:
        return len(self.results)

    @property
    def levels(self) -> list[float]:
        """The thresholds of the sweep, in the order given."""
        return list(dict.fromkeys(self.threshold.tolist()))

    def at(self, threshold: float) -> list[int]:
        """Row indices of one threshold."""
        return [i for i, L0 in enumerate(self.threshold.tolist()) if L0 == threshold]

    def rows(self) -> list[dict[str, Any]]:
        """The table as a list of dictionaries (one per row), e.g. for ``pandas.DataFrame``."""
        return [dict(threshold=float(self.threshold[i]), pair=int(self.pair[i]), connected=bool(self.connected[i]),
                     reason=self.reason[i], normalized_length=float(self.normalized_length[i]),
                     n_beads=int(self.n_beads[i]), line_max=float(self.line_max[i]),
                     string_max=float(self.string_max[i]), endpoint_max=float(self.endpoint_max[i]))
                for i in range(len(self))]

    def summary(self) -> list[dict[str, float]]:
        r"""Per threshold: pairs, connected pairs, mean (std) normalized length and beads over the
        **connected** pairs (Freeman & Bruna's statistic), and how many straight lines exceed $mL_0$."""
        out = []
        for L0 in self.levels:
            idx = torch.tensor(self.at(L0))
            ok = idx[self.connected[idx]]
            length, beads = self.normalized_length[ok], self.n_beads[ok].to(torch.float64)
            out.append(dict(
                threshold=L0, pairs=len(idx), connected=len(ok),
                length=float(length.mean()) if len(ok) else math.nan,
                length_std=float(length.std(unbiased=False)) if len(ok) else math.nan,
                beads=float(beads.mean()) if len(ok) else math.nan,
                beads_std=float(beads.std(unbiased=False)) if len(ok) else math.nan,
                line_max=float(self.line_max[idx].mean()),
                lines_above=int((self.line_max[idx] > self.slack * L0).sum()),
                string_max=float(self.string_max[ok].max()) if len(ok) else math.nan,
            ))
        return out

    def format(self, *, per_pair: bool = False) -> str:
        """A printable table: one line per threshold (or per row with ``per_pair=True``)."""
        if per_pair:
            lines = [f"{'L0':>7} {'pair':>4} {'connected':>17} {'length':>7} {'beads':>5} {'line max':>9} {'string max':>10}"]
            for r in self.rows():
                lines.append(f"{r['threshold']:7.4g} {r['pair']:4d} {r['reason']:>17} {r['normalized_length']:7.4f} "
                             f"{r['n_beads']:5d} {r['line_max']:9.4f} {r['string_max']:10.4f}")
            return "\n".join(lines)
        lines = [f"{'L0':>7} | {'connected':>9} | {'normalized length':>17} | {'beads':>10} | "
                 f"{'straight-line max':>17} | {'lines > mL0':>11} | {'string max':>10}"]
        for s in self.summary():
            lines.append(f"{s['threshold']:7.4g} | {s['connected']:3d} of {s['pairs']:<2d} | {s['length']:8.4f} ± {s['length_std']:6.4f} | "
                         f"{s['beads']:4.1f} ± {s['beads_std']:3.1f} | {s['line_max']:17.4f} | {s['lines_above']:5d} of {s['pairs']:<2d} | "
                         f"{s['string_max']:10.4f}")
        return "\n".join(lines)


def sweep_levels(
    landscape: Landscape,
    theta_a: Tensor,
    theta_b: Tensor,
    thresholds: Sequence[float] | Tensor,
    *,
    criterion: Landscape | None = None,
    options: DSSOptions | None = None,
    **overrides: Any,
) -> LevelSweep:
    r"""Connect N pairs at each of T thresholds with one :func:`connect_many` call (T x N searches).

    Args:
        landscape: the objective beads are trained on (e.g. the training cross-entropy).
        theta_a, theta_b: endpoints, shape (N, P) -- the same pairs at every threshold -- or
            (T, N, P) -- one set of pairs per threshold, e.g. snapshots of the same training
            runs taken when they first reached each threshold.
        thresholds: the T levels $L_0$ (each row's endpoints must have criterion $\le L_0$).
        criterion: the loss that decides (Freeman & Bruna: the test error); default ``landscape``.
        options, overrides: DSS settings, as for :func:`connect_many`.

    Returns:
        A :class:`LevelSweep` with T x N rows, thresholds outer, pairs inner.

    Example:
        >>> from landscape_lib.toys import convex_bowl
        >>> F = convex_bowl()
        >>> a = torch.tensor([[1.0, 0.5]], dtype=torch.float64)
        >>> sweep_levels(F, a, -a, [2.0, 1.8]).n_beads.tolist()
        [3, 3]
    """
    fn = "sweep_levels"
    if not isinstance(landscape, Landscape):
        raise TypeError(f"{fn}: argument `landscape` must be a Landscape, got {describe(landscape)}")
    crit = landscape if criterion is None else criterion
    if isinstance(thresholds, (int, float, str)) or thresholds is None:
        raise TypeError(f"{fn}: argument `thresholds` must be a sequence of numbers, got {describe(thresholds)}")
    levels = torch.as_tensor(thresholds, dtype=torch.float64).reshape(-1)
    T = len(levels)
    if T == 0:
        raise ValueError(f"{fn}: argument `thresholds` is empty")
    if not bool(torch.isfinite(levels).all() & (levels > 0).all()):
        raise ValueError(f"{fn}: argument `thresholds` must be positive and finite, got {levels.tolist()}")
    for name, theta in (("theta_a", theta_a), ("theta_b", theta_b)):
        if not isinstance(theta, Tensor) or theta.ndim not in (2, 3):
            raise ValueError(f"{fn}: argument `{name}` must be a tensor of shape (N, P) or (T, N, P), got {describe(theta)}")
        if theta.ndim == 3 and theta.shape[0] != T:
            raise ValueError(f"{fn}: argument `{name}` has {theta.shape[0]} sets of pairs but there are {T} thresholds")
    if theta_a.shape != theta_b.shape:
        raise ValueError(f"{fn}: `theta_a` and `theta_b` must have the same shape, got {tuple(theta_a.shape)} and {tuple(theta_b.shape)}")
    a = theta_a if theta_a.ndim == 3 else theta_a.expand(T, *theta_a.shape)
    b = theta_b if theta_b.ndim == 3 else theta_b.expand(T, *theta_b.shape)
    N = a.shape[1]
    a, b = a.reshape(T * N, -1), b.reshape(T * N, -1)
    per_row = levels.repeat_interleave(N)
    results = connect_many(landscape, a, b, per_row, criterion=criterion, options=options, **overrides)
    opts = results[0].options
    n_grid = int(opts["n_grid"]) if isinstance(opts, dict) else int(getattr(opts, "n_grid"))
    slack = float(opts["slack"]) if isinstance(opts, dict) else float(getattr(opts, "slack"))
    line_max, _ = segment_max(crit, a, b, n_grid)  # the straight path, on the grid DSS used
    with torch.no_grad():
        ends = crit.evaluate(torch.cat([a, b])).reshape(2, -1).max(dim=0).values
    return LevelSweep(
        threshold=per_row,
        pair=torch.arange(N).repeat(T),
        connected=torch.tensor([r.connected for r in results]),
        reason=tuple(r.reason.value for r in results),
        normalized_length=torch.tensor([r.normalized_length for r in results], dtype=torch.float64),
        n_beads=torch.tensor([r.n_beads for r in results]),
        line_max=line_max.to(torch.float64),
        string_max=torch.tensor([float(r.segment_max.max()) for r in results], dtype=torch.float64),
        endpoint_max=ends.to(torch.float64),
        slack=slack,
        results=tuple(results),
    )
