"""Notebook-level tests: exercise notebooks, the exercise pipeline and notebook hygiene.

Lectures and solutions are executed by nbval (``pytest`` collects ``lectures/`` and
``solutions/`` with ``--nbval-lax``).  Exercise notebooks are executed here instead, because they
are *expected* to fail in a precise way: every self-check cell must fail with "not implemented
yet" on the unsolved stubs, and every other cell must succeed.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
LECTURES = sorted((ROOT / "lectures").glob("*.ipynb"))
SOLUTIONS = sorted((ROOT / "solutions").glob("*.ipynb"))
EXERCISES = sorted((ROOT / "exercises").glob("*.ipynb"))
ALL = LECTURES + SOLUTIONS + EXERCISES
CHECK_CALL = re.compile(r"^check_\w+\(")

sys.path.insert(0, str(ROOT / "tools"))
import make_exercises  # noqa: E402


def is_check_cell(cell: nbformat.NotebookNode) -> bool:
    """A self-check cell holds only ``check_*(...)`` calls (and comments)."""
    lines = [ln.strip() for ln in cell.source.splitlines() if ln.strip() and not ln.strip().startswith("#")]
    return cell.cell_type == "code" and bool(lines) and all(CHECK_CALL.match(ln) for ln in lines)


def execute(nb: nbformat.NotebookNode, cwd: Path) -> nbformat.NotebookNode:
    """Run every cell of ``nb`` in a kernel of this Python, continuing past errors."""
    import ipykernel.kernelspec
    from jupyter_client.kernelspec import KernelSpec, KernelSpecManager
    from jupyter_client.manager import KernelManager
    from nbclient import NotebookClient

    class CurrentEnv(KernelSpecManager):  # the kernel runs in pytest's own interpreter (like nbval's)
        def get_kernel_spec(self, kernel_name: str) -> KernelSpec:
            return KernelSpec(resource_dir=ipykernel.kernelspec.RESOURCES, **ipykernel.kernelspec.get_kernel_dict())

    km = KernelManager(kernel_name="python3", kernel_spec_manager=CurrentEnv())
    client = NotebookClient(nb, km=km, timeout=600, allow_errors=True, resources={"metadata": {"path": str(cwd)}})
    return client.execute()


@pytest.mark.parametrize("path", EXERCISES, ids=lambda p: p.name)
def test_exercise_notebook_runs_and_every_check_fails_on_its_stub(path: Path) -> None:
    nb = execute(nbformat.read(path, as_version=4), path.parent)
    n_checks = 0
    for index, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        errors = [o for o in cell.outputs if o.output_type == "error"]
        stderr = "".join(o.text for o in cell.outputs if o.output_type == "stream" and o.name == "stderr")
        assert not stderr.strip(), f"{path.name}, cell {index} wrote to stderr:\n{stderr}"
        if is_check_cell(cell):
            n_checks += 1
            assert errors, f"{path.name}, cell {index}: the self-check passed on the unsolved stub:\n{cell.source}"
            assert errors[0].ename == "NotImplementedYet", (
                f"{path.name}, cell {index}: expected NotImplementedYet, got {errors[0].ename}: {errors[0].evalue}")
            assert "not implemented yet" in errors[0].evalue
        else:
            assert not errors, (f"{path.name}, cell {index} failed ({errors[0].ename}: {errors[0].evalue}) "
                                f"but does not call an exercise:\n{cell.source}")
    assert 3 <= n_checks <= 8, f"{path.name}: expected 3-5 exercises with self-checks, found {n_checks} check cells"


def test_every_solution_notebook_has_an_exercise_twin_and_a_lecture() -> None:
    names = {p.name for p in SOLUTIONS}
    assert names == {p.name for p in EXERCISES}
    assert names <= {p.name for p in LECTURES}


def test_exercises_are_up_to_date(tmp_path: Path) -> None:
    """Regenerate into a temporary folder: any difference from the committed exercises fails."""
    assert make_exercises.main(["--out", str(tmp_path)]) == 0
    for path in EXERCISES:
        assert (tmp_path / path.name).read_text() == path.read_text(), (
            f"exercises/{path.name} is out of date: run `python tools/make_exercises.py`")


@pytest.mark.parametrize("path", SOLUTIONS, ids=lambda p: p.name)
def test_solution_regions_and_check_cells(path: Path) -> None:
    nb = nbformat.read(path, as_version=4)
    regions = sum(c.source.count(make_exercises.BEGIN) for c in nb.cells if c.cell_type == "code")
    checks = sum(is_check_cell(c) for c in nb.cells)
    assert regions >= 3 and checks >= 3, f"{path.name}: {regions} solution regions, {checks} check cells"


@pytest.mark.parametrize("path", ALL, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_notebooks_are_stored_without_outputs(path: Path) -> None:
    nb = nbformat.read(path, as_version=4)
    for index, cell in enumerate(nb.cells):
        if cell.cell_type == "code":
            assert not cell.outputs and cell.execution_count is None, (
                f"{path} cell {index} has outputs: run `python tools/clean_notebooks.py`")
    nbformat.validate(nb)
    for index, cell in enumerate(nb.cells):  # nbval markers do nothing in markdown (a known trap)
        if cell.cell_type == "markdown":
            assert "NBVAL_" not in cell.source, f"{path} cell {index}: nbval marker in a markdown cell"


@pytest.mark.parametrize("path", LECTURES, ids=lambda p: p.name)
def test_lecture_follows_the_template(path: Path) -> None:
    text = "\n".join(c.source for c in nbformat.read(path, as_version=4).cells if c.cell_type == "markdown")
    number = path.name[:2]
    assert re.search(rf"^# Lecture {number}: ", text, re.M), f"{path.name}: title '# Lecture {number}: ...'"
    for heading in ("## Learning objectives", "## Prerequisites", "## Check your understanding", "## References"):
        assert heading in text, f"{path.name}: missing '{heading}'"
    assert "**Estimated time:**" in text, f"{path.name}: missing '**Estimated time:**'"
    source = "\n".join(c.source for c in nbformat.read(path, as_version=4).cells if c.cell_type == "code")
    assert "assert " in source, f"{path.name}: no asserted result"
    assert "widgets" in source or "explorer" in source or "interact" in source, f"{path.name}: no widget"


def test_make_exercises_refuses_to_overwrite_edited_work(tmp_path: Path) -> None:
    solutions = tmp_path / "solutions"
    solutions.mkdir()
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(
        "def f(x):\n    ### BEGIN SOLUTION\n    # HINT: double it\n    return 2 * x\n    ### END SOLUTION")])
    nbformat.write(nb, solutions / "99_demo.ipynb")
    out = tmp_path / "exercises"
    assert make_exercises.main(["--solutions", str(solutions), "--out", str(out)]) == 0
    stub = (out / "99_demo.ipynb").read_text()
    assert "return 2 * x" not in stub and "# HINT: double it" in stub and "f: not implemented yet" in stub

    # A student edits the exercise: regeneration must refuse and keep their work ...
    student = nbformat.read(out / "99_demo.ipynb", as_version=4)
    student.cells[0].source = "def f(x):\n    return x + x  # my answer"
    nbformat.write(student, out / "99_demo.ipynb")
    nb.cells[0].source += "\n# solution changed"
    nbformat.write(nb, solutions / "99_demo.ipynb")
    assert make_exercises.main(["--solutions", str(solutions), "--out", str(out)]) == 1
    assert "my answer" in (out / "99_demo.ipynb").read_text()
    # ... --check reports it, and only --force overwrites.
    assert make_exercises.main(["--solutions", str(solutions), "--out", str(out), "--check"]) == 1
    assert make_exercises.main(["--solutions", str(solutions), "--out", str(out), "--force"]) == 0
    assert "my answer" not in (out / "99_demo.ipynb").read_text()


def test_make_exercises_regenerates_untouched_notebooks_without_force(tmp_path: Path) -> None:
    solutions, out = tmp_path / "solutions", tmp_path / "exercises"
    solutions.mkdir()
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell(
        "Why?\n### BEGIN SOLUTION\nBecause.\n### END SOLUTION")])
    nbformat.write(nb, solutions / "98_demo.ipynb")
    assert make_exercises.main(["--solutions", str(solutions), "--out", str(out)]) == 0
    assert "*Your answer here.*" in (out / "98_demo.ipynb").read_text()
    nb.cells[0].source = "Why not?\n### BEGIN SOLUTION\nBecause.\n### END SOLUTION"
    nbformat.write(nb, solutions / "98_demo.ipynb")
    assert make_exercises.main(["--solutions", str(solutions), "--out", str(out)]) == 0
    assert "Why not?" in (out / "98_demo.ipynb").read_text()


@pytest.mark.parametrize("source, message", [
    ("### BEGIN SOLUTION\nx = 1", "never closed"),
    ("x = 1\n### END SOLUTION", "without"),
    ("### BEGIN SOLUTION\n### BEGIN SOLUTION\n### END SOLUTION", "nested"),
])
def test_make_exercises_rejects_malformed_regions(source: str, message: str) -> None:
    with pytest.raises(make_exercises.RegionError, match=message):
        make_exercises.strip_solutions(source, "code", "demo.ipynb, cell 0")


def test_clean_notebooks_check_passes_on_the_repository() -> None:
    result = subprocess.run([sys.executable, str(ROOT / "tools" / "clean_notebooks.py"), "--check"],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
