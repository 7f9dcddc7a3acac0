"""Run notebooks with nbclient without its silent stall after a cell that shows an ipywidgets Output.

The stall (issue 13).  About one ``jupyter nbconvert --execute`` run of lecture 03 in five stopped
at the cell ``dss_depth_widget(F_ring, ring)`` with the kernel idle, for ever.  What was measured:

* ``py-spy dump`` of both processes during a stall: the kernel is idle (every thread waits in
  ``select``), and nbconvert waits in its event loop for the cell's ``execute_reply``.
* With a cell timeout of 90 s instead of none, the run does not fail: the stalled cell ends exactly
  90 s late.  Its recorded timings show the kernel *sent* the reply at once
  (``shell.execute_reply`` 0.4 s after ``execute_input``); the next cell started 89.6 s later.  A
  reply that never came would have raised ``CellTimeoutError``.  So the reply sat unread in the
  client's shell socket until the poll's timeout re-checked it: a missed wake-up.

Why.  nbclient imitates a front end for ``ipywidgets.Output``: each time output is captured or
cleared it sends the widget's new state back to the kernel (``OutputWidget.sync_state`` ->
``shell_channel.send``), on the same ``zmq.asyncio`` socket on which ``_async_poll_for_reply`` is
waiting for the reply.  A zmq socket's file descriptor is *edge*-triggered: the send processes the
socket's pending events, including "a message arrived", and the waiting poll is never woken
(the hazard pyzmq's documentation warns about).  Only cells that display an ``Output`` widget --
every ``ipywidgets.interactive`` does -- send anything on the shell socket while a reply is awaited,
which is why the stall only ever happened at widget cells.

The fix.  Nothing in this course reads a widget's outputs back in the kernel, so the echo is not
needed: :class:`OutputWidgetWithoutEcho` keeps nbclient's recording of the Output widget's content
(for saved notebooks) but sends nothing to the kernel.  :func:`notebook_client` builds a client
that uses it; :func:`install` patches nbclient itself, for tools that build their own clients
(MyST-NB, in ``site/conf.py``).  nbval is not affected: it handles no comm messages and polls
with a blocking client.
"""

from __future__ import annotations

from typing import Any

from nbclient import NotebookClient
from nbclient.output_widget import OutputWidget

OUTPUT_MODEL = ("@jupyter-widgets/output", "OutputModel")


class OutputWidgetWithoutEcho(OutputWidget):
    """nbclient's imitation of a front end's Output widget, minus the state it echoes to the kernel."""

    def sync_state(self) -> None:
        """Send nothing: the kernel-side widget does not need it, and the send can swallow a reply's wake-up."""


def notebook_client(nb: Any, **kwargs: Any) -> NotebookClient:
    """``nbclient.NotebookClient(nb, **kwargs)`` whose Output widgets send nothing back to the kernel."""
    client = NotebookClient(nb, **kwargs)
    module, model = OUTPUT_MODEL
    client.widget_registry = {module: {model: OutputWidgetWithoutEcho}}
    return client


def install() -> None:
    """Make every nbclient client of this process use :class:`OutputWidgetWithoutEcho` (idempotent)."""
    OutputWidget.sync_state = OutputWidgetWithoutEcho.sync_state  # type: ignore[method-assign]
