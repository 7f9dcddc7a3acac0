"""``tools/make_exercises.py``: markers in prose, ``--force`` with timestamped backups, one sheet
by name.  Everything runs in temporary folders: no real exercise sheet is touched."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))
import make_exercises  # noqa: E402

BACKUP_NAME = re.compile(r"^(?P<stem>.+)\.(?P<stamp>\d{8}T\d{6}Z)(-\d+)?\.ipynb$")

PROSE = (
    "Write the body between the markers. In the solutions notebook a region looks like\n\n"
    "```python\n### BEGIN SOLUTION\nreturn 2 * x\n### END SOLUTION\n```\n\n"
    "and `### BEGIN SOLUTION` may also be mentioned inline, or in an indented block:\n\n"
    "    ### BEGIN SOLUTION\n"
)


def sheet(answer: str = "return 2 * x", title: str = "Double it") -> nbformat.NotebookNode:
    return new_notebook(cells=[
        new_markdown_cell(f"# {title}\n\n{PROSE}"),
        new_code_cell(f"def f(x):\n    ### BEGIN SOLUTION\n    # HINT: double it\n    {answer}\n    ### END SOLUTION"),
        new_code_cell("check_f(f)"),
        new_markdown_cell("Why?\n\n### BEGIN SOLUTION\nBecause.\n### END SOLUTION"),
    ])


@pytest.fixture
def course(tmp_path: Path) -> tuple[Path, Path]:
    """A temporary course with two solution sheets and their generated exercises."""
    solutions, out = tmp_path / "solutions", tmp_path / "exercises"
    solutions.mkdir()
    nbformat.write(sheet(), solutions / "01_first.ipynb")
    nbformat.write(sheet("return x + x", "Again"), solutions / "02_second.ipynb")
    assert run(solutions, out) == 0
    return solutions, out


def run(solutions: Path, out: Path, *args: str) -> int:
    return make_exercises.main(["--solutions", str(solutions), "--out", str(out), *args])


def edit(path: Path, text: str) -> None:
    """What a student does: write an answer into the first exercise cell."""
    nb = nbformat.read(path, as_version=4)
    nb.cells[1].source = f"def f(x):\n    {text}"
    nbformat.write(nb, path)


def test_markers_in_prose_are_left_alone_and_real_regions_are_stripped(course) -> None:
    _, out = course
    nb = nbformat.read(out / "01_first.ipynb", as_version=4)
    assert nb.cells[0].source == f"# Double it\n\n{PROSE.rstrip()}\n\n{make_exercises.RUN_ALL_NOTE}", (
        "prose mentioning the markers must be copied unchanged, followed by the Run-All note")
    assert nb.cells[1].source == (
        'def f(x):\n    # HINT: double it\n'
        '    raise NotImplementedError("f: not implemented yet -- replace this line with your code")')
    assert nb.cells[3].source == "Why?\n\n*Your answer here.*"


@pytest.mark.parametrize("line", ["###BEGIN SOLUTION", "### BEGIN SOLUTION here", "# END SOLUTION", "## END  SOLUTION"])
def test_a_misspelt_marker_is_an_error_not_a_leaked_solution(line: str) -> None:
    source = f"def f(x):\n    {line}\n    return 2 * x\n    ### END SOLUTION"
    with pytest.raises(make_exercises.RegionError, match=r"looks like a solution marker but is not exactly"):
        make_exercises.strip_solutions(source, "code", "demo.ipynb, cell 1")
    with pytest.raises(make_exercises.RegionError, match=r"demo.ipynb, cell 1, line 2"):
        make_exercises.strip_solutions(f"Answer:\n{line}\nBecause.", "markdown", "demo.ipynb, cell 1")


def test_a_malformed_sheet_stops_generation_with_exit_code_2(tmp_path: Path, capsys) -> None:
    solutions = tmp_path / "solutions"
    solutions.mkdir()
    nbformat.write(new_notebook(cells=[new_code_cell("### BEGIN SOLUTION\nx = 1")]), solutions / "01_bad.ipynb")
    assert run(solutions, tmp_path / "exercises") == 2
    assert "01_bad.ipynb, cell 0: '### BEGIN SOLUTION' is never closed" in capsys.readouterr().err


def test_force_backs_up_an_edited_sheet_before_overwriting_it(course, capsys) -> None:
    solutions, out = course
    edit(out / "01_first.ipynb", "return x * 2  # my answer")
    nbformat.write(sheet("return 2.0 * x"), solutions / "01_first.ipynb")  # the instructor updates the sheet
    assert run(solutions, out) == 1
    err = capsys.readouterr().err
    assert "NOT overwritten" in err and "01_first.ipynb" in err and "--force 01" in err
    assert "my answer" in (out / "01_first.ipynb").read_text()

    assert run(solutions, out, "--force") == 0
    (saved,) = sorted((out / "backups").iterdir())
    match = BACKUP_NAME.match(saved.name)
    assert match and match["stem"] == "01_first", saved.name
    assert "my answer" in saved.read_text() and "my answer" not in (out / "01_first.ipynb").read_text()
    assert "return 2.0 * x" not in (out / "01_first.ipynb").read_text()
    assert f"backed up the edited 01_first.ipynb to {saved}" in capsys.readouterr().out
    assert make_exercises.is_untouched(out / "01_first.ipynb")

    # A second reset within the same second keeps both backups.
    edit(out / "01_first.ipynb", "return x + x  # second try")
    assert run(solutions, out, "--force") == 0
    backups = sorted((out / "backups").iterdir())
    assert len(backups) == 2 and "second try" in "".join(p.read_text() for p in backups)
    assert "my answer" in "".join(p.read_text() for p in backups)


def test_force_makes_no_backup_of_an_untouched_sheet(course) -> None:
    solutions, out = course
    nbformat.write(sheet("return 2.0 * x", "Changed"), solutions / "01_first.ipynb")
    assert run(solutions, out, "--force") == 0
    assert "Changed" in (out / "01_first.ipynb").read_text()
    assert not (out / "backups").exists()


def test_backups_never_look_like_exercise_sheets(course) -> None:
    """Backups live in a subfolder: the test suite and the cleaner only glob ``exercises/*.ipynb``."""
    solutions, out = course
    edit(out / "02_second.ipynb", "return 0")
    assert run(solutions, out, "--force", "02") == 0
    assert sorted(p.name for p in out.glob("*.ipynb")) == ["01_first.ipynb", "02_second.ipynb"]


@pytest.mark.parametrize("name", ["01", "01_first", "01_first.ipynb", "exercises/01_first.ipynb", "01_f"])
def test_one_sheet_is_reset_by_name_and_the_others_are_left_alone(course, name: str) -> None:
    solutions, out = course
    edit(out / "01_first.ipynb", "return 'mine, 1'")
    edit(out / "02_second.ipynb", "return 'mine, 2'")
    assert run(solutions, out, "--force", name) == 0
    assert "mine, 1" not in (out / "01_first.ipynb").read_text()
    assert "mine, 2" in (out / "02_second.ipynb").read_text()
    assert [BACKUP_NAME.match(p.name)["stem"] for p in (out / "backups").iterdir()] == ["01_first"]


def test_check_can_be_restricted_to_named_sheets(course) -> None:
    solutions, out = course
    nbformat.write(sheet("return 2.0 * x"), solutions / "02_second.ipynb")
    assert run(solutions, out, "--check", "01") == 0
    assert run(solutions, out, "--check", "02") == 1
    assert run(solutions, out, "--check") == 1


@pytest.mark.parametrize(("name", "message"), [("07", "'07' matches no exercise sheet"),
                                               ("0", "'0' matches 2 exercise sheet")])
def test_an_unknown_or_ambiguous_name_is_refused_and_lists_the_sheets(course, capsys, name, message) -> None:
    solutions, out = course
    assert run(solutions, out, "--force", name) == 2
    err = capsys.readouterr().err
    assert message in err and "the sheets are: 01_first, 02_second" in err


def test_a_corrupt_exercise_sheet_counts_as_someones_work(course) -> None:
    solutions, out = course
    (out / "01_first.ipynb").write_text('{"cells": [ half-saved')
    assert run(solutions, out) == 1
    assert run(solutions, out, "--force", "01") == 0
    (saved,) = (out / "backups").iterdir()
    assert saved.read_text() == '{"cells": [ half-saved'
    assert make_exercises.is_untouched(out / "01_first.ipynb")


def test_the_command_line_resets_one_sheet(course) -> None:
    """The command a student types, as a subprocess."""
    solutions, out = course
    edit(out / "02_second.ipynb", "return 'mine'")
    result = subprocess.run([sys.executable, str(ROOT / "tools" / "make_exercises.py"), "--solutions", str(solutions),
                             "--out", str(out), "--force", "02_second"], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert "backed up the edited 02_second.ipynb to" in result.stdout
    assert "mine" in next((out / "backups").iterdir()).read_text()


# -- the basic contract (moved here from tests/test_notebooks.py) -----------------------------------
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
