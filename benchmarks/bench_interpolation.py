#!/usr/bin/env python
"""Loss along a 51-point straight line between two trained networks: landscape_lib vs loss-landscapes.

``landscape_lib`` evaluates the 51 points with the strategy ``ModuleLandscape`` picks for the
model and data (``strategy="auto"``: stacked weight matrices for a small MLP, one call per point
once a point's activations outgrow the cache, ``torch.func.vmap`` otherwise); the PyPI package
``loss-landscapes`` (``linear_interpolation``) moves one model's parameters step by step and
evaluates them one at a time.  Both run here on the same models and data (scikit-learn digits,
1,200 training images), the losses are checked to agree, and the speed ratio is printed for a
small MLP, a model 70x larger and a small CNN.

Usage::

    pip install -e ".[bench]"
    python benchmarks/bench_interpolation.py [--repeats 5]
"""

from __future__ import annotations

import argparse
import statistics
import time

import torch
from torch import nn

from landscape_lib.data import digits
from landscape_lib.landscape import ModuleLandscape
from landscape_lib.models import mlp
from landscape_lib.paths import loss_along_segment
from landscape_lib.seeding import set_seed
from landscape_lib.training import descend

N_POINTS = 51


def paired_times(ours, theirs, repeats: int) -> tuple[float, float, float]:
    """Median times of both and the median of the per-pair ratios theirs/ours, runs interleaved.

    Interleaving (A B A B ...) and taking the ratio pair by pair keeps the comparison fair when
    the machine's speed drifts (other jobs, frequency scaling) during the benchmark.
    """
    ours(), theirs()  # warm-up
    t_ours, t_theirs = [], []
    for _ in range(repeats):
        for fn, store in ((ours, t_ours), (theirs, t_theirs)):
            start = time.perf_counter()
            fn()
            store.append(time.perf_counter() - start)
    ratios = [b / a for a, b in zip(t_ours, t_theirs)]
    return statistics.median(t_ours), statistics.median(t_theirs), statistics.median(ratios)


def small_cnn(seed: int | None = None) -> nn.Sequential:
    """8x8 digits -> conv 3x3 (8) -> ReLU -> max-pool -> conv 3x3 (16) -> ReLU -> linear 10."""
    if seed is not None:
        torch.manual_seed(seed)
    return nn.Sequential(nn.Unflatten(1, (1, 8, 8)), nn.Conv2d(1, 8, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                         nn.Conv2d(8, 16, 3, padding=1), nn.ReLU(), nn.Flatten(), nn.Linear(16 * 16, 10))


def run(name: str, make, repeats: int) -> None:
    import loss_landscapes
    import loss_landscapes.metrics

    data = digits(dtype=torch.float32)
    F = ModuleLandscape(make(0), data.x_train, data.y_train, nn.functional.cross_entropy)
    starts = torch.stack([F.flatten(make(s)) for s in (1, 2)])
    ends = descend(F, starts, lr=1e-2, max_steps=150, progress=False).theta
    model_a = F.load_into(make(None), ends[0])
    model_b = F.load_into(make(None), ends[1])

    ours = lambda: loss_along_segment(F, ends[0], ends[1], N_POINTS)[1]  # noqa: E731
    metric = loss_landscapes.metrics.Loss(nn.functional.cross_entropy, data.x_train, data.y_train)
    # linear_interpolation evaluates t = 1/steps, ..., 1 (it skips t = 0): steps = 50 covers the
    # same 51-point grid as ours once t = 0 is added, which we evaluate the same way.
    start_loss = lambda: metric(loss_landscapes.model_interface.model_wrapper.wrap_model(model_a))  # noqa: E731
    theirs = lambda: [start_loss(), *loss_landscapes.linear_interpolation(  # noqa: E731
        model_a, model_b, metric, steps=N_POINTS - 1, deepcopy_model=True)]

    with torch.no_grad():
        mine, other = ours(), torch.tensor(theirs(), dtype=torch.float32)
    agree = torch.allclose(mine, other, rtol=1e-4, atol=1e-5)
    t_ours, t_theirs, ratio = paired_times(ours, theirs, repeats)
    print(f"{name:>14}  P = {F.dim:>7,}  strategy {F.strategy:>7}  max |diff| = {float((mine - other).abs().max()):.1e}  "
          f"ours {t_ours * 1e3:8.1f} ms  loss-landscapes {t_theirs * 1e3:8.1f} ms  speed-up x{ratio:5.2f} (median of paired ratios)")
    if not agree:
        raise SystemExit("the two implementations disagree: the comparison is void")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeats", type=int, default=11)
    parser.add_argument("--threads", type=int, default=1,
                        help="torch threads for both (1: stable figures on a shared machine)")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    set_seed(0)
    print(f"loss along {N_POINTS} points of a straight line, digits (1,200 images), float32, "
          f"{torch.get_num_threads()} threads, {args.repeats} interleaved runs of each")
    for widths in ((64, 16, 10), (64, 256, 256, 10)):  # ~1.2k and ~85k parameters
        run("-".join(map(str, widths)), lambda s, w=widths: mlp(w, dtype=torch.float32, seed=s), args.repeats)
    run("small CNN", small_cnn, args.repeats)


if __name__ == "__main__":
    main()
