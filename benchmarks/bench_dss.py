#!/usr/bin/env python
"""Benchmark of Dynamic String Sampling on Freeman & Bruna's quadratic task (a script, not a test).

Compares, in one run and on the same endpoints, ``landscape_lib.dss.connect_many`` (one pool of
beads for all pairs) with a **plain sequential DSS** written as plainly as the authors' scripts:
one pair and one bead at a time, breadth first, each bead trained by ``torch.optim.Adam`` on a flat
parameter vector and checked every 15 steps, each segment checked by a Python loop over its
100 grid points.  That is the implementation a user would otherwise write; it lives here, not in
the library.

Workloads (both with the paper's alpha 0.95, slack 1.1, 100-point grid, midpoint insertion,
depth cap 10, test MAE decides, weights-only length, and the library's default budget of 20,000
steps per bead for both implementations -- the paper set none):

(a) 2 independently trained pairs x L0 in {0.05, 0.01, 0.005}, Adam lr 1e-3 (the paper's) -- 6 strings;
(b) lecture 03's sweep: 6 pairs x L0 in {0.1, 0.05, 0.025, 0.01, 0.005}, Adam lr 1e-2 -- 30 strings.

Every certified string of both implementations is re-checked on a 1,000-point grid per segment.
``--sweep`` adds the paper's full threshold sweep 0.125 ... 0.001 with the pool alone.

Usage::

    python benchmarks/bench_dss.py              # (a) and (b), a few minutes
    python benchmarks/bench_dss.py --only a     # one workload
    python benchmarks/bench_dss.py --sweep      # also the full sweep with the paper's settings
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import torch
from torch import nn

from landscape_lib.data import polynomial_regression
from landscape_lib.dss import PAPER_QUADRATIC, connect_many, fit_power_law, train_below
from landscape_lib.landscape import ModuleLandscape
from landscape_lib.models import mlp
from landscape_lib.paths import segment_max
from landscape_lib.seeding import set_seed

ALPHA, SLACK, GRID, MAX_DEPTH, MAX_STEPS = 0.95, 1.1, 100, 10, 20_000


def quadratic_task(n: int = 1000) -> tuple[ModuleLandscape, ModuleLandscape, object]:
    data = polynomial_regression("quadratic", n_train=n, n_test=n, seed=0)

    def make(seed: int) -> nn.Module:
        return mlp((1, 4, 4, 1), activation="sigmoid", output_activation="sigmoid", bias=False, seed=seed)

    train = ModuleLandscape(make(0), data.x_train, data.y_train, nn.functional.l1_loss, name="train")
    return train, train.with_data(data.x_test, data.y_test, name="test"), make


def endpoints(train, test, make, n_pairs, thresholds, lr):
    """Snapshots of 2 * n_pairs training runs at each threshold (test loss <= 0.95 L0)."""
    theta = torch.stack([train.flatten(make(s)) for s in range(1, 2 * n_pairs + 1)])
    a, b, levels = [], [], []
    for L0 in sorted(thresholds, reverse=True):
        run = train_below(train, theta, ALPHA * L0, criterion=test, lr=lr, max_steps=200_000)
        if not bool(run.converged.all()):
            raise RuntimeError(f"an endpoint did not reach {ALPHA} * {L0}")
        theta = run.theta
        a.append(theta[:n_pairs])
        b.append(theta[n_pairs:])
        levels += [L0] * n_pairs
    return torch.cat(a), torch.cat(b), levels


# -- the plain sequential DSS, as a user would write it from the paper and the authors' scripts ----------
def plain_connect(train, test, theta_a, theta_b, L0, lr, max_steps=MAX_STEPS):
    """Breadth-first greedy DSS for one pair, one bead at a time. Returns (connected, beads)."""

    def train_bead(theta):
        x = theta.clone().requires_grad_(True)
        opt = torch.optim.Adam([x], lr=lr)
        for step in range(max_steps + 1):
            if step % 15 == 0 or step == max_steps:
                with torch.no_grad():
                    if float(test.evaluate(x)) <= ALPHA * L0:
                        return x.detach(), True
                if step == max_steps:
                    return x.detach(), False
            opt.zero_grad()
            train.evaluate(x).backward()
            opt.step()
        return x.detach(), False

    def segment_ok(u, v):
        with torch.no_grad():
            return max(float(test.evaluate((1 - t) * u + t * v)) for t in np.linspace(0, 1, GRID)) <= SLACK * L0

    beads, new = [theta_a, (theta_a + theta_b) / 2, theta_b], [1]
    for depth in range(MAX_DEPTH + 1):
        for i in new:
            beads[i], ok = train_bead(beads[i])
            if not ok:
                return False, torch.stack(beads)
        failing = [j for j in sorted({j for i in new for j in (i - 1, i)}) if not segment_ok(beads[j], beads[j + 1])]
        if not failing:
            return True, torch.stack(beads)
        if depth == MAX_DEPTH:
            return False, torch.stack(beads)
        added = []
        for j in reversed(failing):
            beads.insert(j + 1, (beads[j] + beads[j + 1]) / 2)
            added = [a + 1 for a in added] + [j + 1]
        new = sorted(added)
    return False, torch.stack(beads)


def fine_check(test, beads, L0, n=1000) -> float:
    """Largest segment maximum on an n-point grid, as a multiple of slack * L0 (must be <= 1)."""
    return float(segment_max(test, beads[:-1], beads[1:], n)[0].max()) / (SLACK * L0)


def workload(name, train, test, make, n_pairs, thresholds, lr) -> None:
    a, b, levels = endpoints(train, test, make, n_pairs, thresholds, lr)
    print(f"\n({name}) {len(levels)} strings: {n_pairs} pairs x L0 {thresholds}, Adam lr {lr}", flush=True)
    # CPU seconds of this process as well as wall seconds: on a shared machine the wall clock also
    # counts the time other jobs held the core; the ratio of CPU times is the steadier figure.
    w0, c0 = time.perf_counter(), time.process_time()
    pooled = connect_many(train, a, b, levels, criterion=test, lr=lr, length_on="weights", max_steps=MAX_STEPS)
    w_pool, c_pool = time.perf_counter() - w0, time.process_time() - c0
    print(f"  landscape_lib connect_many (one pool):      {w_pool:7.1f} s wall, {c_pool:7.1f} s CPU", flush=True)
    w0, c0 = time.perf_counter(), time.process_time()
    plain = [plain_connect(train, test, a[k], b[k], levels[k], lr) for k in range(len(levels))]
    w_plain, c_plain = time.perf_counter() - w0, time.process_time() - c0
    print(f"  plain sequential DSS (one bead at a time):  {w_plain:7.1f} s wall, {c_plain:7.1f} s CPU", flush=True)
    worst = max([fine_check(test, r.beads, r.threshold) for r in pooled if r.connected]
                + [fine_check(test, beads, L0) for (ok, beads), L0 in zip(plain, levels) if ok])
    same = sum(r.connected == ok and r.n_beads == len(beads) for r, (ok, beads) in zip(pooled, plain))
    print(f"  connected: pool {sum(r.connected for r in pooled)} of {len(levels)}, "
          f"plain {sum(ok for ok, _ in plain)} of {len(levels)}; same outcome and bead count: {same} of {len(levels)}")
    print(f"  mean beads (connected): pool {np.mean([r.n_beads for r in pooled if r.connected]):.1f}, "
          f"plain {np.mean([len(b) for ok, b in plain if ok]):.1f}")
    print(f"  every certified string on a 1,000-point grid: worst max / (slack L0) = {worst:.4f}")
    reasons = sorted({r.reason.value for r in pooled if not r.connected})
    print(f"  why the others stopped (pool): {reasons or 'none'}")
    print(f"  speed-up (plain / pool): {w_plain / w_pool:.1f}x wall, {c_plain / c_pool:.1f}x CPU")


def sweep(args) -> None:
    set_seed(0)
    train, test, make = quadratic_task()
    thresholds = [L0 for L0, _, _ in PAPER_QUADRATIC]
    t0 = time.perf_counter()
    a, b, levels = endpoints(train, test, make, args.pairs, thresholds, 1e-3)
    t_ends = time.perf_counter() - t0
    results = connect_many(train, a, b, levels, criterion=test, lr=1e-3, length_on="weights", max_steps=200_000)
    t_dss = time.perf_counter() - t0 - t_ends
    print(f"\nfull sweep, {args.pairs} pairs x {len(thresholds)} thresholds, Adam 1e-3: "
          f"endpoints {t_ends:.0f} s, DSS {t_dss:.0f} s")
    paper = {L0: (length, beads) for L0, length, beads in PAPER_QUADRATIC}
    print(f"{'L0':>7} | {'connected':>9} | {'length (run)':>13} | {'paper':>5} | {'beads (run)':>12} | {'paper':>5}")
    rows = []
    for L0 in sorted(thresholds, reverse=True):
        ok = [r for r, lev in zip(results, levels) if lev == L0 and r.connected]
        lengths, beads = [r.normalized_length for r in ok], [r.n_beads for r in ok]
        print(f"{L0:7.4g} | {len(ok):3d} of {args.pairs:<3d} | {np.mean(lengths):5.2f} ± {np.std(lengths):4.2f} | "
              f"{paper[L0][0]:5.2f} | {np.mean(beads):5.1f} ± {np.std(beads):4.1f} | {paper[L0][1]:5.1f}")
        if ok:
            rows.append((L0, np.mean(beads)))
    c, k = fit_power_law([r[0] for r in rows], [r[1] for r in rows])
    cp, kp = fit_power_law([p[0] for p in PAPER_QUADRATIC], [p[2] for p in PAPER_QUADRATIC])
    print(f"power law: this run beads ~ {c:.2f} L0^{k:.3f}; paper (digitised) beads ~ {cp:.2f} L0^{kp:.3f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--only", choices=["a", "b"], help="run one workload")
    parser.add_argument("--sweep", action="store_true", help="also run the full sweep with the paper's settings")
    parser.add_argument("--pairs", type=int, default=6, help="pairs per threshold in the full sweep")
    parser.add_argument("--threads", type=int, default=1, help="torch threads (1 is fastest for these tiny nets)")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    set_seed(0)
    train, test, make = quadratic_task()
    if args.only in (None, "a"):
        workload("a", train, test, make, 2, [0.05, 0.01, 0.005], 1e-3)
    if args.only in (None, "b"):
        workload("b", train, test, make, 6, [0.1, 0.05, 0.025, 0.01, 0.005], 1e-2)
    if args.sweep:
        sweep(args)


if __name__ == "__main__":
    main()
