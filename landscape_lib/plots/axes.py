"""Figure creation shared by every plotting function.

Figures are created with ``matplotlib.figure.Figure`` rather than ``pyplot``: a notebook shows a
returned figure exactly once, nothing accumulates in pyplot's global list, and no display is
needed (so plotting works headless in tests).
"""

from __future__ import annotations

import io

from matplotlib.axes import Axes
from matplotlib.figure import Figure

#: Widest figure (inches) that JupyterLab shows at full size in a notebook column: wider figures are
#: shrunk and their tick labels become unreadable (issue 14 measured ~60 % at 16-18 in).
COLUMN_WIDTH = 10.0


class CourseFigure(Figure):
    """A matplotlib ``Figure`` that Jupyter displays as a PNG when it is a cell's result.

    (pyplot-free figures are otherwise shown only once the inline backend has been activated by
    some pyplot call, which makes the first figures of a notebook appear as text.)
    """

    def _repr_png_(self) -> bytes:
        buffer = io.BytesIO()
        self.savefig(buffer, format="png", dpi=90)
        return buffer.getvalue()


def new_axes(ax: Axes | None = None, *, figsize: tuple[float, float] = (5.0, 4.0)) -> tuple[Figure, Axes]:
    """Return ``(figure, axes)``: the given axes and their figure, or a fresh figure with one axes."""
    if ax is not None:
        return ax.figure, ax
    fig = CourseFigure(figsize=figsize, layout="constrained")
    return fig, fig.add_subplot()


def new_figure(ncols: int, *, figsize: tuple[float, float]) -> tuple[Figure, list[Axes]]:
    """A fresh figure with ``ncols`` axes side by side."""
    fig = CourseFigure(figsize=figsize, layout="constrained")
    return fig, list(fig.subplots(1, ncols, squeeze=False)[0])
