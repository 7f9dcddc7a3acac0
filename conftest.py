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
