"""The checks ``tools/build_site.py`` runs on the built website, on tiny hand-written pages (no Sphinx needed)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def load_build_site():
    spec = importlib.util.spec_from_file_location("build_site", ROOT / "tools" / "build_site.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


site = load_build_site()

MATHJAX = '<script defer="defer" src="../_static/mathjax/tex-chtml.js"></script>'


def page(body: str, head: str = MATHJAX) -> str:
    """A page shaped like MyST-NB's output (cells, outputs, math containers)."""
    return f"<!DOCTYPE html><html><head><meta charset='utf-8'>{head}</head><body>{body}</body></html>"


FIGURE_CELL = ('<div class="cell docutils container"><div class="cell_input docutils container"><pre>plot()</pre></div>'
               '<div class="cell_output docutils container"><img alt="_images/a.png" src="../_images/a.png" />'
               '</div></div>')
TEXT_CELL = ('<div class="cell docutils container"><div class="cell_output docutils container">'
             '<div class="output stream highlight-myst-ansi notranslate"><pre>E0 = 1.657 (ref 1.657)</pre></div>'
             '</div></div>')
MATH = ('<p>The level set <span class="math notranslate nohighlight">\\(\\Omega(\\lambda)\\)</span> and</p>'
        '<div class="math notranslate nohighlight">\\[F(\\theta) = \\frac{1}{n}\\sum_i \\ell_i\\]</div>')
GOOD = page(f"<h1>Lecture 00</h1>{MATH}{FIGURE_CELL}{TEXT_CELL}{FIGURE_CELL}"
            '<p>See <a href="https://arxiv.org/abs/1611.01540">Freeman &amp; Bruna</a>; costs $ in code: '
            '<code>x = "$a$"</code></p>')


def test_a_good_page_passes():
    assert site.check_page(GOOD, "good.html", expected_figure_cells=2,
                           local_files=["../_static/mathjax/tex-chtml.js"]) == []


def test_a_page_with_a_traceback_fails():
    error = ('<div class="cell_output docutils container"><div class="output traceback highlight-ipythontb notranslate">'
             '<pre>ValueError: bad</pre></div></div>')
    problems = site.check_page(page(GOOD + error), "bad.html")
    assert any("execution error" in p for p in problems), problems
    plain = page("<div class='cell_output'><pre>Traceback (most recent call last):\n  File ...</pre></div>")
    assert any("execution error" in p for p in site.check_page(plain, "bad.html")), "traceback text alone"


def test_stderr_output_fails():
    stderr = ('<div class="cell_output docutils container"><div class="output stderr highlight-myst-ansi notranslate">'
              '<pre>UserWarning: careful</pre></div></div>')
    assert any("stderr" in p for p in site.check_page(page(stderr), "bad.html"))


def test_raw_math_fails():
    problems = site.check_page(page("<p>The level set $\\Omega(\\lambda)$ splits.</p>"), "raw.html")
    assert any("unrendered math" in p and "Omega" in p for p in problems), problems
    problems = site.check_page(page("<p>Display</p><p>$$F = \\sum_i f_i$$</p>"), "raw.html")
    assert any("unrendered math" in p for p in problems), problems


def test_math_without_a_local_mathjax_fails():
    cdn = '<script src="https://cdn.jsdelivr.net/npm/mathjax@3/es5/tex-chtml.js"></script>'
    problems = site.check_page(page(MATH, head=cdn), "cdn.html")
    assert any("another host" in p for p in problems) and any("no local MathJax" in p for p in problems), problems
    missing = site.check_page(page(MATH), "missing.html", local_files=[])
    assert any("missing from the build" in p for p in missing), missing


@pytest.mark.parametrize("resource", [
    '<script src="https://cdnjs.cloudflare.com/ajax/libs/require.js/2.3.4/require.min.js"></script>',
    '<script src="//unpkg.com/@jupyter-widgets/html-manager/dist/embed-amd.js"></script>',
    '<link rel="stylesheet" href="https://fonts.googleapis.com/css?family=Lato" />',
    '<img src="http://example.org/figure.png" />',
])
def test_external_resources_fail(resource):
    problems = site.check_page(page(resource + MATH), "ext.html")
    assert any("another host" in p for p in problems), problems


def test_links_to_papers_are_fine_but_a_css_font_from_a_cdn_is_not():
    assert site.check_page(page('<a href="https://arxiv.org/abs/1611.01540">paper</a>', head=""), "a.html") == []
    assert site.check_stylesheet("@font-face { src: url('../fonts/lato.woff2') }", "ok.css") == []
    assert site.check_stylesheet("@import url('https://fonts.googleapis.com/css2?family=Lato');", "bad.css")


def test_missing_or_extra_figures_fail():
    assert any("no figure" in p for p in site.check_page(page(TEXT_CELL), "l.html", expected_figure_cells=0))
    problems = site.check_page(GOOD, "l.html", expected_figure_cells=3)
    assert any("2 output cells with a figure" in p and "has 3" in p for p in problems), problems


def test_figure_cells_of_an_executed_notebook():
    import nbformat

    nb = nbformat.v4.new_notebook()
    figure = nbformat.v4.new_output("display_data", data={"image/png": "iVBORw0KGgo=", "text/plain": "<Figure>"})
    widget = nbformat.v4.new_output("execute_result", data={
        "application/vnd.jupyter.widget-view+json": {"model_id": "x"}, "image/png": "iVBORw0KGgo=",
        "text/plain": "[static image]"}, execution_count=2)
    text = nbformat.v4.new_output("stream", name="stdout", text="E0 = 1.657\n")
    nb.cells = [nbformat.v4.new_code_cell(outputs=[figure, figure]), nbformat.v4.new_code_cell(outputs=[widget]),
                nbformat.v4.new_code_cell(outputs=[text]), nbformat.v4.new_markdown_cell("$x$")]
    assert site.figure_cells(nb) == 2
