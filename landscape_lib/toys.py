r"""Two-dimensional toy landscapes whose level sets we know by hand (lecture 00).

=================  ==========================================  ====================================
toy                formula                                     known facts
=================  ==========================================  ====================================
``convex_bowl``    $x^2 + 3y^2$                                one component at every level
``double_well``    $(x^2-1)^2 + y^2$                           minima $(\pm1,0)$ at 0, saddle $(0,0)$ at 1
``ring_valley``    $(x^2+y^2-1)^2$                             floor = unit circle at 0, bump 1 at 0
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
    r"""$F(x, y) = 0.05(x^2+y^2) + \sin^2(\pi x)\sin^2(\pi y)$: a bowl covered in wells.

    The minima sit near the integer grid lines' crossings with low bowl level; components merge
    one by one as the level rises -- a small picture of a rugged landscape.
    """
    pi = math.pi
    return AnalyticLandscape(
        lambda t: 0.05 * (t[0] ** 2 + t[1] ** 2) + 0.5 * (torch.sin(pi * t[0]) ** 2 + torch.sin(pi * t[1]) ** 2),
        2, extent=(-2.5, 2.5, -2.5, 2.5), name="many minima",
    )
