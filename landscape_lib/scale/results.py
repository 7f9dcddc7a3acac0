r"""A results folder that describes itself, resumes, and never unpickles.

Layout of ``out_dir`` (one folder per sweep)::

    config.json        the SweepConfig (a rerun must match it; that is what makes resuming safe)
    manifest.json      seeds, code version, package versions, machine, one entry per run
    results.csv        one row per (task, pair): maxima, lengths, beads, status, error
    tasks/ID.json      per task: status ("done" / "failed"), attempts, error text, seconds, rows
    tasks/ID.safetensors (or ID.pt)   per task: the strings (beads) and segment maxima

A task counts as done only if its JSON says so *and* its tensor file exists; both are written
atomically (a temporary file, then :func:`os.replace`) and the tensors first, so a run killed at
any moment leaves either a finished task or none.  Tensor files hold plain tensors only:
safetensors when installed, else ``torch.save`` read back with ``torch.load(..., weights_only=True)``,
which refuses a file that smuggles in any other pickled object.

:func:`load_level_sweep` turns a folder back into the
:class:`~landscape_lib.dss.sweep.LevelSweep` that lecture 05's plots take (Freeman & Bruna 2017, §3:
normalized length $|\gamma|/\lVert\theta_B-\theta_A\rVert$ and beads against $L_0$).
"""

from __future__ import annotations

import csv
import json
import os
import platform
import sys
import time
from collections.abc import Iterable
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING, Any

import torch
from torch import Tensor

from ..validation import describe
from .config import SweepConfig
from .tasks import Task, split_tasks

if TYPE_CHECKING:
    from ..dss.sweep import LevelSweep

TABLE_COLUMNS = ("task", "width", "seed", "threshold", "pair", "status", "attempts", "connected", "reason",
                 "normalized_length", "n_beads", "line_max", "string_max", "endpoint_max", "gap", "lower_level",
                 "resolution", "seconds", "error")


def _safetensors() -> Any | None:
    try:
        import safetensors.torch as st
    except ImportError:
        return None
    return st


def _atomic_write(path: Path, write: Any) -> None:
    """``write(tmp_path)``, then rename over ``path``: readers see the old file or the whole new one."""
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    try:
        write(tmp)
        os.replace(tmp, path)
    finally:
        if tmp.exists():
            tmp.unlink()


def save_tensors(path: Path, tensors: dict[str, Tensor]) -> Path:
    """Save a flat ``{name: Tensor}`` atomically as ``<path>.safetensors`` if safetensors is installed, else ``<path>.pt``."""
    bad = [k for k, v in tensors.items() if not isinstance(v, Tensor)]
    if bad:
        raise TypeError(f"save_tensors: argument `tensors` must map names to tensors only; not tensors: {bad}")
    st = _safetensors()
    if st is not None:
        target = path.with_name(path.name + ".safetensors")  # ids hold dots ("L0.05"): never with_suffix
        _atomic_write(target, lambda tmp: st.save_file({k: v.contiguous() for k, v in tensors.items()}, str(tmp)))
    else:
        target = path.with_name(path.name + ".pt")
        _atomic_write(target, lambda tmp: torch.save(dict(tensors), tmp))
    return target


def load_tensors(path: str | Path) -> dict[str, Tensor]:
    """Read a task's tensors without unpickling arbitrary objects (``weights_only=True``)."""
    path = Path(path)
    if path.suffix == ".safetensors":
        st = _safetensors()
        if st is None:
            raise ImportError(f"load_tensors: {path} is a safetensors file; install it with python -m pip install safetensors")
        return st.load_file(str(path))
    data = torch.load(path, map_location="cpu", weights_only=True)
    if not isinstance(data, dict) or not all(isinstance(v, Tensor) for v in data.values()):
        raise ValueError(f"load_tensors: {path} must hold a dict of tensors, got {describe(data)}")
    return data


def _git_commit(root: Path) -> str | None:
    """The checked-out commit, read from ``.git`` directly (no git process, nothing changed)."""
    git = root / ".git"
    try:
        head = (git / "HEAD").read_text().strip()
        if not head.startswith("ref: "):
            return head
        ref = head[5:]
        if (git / ref).is_file():
            return (git / ref).read_text().strip()
        for line in (git / "packed-refs").read_text().splitlines():
            if line.endswith(" " + ref):
                return line.split()[0]
    except OSError:
        return None
    return None


def code_version() -> str:
    """``git:<commit>`` of the checkout the library runs from, else ``landscape_lib <version>``."""
    commit = _git_commit(Path(__file__).resolve().parents[2])
    if commit:
        return f"git:{commit}"
    try:
        return f"landscape_lib {metadata.version('landscape_lib')}"
    except metadata.PackageNotFoundError:
        return "unknown"


def package_versions() -> dict[str, str]:
    """Versions of Python and the packages that change numbers (torch, numpy, ...) or run the sweep."""
    out = {"python": platform.python_version()}
    for name in ("landscape_lib", "torch", "numpy", "scipy", "scikit-learn", "mnist1d", "ray", "safetensors"):
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            pass
    return out


def machine() -> dict[str, Any]:
    """Platform, processor and CPU count of the driver (workers on a cluster may differ)."""
    return {"platform": platform.platform(), "processor": platform.processor() or platform.machine(),
            "cpu_count": os.cpu_count(), "hostname": platform.node(),
            "cuda": torch.cuda.get_device_name(0) if torch.cuda.is_available() else None}


def prepare_folder(out_dir: str | Path, config: SweepConfig) -> Path:
    """Create ``out_dir`` for ``config``, or check that an existing one holds the same sweep."""
    out = Path(out_dir)
    (out / "tasks").mkdir(parents=True, exist_ok=True)
    path = out / "config.json"
    if path.exists():
        old = SweepConfig.from_dict(json.loads(path.read_text()))
        if old.fingerprint() != config.fingerprint():
            changed = sorted(k for k, v in config.to_dict().items() if old.to_dict().get(k) != v)
            raise ValueError(f"run_sweep: argument `out_dir` ({out}) holds a different sweep (changed: {', '.join(changed)}); "
                             "use a new folder, or the config saved there")
    else:
        _atomic_write(path, lambda tmp: config.save(tmp))
    return out


def record_run(out_dir: Path, config: SweepConfig, entry: dict[str, Any]) -> None:
    """Add one run to ``manifest.json`` (created with seeds, code and package versions, machine)."""
    path = out_dir / "manifest.json"
    manifest = json.loads(path.read_text()) if path.exists() else {
        "sweep": config.name, "created": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "seeds": {"replicates": list(config.seeds),
                  "networks": "task (w, s, L0) initialises its 2N networks with seeds 1 + 10000 s + i, i < 2N",
                  "data": {k: v for k, v in config.builder_options.items() if "seed" in k}},
        "runs": []}
    manifest["runs"].append({"code_version": code_version(), "packages": package_versions(), "machine": machine(),
                             "command": " ".join(sys.argv), **entry})
    _atomic_write(path, lambda tmp: tmp.write_text(json.dumps(manifest, indent=2, default=str) + "\n"))


def _task_json(out_dir: Path, task_id: str) -> Path:
    return out_dir / "tasks" / f"{task_id}.json"


def write_task(out_dir: Path, task: Task, outcome: dict[str, Any]) -> None:
    """Record a finished task (tensors first, then its JSON) or a failed one (JSON with the error)."""
    record: dict[str, Any] = {"task": task.id, "width": task.width, "seed": task.seed, "threshold": task.threshold,
                              "status": outcome["status"], "attempts": outcome["attempts"],
                              "error": outcome.get("error"), "seconds": outcome.get("seconds"), "rows": []}
    if outcome["status"] == "done":
        result = outcome["result"]
        file = save_tensors(out_dir / "tasks" / task.id, result["tensors"])
        record.update(rows=result["rows"], slack=result["slack"], tensors=file.name)
    _atomic_write(_task_json(out_dir, task.id), lambda tmp: tmp.write_text(json.dumps(record, indent=1) + "\n"))


def read_task(out_dir: str | Path, task_id: str) -> dict[str, Any] | None:
    """A task's record, or ``None`` if it never finished (no JSON, or its tensor file is missing)."""
    out = Path(out_dir)
    path = _task_json(out, task_id)
    if not path.exists():
        return None
    record = json.loads(path.read_text())
    if record["status"] == "done" and not (out / "tasks" / record.get("tensors", "")).is_file():
        return None
    return record


def finished_tasks(out_dir: str | Path, tasks: Iterable[Task]) -> set[str]:
    """Ids of the tasks that are done (a failed task is *not* finished: a rerun tries it again)."""
    done = set()
    for task in tasks:
        record = read_task(out_dir, task.id)
        if record is not None and record["status"] == "done":
            done.add(task.id)
    return done


@dataclass(frozen=True)
class SweepStatus:
    """Where a sweep stands: task ids done, failed (with their errors) and missing."""

    config: SweepConfig
    done: tuple[str, ...]
    failed: dict[str, str]
    missing: tuple[str, ...]

    @property
    def complete(self) -> bool:
        return not self.failed and not self.missing

    def format(self) -> str:
        n = self.config.n_tasks
        lines = [f"sweep {self.config.name!r} ({self.config.kind}, builder {self.config.builder}): "
                 f"{len(self.done)} of {n} tasks done, {len(self.failed)} failed, {len(self.missing)} not run"]
        lines += [f"  FAILED {tid}: {err.strip().splitlines()[-1] if err.strip() else '?'}" for tid, err in self.failed.items()]
        lines += [f"  missing {tid}" for tid in self.missing]
        return "\n".join(lines)


def sweep_status(out_dir: str | Path) -> SweepStatus:
    """Read a results folder's state (for ``python -m landscape_lib.scale status DIR``)."""
    out = Path(out_dir)
    if not (out / "config.json").is_file():
        raise FileNotFoundError(f"sweep_status: argument `out_dir` ({out}) is not a results folder (no config.json)")
    config = SweepConfig.from_dict(json.loads((out / "config.json").read_text()))
    done, failed, missing = [], {}, []
    for task in split_tasks(config):
        record = read_task(out, task.id)
        if record is None:
            missing.append(task.id)
        elif record["status"] == "done":
            done.append(task.id)
        else:
            failed[task.id] = record.get("error") or ""
    return SweepStatus(config, tuple(done), failed, tuple(missing))


def write_table(out_dir: str | Path) -> Path:
    """Rewrite ``results.csv``: one row per (task, pair) of a done task, one row per failed task."""
    out = Path(out_dir)
    config = SweepConfig.from_dict(json.loads((out / "config.json").read_text()))
    rows = []
    for task in split_tasks(config):
        record = read_task(out, task.id)
        if record is None:
            continue
        base = {"task": task.id, "width": task.width, "seed": task.seed, "threshold": task.threshold,
                "status": record["status"], "attempts": record["attempts"], "seconds": record.get("seconds"),
                "error": (record.get("error") or "").strip().splitlines()[-1] if record.get("error") else ""}
        rows += [{**base, **{k: v for k, v in r.items() if k in TABLE_COLUMNS and k not in base}} for r in record["rows"]] or [base]
    path = out / "results.csv"

    def write(tmp: Path) -> None:
        with open(tmp, "w", newline="") as f:
            writer = csv.DictWriter(f, fieldnames=TABLE_COLUMNS, extrasaction="ignore")
            writer.writeheader()
            writer.writerows(rows)

    _atomic_write(path, write)
    return path


def task_tensors(out_dir: str | Path, task_id: str) -> dict[str, Tensor]:
    """The tensors of a done task (beads and segment maxima per pair)."""
    record = read_task(out_dir, task_id)
    if record is None or record["status"] != "done":
        raise FileNotFoundError(f"task_tensors: task {task_id!r} is not done in {out_dir}")
    return load_tensors(Path(out_dir) / "tasks" / record["tensors"])


def load_level_sweep(out_dir: str | Path, *, width: int | None = None, seed: int | None = None) -> LevelSweep:
    """A DSS results folder as the :class:`~landscape_lib.dss.sweep.LevelSweep` of lecture 05's plots.

    Rows are thresholds (in the config's order) x pairs, as :func:`~landscape_lib.dss.sweep.sweep_levels`
    returns them, for one width and one seed (default: the config's first); each row's
    :class:`~landscape_lib.dss.DSSResult` is rebuilt from the saved beads and maxima (its depth
    history is not saved).  Thresholds whose task is not done are left out, with a ``ValueError``
    if none is done.  Feed it to :func:`~landscape_lib.plots.geometry.plot_barriers` or
    :func:`~landscape_lib.widgets.geometry.threshold_stepper`.
    """
    from ..dss import DSSResult, StopReason
    from ..dss.sweep import LevelSweep

    fn = "load_level_sweep"
    status = sweep_status(out_dir)
    config = status.config
    if config.kind != "dss":
        raise ValueError(f"{fn}: argument `out_dir` holds an {config.kind!r} sweep; only 'dss' sweeps load as a LevelSweep")
    width = config.widths[0] if width is None else width
    seed = config.seeds[0] if seed is None else seed
    if width not in config.widths:
        raise ValueError(f"{fn}: argument `width` must be one of {list(config.widths)}, got {width!r}")
    if seed not in config.seeds:
        raise ValueError(f"{fn}: argument `seed` must be one of {list(config.seeds)}, got {seed!r}")
    cols: dict[str, list] = {k: [] for k in ("threshold", "pair", "connected", "reason", "normalized_length",
                                             "n_beads", "line_max", "string_max", "endpoint_max")}
    results = []
    for task in split_tasks(config):
        if (task.width, task.seed) != (width, seed) or task.id not in status.done:
            continue
        record = read_task(out_dir, task.id)
        tensors = task_tensors(out_dir, task.id)
        for row in record["rows"]:
            i = row["pair"]
            for key in cols:
                cols[key].append(row[key])
            results.append(DSSResult(
                beads=tensors[f"beads.{i}"], connected=row["connected"], reason=StopReason(row["reason"]),
                threshold=row["threshold"], level=row["level"], segment_max=tensors[f"segment_max.{i}"],
                length=row["length"], normalized_length=row["normalized_length"], history=(),
                refined_max=tensors.get(f"refined_max.{i}"), options=config.dss, criterion=f"{config.builder} criterion"))
    if not results:
        raise ValueError(f"{fn}: no task of width {width} and seed {seed} is done in {out_dir}")
    f64 = torch.float64
    return LevelSweep(
        threshold=torch.tensor(cols["threshold"], dtype=f64), pair=torch.tensor(cols["pair"]),
        connected=torch.tensor(cols["connected"]), reason=tuple(cols["reason"]),
        normalized_length=torch.tensor(cols["normalized_length"], dtype=f64), n_beads=torch.tensor(cols["n_beads"]),
        line_max=torch.tensor(cols["line_max"], dtype=f64), string_max=torch.tensor(cols["string_max"], dtype=f64),
        endpoint_max=torch.tensor(cols["endpoint_max"], dtype=f64), slack=config.dss.slack, results=tuple(results))
