"""Fixtures of the browser tests: one JupyterLab server and one headless Chromium for the module.

The browser is the distribution's Chromium (``apt-get install chromium``: ``/usr/bin/chromium``),
driven by the ``playwright`` Python package through ``executable_path`` -- never Playwright's own
browser download, which is not available everywhere.  Without either, the tests are skipped with a
one-line reason (a failure when ``LANDSCAPE_REQUIRE_OPTIONAL=1``, as in CI).

Proving the tests can fail: ``LANDSCAPE_BROWSER_BREAK_WIDGETS=frozen`` makes every callback that
observes a control's ``value`` (``interactive``'s and hand-wired ones) ignore the changes the
browser sends, so moving a control changes nothing; ``=raise`` makes it raise on them.  The breakage lives in an IPython start-up file in the test's
temporary ``IPYTHONDIR``: no file of the repository changes.  Both make ``test_lecture_in_jupyterlab``
fail on every lecture.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.browser.lab import NotebookRunner
from tests.browser.server import REPO, LabServer, jupyterlab
from tests.helpers import require_optional

#: Where every lecture's screenshots go (CI keeps the folder; .gitignore ignores it).
SCREENSHOTS = REPO / "browser-screenshots"
CHROMIUM_CANDIDATES = ("/usr/bin/chromium", "/usr/bin/chromium-browser")
#: Flags for a headless Chromium on a machine with a closed network: no sandbox (root in CI), no
#: GPU, and none of Chromium's background connections (component updates, sync, QUIC), which the
#: network refuses.
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--disable-dev-shm-usage"]
VIEWPORT = {"width": 1280, "height": 900}
#: Seconds Run All may take for one notebook, from the moment it was started (they take 7-30 s each
#: on two idle cores, two run at a time, and CI may be slower).
RUN_ALL_TIMEOUT = 240.0

_BREAK_MODES = {
    "frozen": "return None  # broken on purpose: the figure is never redrawn",
    "raise": "raise RuntimeError('callback broken on purpose by LANDSCAPE_BROWSER_BREAK_WIDGETS=raise')",
}
_BREAK_STARTUP = '''\
"""Test-only (LANDSCAPE_BROWSER_BREAK_WIDGETS): break every callback on a control's value moved in the browser."""
import ipywidgets
import traitlets

_observe = ipywidgets.Widget.observe


def _broken(handler):
    def broken_handler(change):
        # A change the browser sent arrives through Widget.set_state, which locks the property;
        # changes made by the kernel itself (building the widget) still reach the real handler.
        if "value" in getattr(change["owner"], "_property_lock", {}):
            {action}
        return handler(change)
    return broken_handler


def _broken_observe(self, handler, names=traitlets.All, type="change"):
    # Only callbacks registered by code (interactive's, a lecture widget's); a widget's own
    # @observe methods (traitlets.EventHandler) keep the widget itself working.
    on_value = names == "value" or (isinstance(names, (list, tuple)) and "value" in names)
    if on_value and not isinstance(handler, traitlets.EventHandler):
        handler = _broken(handler)
    return _observe(self, handler, names=names, type=type)


ipywidgets.Widget.observe = _broken_observe
'''


def chromium_path() -> str | None:
    """The system Chromium, if installed."""
    found = [p for p in CHROMIUM_CANDIDATES if Path(p).exists()] or [shutil.which("chromium")]
    return found[0]


def browser_available() -> bool:
    """Whether the browser tests can run here (Chromium and the playwright package are installed)."""
    return chromium_path() is not None and importlib.util.find_spec("playwright") is not None


@pytest.fixture(scope="module")
def chromium() -> str:
    """The Chromium executable, or skip (fail in CI) with how to install it and Playwright."""
    path = chromium_path()
    require_optional(browser_available(),
                     "Chromium for the browser tests",
                     "install it with apt-get install chromium and python -m pip install -e \".[browser]\"")
    return path


def break_widgets_environment(state_dir: Path) -> dict[str, str]:
    """Variables that break the widgets' callbacks, if ``LANDSCAPE_BROWSER_BREAK_WIDGETS`` asks for it."""
    mode = os.environ.get("LANDSCAPE_BROWSER_BREAK_WIDGETS", "")
    if not mode:
        return {}
    if mode not in _BREAK_MODES:
        raise ValueError(f"LANDSCAPE_BROWSER_BREAK_WIDGETS must be one of {sorted(_BREAK_MODES)}, got {mode!r}")
    startup = state_dir / "ipython" / "profile_default" / "startup"
    startup.mkdir(parents=True)
    (startup / "00-break-widgets.py").write_text(_BREAK_STARTUP.replace("{action}", _BREAK_MODES[mode]))
    return {"IPYTHONDIR": str(state_dir / "ipython")}


@pytest.fixture(scope="module")
def lab(chromium: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LabServer]:
    """JupyterLab on a temporary copy of ``lectures/`` and ``exercises/``; stopped (with its kernels) at the end."""
    workdir = tmp_path_factory.mktemp("jupyterlab")
    with jupyterlab(workdir, extra_env=break_widgets_environment(workdir)) as server:
        yield server


@pytest.fixture(scope="module")
def browser(chromium: str):
    """One headless system Chromium for the module, closed at the end (also when a test failed)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS, headless=True)
        try:
            yield instance
        finally:
            instance.close()


def selected_notebooks(session: pytest.Session) -> list[str]:
    """The ``notebook`` parameters of the selected browser tests, in the order they will run."""
    order = []
    for item in session.items:
        notebook = getattr(getattr(item, "callspec", None), "params", {}).get("notebook")
        if item.get_closest_marker("browser") and notebook and notebook not in order:
            order.append(notebook)
    return order


@pytest.fixture(scope="module")
def notebooks(browser, lab: LabServer, screenshots: Path, request: pytest.FixtureRequest) -> Iterator[NotebookRunner]:
    """Runs the selected notebooks, one ahead of the test that inspects them; closes all at the end."""
    runner = NotebookRunner(browser, lab, selected_notebooks(request.session), viewport=VIEWPORT,
                            run_all_timeout=RUN_ALL_TIMEOUT, screenshot_dir=screenshots)
    try:
        yield runner
    finally:
        runner.close_all()


@pytest.fixture(scope="module")
def screenshots() -> Path:
    """``browser-screenshots/`` at the repository root (created)."""
    SCREENSHOTS.mkdir(exist_ok=True)
    return SCREENSHOTS
