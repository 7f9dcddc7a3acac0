"""Timing of the lecture-01 workloads (run: ``python benchmarks/bench_spin_glass.py``).

Prints, for each workload, the wall time with 1 and with 2 PyTorch threads.  On a machine whose
cores are shared with other jobs the 2-thread times can be tens of times larger (every OpenMP
parallel region waits for a descheduled thread); that is why the library's loops default to one.
"""

from __future__ import annotations

import time

import torch

from landscape_lib.data import digits
from landscape_lib.spin_glass import (
    random_sphere_points,
    sample_couplings,
    tangent_hessian_eigenvalues,
)
from landscape_lib.spin_glass.descent import sphere_gradient_descent
from landscape_lib.ensembles import train_mlp_ensemble


def gd(N: int, instances: int, starts: int, threads: int) -> str:
    g = torch.Generator().manual_seed(N)
    J = sample_couplings(N, 3, n_instances=instances, generator=g)
    s0 = random_sphere_points(N, (instances, starts), generator=g)
    run = sphere_gradient_descent(J.float(), s0.float(), dt=0.15, tol=1e-4, max_steps=50_000,
                                  progress=False, threads=threads)
    return f"mean E {run.energy.double().mean():.4f}, steps <= {int(run.steps.max())}"


def hessians(threads: int) -> str:
    J = sample_couplings(64, 3, generator=torch.Generator().manual_seed(0))
    s = random_sphere_points(64, (80,), generator=torch.Generator().manual_seed(1))
    before = torch.get_num_threads()
    torch.set_num_threads(threads)
    try:
        return f"{tangent_hessian_eigenvalues(J, s).shape}"
    finally:
        torch.set_num_threads(before)


def networks(threads: int) -> str:
    r = train_mlp_ensemble(digits(center=True, dtype=torch.float32), 25, 20, steps=1000, threads=threads)
    return f"test loss sd {r.test_loss.std():.4f}"


if __name__ == "__main__":
    jobs = {
        "GD N=100, 8x8 runs": lambda t: gd(100, 8, 8, t),
        "GD N=200, 2x5 runs": lambda t: gd(200, 2, 5, t),
        "Hessian spectra, 80 x N=64": hessians,
        "20 MLPs h=25, 1000 Adam steps": networks,
    }
    for name, job in jobs.items():
        for threads in (1, 2):
            start = time.perf_counter()
            info = job(threads)
            print(f"{name:32s} threads={threads}: {time.perf_counter() - start:6.2f} s  ({info})", flush=True)
