"""Repository-wide pytest set-up (applies to unit tests and to the notebooks nbval executes).

Set before any kernel starts, so the notebook kernels inherit it:
headless matplotlib, no progress bars, float determinism on the CPU.
"""

import os

os.environ.setdefault("MPLBACKEND", "Agg")
os.environ.setdefault("TQDM_DISABLE", "1")
os.environ.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")  # quiets a debugpy warning in kernels

# Exercise notebooks are executed by tests/test_notebooks.py (stubs must fail their checks),
# never collected by nbval directly.
collect_ignore = ["exercises", "benchmarks", "tools"]


import pytest  # noqa: E402


def notebook_cell_stderr(item: pytest.Item) -> "str | None":
    """What a notebook cell that nbval just ran wrote to stderr; ``None`` if ``item`` is no such cell.

    nbval keeps a cell's fresh outputs in ``IPyNbCell.test_outputs``, an attribute its source marks
    as temporary ("TODO: Only store if comparing with nbdime").  If a new nbval stops filling it,
    this gate would silently pass every cell, so it fails loudly instead
    (``tests/test_notebooks.py`` proves the gate fires on a cell that writes to stderr).
    """
    if not type(item).__module__.startswith("nbval"):
        return None
    outputs = getattr(item, "test_outputs", None)
    if outputs is None:
        import nbval

        raise RuntimeError(
            f"the stderr gate in conftest.py cannot see the outputs of {item.nodeid}: nbval "
            f"{getattr(nbval, '__version__', '?')} no longer fills IPyNbCell.test_outputs. Update "
            "notebook_cell_stderr() in conftest.py (or pin nbval) so that cells writing to stderr still fail."
        )
    return "".join(o.get("text", "") for o in outputs
                   if o.get("output_type") == "stream" and o.get("name") == "stderr")


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item):
    """Fail a notebook cell (run by nbval) that writes to stderr: warnings must not reach students."""
    result = yield
    try:
        stderr = notebook_cell_stderr(item)
    except RuntimeError as exc:
        pytest.fail(str(exc), pytrace=False)
    if stderr and stderr.strip():
        pytest.fail(f"notebook cell wrote to stderr:\n{stderr}", pytrace=False)
    return result


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Execute each lecture once per run: in JupyterLab when the browser tests run it, else with nbval.

    ``tests/browser`` runs every cell of a lecture in a real JupyterLab and fails on any error or
    stderr output -- a failed assertion included -- so nbval running the same lecture again would
    only add its minute.  Where Chromium is missing the browser tests are skipped and nbval runs the
    lectures as before; explicitly selected lectures (``pytest lectures/00_...ipynb``) always run.
    """
    in_browser = {item.callspec.params["notebook"] for item in items
                  if getattr(item, "originalname", None) == "test_lecture_in_jupyterlab" and hasattr(item, "callspec")}
    if not in_browser:
        return
    from tests.browser.conftest import browser_available

    if not browser_available():
        return
    root = config.rootpath
    keep, dropped = [], []
    for item in items:
        path = item.path.relative_to(root).as_posix() if item.path.is_relative_to(root) else None
        nbval_cell = type(item).__module__.startswith("nbval")
        (dropped if nbval_cell and path in in_browser else keep).append(item)
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = keep
