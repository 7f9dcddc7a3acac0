"""Drive JupyterLab in a Playwright page the way a student does: open, Run All, look, move a slider.

The functions take a Playwright ``Page`` showing one notebook; :class:`NotebookRunner` runs a list
of notebooks, one ahead.  Selectors were checked against JupyterLab 4 with ipywidgets 8 (what
``pyproject.toml`` installs):

* a code cell's prompt ``.jp-InputPrompt`` reads ``[ ]:`` (not run), ``[*]:`` (queued or running)
  or ``[12]:`` (ran);
* error outputs *and* stderr streams render as
  ``.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]``;
* a rendered widget view is an output holding a ``.jupyter-widgets`` element; before it renders (or
  when its model is missing) the output shows "Loading widget..." or "Error displaying widget";
* ``ipywidgets.interactive`` renders as ``.widget-interact``: its controls, then the
  ``.widget-output`` its callback draws into (hand-wired widgets: a ``VBox`` of controls and an
  ``Output``).  A slider's handle is ``.noUi-handle`` (keyboard focusable, with
  ``aria-valuenow``/``aria-valuemax``); a dropdown is a ``<select>``.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from .images import ImageDifference, compare_images
from .server import LabServer

if TYPE_CHECKING:  # playwright may be missing: the tests then skip, they must still import
    from playwright.sync_api import (
        Browser,
        BrowserContext,
        ElementHandle,
        Locator,
        Page,
    )

STDERR_OUTPUT = '.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]'
_RAN = re.compile(r"\[\d+\]")

# Every widget-view output of the notebook's *model* (what the kernel sent), with what the page shows
# for it: a rendered view, nothing (the kernel closed the widget, e.g. a finished progress bar) or
# text (a placeholder).  Needs --LabApp.expose_app_in_browser (see server.py).
_WIDGET_OUTPUTS_JS = """() => {
  const found = [];
  for (const cell of window.jupyterapp.shell.currentWidget.content.widgets) {
    const area = cell.outputArea;
    if (!area) continue;
    for (let j = 0; j < area.model.length; j++) {
      const data = area.model.get(j).toJSON().data;
      if (!data || !data['application/vnd.jupyter.widget-view+json']) continue;
      const node = area.widgets[j] ? area.widgets[j].node : null;
      found.push({rendered: !!(node && node.querySelector('.jupyter-widgets')),
                  text: node ? node.innerText.trim() : ''});
    }
  }
  return found;
}"""


class NotebookTimeout(AssertionError):
    """A notebook did not finish in time (the message names it and the last cell that ran)."""


@dataclass(frozen=True)
class CellProgress:
    """Where Run All is: how many code cells ran, how many wait, and the last one that ran."""

    ran: int
    queued: int
    total: int
    last_ran: str
    running: str

    def describe(self) -> str:
        return (f"{self.ran} of {self.total} code cells ran; last cell that ran: {self.last_ran!r}; "
                f"still running: {self.running or 'none'!r}")


def first_line(source: str) -> str:
    """The first non-empty line of a cell's source, shortened: enough to find the cell."""
    line = next((s.strip() for s in source.splitlines() if s.strip()), "")
    return line if len(line) <= 80 else line[:77] + "..."


def progress(page: Page) -> CellProgress:
    """Read every code cell's prompt and source from the page."""
    cells = page.locator(".jp-Notebook .jp-CodeCell").evaluate_all(
        """cells => cells.map(c => [c.querySelector('.jp-InputPrompt')?.innerText ?? '',
                                    c.querySelector('.jp-InputArea-editor')?.innerText ?? ''])""")
    ran = [source for prompt, source in cells if _RAN.search(prompt)]
    running = [source for prompt, source in cells if "*" in prompt]
    return CellProgress(len(ran), len(running), len(cells), first_line(ran[-1]) if ran else "",
                        first_line(running[0]) if running else "")


def kernel_state(server: LabServer, path: str) -> str | None:
    """The execution state of the kernel attached to ``path`` ("starting", "idle", "busy"), or None."""
    for session in server.api("/api/sessions") or []:
        if session.get("path") == path and session.get("kernel"):
            return session["kernel"].get("execution_state")
    return None


def accept_kernel_dialog(page: Page) -> bool:
    """Click "Select" on JupyterLab's "Select Kernel" dialog if it is open (it picks the default kernel)."""
    dialog = page.locator(".jp-Dialog")
    if dialog.count() and dialog.first.is_visible():
        dialog.locator(".jp-mod-accept").first.click()
        return True
    return False


def open_notebook(page: Page, server: LabServer, path: str, timeout: float = 120.0) -> None:
    """Open ``path`` and wait until its kernel is idle, answering a kernel-selection dialog if one appears."""
    page.goto(server.lab_url(path))
    page.wait_for_selector(".jp-Notebook .jp-CodeCell", timeout=timeout * 1000)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        accept_kernel_dialog(page)
        if kernel_state(server, path) == "idle":
            return
        page.wait_for_timeout(500)
    raise NotebookTimeout(f"{path}: its kernel was not idle {timeout:.0f} s after opening "
                          f"(state {kernel_state(server, path)!r})")


def run_all(page: Page) -> None:
    """Menu Run -> Run All Cells, as a student does."""
    page.locator(".jp-Notebook").first.click(position={"x": 5, "y": 5})  # focus the notebook
    page.locator(".lm-MenuBar-itemLabel", has_text=re.compile(r"^Run$")).click()
    page.locator(".lm-Menu-itemLabel", has_text=re.compile(r"^Run All Cells$")).click()


def wait_for_run_all(page: Page, server: LabServer, path: str, timeout: float) -> CellProgress:
    """Wait until Run All is over: every code cell ran, or execution stopped (a cell raised).

    "Over" also needs the kernel idle and no cell left queued, so a slow kernel or a slow last
    cell is waited for.  Raises :class:`NotebookTimeout` naming ``path`` and the last cell that ran.
    """
    deadline = time.monotonic() + timeout
    while True:
        accept_kernel_dialog(page)
        now = progress(page)
        idle = kernel_state(server, path) == "idle"
        if now.queued == 0 and idle and (now.ran == now.total or page.locator(STDERR_OUTPUT).count()):
            return now
        if time.monotonic() > deadline:
            raise NotebookTimeout(f"{path}: Run All did not finish within {timeout:.0f} s: {now.describe()}")
        page.wait_for_timeout(1000)


def stderr_outputs(page: Page) -> list[str]:
    """The text of every error and stderr output on the page."""
    return page.locator(STDERR_OUTPUT).all_inner_texts()


@dataclass(frozen=True)
class WidgetCount:
    """Widget outputs the kernel sent, how many the page rendered, closed ones, and placeholders left."""

    expected: int
    rendered: int
    closed: int
    placeholders: list[str]

    @property
    def ok(self) -> bool:
        return self.rendered + self.closed == self.expected and not self.placeholders

    def __str__(self) -> str:
        return (f"{self.expected} widget outputs: {self.rendered} rendered, {self.closed} closed by the kernel "
                f"(empty), placeholders left: {self.placeholders}")


def count_widgets(page: Page) -> WidgetCount:
    """Match every widget output of the notebook model with what the page shows for it."""
    outputs = page.evaluate(_WIDGET_OUTPUTS_JS)
    rendered = sum(o["rendered"] for o in outputs)
    closed = sum(not o["rendered"] and not o["text"] for o in outputs)
    placeholders = [o["text"][:200] for o in outputs if not o["rendered"] and o["text"]]
    return WidgetCount(len(outputs), rendered, closed, placeholders)


def wait_for_widgets(page: Page, timeout: float = 30.0) -> WidgetCount:
    """Wait (up to ``timeout`` s) until every widget output is rendered; return the last count."""
    deadline = time.monotonic() + timeout
    while not (count := count_widgets(page)).ok and time.monotonic() < deadline:
        page.wait_for_timeout(500)
    return count


@dataclass(frozen=True)
class Move:
    """What moving a widget's control did: which control, the value before/after, the figures."""

    control: str
    value_before: str
    value_after: str
    before: bytes = field(repr=False)
    after: bytes = field(repr=False)
    difference: ImageDifference


def _control_value(control: ElementHandle) -> str:
    handle = control.query_selector(".noUi-handle")
    if handle:
        return handle.get_attribute("aria-valuetext") or handle.get_attribute("aria-valuenow") or ""
    return control.query_selector("select").input_value()


def _move_control(page: Page, control: ElementHandle) -> None:
    """Move a slider one step with the keyboard (right, or left at its maximum), or pick the next dropdown option."""
    handle = control.query_selector(".noUi-handle")
    if handle:
        now, top = handle.get_attribute("aria-valuenow"), handle.get_attribute("aria-valuemax")
        handle.focus()
        at_max = now is not None and top is not None and float(now) >= float(top)
        page.keyboard.press("ArrowLeft" if at_max else "ArrowRight")
        return
    select = control.query_selector("select")
    current = select.input_value()
    options = [o.get_attribute("value") for o in select.query_selector_all("option")]
    select.select_option(next(v for v in options if v != current))


def _figure_src(output: ElementHandle) -> str:
    """The ``src`` of the output's figure: a data URL, so it changes when the figure is redrawn."""
    image = output.query_selector("img")
    return (image.get_attribute("src") or "") if image else ""


def main_widget(page: Page) -> Locator:
    """The notebook's first widget view with a control (slider or dropdown) and a figure in an output."""
    return (page.locator(".jp-Notebook .jp-OutputArea-output > .jupyter-widgets")
            .filter(has=page.locator(".widget-slider, .widget-dropdown"))
            .filter(has=page.locator(".widget-output img")).first)


def move_main_widget(page: Page, server: LabServer, path: str, timeout: float = 90.0) -> Move:
    """Move the first control of the notebook's :func:`main_widget`; screenshot its figure before and after.

    The first slider is preferred (keyboard arrow); a widget without one gets its first dropdown
    changed.  The redraw is waited for: the figure's image must be replaced and the kernel idle
    again (or ``timeout`` s pass -- then the "after" picture is whatever is shown, and the caller's
    comparison fails).
    """
    # Element handles, not locators: after a broken redraw the figure may be gone, and the
    # "after" picture must still be taken of the same element.
    widget = main_widget(page).element_handle()
    widget.scroll_into_view_if_needed()
    output = next(o for o in widget.query_selector_all(".widget-output") if o.query_selector("img"))
    sliders = widget.query_selector_all(".widget-slider")
    control = (sliders or widget.query_selector_all(".widget-dropdown"))[0]
    label = control.query_selector(".widget-label")
    name = f"{'slider' if sliders else 'dropdown'} {label.inner_text() if label else '?'!r}"
    value_before, src_before = _control_value(control), _figure_src(output)
    before = output.screenshot(animations="disabled")
    _move_control(page, control)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        page.wait_for_timeout(500)
        redrawn = _figure_src(output) not in ("", src_before) or output.query_selector(STDERR_OUTPUT)
        if redrawn and kernel_state(server, path) == "idle":
            break
    page.wait_for_timeout(300)  # let the new image decode and paint
    after = output.screenshot(animations="disabled")
    return Move(name, value_before, _control_value(control), before, after, compare_images(before, after))


def screenshot_notebook(page: Page, path: str, max_height: int = 30_000) -> None:
    """Save the whole notebook (not only the visible part) as one PNG at ``path``.

    JupyterLab scrolls the notebook inside a panel, so a "full page" screenshot would show one
    screenful: the viewport is made as tall as the notebook (at most ``max_height`` pixels), then restored.
    """
    viewport = page.viewport_size or {"width": 1280, "height": 900}
    scroller = page.locator(".jp-NotebookPanel .jp-WindowedPanel-outer").first
    extra, visible = scroller.evaluate("e => [e.scrollHeight, e.clientHeight]")
    height = min(max_height, viewport["height"] + extra - visible)
    try:
        page.set_viewport_size({"width": viewport["width"], "height": height})
        scroller.evaluate("e => { e.scrollTop = 0; }")
        page.wait_for_timeout(500)
        page.screenshot(path=path)
    finally:
        page.set_viewport_size(viewport)


@dataclass
class _Run:
    context: BrowserContext
    page: Page
    started: float


class NotebookRunner:
    """Runs notebooks in JupyterLab, the next one while a test inspects the current one.

    Run All is most of a browser test's time, and one notebook's kernel keeps about one core busy:
    on two cores, starting notebook *k + 1* (open, Run All) before waiting for notebook *k* nearly
    halves the module's time.  Each notebook has its own browser context (no shared state) and is
    closed -- page and kernel -- as soon as its test is done.
    """

    def __init__(self, browser: Browser, server: LabServer, order: list[str], *, viewport: dict[str, int],
                 run_all_timeout: float, screenshot_dir: Path) -> None:
        self.browser, self.server, self.order = browser, server, list(order)
        self.viewport, self.run_all_timeout, self.screenshot_dir = viewport, run_all_timeout, screenshot_dir
        self._runs: dict[str, _Run] = {}

    def start(self, notebook: str) -> None:
        """Open ``notebook`` in a new browser context and click Run All (does not wait for it)."""
        if notebook in self._runs:
            return
        context = self.browser.new_context(viewport=self.viewport)
        page = context.new_page()
        self._runs[notebook] = _Run(context, page, time.monotonic())
        open_notebook(page, self.server, notebook)
        run_all(page)

    def _start_next(self, notebook: str) -> None:
        later = self.order[self.order.index(notebook) + 1:] if notebook in self.order else []
        if later:
            self.start(later[0])

    @contextmanager
    def run(self, notebook: str) -> Iterator[tuple[Page, CellProgress]]:
        """Run All on ``notebook`` (started now or earlier) and wait until it is over; close it afterwards.

        Yields the page and where Run All ended.  A screenshot of the whole notebook is saved as
        ``<screenshot_dir>/<folder>-<name>.png`` (also when waiting failed).
        """
        try:
            self.start(notebook)
            self._start_next(notebook)
            current = self._runs[notebook]
            remaining = self.run_all_timeout - (time.monotonic() - current.started)
            try:
                done = wait_for_run_all(current.page, self.server, notebook, max(remaining, 10.0))
            finally:
                screenshot_notebook(current.page, str(self.screenshot_dir / f"{screenshot_stem(notebook)}.png"))
            yield current.page, done
        finally:
            self.close(notebook)

    def close(self, notebook: str) -> None:
        """Close ``notebook``'s browser context and shut its kernel down (no-op if it is not open)."""
        current = self._runs.pop(notebook, None)
        if current is None:
            return
        try:
            current.context.close()
        finally:
            self.server.shut_down_kernels(notebook)

    def close_all(self) -> None:
        """Close every notebook still open (a test failed before its own, or was deselected)."""
        for notebook in list(self._runs):
            self.close(notebook)


def screenshot_stem(notebook: str) -> str:
    """``lectures/00_x.ipynb`` -> ``lectures-00_x``: the file-name prefix of a notebook's screenshots."""
    return notebook.removesuffix(".ipynb").replace("/", "-")
