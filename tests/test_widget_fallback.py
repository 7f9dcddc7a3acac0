"""The static fallback of the course widgets (``landscape_lib/widgets/fallback.py``).

The widgets run in a real kernel (nbclient), as in JupyterLab: nbclient plays the part of the
front end for ``Output`` widgets (it routes the messages of a ``with out:`` block into the widget's
saved state), so these tests see what a student's widget shows and what the HTML site shows.
"""

from __future__ import annotations

import ast
import base64
import json
from pathlib import Path

import nbformat
import pytest

from tests.test_notebooks import kernel_manager, notebook_client

ROOT = Path(__file__).resolve().parents[1]
WIDGET_STATE = "application/vnd.jupyter.widget-state+json"
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"

SETUP = """
import json
import ipywidgets as widgets
from IPython.display import display
from landscape_lib.plots.axes import new_axes
from landscape_lib.widgets.fallback import CAPTION, FigureOutput, StaticInteractive, StaticVBox

calls = []

def draw(k):
    calls.append(k)
    if k < 0:
        raise ValueError(f"k must be non-negative, got {k}")
    fig, ax = new_axes(figsize=(2, 2))
    ax.plot(range(k + 2), [i * i for i in range(k + 2)])
    ax.set_xlabel("x"); ax.set_ylabel("x²")
    print(f"drawn k = {k}")
    display(fig)

def report(**values):
    print("REPORT " + json.dumps(values))
"""

CELLS = {
    "setup": SETUP,
    # the widget as a cell's result: its bundle is what the notebook (and the site) stores
    "interactive": "w = StaticInteractive(draw, k=widgets.IntSlider(value=1, min=-1, max=5))\nw",
    "move": """
first = w.static_png
w.children[0].value = 3
report(calls=calls, changed=w.static_png != first, has_png=w.static_png is not None)
""",
    "error": """
w.children[0].value = -1
report(calls=calls, png_after_error=w.static_png)
""",
    "recover": """
w.children[0].value = 2
report(calls=calls, has_png=w.static_png is not None)
""",
    "vbox": """
out = FigureOutput()
slider = widgets.IntSlider(value=1, min=0, max=5)
def redraw(_change=None):
    out.clear_output()
    with out:
        draw(slider.value)
slider.observe(redraw, names="value")
box = StaticVBox([slider, out])
redraw()
display(box)
""",
    "vbox_move": """
before = box.static_png
slider.value = 4
report(changed=box.static_png != before, has_png=box.static_png is not None, calls=calls)
""",
    "plain_widget": "widgets.IntSlider(value=1)",
    # a course widget (lecture 00): moving lambda redraws, and the static image follows
    "course_widget": """
from landscape_lib.widgets.level_sets import sublevel_explorer
explorer = sublevel_explorer(level=0.5)
before = explorer.static_png
level = next(c for c in explorer.children if getattr(c, "description", "") == "λ")
level.value = 1.5
report(changed=explorer.static_png != before, has_png=explorer.static_png is not None,
       bundle=sorted(explorer._repr_mimebundle_()))
""",
}


def execute(sources: list[str]) -> nbformat.NotebookNode:
    """Run ``sources`` as the cells of one notebook in a fresh kernel; keep the widgets' state as JupyterLab would.

    nbclient is the front end, except that its ``Output`` widgets do not echo their outputs back to
    the kernel (``tools/notebook_client.py`` says why: the echo can stall a cell until its timeout).
    """
    from jupyter_core.utils import run_sync

    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(source) for source in sources]
    km = kernel_manager()
    client = notebook_client(nb, km=km, timeout=120, allow_errors=True, shutdown_kernel="immediate",
                             resources={"metadata": {"path": str(ROOT)}})
    try:
        with client.setup_kernel(cleanup_kc=True):
            for index, cell in enumerate(nb.cells):
                client.execute_cell(cell, index)
            client.set_widgets_metadata()
    finally:
        if km.has_kernel:
            run_sync(km.shutdown_kernel)(now=True)
    return nb


@pytest.fixture(scope="module")
def executed() -> dict[str, nbformat.NotebookNode]:
    nb = execute(list(CELLS.values()))
    cells = dict(zip(CELLS, nb.cells))
    cells["_state"] = nb.metadata.get("widgets", {}).get(WIDGET_STATE, {}).get("state", {})
    return cells


def report(cell: nbformat.NotebookNode) -> dict:
    lines = [ln for o in cell.outputs if o.get("name") == "stdout" for ln in o.text.splitlines()]
    found = [json.loads(ln[len("REPORT "):]) for ln in lines if ln.startswith("REPORT ")]
    assert len(found) == 1, f"expected one REPORT line, got outputs {cell.outputs}"
    return found[0]


def no_errors(cell: nbformat.NotebookNode) -> None:
    errors = [o for o in cell.outputs if o.output_type == "error" or o.get("name") == "stderr"]
    assert not errors, f"cell {cell.source!r} wrote errors: {errors}"


def bundle_of(cell: nbformat.NotebookNode) -> dict:
    bundles = [o.data for o in cell.outputs if o.output_type in ("execute_result", "display_data") and WIDGET_VIEW in o.data]
    assert len(bundles) == 1, f"expected one widget in the outputs of {cell.source!r}, got {cell.outputs}"
    return bundles[0]


def output_widget_outputs(state: dict, bundle: dict) -> list[dict]:
    """The outputs that the front end shows in the ``Output`` child of the widget ``bundle`` points to."""
    model = state[bundle[WIDGET_VIEW]["model_id"]]["state"]
    for ref in model["children"]:
        child = state[ref.removeprefix("IPY_MODEL_")]
        if child["model_name"] == "OutputModel":
            return child["state"]["outputs"]
    raise AssertionError(f"no Output widget among the children of {model}")


def test_bundle_keeps_the_live_view_and_adds_a_png_and_a_caption(executed):
    cell = executed["interactive"]
    no_errors(cell)
    bundle = bundle_of(cell)
    assert base64.b64decode(bundle["image/png"]).startswith(PNG_MAGIC)
    assert "interactive in JupyterLab" in bundle["text/plain"]
    assert bundle["image/png"] in bundle["text/html"] and "JupyterLab" in bundle["text/html"]
    assert bundle[WIDGET_VIEW]["model_id"], "JupyterLab's live view must stay in the bundle"


def test_png_changes_with_the_control_and_the_callback_runs_once_per_change(executed):
    cell = executed["move"]
    no_errors(cell)
    values = report(cell)
    assert values["calls"] == [1, 3], f"callback calls {values['calls']}: expected the first draw and one redraw"
    assert values["has_png"] and values["changed"], values


def test_the_widget_shows_the_figure_once_not_stacked(executed):
    state = executed["_state"]
    outputs = output_widget_outputs(state, bundle_of(executed["interactive"]))
    images = [o for o in outputs if "image/png" in o.get("data", {})]
    texts = "".join(o.get("text", "") for o in outputs if o.get("output_type") == "stream")
    assert len(images) == 1, f"the Output widget holds {len(images)} images after 3 redraws (clear_output lost?)"
    assert texts.strip() == "drawn k = 2", f"stdout of the last redraw only, in the widget: {texts!r}"


def test_an_error_in_the_callback_still_reaches_the_user_and_leaves_no_stale_image(executed):
    cell = executed["error"]
    values = report(cell)
    assert values["calls"][-1] == -1 and len(values["calls"]) == 3, values
    assert values["png_after_error"] is None
    # nbclient routes the traceback into the widget's Output, as JupyterLab does.
    errors = [o for o in cell.outputs if o.output_type == "error"]
    assert not errors, "the traceback belongs in the widget, not in the cell"
    recovered = report(executed["recover"])
    assert recovered["has_png"] and recovered["calls"][-1] == 2


def test_the_error_message_is_shown_in_the_widget_while_it_failed():
    nb = execute([SETUP, "w = StaticInteractive(draw, k=widgets.IntSlider(value=1, min=-1))\n"
                         "display(w)\nw.children[0].value = -1"])
    state = nb.metadata["widgets"][WIDGET_STATE]["state"]
    outputs = output_widget_outputs(state, bundle_of(nb.cells[1]))
    errors = [o for o in outputs if o.get("output_type") == "error"]
    assert errors and errors[0]["ename"] == "ValueError" and "non-negative" in errors[0]["evalue"], outputs


def test_hand_wired_box_records_its_output_figure(executed):
    no_errors(executed["vbox"])
    bundle = bundle_of(executed["vbox"])
    assert base64.b64decode(bundle["image/png"]).startswith(PNG_MAGIC)
    values = report(executed["vbox_move"])
    assert values["changed"] and values["has_png"] and values["calls"][-1] == 4 and values["calls"].count(4) == 1


def test_other_widgets_are_left_alone(executed):
    bundle = bundle_of(executed["plain_widget"])
    assert "image/png" not in bundle and "text/html" not in bundle
    assert "interactive in JupyterLab" not in bundle["text/plain"]


def test_a_course_widget_redraws_and_its_static_image_follows(executed):
    no_errors(executed["course_widget"])
    values = report(executed["course_widget"])
    assert values["has_png"] and values["changed"], values
    assert {"image/png", WIDGET_VIEW} <= set(values["bundle"])


WIDGET_MODULES = sorted(p for p in (ROOT / "landscape_lib" / "widgets").glob("*.py")
                        if p.name not in ("__init__.py", "fallback.py"))


@pytest.mark.parametrize("path", WIDGET_MODULES, ids=lambda p: p.stem)
def test_every_course_widget_builds_on_the_fallback(path):
    """No course widget is a bare ``interactive``/``VBox`` (they would show nothing on the site)."""
    tree = ast.parse(path.read_text())
    bare = sorted({f"{node.func.value.id}.{node.func.attr}" for node in ast.walk(tree)
                   if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                   and isinstance(node.func.value, ast.Name) and node.func.value.id in ("widgets", "ipywidgets")
                   and node.func.attr in ("interactive", "interact", "VBox", "HBox", "Output")})
    assert not bare, f"{path.name} builds {bare}: use StaticInteractive / StaticVBox / FigureOutput from widgets.fallback"
