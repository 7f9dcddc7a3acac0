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


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item):
    """Fail a notebook cell (run by nbval) that writes to stderr: warnings must not reach students."""
    result = yield
    outputs = getattr(item, "test_outputs", None) or []
    stderr = "".join(o.get("text", "") for o in outputs if o.get("output_type") == "stream" and o.get("name") == "stderr")
    if stderr.strip():
        pytest.fail(f"notebook cell wrote to stderr:\n{stderr}", pytrace=False)
    return result
