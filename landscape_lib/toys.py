r"""Two-dimensional toy landscapes whose level sets we know by hand (lecture 00).

=================  ==========================================  ====================================
toy                formula                                     known facts
=================  ==========================================  ====================================
``convex_bowl``    $x^2 + 3y^2$                                one component at every level
``double_well``    $(x^2-1)^2 + y^2$                           minima $(\pm1,0)$ at 0, saddle $(0,0)$ at 1
``ring_valley``    $(x^2+y^2-1)^2$                             floor = unit circle at 0, bump 1 at 0
                                                               (geodesic: :func:`ring_valley_geodesic`)
``many_minima``    $0.05(x^2+y^2) + \tfrac12(\sin^2\pi x + \sin^2\pi y)$  wells near the integer points
=================  ==========================================  ====================================
"""

from __future__ import annotations

import math

import torch

from .landscape import AnalyticLandscape

#: Level of the double well's saddle point (0, 0): below it Ω(λ) has two components.
DOUBLE_WELL_SADDLE_LEVEL = 1.0
#: Height of the ring valley's central bump above its floor (the unit circle, at level 0).
RING_VALLEY_BUMP_HEIGHT = 1.0


def convex_bowl() -> AnalyticLandscape:
    """$F(x, y) = x^2 + 3y^2$: convex, so every sublevel set is convex (hence connected)."""
    return AnalyticLandscape(lambda t: t[0] ** 2 + 3 * t[1] ** 2, 2, extent=(-2, 2, -2, 2), name="convex bowl")


def double_well() -> AnalyticLandscape:
    r"""$F(x, y) = (x^2 - 1)^2 + y^2$: two minima at $(\pm 1, 0)$ joined through a saddle at level 1."""
    return AnalyticLandscape(lambda t: (t[0] ** 2 - 1) ** 2 + t[1] ** 2, 2, extent=(-2, 2, -1.5, 1.5),
                             name="double well")


def ring_valley() -> AnalyticLandscape:
    r"""$F(x, y) = (x^2 + y^2 - 1)^2$ ("Mexican hat"): a circular valley floor around a bump of height 1."""
    return AnalyticLandscape(lambda t: (t[0] ** 2 + t[1] ** 2 - 1) ** 2, 2, extent=(-1.6, 1.6, -1.6, 1.6),
                             name="ring valley")


def many_minima() -> AnalyticLandscape:
    r"""$F(x, y) = 0.05(x^2+y^2) + \tfrac12\big(\sin^2(\pi x) + \sin^2(\pi y)\big)$: a bowl covered in wells.

    One well near every integer point $(m, n)$, with its floor slightly below $0.05(m^2+n^2)$
    (pulled towards the origin by the bowl); neighbouring wells are separated by saddles about
    $0.5$ above their floors.  Sublevel sets split into one component per well at low levels
    and merge as the level rises.  The bowl rises without bound, so there are wells at every
    height: inside a bounded window the components eventually merge into one (on
    ``extent`` = [-2.5, 2.5]^2 by level 0.9), but on a larger window many remain (33 on
    [-6, 6]^2 at level 1.0) -- a small picture of a rugged landscape.
    """
    pi = math.pi
    return AnalyticLandscape(
        lambda t: 0.05 * (t[0] ** 2 + t[1] ** 2) + 0.5 * (torch.sin(pi * t[0]) ** 2 + torch.sin(pi * t[1]) ** 2),
        2, extent=(-2.5, 2.5, -2.5, 2.5), name="many minima",
    )


def ring_valley_geodesic(level: float) -> float:
    r"""Normalized geodesic length between $(1, 0)$ and $(-1, 0)$ inside the ring valley's $\Omega(\lambda)$.

    $\Omega(\lambda)$ is the annulus $r_{\rm in}^2 \le x^2 + y^2 \le 1 + \sqrt\lambda$ with
    $r_{\rm in} = \sqrt{1 - \sqrt\lambda}$.  The shortest path avoiding the inner disk runs along a
    tangent to it, around it and back along a tangent:

    $$\frac{|\gamma|}{2} = \frac{2\sqrt{1 - r_{\rm in}^2} + r_{\rm in}(\pi - 2\arccos r_{\rm in})}{2}
    \ \xrightarrow[\lambda\to 0]{}\ \frac{\pi}{2}.$$

    (The outer circle never binds: the path bends around the hole, away from it.)
    Freeman & Bruna (2017), §3, define the normalized geodesic length.

    Args:
        level: $\lambda \in (0, 1]$ (at $\lambda \ge 1$ there is no hole and the ratio is 1).
    """
    if isinstance(level, bool) or not isinstance(level, (int, float)) or not 0 < level <= 1:
        raise ValueError(f"ring_valley_geodesic: argument `level` must be in (0, 1], got {level!r}")
    r_in = math.sqrt(1 - math.sqrt(level))
    return (2 * math.sqrt(1 - r_in**2) + r_in * (math.pi - 2 * math.acos(r_in))) / 2
