#!/usr/bin/env python
"""Generate ``exercises/`` from ``solutions/``: every solution region becomes a stub.

The solution notebooks are the single source of the exercises.  In a code cell, a region

    ### BEGIN SOLUTION
    # HINT: compare every value with the level, elementwise.
    return values <= level
    ### END SOLUTION

becomes (same indentation)

    # HINT: compare every value with the level, elementwise.
    raise NotImplementedError("sublevel_mask: not implemented yet (exercise) -- write your code here")

and in a markdown cell the region becomes "*Your answer here.*" (the markers are nbgrader's, so
the solution notebooks also feed ``nbgrader generate_assignment``).

A marker is a line that holds the marker and nothing else, so prose may *mention* the markers
("put your code between `### BEGIN SOLUTION` and ...") and markdown may show them inside a
fenced code block without opening a region.  A comment or heading line that looks like a
misspelt marker ("###BEGIN SOLUTION", "### END SOLUTION here") is an error rather than
silently ignored: ignoring it would copy the solution into the exercise sheet.

Student work is never lost: every generated notebook records a fingerprint of what the tool
wrote; if an exercise notebook's cells no longer match their fingerprint (somebody edited it),
the tool refuses to overwrite it unless ``--force`` is given, and even then it first copies the
edited sheet to ``<out>/backups/<name>.<UTC time>.ipynb``.

Usage::

    python tools/make_exercises.py              # regenerate every exercise notebook
    python tools/make_exercises.py 01           # only the sheet(s) named (number, name or path)
    python tools/make_exercises.py --check      # exit 1 if any exercise notebook is out of date
    python tools/make_exercises.py --force      # overwrite even edited sheets (backed up first)
    python tools/make_exercises.py --force 01   # start exercise sheet 01 over (backed up first)
    python tools/make_exercises.py --out DIR    # write somewhere else (the test suite uses this)
    python tools/make_exercises.py --backups DIR  # where --force keeps edited sheets
"""

from __future__ import annotations

import argparse
import copy
import hashlib
import json
import re
import shutil
import sys
from datetime import datetime, timezone
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]
BEGIN = "### BEGIN SOLUTION"
END = "### END SOLUTION"
HINT = re.compile(r"^\s*# HINT:")
# A line that *means* to be a marker: a comment/heading line naming BEGIN/END SOLUTION.
MARKER_LIKE = re.compile(r"^\s*#.*\b(BEGIN|END)\s*SOLUTION\b")
FENCE = re.compile(r"^ {0,3}(```|~~~)")
DEF = re.compile(r"^\s*def\s+(\w+)\s*\(")
MARKDOWN_STUB = "*Your answer here.*"
META_KEY = "landscape_course"


class RegionError(ValueError):
    """A solution region is malformed (unclosed, nested, or an END without a BEGIN)."""


def _stub_line(indent: str, function: str | None) -> str:
    name = f"{function}: " if function else ""
    return f'{indent}raise NotImplementedError("{name}not implemented yet -- replace this line with your code")'


def marker(line: str, cell_type: str, in_fence: bool, where: str) -> str | None:
    """``BEGIN`` or ``END`` if ``line`` is a solution marker, else ``None`` (prose, code, a fence).

    Raises :class:`RegionError` for a line that looks like a marker but is not exactly one.
    """
    if cell_type == "markdown" and (in_fence or line.startswith("    ")):
        return None  # an example inside a code block, not a region
    text = line.strip()
    if text in (BEGIN, END):
        return text
    if MARKER_LIKE.match(line):
        raise RegionError(f"{where}: {text!r} looks like a solution marker but is not exactly "
                          f"{BEGIN!r} or {END!r} on a line of its own")
    return None


def strip_solutions(source: str, cell_type: str, where: str) -> str:
    """Replace each BEGIN/END SOLUTION region of one cell's source by its stub."""
    out: list[str] = []
    inside = in_fence = False
    hints: list[str] = []
    function: str | None = None
    indent = ""
    for number, line in enumerate(source.splitlines(), start=1):
        kind = marker(line, cell_type, in_fence, f"{where}, line {number}")
        if cell_type == "markdown" and FENCE.match(line):
            in_fence = not in_fence
        if kind == BEGIN:
            if inside:
                raise RegionError(f"{where}, line {number}: nested {BEGIN!r}")
            inside, hints, indent = True, [], line[: len(line) - len(line.lstrip())]
            continue
        if kind == END:
            if not inside:
                raise RegionError(f"{where}, line {number}: {END!r} without {BEGIN!r}")
            inside = False
            if cell_type == "code":
                out.extend(hints)
                out.append(_stub_line(indent, function))
            else:
                out.append(MARKDOWN_STUB)
            continue
        if inside:
            if cell_type == "code" and HINT.match(line):
                hints.append(line)
            continue
        match = DEF.match(line)
        if match:
            function = match.group(1)
        out.append(line)
    if inside:
        raise RegionError(f"{where}: {BEGIN!r} is never closed by {END!r}")
    return "\n".join(out) + ("\n" if source.endswith("\n") else "")


def fingerprint(nb: nbformat.NotebookNode) -> str:
    """SHA-256 of the cells' types and sources: changes when anyone edits a cell, not when it runs."""
    cells = [[c.cell_type, c.source] for c in nb.cells]
    return hashlib.sha256(json.dumps(cells).encode()).hexdigest()


#: Put under the title of every generated sheet: a student who presses "Run All" on a fresh sheet
#: sees it stop at the first check and must not take that for a broken notebook.
RUN_ALL_NOTE = (
    "> **Note — \"Run All\" stops at the first unsolved exercise.** Each self-check raises until the "
    "function above it is written, so on a fresh sheet \"Run All\" stops at the first check: that is "
    "expected, not a bug. Solve the exercises in order (or run cells one by one); a check whose function "
    "calls one you have not written yet says so."
)


def make_exercise(solution: nbformat.NotebookNode, name: str) -> nbformat.NotebookNode:
    """The exercise notebook generated from one solution notebook (outputs cleared).

    :data:`RUN_ALL_NOTE` is appended to the sheet's first cell when it is a markdown title
    (starts with ``# ``), so it is the first thing a student reads; cell numbers do not change.
    """
    nb = copy.deepcopy(solution)
    for index, cell in enumerate(nb.cells):
        cell.source = strip_solutions(cell.source, cell.cell_type, f"{name}, cell {index}")
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    if nb.cells and nb.cells[0].cell_type == "markdown" and nb.cells[0].source.startswith("# "):
        nb.cells[0].source = f"{nb.cells[0].source.rstrip()}\n\n{RUN_ALL_NOTE}"
    nb.metadata[META_KEY] = {
        "generated_from": f"solutions/{name}",
        "note": "Generated by tools/make_exercises.py -- edit the solutions notebook instead.",
        "fingerprint": fingerprint(nb),
    }
    return nb


def is_untouched(path: Path) -> bool:
    """True if the notebook at ``path`` still holds exactly what the generator wrote."""
    try:
        nb = nbformat.read(path, as_version=4)
    except Exception:  # not a notebook any more (half-saved, hand-edited JSON): treat as someone's work
        return False
    recorded = nb.metadata.get(META_KEY, {}).get("fingerprint")
    return recorded is not None and recorded == fingerprint(nb)


def render(nb: nbformat.NotebookNode) -> str:
    return nbformat.writes(nb) + "\n"


def backup(path: Path, folder: Path) -> Path:
    """Copy ``path`` to ``folder/<stem>.<UTC time>.ipynb`` (never overwriting an earlier backup)."""
    folder.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    target, n = folder / f"{path.stem}.{stamp}{path.suffix}", 1
    while target.exists():  # two resets within one second
        n += 1
        target = folder / f"{path.stem}.{stamp}-{n}{path.suffix}"
    shutil.copy2(path, target)
    return target


def select(sources: list[Path], names: list[str]) -> list[Path]:
    """The solution notebooks the user named: "01", "01_spin_glass_intuition", its file name or a path."""
    if not names:
        return sources
    chosen: list[Path] = []
    for name in names:
        stem = Path(name).name.removesuffix(".ipynb")
        exact = [p for p in sources if p.stem == stem]
        matches = exact or [p for p in sources if p.stem.startswith(stem)]
        if len(matches) != 1:
            known = ", ".join(p.stem for p in sources)
            what = "matches no" if not matches else f"matches {len(matches)}"
            raise LookupError(f"{name!r} {what} exercise sheet; the sheets are: {known}")
        if matches[0] not in chosen:
            chosen.append(matches[0])
    return chosen


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("names", nargs="*", metavar="NAME",
                        help="only these sheets: a number (01), a name (01_spin_glass_intuition) or a path")
    parser.add_argument("--solutions", type=Path, default=ROOT / "solutions", help="source folder")
    parser.add_argument("--out", type=Path, default=ROOT / "exercises", help="destination folder")
    parser.add_argument("--check", action="store_true", help="only report; exit 1 if anything is out of date")
    parser.add_argument("--force", action="store_true",
                        help="overwrite exercise notebooks even if edited (each edited one is backed up first)")
    parser.add_argument("--backups", type=Path, default=None,
                        help="where --force keeps the edited sheets it replaces (default: OUT/backups)")
    args = parser.parse_args(argv)

    sources = sorted(args.solutions.glob("*.ipynb"))
    if not sources:
        print(f"make_exercises: no notebooks in {args.solutions}", file=sys.stderr)
        return 1
    try:
        sources = select(sources, args.names)
    except LookupError as exc:
        print(f"make_exercises: {exc}", file=sys.stderr)
        return 2
    backups = args.backups or args.out / "backups"
    args.out.mkdir(parents=True, exist_ok=True)
    stale, refused = [], []
    for src in sources:
        target = args.out / src.name
        try:
            text = render(make_exercise(nbformat.read(src, as_version=4), src.name))
        except RegionError as exc:
            print(f"make_exercises: {exc}", file=sys.stderr)
            return 2
        current = target.read_text(errors="replace") if target.exists() else None
        if current == text:
            continue
        if args.check:
            stale.append(target)
            continue
        if current is not None and not is_untouched(target):
            if not args.force:
                refused.append(target)
                continue
            print(f"backed up the edited {target.name} to {backup(target, backups)}")
        target.write_text(text)
        print(f"wrote {target.relative_to(args.out.parent) if args.out.parent in target.parents else target}")
    if stale:
        print("make_exercises: out of date (run `python tools/make_exercises.py`): "
              + ", ".join(str(p) for p in stale), file=sys.stderr)
        return 1
    if refused:
        print("make_exercises: NOT overwritten, these exercise notebooks were edited (someone's work?): "
              + ", ".join(str(p) for p in refused)
              + "\n  To start a sheet over, rerun with --force and its name (e.g. `--force "
              + refused[0].stem.split("_")[0] + "`): the edited sheet is first copied to "
              + f"{backups}.", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
