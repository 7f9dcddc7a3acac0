"""Notebook-level tests: exercise notebooks, the exercise pipeline and notebook hygiene.

Lectures and solutions are executed by nbval (``pytest`` collects ``lectures/`` and
``solutions/`` with ``--nbval-lax``).  Exercise notebooks are executed here instead, because they
are *expected* to fail in a precise way: every self-check cell must fail with "not implemented
yet" on the unsolved stubs, and every other cell must succeed.
"""

from __future__ import annotations

import ast
import math
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
from notebook_client import notebook_client  # noqa: E402  (nbclient without its widget-cell stall)


def is_check_cell(cell: nbformat.NotebookNode) -> bool:
    """A self-check cell holds only ``check_*(...)`` calls (and comments)."""
    lines = [ln.strip() for ln in cell.source.splitlines() if ln.strip() and not ln.strip().startswith("#")]
    return cell.cell_type == "code" and bool(lines) and all(CHECK_CALL.match(ln) for ln in lines)


DEFAULT_CELL_TIMEOUT = 600.0  # seconds; the suite passes nbval's --nbval-cell-timeout instead


def kernel_manager():
    """A kernel manager whose kernel runs in pytest's own interpreter (like nbval's --nbval-current-env).

    It must be the *async* manager: nbclient polls the kernel's replies and outputs concurrently,
    and with a blocking client the output poll blocks the event loop, so the per-cell timeout
    never fires and a hanging cell hangs the suite.
    """
    import ipykernel.kernelspec
    from jupyter_client.kernelspec import KernelSpec, KernelSpecManager
    from jupyter_client.manager import AsyncKernelManager

    class CurrentEnv(KernelSpecManager):
        def get_kernel_spec(self, kernel_name: str) -> KernelSpec:
            return KernelSpec(resource_dir=ipykernel.kernelspec.RESOURCES, **ipykernel.kernelspec.get_kernel_dict())

    return AsyncKernelManager(kernel_name="python3", kernel_spec_manager=CurrentEnv())


def execute(nb: nbformat.NotebookNode, cwd: Path, *, timeout: float = DEFAULT_CELL_TIMEOUT,
            name: str = "notebook") -> nbformat.NotebookNode:
    """Run every cell of ``nb`` in a fresh kernel of this Python, continuing past errors.

    Each cell gets ``timeout`` seconds: a cell that takes longer (an endless loop, a blocking
    call) fails the test, naming the cell and showing its source, instead of hanging the suite.
    The kernel is shut down whatever happens (nbclient leaves a kernel it did not create alive).
    """
    from jupyter_core.utils import run_sync
    from nbclient.exceptions import CellTimeoutError, DeadKernelError

    km = kernel_manager()
    client = notebook_client(nb, km=km, timeout=math.ceil(timeout), allow_errors=True, shutdown_kernel="immediate",
                             resources={"metadata": {"path": str(cwd)}})
    index, cell = -1, None
    try:
        with client.setup_kernel(cleanup_kc=True):
            for index, cell in enumerate(nb.cells):
                client.execute_cell(cell, index)
    except CellTimeoutError:
        pytest.fail(f"{name}, cell {index} did not finish within {timeout:g} s (an endless loop? a call "
                    f"waiting for input?); the kernel was shut down. The cell:\n{cell.source}", pytrace=False)
    except DeadKernelError:
        pytest.fail(f"{name}, cell {index}: the kernel died while running it. The cell:\n{cell.source}",
                    pytrace=False)
    finally:
        if km.has_kernel:  # normally already shut down by setup_kernel(cleanup_kc=True)
            run_sync(km.shutdown_kernel)(now=True)
    return nb


@pytest.fixture
def cell_timeout(request: pytest.FixtureRequest) -> float:
    """The per-cell time limit: the same option that limits the cells nbval runs."""
    return float(request.config.getoption("nbval_cell_timeout", DEFAULT_CELL_TIMEOUT) or DEFAULT_CELL_TIMEOUT)


@pytest.mark.parametrize("path", EXERCISES, ids=lambda p: p.name)
def test_exercise_notebook_runs_and_every_check_fails_on_its_stub(path: Path, cell_timeout: float) -> None:
    nb = execute(nbformat.read(path, as_version=4), path.parent, timeout=cell_timeout, name=f"exercises/{path.name}")
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


WIDGET_CALLS = {"interact", "interactive", "interact_manual"}  # ipywidgets' ways to build a demo


def template_problems(nb: nbformat.NotebookNode, number: str) -> list[str]:
    """What a lecture notebook lacks of the template in CONTRIBUTING.md (empty: it follows it).

    Headings must be real headings (whole lines, in the template's order), an assertion must be an
    ``assert`` statement that can fail (not a word in a comment or string, not ``assert True``),
    and the widget demo must be built: a call of ``interact``/``interactive`` or of a
    ``landscape_lib.widgets`` function.
    """
    from IPython.core.inputtransformer2 import TransformerManager

    text = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    problems = []
    template = [rf"# Lecture {number}: \S.*", "## Learning objectives", "## Prerequisites",
                r"\*\*Estimated time:\*\*\s*\S.*", "## Check your understanding", "## References"]
    positions = []
    for pattern in template:
        match = re.search(rf"^{pattern}\s*$", text, re.M)
        readable = pattern.replace("\\", "").replace(r"S.*", "...").replace(r"s*", " ")
        if match is None:
            problems.append(f"missing the line {readable!r}")
        else:
            positions.append((match.start(), readable))
    if [r for _, r in sorted(positions)] != [r for _, r in positions]:
        problems.append("template lines out of order: " + " < ".join(r for _, r in positions))

    transform = TransformerManager().transform_cell  # turns %magics and !commands into Python
    nodes = []
    for index, cell in enumerate(c for c in nb.cells if c.cell_type == "code"):
        try:
            nodes.extend(ast.walk(ast.parse(transform(cell.source))))
        except SyntaxError as exc:
            problems.append(f"code cell {index} does not parse: {exc}")
    widget_functions = WIDGET_CALLS | {alias.asname or alias.name for node in nodes if isinstance(node, ast.ImportFrom)
                                       and (node.module or "").startswith("landscape_lib.widgets")
                                       for alias in node.names}
    asserts = sum(isinstance(n, ast.Assert) and not isinstance(n.test, ast.Constant) for n in nodes)
    widgets = 0
    for node in nodes:
        if isinstance(node, ast.Call):
            func = node.func
            called = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            widgets += called in widget_functions or (isinstance(func, ast.Attribute)
                                                      and "widgets" in ast.unparse(func.value))
    if not asserts:
        problems.append("no `assert` statement that can fail (key numbers must be asserted in the cells)")
    if not widgets:
        problems.append("no widget demo (a call of `interact`/`interactive` or of a landscape_lib.widgets function)")
    return problems


@pytest.mark.parametrize("path", LECTURES, ids=lambda p: p.name)
def test_lecture_follows_the_template(path: Path) -> None:
    problems = template_problems(nbformat.read(path, as_version=4), path.name[:2])
    assert not problems, f"{path.name} does not follow the template of CONTRIBUTING.md:\n  " + "\n  ".join(problems)


def test_clean_notebooks_check_passes_on_the_repository() -> None:
    result = subprocess.run([sys.executable, str(ROOT / "tools" / "clean_notebooks.py"), "--check"],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


# -- the exercise runner: per-cell timeout, kernel always shut down -----------------------------------
def _kernel_is_gone(pid: int, wait: float = 10.0) -> bool:
    import os
    import time

    deadline = time.monotonic() + wait
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        stat = Path(f"/proc/{pid}/stat")
        if stat.exists() and stat.read_text().split(")")[-1].split()[0] in ("Z", "X"):
            return True  # exited, waiting to be reaped
        time.sleep(0.1)
    return False


def _pid_cell() -> nbformat.NotebookNode:
    return nbformat.v4.new_code_cell("import os\nprint(os.getpid())")


def test_runner_times_out_a_hanging_cell_with_a_clear_message_and_kills_the_kernel(tmp_path: Path) -> None:
    import time

    nb = nbformat.v4.new_notebook(cells=[_pid_cell(), nbformat.v4.new_code_cell("import time\ntime.sleep(120)"),
                                         nbformat.v4.new_code_cell("after = 1")])
    start = time.monotonic()
    with pytest.raises(pytest.fail.Exception) as info:
        execute(nb, tmp_path, timeout=3, name="exercises/99_hang.ipynb")
    assert time.monotonic() - start < 60, "the runner waited for the hanging cell"
    assert str(info.value).startswith("exercises/99_hang.ipynb, cell 1 did not finish within 3 s")
    assert "time.sleep(120)" in str(info.value)
    pid = int(nb.cells[0].outputs[0].text)
    assert _kernel_is_gone(pid), f"kernel {pid} still runs after the timeout"


def test_runner_shuts_its_kernel_down_after_a_normal_run(tmp_path: Path) -> None:
    nb = execute(nbformat.v4.new_notebook(cells=[_pid_cell(), nbformat.v4.new_code_cell("1 / 0")]), tmp_path, timeout=60)
    assert nb.cells[1].outputs[0].ename == "ZeroDivisionError"  # errors are recorded, execution goes on
    assert _kernel_is_gone(int(nb.cells[0].outputs[0].text))


def _shell_messages_during_a_widget_cell(make_client, tmp_path: Path) -> list[str]:
    """Types of the messages a client sends on the shell socket while one ``interactive`` cell runs."""
    cell = nbformat.v4.new_code_cell("import ipywidgets as w\n\ndef show(x):\n    print('x =', x)\n\n"
                                     "w.interactive(show, x=w.IntSlider(value=1))")
    nb = nbformat.v4.new_notebook(cells=[cell])
    client = make_client(nb, km=kernel_manager(), timeout=60, shutdown_kernel="immediate",
                         resources={"metadata": {"path": str(tmp_path)}})
    sent: list[str] = []
    with client.setup_kernel(cleanup_kc=True):
        channel = client.kc.shell_channel
        send = channel.send
        channel.send = lambda msg: (sent.append(msg["msg_type"]), send(msg))[1]
        client.execute_cell(cell, 0)
    recorded = [o for state in client.widget_state.values() for o in state.get("outputs", ())]
    assert any("x = 1" in o.get("text", "") for o in recorded), "the Output widget's content must still be recorded"
    return sent


def test_runner_sends_nothing_on_the_shell_socket_while_a_widget_cell_awaits_its_reply(tmp_path: Path) -> None:
    """The cause of the widget-cell stall (tools/notebook_client.py): nbclient's Output-widget imitation
    echoes each captured output to the kernel on the socket where the cell's reply is awaited, and
    that send can swallow the reply's wake-up.  Our runner's client must send only the request."""
    from nbclient import NotebookClient

    plain = _shell_messages_during_a_widget_cell(NotebookClient, tmp_path)
    assert "comm_msg" in plain, f"nbclient no longer echoes Output widgets ({plain}): the work-around may go"
    ours = _shell_messages_during_a_widget_cell(notebook_client, tmp_path)
    assert ours == ["execute_request"], f"the runner sent {ours} on the shell socket during a widget cell"


# -- the stderr gate of conftest.py ------------------------------------------------------------------
def test_stderr_gate_fails_a_notebook_cell_that_writes_to_stderr(tmp_path: Path) -> None:
    """Run the repository's real conftest.py on a small notebook with nbval, in a fresh pytest."""
    import shutil

    shutil.copy(ROOT / "conftest.py", tmp_path / "conftest.py")
    (tmp_path / "pytest.ini").write_text("[pytest]\n")
    nb = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_code_cell("print('fine, this is stdout')"),
        nbformat.v4.new_code_cell("import sys\nprint('UNWANTED on stderr', file=sys.stderr)"),
        nbformat.v4.new_code_cell("import warnings\nwarnings.warn('UNWANTED warning')"),
        nbformat.v4.new_code_cell("x = 1"),
    ])
    nbformat.write(nb, tmp_path / "gate.ipynb")
    result = subprocess.run([sys.executable, "-m", "pytest", "--nbval-lax", "--nbval-current-env", "-p", "no:cacheprovider",
                             "-rf", "gate.ipynb"], cwd=tmp_path, capture_output=True, text=True, timeout=300)
    out = result.stdout
    assert result.returncode == 1, out + result.stderr
    assert "2 failed, 2 passed" in out, out
    assert re.search(r"gate.ipynb::Cell 1 _+\n.*notebook cell wrote to stderr:\nUNWANTED on stderr", out), out
    assert re.search(r"gate.ipynb::Cell 2 _+\n.*notebook cell wrote to stderr:\n.*UserWarning: UNWANTED warning", out), out
    assert "FAILED gate.ipynb::Cell 0" not in out and "FAILED gate.ipynb::Cell 3" not in out


def _root_conftest():
    import importlib.util

    spec = importlib.util.spec_from_file_location("_root_conftest_under_test", ROOT / "conftest.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_stderr_gate_fails_loudly_if_nbval_stops_exposing_cell_outputs() -> None:
    gate = _root_conftest().notebook_cell_stderr
    cell_class = type("IPyNbCell", (), {"__module__": "nbval.plugin", "nodeid": "demo.ipynb::Cell 0"})
    cell = cell_class()  # as a future nbval might leave it: no `test_outputs`
    with pytest.raises(RuntimeError, match=r"no longer fills IPyNbCell.test_outputs"):
        gate(cell)
    cell.test_outputs = [{"output_type": "stream", "name": "stdout", "text": "ok\n"},
                         {"output_type": "stream", "name": "stderr", "text": "bad\n"}]
    assert gate(cell) == "bad\n"
    assert gate(type("Function", (), {"__module__": "_pytest.python"})()) is None  # unit tests are not gated


# -- the template check can fail --------------------------------------------------------------------
def _lecture(markdown: list[str], code: list[str]) -> nbformat.NotebookNode:
    cells = [nbformat.v4.new_markdown_cell(m) for m in markdown] + [nbformat.v4.new_code_cell(c) for c in code]
    return nbformat.v4.new_notebook(cells=cells)


GOOD_MARKDOWN = ["# Lecture 42: Demo\n\n## Learning objectives\n- x\n\n## Prerequisites\n- y\n\n**Estimated time:** 5 minutes",
                 "## Check your understanding\n1. ?", "## References\n- a paper"]
GOOD_CODE = ["%matplotlib inline\nfrom landscape_lib.widgets.level_sets import sublevel_explorer\nx = 1.0",
             "assert abs(x - 1.0) < 1e-9, f'{x}'", "sublevel_explorer()"]


def test_template_check_passes_a_notebook_that_follows_the_template() -> None:
    assert template_problems(_lecture(GOOD_MARKDOWN, GOOD_CODE), "42") == []


@pytest.mark.parametrize(("markdown", "code", "problem"), [
    ([GOOD_MARKDOWN[0].replace("## Learning", "### Learning"), *GOOD_MARKDOWN[1:]], GOOD_CODE,
     "missing the line '## Learning objectives'"),
    ([GOOD_MARKDOWN[0].replace("**Estimated time:** 5 minutes", "no estimate"), *GOOD_MARKDOWN[1:]], GOOD_CODE,
     "missing the line '**Estimated time:** ...'"),
    ([GOOD_MARKDOWN[0], GOOD_MARKDOWN[2], GOOD_MARKDOWN[1]], GOOD_CODE, "out of order"),
    (GOOD_MARKDOWN[:2] + ["We cite ## References in passing"], GOOD_CODE, "missing the line '## References'"),
    (GOOD_MARKDOWN, [GOOD_CODE[0], "x = 2  # we assert x == 2", GOOD_CODE[2]], "no `assert` statement"),
    (GOOD_MARKDOWN, [GOOD_CODE[0], "assert True", GOOD_CODE[2]], "no `assert` statement"),
    (GOOD_MARKDOWN, [GOOD_CODE[0], "print('assert abs(x) < 1')", GOOD_CODE[2]], "no `assert` statement"),
    (GOOD_MARKDOWN, ["x = 1.0  # widgets: interact", GOOD_CODE[1]], "no widget demo"),
    (GOOD_MARKDOWN, [*GOOD_CODE, "def broken(:\n    pass"], "does not parse"),
], ids=["heading level", "estimated time", "order", "heading in prose", "assert in a comment", "assert True",
        "assert in a string", "widget in a comment", "syntax error"])
def test_template_check_catches(markdown, code, problem) -> None:
    problems = template_problems(_lecture(markdown, code), "42")
    assert any(problem in p for p in problems), problems
