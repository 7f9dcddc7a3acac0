r"""A static figure for every course widget: what a page without a kernel (the HTML site) shows.

A live widget is a view of objects in a running kernel; a static page (the course's HTML site, a
notebook opened without a kernel) has no kernel and shows an empty box.  The widgets of this course
all draw one matplotlib figure per redraw, so each one can carry a picture of its last drawing:

* :class:`FigureOutput` is an ``ipywidgets.Output`` that remembers the last PNG displayed into it
  (and forgets it when it is cleared).  While the ``with out:`` block runs it *listens* to IPython's
  display publisher -- every message still goes to the widget exactly as before, in its order,
  ``clear_output`` included -- so nothing is drawn or computed twice.  (Capturing the outputs and
  re-displaying them, as ``IPython.utils.capture.capture_output`` would, swallows the
  ``clear_output(wait=True)`` of ``interactive`` and the widget would stack its figures.)
* :class:`StaticInteractive` is ``ipywidgets.interactive`` drawing into a :class:`FigureOutput`;
  :class:`StaticVBox` is an ``ipywidgets.VBox`` holding one (for hand-wired controls).
* Both add to the widget's ``_repr_mimebundle_`` an ``image/png`` (the last figure), a
  ``text/plain`` caption, and the two together as ``text/html``.  JupyterLab renders the richest type it knows, the live widget view
  ``application/vnd.jupyter.widget-view+json``, so nothing changes there; the site's
  ``conf.py`` (``nb_mime_priority_overrides``) drops the widget view so the image is shown.

Errors inside a callback are untouched: ``interactive`` and ``Output`` show the traceback in the
widget as before, and a redraw that failed leaves no image (rather than a stale one).
"""

from __future__ import annotations

import base64
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import ipywidgets as widgets
from IPython import get_ipython

#: The ``text/plain`` of a widget that has a static image: what a page without a kernel says.
CAPTION = ("[static image of this widget's last drawing; it is interactive in JupyterLab: "
           "run the notebook and move its controls]")

PNG_MIME = "image/png"


def static_html(png: str) -> str:
    """The image with its caption, for pages that render HTML but no widgets (the site)."""
    return (f'<figure class="widget-static-image" style="margin: 0">'
            f'<img src="data:image/png;base64,{png}" alt="static image of an interactive widget"/>'
            f'<figcaption style="font-size: 0.85em; color: #666">Static image of an interactive demo: '
            f'run the notebook in JupyterLab to move its controls.</figcaption></figure>')


def png_text(data: bytes | str) -> str:
    """``data`` as a notebook stores an ``image/png`` output: base64 text (bytes are encoded)."""
    if isinstance(data, (bytes, bytearray)):
        return base64.b64encode(bytes(data)).decode("ascii")
    return data


@contextmanager
def listening_to_displays(on_png: Callable[[str], None], on_clear: Callable[[], None]) -> Iterator[None]:
    """While the block runs, call ``on_png`` for every PNG IPython displays and ``on_clear`` on every clear.

    The display publisher's methods are wrapped, not replaced: every message is still published.
    Outside IPython (no shell) there is nothing to listen to and the block just runs.
    """
    shell = get_ipython()
    pub = getattr(shell, "display_pub", None)
    if pub is None:
        yield
        return
    shadowed = {name: vars(pub)[name] for name in ("publish", "clear_output") if name in vars(pub)}
    publish, clear_output = pub.publish, pub.clear_output

    def listening_publish(data, *args, **kwargs):
        if isinstance(data, dict) and PNG_MIME in data:
            on_png(png_text(data[PNG_MIME]))
        return publish(data, *args, **kwargs)

    def listening_clear(*args, **kwargs):
        on_clear()
        return clear_output(*args, **kwargs)

    pub.publish, pub.clear_output = listening_publish, listening_clear
    try:
        yield
    finally:
        for name in ("publish", "clear_output"):  # restore exactly what was there (nested listeners)
            if name in shadowed:
                setattr(pub, name, shadowed[name])
            else:
                delattr(pub, name)


class FigureOutput(widgets.Output):
    """An ``Output`` widget that remembers the last PNG displayed into it since it was last cleared.

    ``png`` is base64 text (as in a notebook's ``image/png`` output) or ``None``.
    """

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.png: str | None = None
        self._listening: list = []

    def _record(self, png: str) -> None:
        self.png = png

    def _forget(self) -> None:
        self.png = None

    def __enter__(self):
        result = super().__enter__()
        listener = listening_to_displays(self._record, self._forget)
        listener.__enter__()
        self._listening.append(listener)
        return result

    def __exit__(self, etype, evalue, tb):
        # Stop listening before Output shows a traceback: an error leaves no figure behind.
        self._listening.pop().__exit__(None, None, None)
        if etype is not None:
            self._forget()
        return super().__exit__(etype, evalue, tb)


class _StaticImage:
    """Adds the last figure (``image/png``) and a caption (``text/plain``) to a widget's mime bundle."""

    @property
    def static_png(self) -> str | None:  # pragma: no cover - overridden
        raise NotImplementedError

    def _repr_mimebundle_(self, **kwargs: Any):
        bundle = super()._repr_mimebundle_(**kwargs)
        png = self.static_png
        if bundle is not None and png is not None:
            bundle = {**bundle, PNG_MIME: png, "text/html": static_html(png), "text/plain": CAPTION}
        return bundle


class StaticInteractive(_StaticImage, widgets.interactive):
    """``ipywidgets.interactive`` whose figure is also shown on pages without a kernel.

    Same arguments as ``ipywidgets.interactive(f, **controls)``; the callback is called once per
    change, as there, and its output area is a :class:`FigureOutput`.
    """

    def update(self, *args: Any) -> None:
        if not isinstance(self.out, FigureOutput):
            # interactive.__init__ builds a plain Output just before its first update(): swap it.
            plain, self.out = self.out, FigureOutput()
            self.children = tuple(self.out if child is plain else child for child in self.children)
            plain.close()
        super().update(*args)

    @property
    def static_png(self) -> str | None:
        return self.out.png


class StaticVBox(_StaticImage, widgets.VBox):
    """A ``VBox`` of controls and a :class:`FigureOutput`: its static image is that output's last figure."""

    @property
    def static_png(self) -> str | None:
        pngs = [child.png for child in self.children if isinstance(child, FigureOutput)]
        return next((png for png in reversed(pngs) if png is not None), None)
