#!/usr/bin/env python
"""Strip outputs, execution counts and volatile metadata from the course notebooks.

Notebooks are stored without outputs: executed copies are build artefacts, not sources.

Usage::

    python tools/clean_notebooks.py            # clean lectures/, solutions/, exercises/ in place
    python tools/clean_notebooks.py --check    # exit 1 if cleaning would change any notebook
    python tools/clean_notebooks.py FILE ...   # clean the given notebooks
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]
FOLDERS = ("lectures", "solutions", "exercises")
KEEP_NOTEBOOK_METADATA = ("kernelspec", "language_info", "landscape_course")
KEEP_CELL_METADATA = ("tags",)


def clean(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """Remove outputs, execution counts and all metadata except kernelspec, language and tags."""
    for cell in nb.cells:
        cell.metadata = {k: v for k, v in cell.metadata.items() if k in KEEP_CELL_METADATA}
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    nb.metadata = {k: v for k, v in nb.metadata.items() if k in KEEP_NOTEBOOK_METADATA}
    return nb


def cleaned_text(path: Path) -> str:
    """The file's text as this tool would write it."""
    return nbformat.writes(clean(nbformat.read(path, as_version=4))) + "\n"


def is_clean(path: Path) -> bool:
    """True if cleaning would change nothing: no outputs, no execution counts, no volatile metadata.

    (Checking only the outputs would let ``--check`` pass on a notebook that the cleaner still
    rewrites, e.g. one carrying widget state or per-cell execution timings.)
    """
    return cleaned_text(path) == path.read_text()


def notebooks(paths: list[Path]) -> list[Path]:
    if paths:
        return paths
    return sorted(p for folder in FOLDERS for p in (ROOT / folder).glob("*.ipynb"))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("paths", nargs="*", type=Path)
    parser.add_argument("--check", action="store_true",
                        help="report notebooks that cleaning would change (outputs, counts, metadata); change nothing")
    args = parser.parse_args(argv)
    dirty = []
    for path in notebooks(args.paths):
        if args.check:
            if not is_clean(path):
                dirty.append(path)
            continue
        before = path.read_text()
        after = cleaned_text(path)
        if after != before:
            path.write_text(after)
            print(f"cleaned {path}")
    if dirty:
        print("notebooks with outputs or volatile metadata (run `python tools/clean_notebooks.py`): "
              + ", ".join(map(str, dirty)), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
