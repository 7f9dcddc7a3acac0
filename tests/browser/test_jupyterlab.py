"""The course as a student meets it: JupyterLab in a (headless) browser.

For every lecture: open it, Run All, wait for the kernel; then no cell shows an error or writes to
stderr, every ipywidgets control rendered, and moving the control of the lecture's main widget
(the first with a control and a figure) redraws the figure -- compared pixel by pixel, before and
after.  On an exercise sheet, Run All stops at the first unsolved self-check, which shows its short
message, not a traceback.  Screenshots of each notebook and of each widget before and after go to
``browser-screenshots/``.

Run with ``python -m pytest tests/browser`` (or ``-m browser``); they need Chromium and Playwright
(see ``conftest.py``), and are skipped with the install command otherwise.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from tests.browser import lab as jl
from tests.browser.lab import NotebookRunner
from tests.browser.server import REPO, LabServer

if TYPE_CHECKING:
    from playwright.sync_api import Page

pytestmark = pytest.mark.browser

LECTURES = sorted(p.relative_to(REPO).as_posix() for p in (REPO / "lectures").glob("0*.ipynb"))
EXERCISE_SHEETS = sorted(p.relative_to(REPO).as_posix() for p in (REPO / "exercises").glob("00_*.ipynb"))
#: Lines a self-check's failure message may span (it is wrapped to the notebook's column).
MAX_CHECK_MESSAGE_LINES = 6
TRACEBACK_MARKERS = ("Traceback (most recent call last)", "Cell In[", "---->", 'File "')


def assert_no_errors(page: Page, notebook: str, when: str) -> None:
    """No output on the page is an error or a stderr stream (the first one is shown)."""
    errors = jl.stderr_outputs(page)
    assert not errors, (f"{notebook}: {len(errors)} cell output(s) show an error or stderr {when}; "
                        "the first:\n" + errors[0][:2000])


def test_every_lecture_is_tested():
    assert len(LECTURES) == 8 and len(EXERCISE_SHEETS) == 1, (LECTURES, EXERCISE_SHEETS)


@pytest.mark.parametrize("notebook", LECTURES, ids=lambda n: Path(n).stem[:2])
def test_lecture_in_jupyterlab(notebooks: NotebookRunner, lab: LabServer, screenshots: Path, notebook: str):
    """Run All works, shows no error, renders every widget, and the main widget's figure follows its control."""
    with notebooks.run(notebook) as (page, done):
        assert done.ran == done.total, f"{notebook}: Run All stopped early: {done.describe()}"
        assert_no_errors(page, notebook, "after Run All")
        widgets = jl.wait_for_widgets(page)
        assert widgets.ok and widgets.rendered, f"{notebook}: not every widget rendered: {widgets}"
        if not jl.main_widget(page).count():
            pytest.fail(f"{notebook}: no widget with a slider or dropdown and a figure (every lecture has one)")

        move = jl.move_main_widget(page, lab, notebook)
        stem = jl.screenshot_stem(notebook)
        (screenshots / f"{stem}.widget-before.png").write_bytes(move.before)
        (screenshots / f"{stem}.widget-after.png").write_bytes(move.after)
        assert_no_errors(page, notebook, f"after moving the {move.control} of the main widget")
        assert move.value_after != move.value_before, (
            f"{notebook}: the keyboard did not move the {move.control} (value stays {move.value_before})")
        assert move.difference.changed, (
            f"{notebook}: moving the {move.control} of the main widget from {move.value_before} to "
            f"{move.value_after} did not change its figure ({move.difference}); see "
            f"browser-screenshots/{stem}.widget-before.png and -after.png")


@pytest.mark.parametrize("notebook", EXERCISE_SHEETS, ids=lambda n: Path(n).stem[:2])
def test_exercise_sheet_stops_at_a_short_self_check_message(notebooks: NotebookRunner, notebook: str):
    """Run All on an unsolved sheet stops at the first check, which says "not implemented yet" in a few lines."""
    with notebooks.run(notebook) as (page, done):
        errors = jl.stderr_outputs(page)
        assert len(errors) == 1, (f"{notebook}: expected exactly one failing self-check after Run All, "
                                  f"found {len(errors)} error outputs ({done.describe()}): {errors}")
        message = errors[0].strip()
        assert "not implemented yet" in message, f"{notebook}: the first check says {message!r}"
        assert not any(marker in message for marker in TRACEBACK_MARKERS), (
            f"{notebook}: the self-check shows a traceback, not its message:\n{message}")
        assert len(message.splitlines()) <= MAX_CHECK_MESSAGE_LINES, (
            f"{notebook}: the self-check message spans {len(message.splitlines())} lines:\n{message}")
        assert done.ran < done.total, f"{notebook}: Run All did not stop at the unsolved check"
        widgets = jl.wait_for_widgets(page)
        assert widgets.ok, f"{notebook}: not every widget rendered: {widgets}"
