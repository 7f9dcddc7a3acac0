#!/usr/bin/env python
"""Benchmark of Dynamic String Sampling on Freeman & Bruna's quadratic task (a script, not a test).

Part 1 (always): the same DSS runs twice -- bead by bead and pair by pair (``connect(...,
vectorize=False)`` for every pair) and batched (one ``connect_many`` call: all new beads of all
pairs trained as one (K, P) batch, all new segments checked in one evaluation).  Checks that both
give the same certificates (same bead counts, same strings) and prints the time ratio.

Part 2 (``--sweep``): the paper's settings (Adam lr 1e-3, alpha 0.95, slack 1.1, 100-point grid,
midpoint insertion, depth cap 10, test loss decides, weights-only length) over the full threshold
sweep 0.125 ... 0.001, batched, with the table "this run vs the paper" and power-law fits.

Usage::

    python benchmarks/bench_dss.py                 # part 1 (about a minute or two)
    python benchmarks/bench_dss.py --sweep         # part 1 + the full sweep (several minutes)
    python benchmarks/bench_dss.py --sweep --skip-compare --pairs 8
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import torch
from torch import nn

from landscape_lib.data import polynomial_regression
from landscape_lib.dss import (
    PAPER_QUADRATIC,
    connect,
    connect_many,
    fit_power_law,
    train_below,
)
from landscape_lib.landscape import ModuleLandscape
from landscape_lib.models import mlp
from landscape_lib.paths import segment_maxima
from landscape_lib.seeding import set_seed


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
        run = train_below(train, theta, 0.95 * L0, criterion=test, lr=lr, max_steps=200_000)
        if not bool(run.converged.all()):
            raise RuntimeError(f"an endpoint did not reach 0.95 * {L0}")
        theta = run.theta
        a.append(theta[:n_pairs])
        b.append(theta[n_pairs:])
        levels += [L0] * n_pairs
    return torch.cat(a), torch.cat(b), levels


def compare(args) -> None:
    train, test, make = quadratic_task()
    thresholds = [0.1, 0.05, 0.01, 0.005]
    a, b, levels = endpoints(train, test, make, args.compare_pairs, thresholds, args.compare_lr)
    kw = dict(criterion=test, lr=args.compare_lr, length_on="weights")
    print(f"part 1: {len(levels)} strings ({args.compare_pairs} pairs x thresholds {thresholds}), lr {args.compare_lr}")

    t0 = time.perf_counter()
    batched = connect_many(train, a, b, levels, **kw)
    t_batched = time.perf_counter() - t0
    print(f"  batched (one connect_many call):       {t_batched:7.1f} s", flush=True)

    t0 = time.perf_counter()
    single = [connect(train, a[k], b[k], levels[k], vectorize=False, **kw) for k in range(len(levels))]
    t_single = time.perf_counter() - t0
    print(f"  bead by bead, one pair at a time:      {t_single:7.1f} s", flush=True)

    same = 0
    for k, (r1, r2) in enumerate(zip(batched, single)):
        if r1.connected == r2.connected and r1.n_beads == r2.n_beads and torch.allclose(r1.beads, r2.beads, rtol=1e-7, atol=1e-9):
            same += 1
        else:  # batched matmuls sum in another order; Adam on the MAE can amplify a last-digit difference
            gap = float((r1.beads[:min(r1.n_beads, r2.n_beads)] - r2.beads[:min(r1.n_beads, r2.n_beads)]).abs().max())
            print(f"  string {k} (L0 = {levels[k]}) differs: batched {r1.reason.value}, {r1.n_beads} beads; "
                  f"bead by bead {r2.reason.value}, {r2.n_beads} beads (largest coordinate gap {gap:.2e})")
    print(f"  identical certificates (connected, beads, strings to 1e-7): {same} of {len(levels)}")
    fine = [float(segment_maxima(test, r.beads, 991).max()) / r.level for r in batched + single if r.connected]
    print(f"  every connected string re-checked on a 10x finer grid: worst max / (slack L0) = {max(fine):.4f}")
    print(f"  beads per string: {[r.n_beads for r in batched]}")
    print(f"  time ratio (bead by bead / batched): {t_single / t_batched:.1f}x")


def sweep(args) -> None:
    set_seed(0)
    train, test, make = quadratic_task()
    thresholds = [L0 for L0, _, _ in PAPER_QUADRATIC]
    t0 = time.perf_counter()
    a, b, levels = endpoints(train, test, make, args.pairs, thresholds, args.lr)
    t_ends = time.perf_counter() - t0
    results = connect_many(train, a, b, levels, criterion=test, lr=args.lr, length_on="weights")
    t_dss = time.perf_counter() - t0 - t_ends
    print(f"\npart 2: full sweep, {args.pairs} pairs x {len(thresholds)} thresholds, lr {args.lr}: "
          f"endpoints {t_ends:.0f} s, DSS {t_dss:.0f} s")
    paper = {L0: (length, beads) for L0, length, beads in PAPER_QUADRATIC}
    print(f"{'L0':>7} | {'connected':>9} | {'length (run)':>13} | {'paper':>5} | {'beads (run)':>12} | {'paper':>5}")
    rows = []
    for L0 in sorted(thresholds, reverse=True):
        rs = [r for r, lev in zip(results, levels) if lev == L0]
        ok = [r for r in rs if r.connected]
        lengths, beads = [r.normalized_length for r in ok], [r.n_beads for r in ok]
        print(f"{L0:7.4g} | {len(ok):3d} of {len(rs):<3d} | {np.mean(lengths):5.2f} ± {np.std(lengths):4.2f} | "
              f"{paper[L0][0]:5.2f} | {np.mean(beads):5.1f} ± {np.std(beads):4.1f} | {paper[L0][1]:5.1f}")
        if ok:
            rows.append((L0, np.mean(beads)))
    c, k = fit_power_law([r[0] for r in rows], [r[1] for r in rows])
    cp, kp = fit_power_law([p[0] for p in PAPER_QUADRATIC], [p[2] for p in PAPER_QUADRATIC])
    print(f"power law: this run beads ~ {c:.2f} L0^{k:.3f}; paper (digitised) beads ~ {cp:.2f} L0^{kp:.3f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sweep", action="store_true", help="also run the full sweep with the paper's settings")
    parser.add_argument("--skip-compare", action="store_true", help="skip part 1")
    parser.add_argument("--pairs", type=int, default=6, help="pairs per threshold in the sweep")
    parser.add_argument("--lr", type=float, default=1e-3, help="Adam step of the sweep (paper: 1e-3)")
    parser.add_argument("--compare-pairs", type=int, default=4, help="pairs per threshold in part 1")
    parser.add_argument("--compare-lr", type=float, default=1e-2, help="Adam step of part 1 (the lecture's)")
    parser.add_argument("--threads", type=int, default=1, help="torch threads (1 is fastest for these tiny nets)")
    args = parser.parse_args()
    set_seed(0)
    torch.set_num_threads(args.threads)
    if not args.skip_compare:
        compare(args)
    if args.sweep:
        sweep(args)


if __name__ == "__main__":
    main()
