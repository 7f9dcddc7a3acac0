r"""Run a sweep's tasks on Ray (this machine or a cluster) or in this process, resumably.

Freeman & Bruna (2017, ICLR) ran DSS as one cluster job per (task, threshold); the tasks are
independent, so a sweep is *embarrassingly parallel*: $T$ tasks of $\tau$ seconds on $W$ workers
take about $\lceil T/W\rceil\,\tau$ plus the engine's overhead (Ray: a start-up of a few seconds and
a per-task cost of milliseconds; see ``benchmarks/bench_scale.py``).  Ray is optional
(``pip install -e ".[scale]"``); without it the same tasks run here, one after another, with
identical results -- each task seeds its own networks and sets its own thread count, so the
numbers do not depend on where it ran.

The driver alone writes the results folder (:mod:`~landscape_lib.scale.results`); workers only
compute and return plain tensors and numbers.  A task that raises is retried ``max_retries``
times and then recorded as failed, with its error; a rerun retries failed and missing tasks and
skips finished ones.
"""

from __future__ import annotations

import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tqdm.auto import tqdm

from ..training import progress_disabled
from ..validation import check_int, describe
from .config import SweepConfig, load_config
from .results import finished_tasks, prepare_folder, record_run, write_table, write_task
from .tasks import Task, execute_task, split_tasks

BACKENDS = ("auto", "ray", "local")


def ray_available() -> bool:
    """Whether Ray can be imported (without importing it: ``import landscape_lib`` stays light)."""
    import importlib.util

    return importlib.util.find_spec("ray") is not None


@dataclass(frozen=True)
class SweepReport:
    """What one call of :func:`run_sweep` did.

    Attributes:
        out_dir: the results folder.
        backend: ``"ray"`` or ``"local"``.
        executed: ids of the tasks run by this call (in the order they finished).
        skipped: ids already done before this call.
        failed: id -> error text of the tasks that still failed after their retries.
        attempts: id -> number of attempts this call made.
        seconds: wall time of the call; ``startup_seconds``: of which starting Ray.
    """

    out_dir: Path
    backend: str
    executed: tuple[str, ...]
    skipped: tuple[str, ...]
    failed: dict[str, str]
    attempts: dict[str, int]
    seconds: float
    startup_seconds: float = 0.0


class _Progress:
    """A tqdm bar over tasks with done / running / failed in its postfix."""

    def __init__(self, total: int, initial: int, progress: bool | None, name: str) -> None:
        self.bar = tqdm(total=total, initial=initial, desc=f"sweep {name}", unit="task",
                        disable=progress_disabled(progress))
        self.done, self.failed, self.running = initial, 0, 0
        self.show()

    def show(self, refresh: bool = True) -> None:
        self.bar.set_postfix(done=self.done, running=self.running, failed=self.failed, refresh=refresh)

    def finished(self, ok: bool) -> None:
        self.done += ok
        self.failed += not ok
        self.show(refresh=False)
        self.bar.update(1)

    def close(self) -> None:
        self.bar.close()


def _error_text(error: BaseException) -> str:
    return "".join(traceback.format_exception(type(error), error, error.__traceback__)[-6:])


def _run_local(config: SweepConfig, todo: list[Task], attempts_allowed: int, on_result: Callable, bar: _Progress) -> None:
    data = config.to_dict()
    for task in todo:
        for attempt in range(1, attempts_allowed + 1):
            bar.running = 1
            bar.show()
            try:
                result = execute_task(data, task.__dict__)
            except Exception as error:  # noqa: BLE001 -- any task error is recorded, never lost
                if attempt == attempts_allowed:
                    bar.running = 0
                    on_result(task, attempt, None, _error_text(error))
            else:
                bar.running = 0
                on_result(task, attempt, result, None)
                break


def _run_ray(config: SweepConfig, todo: list[Task], attempts_allowed: int, on_result: Callable, bar: _Progress,
             workers: int | None) -> None:
    import ray

    data = config.to_dict()
    gpus = 1 if config.device.startswith("cuda") else 0
    # Ray's own retries cover lost workers (a killed process, a lost node); task errors are retried below,
    # the same way as in-process, so that both backends record the same attempts.
    remote = ray.remote(num_cpus=config.threads, num_gpus=gpus, max_retries=attempts_allowed - 1)(execute_task)
    capacity = workers or max(1, int(ray.cluster_resources().get("GPU" if gpus else "CPU", 1)) // (gpus or config.threads))
    queue = [(task, 1) for task in todo]
    running: dict[Any, tuple[Task, int]] = {}
    data_ref = ray.put(data)
    while queue or running:
        while queue and len(running) < capacity:  # keep exactly the workers busy: "running" is honest
            task, attempt = queue.pop(0)
            running[remote.remote(data_ref, task.__dict__)] = (task, attempt)
        bar.running = len(running)
        bar.show()
        ready, _ = ray.wait(list(running), num_returns=1)
        task, attempt = running.pop(ready[0])
        try:
            result = ray.get(ready[0])
        except Exception as error:  # noqa: BLE001 -- RayTaskError wraps the task's own exception
            cause = getattr(error, "cause", None) or error
            if attempt < attempts_allowed:
                queue.insert(0, (task, attempt + 1))
            else:
                bar.running = len(running)
                on_result(task, attempt, None, _error_text(cause) if cause is not error else str(error))
        else:
            bar.running = len(running)
            on_result(task, attempt, result, None)


def run_sweep(
    config: SweepConfig | str | Path,
    out_dir: str | Path,
    *,
    address: str | None = None,
    backend: str = "auto",
    workers: int | None = None,
    max_retries: int = 1,
    progress: bool | None = None,
    after_task: Callable[[str], None] | None = None,
) -> SweepReport:
    r"""Run every task of ``config`` not yet done in ``out_dir``; record results, errors and the run.

    Args:
        config: a :class:`SweepConfig`, or a ``.toml``/``.json`` path or bundled name (:func:`load_config`).
        out_dir: the results folder (created; a rerun of the same config resumes it, a different
            config is refused).
        address: a Ray cluster (``"ray://head:10001"`` or ``"auto"``); ``None`` starts Ray on this machine.
        backend: ``"ray"`` (error if Ray is missing), ``"local"`` (this process), or ``"auto"``
            (Ray if installed, else local).
        workers: tasks in flight at once; local Ray gets ``num_cpus = workers x threads``
            (default: all CPUs of this machine or cluster).
        max_retries: a task that raises is tried again this many times, then recorded as failed.
        progress: show the progress bar (default: hidden in tests and CI).
        after_task: called with each task id after its result is saved (a hook for monitoring;
            an exception it raises stops the run, like a Ctrl-C, after that task was saved).

    Returns:
        A :class:`SweepReport`.  The folder's ``results.csv`` and ``manifest.json`` are updated.
    """
    fn = "run_sweep"
    if isinstance(config, (str, Path)):
        config = load_config(config)
    if not isinstance(config, SweepConfig):
        raise TypeError(f"{fn}: argument `config` must be a SweepConfig or a path, got {describe(config)}")
    if not isinstance(out_dir, (str, Path)):
        raise TypeError(f"{fn}: argument `out_dir` must be a path, got {describe(out_dir)}")
    if backend not in BACKENDS:
        raise ValueError(f"{fn}: argument `backend` must be one of {BACKENDS}, got {backend!r}")
    check_int(max_retries, fn=fn, arg="max_retries", minimum=0)
    if workers is not None:
        check_int(workers, fn=fn, arg="workers", minimum=1)
    if address is not None and not isinstance(address, str):
        raise TypeError(f"{fn}: argument `address` must be a string such as 'ray://head:10001', got {describe(address)}")
    use_ray = backend == "ray" or (backend == "auto" and (ray_available() or address is not None))
    if use_ray and not ray_available():
        raise ImportError(f"{fn}: backend='ray'{' with an address' if address else ''} needs Ray; install it with "
                          'python -m pip install -e ".[scale]", or use backend="local"')

    start = time.perf_counter()
    out = prepare_folder(out_dir, config)
    tasks = split_tasks(config)
    done_before = finished_tasks(out, tasks)
    todo = [t for t in tasks if t.id not in done_before]
    executed: list[str] = []
    failed: dict[str, str] = {}
    attempts: dict[str, int] = {}
    bar = _Progress(len(tasks), len(done_before), progress, config.name)

    def on_result(task: Task, attempt: int, result: dict[str, Any] | None, error: str | None) -> None:
        attempts[task.id] = attempt
        executed.append(task.id)
        if result is None:
            failed[task.id] = error or ""
            write_task(out, task, {"status": "failed", "attempts": attempt, "error": error})
        else:
            write_task(out, task, {"status": "done", "attempts": attempt, "result": result, "seconds": result["seconds"]})
        bar.finished(result is not None)
        if after_task is not None:
            after_task(task.id)

    startup = 0.0
    started_ray = False
    try:
        if use_ray and todo:
            import ray

            t0 = time.perf_counter()
            if not ray.is_initialized():
                if address:  # a running cluster; Ray Client (ray://) accepts few other arguments
                    ray.init(address=address)
                else:  # a private local cluster of `workers` x `threads` CPUs, without dashboard
                    ray.init(num_cpus=workers * config.threads if workers else None, include_dashboard=False,
                             log_to_driver=False, configure_logging=False)
                started_ray = True
            startup = time.perf_counter() - t0
            _run_ray(config, todo, max_retries + 1, on_result, bar, workers)
        else:
            _run_local(config, todo, max_retries + 1, on_result, bar)
    finally:
        bar.close()
        if started_ray:
            import ray

            ray.shutdown()
        seconds = time.perf_counter() - start
        record_run(out, config, {"backend": "ray" if use_ray else "local", "address": address, "workers": workers,
                                 "executed": executed, "skipped": sorted(done_before), "failed": sorted(failed),
                                 "seconds": round(seconds, 3), "ray_startup_seconds": round(startup, 3),
                                 "finished": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())})
        write_table(out)
    return SweepReport(out, "ray" if use_ray else "local", tuple(executed), tuple(sorted(done_before)), failed,
                       attempts, seconds, startup)
