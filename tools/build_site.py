#!/usr/bin/env python
"""Build the course website (Sphinx + MyST-NB) and check it: one command, fully offline.

Usage::

    python -m pip install -e ".[site]"
    python tools/build_site.py            # build into site/_build/html, then verify it
    python tools/build_site.py --check    # only verify an existing build

The lectures are executed (cached in ``site/_build/jupyter_cache``: a notebook runs again when it
changed, and all of them when ``landscape_lib`` changed) with matplotlib's inline backend (what
JupyterLab shows) and without progress bars (``TQDM_DISABLE=1``), in a kernel of this Python.  An error in a lecture fails the build.  The exercise sheets are shown
without executing them.  Open ``site/_build/html/index.html``, or publish the folder as it is.

The verification (exit 1 and a list of problems otherwise): every lecture and exercise page
exists; every lecture page shows as many cells with figures as its executed notebook has (and at
least one); no page shows a traceback or stderr output; no ``$...$`` is left unrendered (math is
in MathJax containers and MathJax is loaded from ``_static``); no page or stylesheet loads a
script, stylesheet, image or font from another host.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import time
from collections.abc import Iterable
from html.parser import HTMLParser
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SITE = ROOT / "site"
BUILD = SITE / "_build"
HTML = BUILD / "html"
CACHE = BUILD / "jupyter_cache"
LANDING = "site/index.html"
MATHJAX = "_static/mathjax/tex-chtml.js"

EXTERNAL = re.compile(r"^(?:[a-z][a-z0-9+.-]*:)?//", re.IGNORECASE)  # http://, https://, //host
RAW_MATH = re.compile(r"\$\$?[^$\n]+\$\$?")
CSS_URL = re.compile(r"""(?:url\(\s*['"]?|@import\s+['"])([^'")\s]+)""", re.IGNORECASE)
TRACEBACK_TEXT = "Traceback (most recent call last)"
SKIP_TEXT_TAGS = {"script", "style", "pre", "code", "textarea"}
SKIP_TEXT_CLASSES = {"math", "sig", "default_value"}  # math containers; API signatures (code)
VOID_TAGS = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


# ----------------------------------------------------------------------------------------------
# verification of one page (pure: HTML text in, problems out; needs no Sphinx)
# ----------------------------------------------------------------------------------------------

class PageScan(HTMLParser):
    """One pass over a page: external resources, scripts, output cells with images, errors, visible text."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, set[str]]] = []
        self.external: list[str] = []
        self.scripts: list[str] = []
        self.math_containers = 0
        self.figure_cells = 0
        self.error_outputs: list[str] = []
        self.visible: list[str] = []
        self._cell_has_img: list[bool] = []

    def _classes(self) -> set[str]:
        return set().union(*(c for _, c in self.stack)) if self.stack else set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attr = {k: v or "" for k, v in attrs}
        classes = set(attr.get("class", "").split())
        for key in ("src", "href", "data", "poster"):
            value = attr.get(key, "")
            loads = tag in ("script", "img", "iframe", "embed", "object", "source", "video", "audio") or (
                tag == "link" and not {"canonical", "alternate"} & set(attr.get("rel", "").lower().split()))
            if value and loads and EXTERNAL.match(value):
                self.external.append(f"<{tag} {key}={value!r}>")
        if tag == "script" and attr.get("src"):
            self.scripts.append(attr["src"])
        if "math" in classes:
            self.math_containers += 1
        if tag == "img" and self._cell_has_img:
            self._cell_has_img[-1] = True
        if {"traceback"} & classes or ({"output", "stderr"} <= classes):
            self.error_outputs.append(" ".join(sorted(classes)))
        if tag in VOID_TAGS:
            return
        self.stack.append((tag, classes))
        if "cell_output" in classes:
            self._cell_has_img.append(False)

    def handle_endtag(self, tag: str) -> None:
        # pop to the matching tag (tolerates unclosed <p> and the like)
        for depth in range(len(self.stack) - 1, -1, -1):
            if self.stack[depth][0] == tag:
                for _, classes in self.stack[depth:]:
                    if "cell_output" in classes:
                        self.figure_cells += self._cell_has_img.pop()
                del self.stack[depth:]
                return

    def handle_data(self, data: str) -> None:
        tags = {t for t, _ in self.stack}
        if TRACEBACK_TEXT in data:
            self.error_outputs.append(f"text {TRACEBACK_TEXT!r}")
        if tags & SKIP_TEXT_TAGS or SKIP_TEXT_CLASSES & self._classes():
            return
        self.visible.append(data)


def check_page(html: str, name: str, *, expected_figure_cells: int | None = None,
               local_files: Iterable[str] | None = None) -> list[str]:
    """Problems of one built page (an empty list if it is fine).

    Args:
        html: the page's text.
        name: how to name the page in messages.
        expected_figure_cells: for a lecture, how many cells of its executed notebook show a figure
            (the page must show the same number, and at least one); ``None`` for other pages.
        local_files: the script paths (as the page writes them) that exist in the build; if given,
            MathJax must be one of them whenever the page has mathematics.
    """
    scan = PageScan()
    scan.feed(html)
    scan.close()
    problems = [f"{name}: loads {item} from another host (the site must work offline)" for item in scan.external]
    problems += [f"{name}: shows an execution error or stderr output ({what})" for what in scan.error_outputs]
    text = " ".join(scan.visible)
    raw = RAW_MATH.findall(text)
    if raw:
        problems.append(f"{name}: {len(raw)} unrendered math span(s), e.g. {raw[0][:60]!r} (not in a math container)")
    if scan.math_containers:
        mathjax = [src for src in scan.scripts if src.split("?")[0].endswith(MATHJAX)]
        if not mathjax:
            problems.append(f"{name}: has {scan.math_containers} math containers but no local MathJax script ({MATHJAX})")
        elif local_files is not None and not set(mathjax) & set(local_files):
            problems.append(f"{name}: its MathJax script {mathjax[0]} is missing from the build")
    if expected_figure_cells is not None:
        if expected_figure_cells == 0:
            problems.append(f"{name}: its executed notebook has no figure")
        if scan.figure_cells != expected_figure_cells:
            problems.append(f"{name}: {scan.figure_cells} output cells with a figure on the page, but the executed "
                            f"notebook has {expected_figure_cells} cells with image outputs")
    return problems


def check_stylesheet(css: str, name: str) -> list[str]:
    """Problems of one stylesheet: fonts, images or imports from another host."""
    return [f"{name}: loads {url!r} from another host (the site must work offline)"
            for url in CSS_URL.findall(css) if EXTERNAL.match(url)]


# ----------------------------------------------------------------------------------------------
# verification of the whole build
# ----------------------------------------------------------------------------------------------

def figure_cells(nb) -> int:
    """Code cells of an executed notebook that show an image (a figure, or a widget's static image)."""
    return sum(any(o.get("output_type") in ("display_data", "execute_result")
                   and any(m.startswith("image/") for m in o.get("data", {})) for o in cell.get("outputs", []))
               for cell in nb.cells if cell.cell_type == "code")


def executed_notebook(path: Path, cache: Path):
    """The notebook with the outputs the site shows: the cached execution of its current text."""
    from jupyter_cache import get_cache

    _, nb = get_cache(str(cache)).merge_match_into_file(str(path))
    return nb


def local_scripts(page: Path, html_root: Path, html: str) -> list[str]:
    scan = PageScan()
    scan.feed(html)
    return [src for src in scan.scripts if not EXTERNAL.match(src)
            and (page.parent / src.split("?")[0]).resolve().is_file()]


def verify(html_root: Path = HTML, cache: Path = CACHE, root: Path = ROOT) -> list[str]:
    """Every problem of a built site; empty if it passes."""
    problems: list[str] = []
    lectures = sorted((root / "lectures").glob("[0-9]*.ipynb"))
    sheets = sorted((root / "exercises").glob("[0-9]*.ipynb"))
    if not lectures:
        return [f"no lectures found in {root / 'lectures'}"]
    expected: dict[Path, int | None] = {}
    for nb_path in lectures:
        page = html_root / "lectures" / f"{nb_path.stem}.html"
        try:
            expected[page] = figure_cells(executed_notebook(nb_path, cache))
        except KeyError:
            problems.append(f"{nb_path.relative_to(root)}: no cached execution of its current text in {cache}")
            expected[page] = None
    for nb_path in sheets:
        expected[html_root / "exercises" / f"{nb_path.stem}.html"] = None
    for name in (LANDING, "site/api.html"):
        expected[html_root / name] = None
    if not (html_root / "index.html").is_file():
        problems.append(f"{html_root / 'index.html'} is missing (the redirect to {LANDING})")
    for page, count in expected.items():
        name = str(page.relative_to(html_root))
        if not page.is_file():
            problems.append(f"{name}: page missing")
            continue
        html = page.read_text(encoding="utf-8")
        problems += check_page(html, name, expected_figure_cells=count,
                               local_files=local_scripts(page, html_root, html))
    for page in sorted(set(html_root.rglob("*.html")) - set(expected)):
        if "_static" not in page.parts:
            html = page.read_text(encoding="utf-8")
            problems += [p for p in check_page(html, str(page.relative_to(html_root)))
                         if "another host" in p]
    for css in sorted(html_root.rglob("*.css")):
        problems += check_stylesheet(css.read_text(encoding="utf-8", errors="replace"), str(css.relative_to(html_root)))
    return problems


# ----------------------------------------------------------------------------------------------
# the build
# ----------------------------------------------------------------------------------------------

#: Set for the kernels.  Figures: matplotlib's inline backend, headless and what JupyterLab uses, so
#: the pages show exactly the figures a student sees (with MPLBACKEND=Agg, figures made with pyplot
#: would be shown as "<Figure size ...>" text).  No progress bars (they would be widgets).
KERNEL_ENV = {"MPLBACKEND": "module://matplotlib_inline.backend_inline", "TQDM_DISABLE": "1",
              "PYDEVD_DISABLE_FILE_VALIDATION": "1"}


def library_fingerprint(root: Path = ROOT) -> str:
    """A hash of everything besides a notebook's own text that its outputs depend on.

    jupyter-cache keys an execution by the notebook's code alone; a change of the library (or of the
    kernels' environment) must re-execute every lecture, or the site would show stale outputs.
    """
    import hashlib

    digest = hashlib.sha256(repr(sorted(KERNEL_ENV.items())).encode())
    for path in sorted((root / "landscape_lib").rglob("*.py")) + [root / "pyproject.toml"]:
        digest.update(str(path.relative_to(root)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def invalidate_stale_cache(cache: Path = CACHE, doctrees: Path = BUILD / "doctrees") -> None:
    """Empty the execution cache (and Sphinx's record of read pages) if the library changed since it was filled.

    Sphinx re-reads only pages whose source changed: without its record, every notebook is read
    again and so executed again (or taken from the cache).
    """
    import shutil

    stamp, fingerprint = cache.with_name(cache.name + ".fingerprint"), library_fingerprint()
    if not cache.exists() or not stamp.exists() or stamp.read_text() != fingerprint:
        if cache.exists():
            print("build_site: landscape_lib or the kernel environment changed: re-executing every lecture")
        shutil.rmtree(cache, ignore_errors=True)
        shutil.rmtree(doctrees, ignore_errors=True)
    stamp.parent.mkdir(parents=True, exist_ok=True)
    stamp.write_text(fingerprint)


def kernel_environment(build: Path = BUILD) -> dict[str, str]:
    """The environment of the build and of its kernels: headless, no progress bars, this Python's kernel."""
    import shutil

    import ipykernel.kernelspec

    kernels = build / "jupyter"
    shutil.rmtree(kernels, ignore_errors=True)
    ipykernel.kernelspec.write_kernel_spec(kernels / "kernels" / "python3")  # runs sys.executable
    env = dict(os.environ)
    env.update(KERNEL_ENV)
    # first on JUPYTER_PATH: notebooks asking for "python3" get this interpreter, not another install's
    env["JUPYTER_PATH"] = os.pathsep.join(filter(None, [str(kernels), env.get("JUPYTER_PATH")]))
    return env


def build(html_root: Path = HTML) -> int:
    """Run Sphinx (source: the repository, restricted by site/conf.py; configuration: site/)."""
    try:
        import myst_nb  # noqa: F401
        import sphinx  # noqa: F401
    except ImportError as exc:
        print(f"build_site: {exc.name} is not installed: python -m pip install -e \".[site]\"", file=sys.stderr)
        return 2
    command = [sys.executable, "-m", "sphinx", "-b", "html", "-c", str(SITE), "-d", str(BUILD / "doctrees"),
               str(ROOT), str(html_root)]
    invalidate_stale_cache()
    result = subprocess.run(command, cwd=ROOT, env=kernel_environment())
    if result.returncode == 0:
        (html_root / "index.html").write_text(
            f'<!DOCTYPE html>\n<html><head><meta charset="utf-8">'
            f'<meta http-equiv="refresh" content="0; url={LANDING}"><title>Redirect</title></head>'
            f'<body><a href="{LANDING}">High-dimensional Energy Landscapes</a></body></html>\n', encoding="utf-8")
    return result.returncode


def folder_size(path: Path) -> float:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file()) / 2**20


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="only verify an existing build")
    args = parser.parse_args(argv)
    start = time.perf_counter()
    if not args.check:
        code = build()
        if code != 0:
            print(f"build_site: Sphinx failed (exit {code}); see the messages above "
                  "(an error in a lecture stops the build and shows its traceback)", file=sys.stderr)
            return code
    problems = verify()
    if problems:
        print(f"build_site: the site in {HTML} has {len(problems)} problem(s):", file=sys.stderr)
        for problem in problems:
            print(f"  - {problem}", file=sys.stderr)
        return 1
    print(f"build_site: OK, {HTML / 'index.html'} ({folder_size(HTML):.0f} MiB) in "
          f"{time.perf_counter() - start:.0f} s; every lecture page has its figures, no errors, "
          f"math rendered locally, nothing loaded from another host.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
