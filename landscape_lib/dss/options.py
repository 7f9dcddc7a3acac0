r"""Every choice of Dynamic String Sampling in one frozen, validated object.

Freeman & Bruna's Algorithm 1 leaves many choices implicit; their scripts fix them per task
(``science``: §1.3 of the course notes).  :class:`DSSOptions` names each one, with the authors'
polynomial-regression setting as default, and is recorded in every
:class:`~landscape_lib.dss.result.DSSResult`, so a result always says how it was obtained.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass
from typing import Any

from ..training import check_training_options
from ..validation import check_known_names

INSERTION_RULES = ("midpoint", "argmax")
LENGTH_ON = ("all", "weights")


@dataclass(frozen=True)
class DSSOptions:
    r"""The settings of a DSS run (Freeman & Bruna 2017, Alg. 1 and their scripts).

    Attributes:
        alpha: beads are trained until the criterion is $\le \alpha L_0$ (FB: 0.95; 0.98 for MNIST/CIFAR/PTB).
        slack: a segment passes if its maximum is $\le m L_0$, $m$ = ``slack`` (FB: 1.1).  The
            certificate is therefore for $\Omega(m L_0)$, not $\Omega(L_0)$.
        n_grid: grid points per segment, ends included (FB: 100 for the polynomial tasks, 20 for MNIST/CIFAR).
        insert: ``"midpoint"`` ($t=\frac12$, FB polynomial/PTB) or ``"argmax"`` (worst grid point, FB MNIST/CIFAR).
        optimizer, lr: ``"adam"`` with 1e-3 (FB) or ``"sgd"``.
        max_steps: step budget per bead (FB: none -- they trained until convergence).
        check_every: optimiser steps between convergence checks of a bead (FB: 15).
        max_depth: insertion rounds after the initial midpoint bead (FB: 10).
        length_on: string length on ``"all"`` parameters or on ``"weights"`` only (FB polynomial scripts).
        spring, pull: $\zeta$ and $\kappa$ of the constrained bead objective (FB Appendix A; 0 in their runs).
        shorten: pull a connected string taut at level $L_0$ afterwards (not in FB).
        refine: re-examine every segment near its grid maximum before accepting it (not in FB):
            the maximum is searched on ever finer grids around the best grid point until a
            parabola through the best samples predicts less than ``refine_tol`` (relative) more
            (:func:`~landscape_lib.dss.segments.refine_segment_max`); a segment passes only if the
            refined maximum is below the level.  Use it where the exact level matters (the energy gap).
        refine_tol: relative tolerance at which refinement stops.
    """

    alpha: float = 0.95
    slack: float = 1.1
    n_grid: int = 100
    insert: str = "midpoint"
    optimizer: str = "adam"
    lr: float = 1e-3
    max_steps: int = 20_000
    check_every: int = 15
    max_depth: int = 10
    length_on: str = "all"
    spring: float = 0.0
    pull: float = 0.0
    shorten: bool = False
    refine: bool = False
    refine_tol: float = 1e-6

    def __post_init__(self) -> None:
        validate(self, "DSSOptions")

    def as_dict(self) -> dict[str, Any]:
        """The options as a plain dictionary (for tables and files)."""
        return dataclasses.asdict(self)


def _number(fn: str, name: str, value: object, low: float, high: float, *, low_open: bool, why: str) -> None:
    ok = not isinstance(value, bool) and isinstance(value, (int, float)) and math.isfinite(value)
    ok = ok and (value > low if low_open else value >= low) and value <= high
    if not ok:
        raise ValueError(f"{fn}: argument `{name}` must be {why}, got {value!r}")


def validate(options: DSSOptions, fn: str) -> None:
    """Check every option, naming ``fn`` (the function the user called) and the argument."""
    o = options
    _number(fn, "alpha", o.alpha, 0, 1, low_open=True, why="in (0, 1] (beads are trained below alpha * threshold)")
    _number(fn, "slack", o.slack, 1, math.inf, low_open=False,
            why="a finite number >= 1 (segments are accepted below slack * threshold)")
    if isinstance(o.n_grid, bool) or not isinstance(o.n_grid, int) or o.n_grid < 2:
        raise ValueError(f"{fn}: argument `n_grid` must be an integer >= 2 (both ends of a segment), got {o.n_grid!r}")
    if o.insert not in INSERTION_RULES:
        raise ValueError(f"{fn}: argument `insert` must be one of {INSERTION_RULES}, got {o.insert!r}")
    try:
        check_training_options(fn, o.optimizer, o.lr, o.max_steps, o.check_every)
    except TypeError as error:  # one kind of error for every bad option value
        raise ValueError(str(error)) from None
    if isinstance(o.max_depth, bool) or not isinstance(o.max_depth, int) or o.max_depth < 0:
        raise ValueError(f"{fn}: argument `max_depth` must be an integer >= 0, got {o.max_depth!r}")
    if o.length_on not in LENGTH_ON:
        raise ValueError(f"{fn}: argument `length_on` must be one of {LENGTH_ON}, got {o.length_on!r}")
    for name in ("spring", "pull"):
        _number(fn, name, getattr(o, name), 0, math.inf, low_open=False, why="a finite number >= 0")
    for name in ("shorten", "refine"):
        if not isinstance(getattr(o, name), bool):
            raise ValueError(f"{fn}: argument `{name}` must be True or False, got {getattr(o, name)!r}")
    _number(fn, "refine_tol", o.refine_tol, 0, 1, low_open=True, why="in (0, 1]")


def resolve(fn: str, options: DSSOptions | None, overrides: dict[str, Any]) -> DSSOptions:
    """``options`` (default: :class:`DSSOptions`()) with keyword ``overrides``, validated for ``fn``."""
    if options is not None and not isinstance(options, DSSOptions):
        raise TypeError(f"{fn}: argument `options` must be a DSSOptions or None, got {type(options).__name__}")
    names = {f.name for f in dataclasses.fields(DSSOptions)}
    check_known_names(fn, overrides, names, what="option", error=TypeError, quote=lambda name: f"`{name}`")
    merged = {**(dataclasses.asdict(options) if options else {}), **overrides}
    resolved = object.__new__(DSSOptions)  # validate once, under the caller's name
    for name in names:
        object.__setattr__(resolved, name, merged.get(name, getattr(DSSOptions, name)))
    validate(resolved, fn)
    return resolved
