#!/usr/bin/env python
"""Benchmark of the sweep runner (a script, not a test): in-process vs local Ray, and Ray's overhead.

In one run:

1. **Lecture 05's sweep** (``lecture05_small``: digits MLP 64-32-10, 6 pairs x 6 thresholds = 6
   tasks, one ``connect_many`` each) in-process and on local Ray with 2 workers, median of
   ``--repeats`` runs each, every run into a fresh folder.  Ray's start-up (``ray.init``) is timed
   once on its own; the Ray runs reuse the started cluster, so their first run also pays the
   worker processes' imports (reported separately as "cold").  The results are checked equal.
2. **Per-task overhead vs task size**: sweeps of many tasks of three sizes (tiny, small, medium
   quadratic-regression tasks), on local Ray with 1 worker.  With $T$ tasks whose own compute time
   (measured inside the worker) sums to $\\Sigma\\tau$, and wall time $R$, the overhead per task is
   $o = (R - \\Sigma\\tau)/T$ (driver round trip, serialisation, writing the results), and its share
   of a task of size $\\tau$ is $o/(o+\\tau)$: below 10 % once $\\tau > 9\\,o$.  A Ray no-op task's
   round trip is measured too.
3. ``--paper``: per-example cost of Freeman & Bruna's MNIST CNN (forward + backward, one thread) on
   this CPU, the input of the cost estimate in ``landscape_lib/scale/configs/paper_scale.toml``.

Usage::

    python benchmarks/bench_scale.py                 # sections 1 and 2, about 2-4 minutes on 2 cores
    python benchmarks/bench_scale.py --repeats 5 --paper
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

import torch

from landscape_lib.scale import load_config, load_level_sweep, ray_available, run_sweep
from landscape_lib.scale.config import SweepConfig
from landscape_lib.scale.results import read_task


def fresh() -> Path:
    return Path(tempfile.mkdtemp(prefix="bench_scale_"))


def timed_run(config: SweepConfig, backend: str, workers: int | None = None) -> tuple[float, Path, float]:
    """Wall time of one full run into a fresh folder, the folder, and the tasks' own compute seconds."""
    out = fresh()
    start = time.perf_counter()
    report = run_sweep(config, out, backend=backend, workers=workers, progress=False)
    wall = time.perf_counter() - start
    assert not report.failed, report.failed
    compute = sum(read_task(out, tid)["seconds"] for tid in report.executed)
    return wall, out, compute


def lecture05(repeats: int) -> None:
    import ray

    config = load_config("lecture05_small")
    print(f"1. lecture 05 sweep: {config.n_tasks} tasks ({config.pairs} pairs each, builder {config.builder})")
    local = [timed_run(config, "local") for _ in range(repeats)]
    t0 = time.perf_counter()
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False, configure_logging=False)
    startup = time.perf_counter() - t0
    cold = timed_run(config, "ray", workers=2)
    warm = [timed_run(config, "ray", workers=2) for _ in range(repeats)]
    ray.shutdown()
    a, b = load_level_sweep(local[0][1]), load_level_sweep(cold[1])
    same = all(torch.equal(x.beads, y.beads) for x, y in zip(a.results, b.results))
    t_local = statistics.median(w for w, _, _ in local)
    t_warm = statistics.median(w for w, _, _ in warm)
    compute = statistics.median(c for _, _, c in local)
    print(f"   in-process        : median {t_local:6.2f} s over {repeats} runs (task compute {compute:.2f} s)")
    print(f"   Ray start-up      : {startup:6.2f} s (ray.init, 2 CPUs)")
    print(f"   Ray, 2 workers    : cold {cold[0]:6.2f} s (first run: worker processes import torch, load data); "
          f"warm median {t_warm:6.2f} s")
    print(f"   speed-up of Ray   : warm {t_local / t_warm:4.2f}x, cold {t_local / cold[0]:4.2f}x, "
          f"cold incl. start-up {t_local / (cold[0] + startup):4.2f}x  (ideal on 2 free cores: <= 2x)")
    longest = max(read_task(local[0][1], p.stem)["seconds"] for p in (local[0][1] / "tasks").glob("*.json"))
    print(f"   (the longest task alone takes {longest:.2f} s: 2 workers cannot beat max({compute / 2:.2f}, {longest:.2f}) s)")
    print(f"   results identical (every string's beads): {same}")


def overhead() -> None:
    import ray

    ray.init(num_cpus=1, include_dashboard=False, log_to_driver=False, configure_logging=False)
    noop = ray.remote(num_cpus=1)(lambda: None)
    ray.get(noop.remote())  # start the worker
    n = 200
    start = time.perf_counter()
    ray.get([noop.remote() for _ in range(n)])
    batched = (time.perf_counter() - start) / n
    start = time.perf_counter()
    for _ in range(50):
        ray.get(noop.remote())
    serial = (time.perf_counter() - start) / 50
    print(f"2. Ray no-op task: {1e3 * serial:.2f} ms per round trip one at a time, {1e3 * batched:.2f} ms each "
          f"when {n} are in flight")
    base = SweepConfig(name="overhead", builder="quadratic", widths=(4,), seeds=tuple(range(12)), pairs=1,
                       thresholds=(0.3,), train_max_steps=2000, train_lr=0.02,
                       builder_options=dict(n_train=50, n_test=50),
                       dss={"n_grid": 20, "lr": 0.01, "max_steps": 2000, "max_depth": 3})
    sizes = {"tiny   (50 points, L0 0.3)": base,
             "small  (1000 points, L0 0.1)": base.replace(thresholds=(0.1,), builder_options=dict(n_train=1000, n_test=1000)),
             "medium (10000 points, L0 0.08)": base.replace(seeds=tuple(range(6)), thresholds=(0.08,),
                                                            builder_options=dict(n_train=10000, n_test=10000))}
    print(f"   {'task size':32s} {'tasks':>5s} {'task s':>8s} {'local wall':>10s} {'Ray wall':>9s} "
          f"{'overhead/task (local, Ray)':>27s} {'Ray share':>9s}")
    for label, config in sizes.items():
        timed_run(config.replace(seeds=(0,)), "ray", workers=1)  # warm this data set in the worker
        ray_wall, _, ray_compute = timed_run(config, "ray", workers=1)
        local_wall, _, local_compute = timed_run(config, "local")
        T = config.n_tasks
        tau = local_compute / T
        o_ray, o_local = (ray_wall - ray_compute) / T, (local_wall - local_compute) / T
        print(f"   {label:32s} {T:5d} {tau:8.3f} {local_wall:10.2f} {ray_wall:9.2f} "
              f"{1e3 * o_local:12.1f} ms, {1e3 * o_ray:7.1f} ms {o_ray / (o_ray + tau):9.1%}")
    ray.shutdown()
    print("   Ray's overhead is below 10 % of a task once the task takes more than 9x the per-task overhead above.")


def paper(threads: int = 1) -> None:
    from landscape_lib.scale.tasks import fb_mnist_cnn

    torch.set_num_threads(threads)
    net = fb_mnist_cnn(1024, seed=0)
    x, y = torch.rand(64, 784), torch.randint(0, 10, (64,))
    opt = torch.optim.Adam(net.parameters(), lr=1e-3)
    times = []
    for _ in range(6):
        start = time.perf_counter()
        opt.zero_grad()
        torch.nn.functional.cross_entropy(net(x), y).backward()
        opt.step()
        times.append(time.perf_counter() - start)
    per_example = statistics.median(times[1:]) / len(x)
    flops = 3 * 2 * (28 * 28 * 32 * 25 + 14 * 14 * 64 * 32 * 25 + 64 * 7 * 7 * 1024 + 1024 * 10)
    print(f"3. FB MNIST CNN ({sum(p.numel() for p in net.parameters()):,} parameters): {1e3 * per_example:.2f} ms per "
          f"example and Adam step on {threads} CPU thread(s) = {flops / per_example / 1e9:.1f} GFLOP/s "
          f"({flops / 1e6:.0f} MFLOP per example, forward + backward)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--paper", action="store_true")
    args = parser.parse_args()
    import os

    print(f"load: {os.getloadavg()} on {os.cpu_count()} CPUs; torch {torch.__version__}")
    if not ray_available():
        raise SystemExit('Ray is not installed: python -m pip install -e ".[scale]"')
    import ray

    print(f"ray {ray.__version__}")
    lecture05(args.repeats)
    overhead()
    if args.paper:
        paper()


if __name__ == "__main__":
    main()
