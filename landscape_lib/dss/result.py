r"""What Dynamic String Sampling returns: the string, whether it certifies a connection, and why it stopped.

A :class:`DSSResult` is a *value*: the beads $b_0,\dots,b_k$ (shape (k+1, P)), the maximum loss
found on every segment $[b_i, b_{i+1}]$, the level $m L_0$ they were checked against, and a
:class:`StopReason` whose message says what the outcome means.  ``connected=True`` is a
certificate *on the grid*: every segment's sampled maximum is $\le m L_0$ (Freeman & Bruna 2017,
§3): it proves a path inside $\Omega(m L_0)$, **not** $\Omega(L_0)$, and
:attr:`DSSResult.message` says which, with the numbers.  ``connected=False`` is **not** a proof of disconnection: the greedy search merely gave up.
"""

from __future__ import annotations

import enum
import textwrap
from dataclasses import dataclass, field

from torch import Tensor

from .options import DSSOptions


class StopReason(str, enum.Enum):
    """Why :func:`~landscape_lib.dss.connect` stopped (a ``str`` enum, so it prints and serialises)."""

    CONNECTED = "connected"
    DEPTH_CAP = "depth_cap"
    BEAD_NOT_CONVERGED = "bead_not_converged"

    @property
    def message(self) -> str:
        """A sentence explaining the outcome and what to try."""
        return _MESSAGES[self]


_MESSAGES = {
    StopReason.CONNECTED: (
        "every segment's maximum loss on its grid is <= slack * threshold: the string certifies a path "
        "inside the level set Omega(slack * threshold) -- not Omega(threshold) -- up to what the grid can miss"
    ),
    StopReason.DEPTH_CAP: (
        "some segments still exceed slack * threshold after `max_depth` insertion rounds; this does "
        "NOT prove that the points are disconnected (try a larger `max_depth` or another insertion rule)"
    ),
    StopReason.BEAD_NOT_CONVERGED: (
        "a new bead could not be trained below alpha * threshold within `max_steps` steps (it may "
        "sit at a critical point, e.g. the top of a bump); this does NOT prove disconnection "
        "(try a larger `max_steps`, a larger `lr`, or endpoints that are not symmetric about a critical point)"
    ),
}


@dataclass(frozen=True)
class DepthRecord:
    """The string after one depth of DSS (for plots, the widget and post-mortems).

    Attributes:
        depth: 0 for the initial string (endpoints + midpoint), then 1, 2, ...
        beads: the string after this depth's new beads were trained, shape (n, P).
        segment_max: maximum loss on each segment, shape (n - 1,).
        new: indices (into ``beads``) of the beads inserted and trained at this depth.
        failing: indices of the segments whose maximum exceeds slack * threshold.
        train_steps: the largest number of optimiser steps any new bead of this depth needed.
    """

    depth: int
    beads: Tensor
    segment_max: Tensor
    new: tuple[int, ...]
    failing: tuple[int, ...]
    train_steps: int


@dataclass(frozen=True)
class DSSResult:
    r"""The outcome of :func:`~landscape_lib.dss.connect`.

    Attributes:
        beads: the greedy string $b_0 = \theta_A, \dots, b_k = \theta_B$, shape (k+1, P).
        connected: ``True`` iff every segment passed (``reason is StopReason.CONNECTED``).
        reason: why the search stopped; ``reason.message`` explains it.
        threshold: $L_0$.
        level: the acceptance level $m L_0$ (``slack * threshold``) segments are checked against.
        segment_max: maximum loss on each segment's grid, shape (k,).
        length: $|\gamma| = \sum_i \lVert b_{i+1} - b_i\rVert$ (on the coordinates chosen by ``length_on``).
        normalized_length: $|\gamma| / \lVert\theta_B - \theta_A\rVert$ (Freeman & Bruna's
            "normalized geodesic length"; 1 for a straight string).
        history: one :class:`DepthRecord` per depth.
        shortened_beads: the string after the optional shortening pass (``None`` if not run or
            not connected); its segments pass the grid check at $L_0$ itself, a stricter level.
        shortened_length, shortened_normalized_length: its length and normalized length.
        refined_max: with ``options.refine``, each segment's maximum refined around its grid
            maximum (what the segment was accepted on), shape (k,); else ``None``.
        options: every setting of the run (a :class:`~landscape_lib.dss.options.DSSOptions`).
        criterion: the name of the landscape that decided.
    """

    beads: Tensor
    connected: bool
    reason: StopReason
    threshold: float
    level: float
    segment_max: Tensor
    length: float
    normalized_length: float
    history: tuple[DepthRecord, ...]
    shortened_beads: Tensor | None = None
    shortened_length: float | None = None
    shortened_normalized_length: float | None = None
    refined_max: Tensor | None = None
    options: DSSOptions = field(default_factory=DSSOptions)
    criterion: str = "F"

    @property
    def message(self) -> str:
        """Exactly what this result shows, with its numbers."""
        o, top = self.options, float(self.checked_max.max())
        how = (f"{o.n_grid}-point grid per segment" + (", each maximum refined to relative "
               f"{o.refine_tol:g}" if o.refine_tol and self.refined_max is not None else ""))
        if not self.connected:
            return f"not connected ({self.reason.value}): {self.reason.message}"
        text = (f"connected: a path of {self.n_beads - 1} segments inside Omega({self.level:.6g}) = "
                f"Omega(slack {o.slack:g} x L0 {self.threshold:.6g}), checked on a {how}")
        if top > self.threshold:
            text += (f"; NOT a path inside Omega(L0 = {self.threshold:.6g}) itself: the largest segment maximum, "
                     f"{top:.6g}, is above L0")
        else:
            text += f"; every segment maximum ({top:.6g} at most) is also <= L0 on that grid"
        return text

    @property
    def checked_max(self) -> Tensor:
        """The maxima the segments were judged on: refined if refinement ran, else the grid maxima."""
        return self.segment_max if self.refined_max is None else self.refined_max

    @property
    def n_beads(self) -> int:
        """Number of beads *including both endpoints* (Freeman & Bruna's count; at least 3)."""
        return int(self.beads.shape[0])

    @property
    def depth(self) -> int:
        """The last depth reached (0 = only the initial midpoint bead)."""
        return self.history[-1].depth if self.history else 0

    def __str__(self) -> str:
        """A small table of the numbers, then :attr:`message` wrapped for a notebook column (88 columns,
        words never split); ``repr`` stays one line."""
        shortened = (f" (shortened: {self.shortened_normalized_length:.4f})"
                     if self.shortened_normalized_length is not None else "")
        rows = [("connected", f"{self.connected} (reason: {self.reason.value})"),
                ("threshold L0", f"{self.threshold:.4g}"),
                ("level m L0", f"{self.level:.4g}"),
                ("max segment loss", f"{float(self.checked_max.max()):.4g}"),
                ("beads", f"{self.n_beads} (depth {self.depth})"),
                ("normalized length", f"{self.normalized_length:.4f}{shortened}")]
        lines = ["DSSResult"] + [f"  {name:<18} {value}" for name, value in rows]
        lines += textwrap.wrap(self.message, width=88, initial_indent="  ", subsequent_indent="    ",
                               break_long_words=False, break_on_hyphens=False)
        return "\n".join(lines)

    def __repr__(self) -> str:
        short = (f", shortened normalized length {self.shortened_normalized_length:.4f}"
                 if self.shortened_normalized_length is not None else "")
        return (f"DSSResult(connected={self.connected}, reason={self.reason.value!r}, "
                f"threshold={self.threshold:.4g}, n_beads={self.n_beads}, depth={self.depth}, "
                f"normalized_length={self.normalized_length:.4f}{short}, "
                f"max segment loss={float(self.checked_max.max()):.4g} vs level {self.level:.4g})")
