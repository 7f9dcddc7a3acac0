"""What a student does, end to end: generated sheets, run in a real Jupyter kernel, in the order
students actually work (not the order the sheet was written in).

* exercise 2 solved before exercise 1: the check names the unsolved function it calls;
* answers computed with NumPy (scalars of any real dtype, 0-d arrays) or as 0-d tensors pass;
* a failure renders as one line in Jupyter;
* starting one sheet over: ``--force NAME`` keeps a timestamped backup and leaves the other sheets alone;
* the same "exercise 2 first" situation on every real sheet where one exercise calls another.

Everything is generated into temporary folders; no real exercise sheet is modified.
"""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from tests.test_notebooks import execute, is_check_cell

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))
import make_exercises  # noqa: E402

SETUP = '''\
import numpy as np
import torch
from landscape_lib.checks._harness import call_student, expect_close, expect_tensor, passed

X = torch.tensor([1.0, -2.0, 3.0], dtype=torch.float64)

def check_energy(fn):
    expect_close("check_energy", call_student("check_energy", fn, X.clone()), 7.0, case="x = (1, -2, 3)")
    passed("check_energy", "E(x) = |x|^2 / 2")

def check_gradient(fn):
    got = expect_tensor("check_gradient", call_student("check_gradient", fn, X.clone()), shape=(3,))
    expect_close("check_gradient", got, X, case="x = (1, -2, 3)", rtol=1e-6, atol=1e-8)
    passed("check_gradient", "grad E(x) = x")

def check_count_positive(fn):
    expect_close("check_count_positive", call_student("check_count_positive", fn, X.clone()), 2, case="x = (1, -2, 3)")
    passed("check_count_positive", "two positive entries")'''

ENERGY = "return 0.5 * float(x @ x)"
GRADIENT = ("h = 1e-5\n    eye = torch.eye(len(x), dtype=x.dtype)\n"
            "    return torch.tensor([(energy(x + h * e) - energy(x - h * e)) / (2 * h) for e in eye], dtype=x.dtype)")
COUNT = "return int((x > 0).sum())"
INTRO = ("# Exercises 99\n\nWrite each function between the markers: in the solutions the code sits between "
         "`### BEGIN SOLUTION` and `### END SOLUTION`, which the generator removes.")


def _solution_cell(name: str, body: str) -> str:
    return f"def {name}(x):\n    ### BEGIN SOLUTION\n    # HINT: see the task\n    {body}\n    ### END SOLUTION"


def _sheet() -> nbformat.NotebookNode:
    return new_notebook(cells=[
        new_markdown_cell(INTRO), new_code_cell(SETUP),
        new_markdown_cell("## Exercise 1: E(x) = |x|^2 / 2"), new_code_cell(_solution_cell("energy", ENERGY)),
        new_code_cell("check_energy(energy)"),
        new_markdown_cell("## Exercise 2: its gradient, by central differences of *your* `energy`"),
        new_code_cell(_solution_cell("gradient", GRADIENT)), new_code_cell("check_gradient(gradient)"),
        new_markdown_cell("## Exercise 3: count the positive entries"),
        new_code_cell(_solution_cell("count_positive", COUNT)), new_code_cell("check_count_positive(count_positive)"),
    ])


@pytest.fixture
def course(tmp_path: Path) -> tuple[Path, Path]:
    solutions, exercises = tmp_path / "solutions", tmp_path / "exercises"
    solutions.mkdir()
    nbformat.write(_sheet(), solutions / "99_demo.ipynb")
    assert make_exercises.main(["--solutions", str(solutions), "--out", str(exercises)]) == 0
    return solutions, exercises


def _errors(cell: nbformat.NotebookNode) -> list[nbformat.NotebookNode]:
    return [o for o in cell.outputs if o.output_type == "error"]


def _stdout(cell: nbformat.NotebookNode) -> str:
    return "".join(o.text for o in cell.outputs if o.output_type == "stream" and o.name == "stdout")


def test_exercise_2_before_exercise_1_names_the_unsolved_function(course) -> None:
    solutions, exercises = course
    nb = nbformat.read(exercises / "99_demo.ipynb", as_version=4)
    assert nb.cells[0].source.startswith(INTRO), "instructions that mention the markers reach the student unchanged"
    nb.cells[6].source = f"def gradient(x):\n    {GRADIENT}"  # the student does exercise 2 first
    ran = execute(nb, exercises, timeout=120, name="99_demo.ipynb")

    (energy_error,) = _errors(ran.cells[4])
    assert energy_error.ename == "NotImplementedYet"
    assert energy_error.evalue.startswith("check_energy: `energy` is not implemented yet")
    (gradient_error,) = _errors(ran.cells[7])
    assert gradient_error.ename == "NotImplementedYet"
    assert gradient_error.evalue.startswith(
        "check_gradient: `gradient` calls your `energy`, which is not implemented yet -- write `energy` first")
    assert gradient_error.traceback == [f"\u274c {gradient_error.evalue}"], "one short line, no stack in Jupyter"

    # ... then exercise 1: both checks pass, in the same kernel, without touching exercise 2 again.
    ran.cells.extend([new_code_cell(f"def energy(x):\n    {ENERGY}"), new_code_cell("check_energy(energy)"),
                      new_code_cell("check_gradient(gradient)")])
    again = execute(ran, exercises, timeout=120, name="99_demo.ipynb")
    assert not _errors(again.cells[-2]) and "\u2705 check_energy passed" in _stdout(again.cells[-2])
    assert not _errors(again.cells[-1]) and "\u2705 check_gradient passed" in _stdout(again.cells[-1])


NUMPY_ANSWERS = [
    ("energy", "return np.float32(0.5 * np.dot(x.numpy(), x.numpy()))", "check_energy"),
    ("energy", "return np.asarray(0.5 * x.numpy() @ x.numpy())", "check_energy"),           # a 0-d array
    ("energy", "return 0.5 * (x @ x)", "check_energy"),                                     # a 0-d tensor
    ("count_positive", "return (x.numpy() > 0).sum()", "check_count_positive"),             # np.int64
    ("count_positive", "return np.uint8((x > 0).sum())", "check_count_positive"),
    ("count_positive", "return (x > 0).sum()", "check_count_positive"),                     # 0-d int64 tensor
]


def test_numpy_and_0d_answers_pass_their_checks(course) -> None:
    _, exercises = course
    nb = nbformat.read(exercises / "99_demo.ipynb", as_version=4)
    first = len(nb.cells)
    for name, body, check in NUMPY_ANSWERS:
        nb.cells.extend([new_code_cell(f"def {name}(x):\n    {body}"), new_code_cell(f"{check}({name})")])
    ran = execute(nb, exercises, timeout=120, name="99_demo.ipynb")
    for (name, body, check), cell in zip(NUMPY_ANSWERS, ran.cells[first + 1::2]):
        assert not _errors(cell), f"{body!r} was refused: {_errors(cell)[0].evalue}"
        assert f"\u2705 {check} passed" in _stdout(cell)


def test_starting_one_sheet_over_keeps_a_backup_and_leaves_the_others(tmp_path: Path) -> None:
    solutions, exercises = tmp_path / "solutions", tmp_path / "exercises"
    solutions.mkdir()
    nbformat.write(_sheet(), solutions / "98_first.ipynb")
    nbformat.write(_sheet(), solutions / "99_second.ipynb")
    tool = [sys.executable, str(ROOT / "tools" / "make_exercises.py"), "--solutions", str(solutions), "--out", str(exercises)]
    assert subprocess.run(tool, capture_output=True, text=True, timeout=120).returncode == 0
    for name in ("98_first", "99_second"):  # the student works on both sheets
        nb = nbformat.read(exercises / f"{name}.ipynb", as_version=4)
        nb.cells[3].source = f"def energy(x):\n    return 0  # my attempt at {name}"
        nbformat.write(nb, exercises / f"{name}.ipynb")

    refused = subprocess.run(tool, capture_output=True, text=True, timeout=120)
    assert refused.returncode == 1 and "NOT overwritten" in refused.stderr and "--force" in refused.stderr
    reset = subprocess.run([*tool, "--force", "99"], capture_output=True, text=True, timeout=120)
    assert reset.returncode == 0, reset.stderr
    (backup,) = (exercises / "backups").iterdir()
    assert re.fullmatch(r"99_second\.\d{8}T\d{6}Z\.ipynb", backup.name)
    assert "my attempt at 99_second" in backup.read_text()
    assert "my attempt at 99_second" not in (exercises / "99_second.ipynb").read_text()
    assert "my attempt at 98_first" in (exercises / "98_first.ipynb").read_text()


# -- the real sheets: every exercise that calls another exercise ------------------------------------
def _parse(source: str) -> ast.Module:
    """A code cell as Python (%magics and !commands transformed; unparsable cells count as empty)."""
    from IPython.core.inputtransformer2 import TransformerManager

    try:
        return ast.parse(TransformerManager().transform_cell(source))
    except SyntaxError:
        return ast.Module(body=[], type_ignores=[])


def _exercise_functions(nb: nbformat.NotebookNode) -> dict[str, int]:
    """{function name: index of the code cell defining it inside a solution region}."""
    out = {}
    for index, cell in enumerate(nb.cells):
        if cell.cell_type == "code" and make_exercises.BEGIN in cell.source:
            for node in _parse(cell.source).body:
                if isinstance(node, ast.FunctionDef):
                    out[node.name] = index
    return out


def _calls(source: str, names: set[str]) -> set[str]:
    return {n.id for n in ast.walk(_parse(source)) if isinstance(n, ast.Name) and n.id in names}


def _pairs(path: Path) -> list[tuple[str, str, int, int]]:
    """(caller, callee, caller's cell, caller's check cell) in a solution sheet."""
    nb = nbformat.read(path, as_version=4)
    functions = _exercise_functions(nb)
    pairs = []
    for caller, index in functions.items():
        check = next((i for i in range(index + 1, len(nb.cells)) if is_check_cell(nb.cells[i])
                      and re.search(rf"\b{caller}\b", nb.cells[i].source)), None)
        for callee in sorted(_calls(nb.cells[index].source, set(functions) - {caller})):
            if check is not None:
                pairs.append((caller, callee, index, check))
    return pairs


# Only the sheets where some exercise calls another (today: lecture 01's energy -> gradient -> step).
SHEETS = [p for p in sorted((ROOT / "solutions").glob("*.ipynb")) if _pairs(p)]


@pytest.mark.parametrize("path", SHEETS, ids=lambda p: p.name)
def test_real_sheets_name_the_unsolved_exercise_a_solved_one_calls(path: Path) -> None:
    pairs = _pairs(path)
    solution = nbformat.read(path, as_version=4)
    exercise = make_exercises.make_exercise(solution, path.name)  # from the current solutions
    first = len(exercise.cells)
    for caller, callee, index, check in pairs:
        # the callee as the generated stub, the caller as solved, then the caller's check
        exercise.cells.extend([copy_cell(exercise.cells[_exercise_functions(solution)[callee]]),
                               copy_cell(solution.cells[index]), copy_cell(exercise.cells[check])])
    ran = execute(exercise, ROOT / "exercises", timeout=600, name=f"exercises/{path.name}")
    broken = [(i, _errors(c)[0]) for i, c in enumerate(ran.cells[:first])
              if c.cell_type == "code" and not is_check_cell(c) and _errors(c)]
    assert not broken, (f"exercises/{path.name}: cell {broken[0][0]} fails on its own "
                        f"({broken[0][1].ename}: {broken[0][1].evalue}), so no exercise can be checked")
    for k, (caller, callee, _, _) in enumerate(pairs):
        cell = ran.cells[first + 3 * k + 2]
        errors = _errors(cell)
        if not errors:
            continue  # the check's cases never reach the call (a branch): nothing to mislabel
        assert errors[0].ename == "NotImplementedYet", f"{caller} -> {callee}: {errors[0].ename}: {errors[0].evalue}"
        assert f"`{caller}` calls your `{callee}`, which is not implemented yet" in errors[0].evalue, errors[0].evalue


def copy_cell(cell: nbformat.NotebookNode) -> nbformat.NotebookNode:
    return new_code_cell(cell.source)
