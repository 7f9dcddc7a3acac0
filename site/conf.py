"""Sphinx + MyST-NB configuration of the course website (built by ``python tools/build_site.py``).

The source directory is the repository root, restricted by ``include_patterns`` to ``site/*.md``,
``lectures/*.ipynb`` and ``exercises/*.ipynb``: the notebooks are read where they live (nothing is
copied, nothing can go stale) and the lectures execute in ``lectures/`` as the tests run them.
This file lives in ``site/`` and is passed with ``-c site``.

Offline: MathJax is served from ``_static/mathjax`` (files shipped by the ``sphinx-mathjax-offline``
package), the ipywidgets embedding scripts (a CDN) are not loaded, and widgets show the static
image that ``landscape_lib.widgets.fallback`` adds to their outputs.
"""

from __future__ import annotations

import importlib
import importlib.util
import pkgutil
import re
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SITE = ROOT / "site"
BUILD = SITE / "_build"
sys.path.insert(0, str(ROOT))  # autodoc imports the checkout's landscape_lib even if not installed

project = "High-dimensional Energy Landscapes"
author = "the course authors"
copyright = "MIT licence"

# --- what is read -----------------------------------------------------------------------------
root_doc = "site/index"
include_patterns = ["site/*.md", "lectures/*.ipynb", "exercises/*.ipynb"]
exclude_patterns = ["site/_build/**", "**/.ipynb_checkpoints/**"]

extensions = ["myst_nb", "sphinx.ext.autodoc", "sphinx.ext.napoleon", "sphinx.ext.mathjax", "sphinx.ext.viewcode"]

# --- MyST markdown (notebook markdown cells and site/*.md) ---------------------------------------
myst_enable_extensions = ["dollarmath", "amsmath", "colon_fence", "deflist"]
myst_dmath_double_inline = True  # $$...$$ inside a paragraph is display math, as in JupyterLab
myst_heading_anchors = 3
suppress_warnings = ["myst.header"]  # notebooks may skip heading levels (### under #)

# --- executing the notebooks ---------------------------------------------------------------------
nb_execution_mode = "cache"  # re-executed when a notebook changes; otherwise outputs from the cache
nb_execution_cache_path = str(BUILD / "jupyter_cache")
nb_execution_excludepatterns = ["exercises/*"]  # sheets stop at the first unsolved check, by design
nb_execution_timeout = 600  # seconds per cell, as --nbval-cell-timeout in the tests
nb_execution_raise_on_error = True  # an error in a lecture fails the build
nb_execution_show_tb = True
nb_execution_allow_errors = False
nb_merge_streams = True

# MyST-NB runs nbclient in this process: stop nbclient's Output-widget imitation from echoing to the
# kernel, an echo that can stall a widget cell until the 600 s timeout (tools/notebook_client.py).
sys.path.insert(0, str(ROOT / "tools"))
import notebook_client  # noqa: E402

notebook_client.install()

# --- widgets: show the static fallback image, load nothing from a CDN -----------------------------
nb_mime_priority_overrides = [("html", "application/vnd.jupyter.widget-view+json", None)]
nb_ipywidgets_js = {}

# --- autodoc -------------------------------------------------------------------------------------
autodoc_default_options = {"members": True, "undoc-members": False, "show-inheritance": True}
autodoc_member_order = "bysource"
autodoc_typehints = "description"
napoleon_google_docstring = True
napoleon_numpy_docstring = False
napoleon_use_ivar = True  # "Attributes:" as fields: a dataclass's fields are not documented twice

#: ``$...$`` and ``$$...$$`` in docstrings (as in the notebooks) become reST math.
DOCSTRING_MATH = re.compile(r"(?<!\\)\$\$(.+?)\$\$|(?<![\\$])\$(?!\s)([^$\n]+?)\$(?!\d)")


def _math_role(match: re.Match) -> str:
    body = (match.group(1) or match.group(2)).strip().replace("`", "\\`")
    return f":math:`{body}`"


def docstring_math(app, what, name, obj, options, lines: list[str]) -> None:
    """Turn the docstrings' dollar math into reST: a ``$$`` block spanning lines into ``.. math::``,
    inline ``$...$`` into ``:math:`` roles (separated from adjacent letters, as reST requires)."""
    out: list[str] = []
    block: list[str] | None = None
    for line in lines:
        stripped = line.strip()
        if block is None and stripped.startswith("$$") and stripped.count("$$") == 1:
            indent = line[: len(line) - len(line.lstrip())]
            block, rest = [], stripped[2:].strip()
            out += ["", f"{indent}.. math::", ""]
            if rest:
                block.append(rest)
            continue
        if block is not None:
            if "$$" in stripped:
                block.append(stripped.replace("$$", "").strip())
                out += [f"{indent}   {b}" for b in block if b] + [""]
                block = None
            else:
                block.append(stripped)
            continue
        if "$" in line:
            line = DOCSTRING_MATH.sub(_math_role, line)
            line = re.sub(r"(?<=[\w)])(:math:`)", r"\\ \1", line)
            line = re.sub(r"(:math:`(?:[^`\\]|\\.)*`)(?=\w)", r"\1\\ ", line)
        out.append(line)
    if block is not None:  # unclosed: leave the text as it was
        out = out[: len(out) - 3] + lines[len(lines) - len(block) - 1:]
    lines[:] = out


#: Packages whose import fails for want of an optional dependency are left out of the API page.
OPTIONAL_IMPORTS = ("ray",)


def library_modules(package: str = "landscape_lib") -> tuple[list[str], list[str]]:
    """Every module of the library (walked, so new modules appear), and those skipped for a missing extra."""
    root = importlib.import_module(package)
    found, skipped = [package], []
    for info in pkgutil.walk_packages(root.__path__, prefix=f"{package}.", onerror=lambda name: skipped.append(name)):
        if info.name.endswith("__main__"):
            continue
        try:
            importlib.import_module(info.name)
        except ModuleNotFoundError as exc:
            if (exc.name or "").split(".")[0] not in OPTIONAL_IMPORTS:
                raise
            skipped.append(info.name)
            continue
        found.append(info.name)
    return found, skipped


def api_page(app, docname: str, source: list[str]) -> None:
    """Fill ``site/api.md``'s placeholder with one ``automodule`` section per library module."""
    if docname != "site/api" or "<!-- API -->" not in source[0]:
        return
    modules, skipped = library_modules()
    parts = []
    for name in modules:
        parts.append(f"## `{name}`\n\n```{{eval-rst}}\n.. automodule:: {name}\n```\n")
    if skipped:
        parts.append("Not documented here (they need an optional dependency): "
                     + ", ".join(f"`{name}`" for name in skipped) + ".\n")
    source[0] = source[0].replace("<!-- API -->", "\n".join(parts))


def lecture_rows() -> list[tuple[str, str, str]]:
    """(number, notebook path, one line) of each lecture, from the README's lecture table (one source)."""
    rows, inside = [], False
    for line in (ROOT / "README.md").read_text(encoding="utf-8").splitlines():
        if line.startswith("## "):
            inside = line.strip() == "## Lectures"
        elif inside and line.startswith("| ") and "lectures/" in line:
            number, notebook, summary = (cell.strip() for cell in line.strip().strip("|").split("|", 2))
            rows.append((number, notebook.strip("`"), summary))
    return rows


def notebook_title(path: Path) -> str:
    import nbformat

    for cell in nbformat.read(path, as_version=4).cells:
        if cell.cell_type == "markdown" and cell.source.startswith("# "):
            return cell.source.splitlines()[0][2:].strip()
    return path.stem


def lecture_map() -> str:
    """The landing page's lecture map: each lecture (its title, linked), its one line, its exercise sheet."""
    lines = ["| lecture | in one line | exercises |", "|---|---|---|"]
    for number, notebook, summary in lecture_rows():
        lecture = ROOT / notebook
        if not lecture.exists():
            raise RuntimeError(f"README's lecture table names {notebook}, which does not exist")
        sheet = ROOT / "exercises" / lecture.name
        exercises = f"[sheet {number}](../exercises/{sheet.name})" if sheet.exists() else "—"
        lines.append(f"| [{notebook_title(lecture)}](../{notebook}) | {summary} | {exercises} |")
    if len(lines) == 2:
        raise RuntimeError("no lecture table found under '## Lectures' in README.md")
    return "\n".join(lines) + "\n"


def fill_placeholders(app, docname: str, source: list[str]) -> None:
    if docname == "site/index":
        source[0] = source[0].replace("<!-- LECTURES -->", lecture_map())
    elif docname == "site/api":
        api_page(app, docname, source)


# --- HTML ----------------------------------------------------------------------------------------
html_theme = "sphinx_book_theme"
html_title = project
html_theme_options = {
    "show_toc_level": 2,
    "home_page_in_toc": True,
    "use_download_button": True,
    "use_fullscreen_button": False,
    "use_repository_button": False,
    "navigation_with_keys": False,
}
html_static_path = []
html_last_updated_fmt = None
html_copy_source = False

# MathJax 3 from the files of the sphinx-mathjax-offline package, copied into _static/mathjax.
mathjax_path = "mathjax/tex-chtml.js"
#: What MathJax loads at run time: the combined component, its fonts, TeX extensions (autoload),
#: the menu and its accessibility modules.  (The other combined builds and speech rules are not needed.)
MATHJAX_PARTS = ("tex-chtml.js", "output/chtml", "input/tex/extensions", "ui", "a11y", "adaptors")


def mathjax_source() -> Path:
    spec = importlib.util.find_spec("sphinx-mathjax-offline")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("the site needs the `sphinx-mathjax-offline` package (MathJax without a CDN): "
                           "pip install -e \".[site]\"")
    return Path(next(iter(spec.submodule_search_locations))) / "static" / "mathjax"


def copy_mathjax(app, exception) -> None:
    if exception is not None or app.builder.format != "html":
        return
    source, target = mathjax_source(), Path(app.outdir) / "_static" / "mathjax"
    for part in MATHJAX_PARTS:
        if (source / part).is_dir():
            shutil.copytree(source / part, target / part, dirs_exist_ok=True)
        else:
            target.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source / part, target / part)


def setup(app) -> None:
    mathjax_source()  # fail early with the install hint
    app.connect("source-read", fill_placeholders)
    app.connect("autodoc-process-docstring", docstring_math)
    app.connect("build-finished", copy_mathjax)
