r"""A sweep split into tasks; one task = one batched DSS call or one energy-gap bisection.

A task is the unit Freeman & Bruna (2017, ICLR, §3) ran as one cluster job: at one threshold $L_0$,
train $2N$ fresh networks until the criterion (test error or test MAE) is $\le\alpha L_0$, pair
them up, and either

* connect all $N$ pairs with **one** :func:`~landscape_lib.dss.connect_many` call (through
  :func:`~landscape_lib.dss.sweep.sweep_levels`, which adds the straight line's maximum
  $\max_t F_c((1-t)\theta_A+t\theta_B)$ on the same grid), or
* bracket each pair's minimax level $\varepsilon(\theta_A,\theta_B)$ with one
  :func:`~landscape_lib.topology.energy_gap.energy_gap_many` bisection (one ``connect_many`` per round).

:func:`execute_task` takes and returns plain data only (dicts of numbers, strings and tensors), so
it runs unchanged in this process or in a Ray worker, and its result can be saved without pickle.
The *builders* make the landscapes of a task from a width; they are looked up by name, so a config
file can name them.
"""

from __future__ import annotations

import functools
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import torch
from torch import Tensor, nn

from ..landscape import ModuleLandscape
from ..threads import torch_threads


@dataclass(frozen=True)
class Problem:
    """What a builder returns: the training objective, the criterion, and a network factory."""

    train: ModuleLandscape
    criterion: ModuleLandscape
    make: Callable[[int], nn.Module]


def error_rate(logits: Tensor, labels: Tensor) -> Tensor:
    """Fraction of misclassified examples (Freeman & Bruna's criterion for MNIST and CIFAR-10)."""
    return (logits.argmax(-1) != labels).to(logits.dtype).mean()


def _landscapes(data: Any, make: Callable[[int], nn.Module], train_loss: Callable, criterion: Callable,
                chunk_size: int | str | None, device: str, label: str) -> Problem:
    def on_device(seed: int) -> nn.Module:
        return make(seed).to(device)

    def moved(t: Tensor) -> Tensor:
        return t.to(device)

    train = ModuleLandscape(on_device(0), moved(data.x_train), moved(data.y_train), train_loss,
                            chunk_size=chunk_size, name=f"{label}: training loss")
    test = ModuleLandscape(on_device(0), moved(data.x_test), moved(data.y_test), criterion,
                           chunk_size=chunk_size, name=f"{label}: criterion")
    return Problem(train, test, on_device)


@functools.lru_cache(maxsize=4)  # a Ray worker (or this process) runs many tasks on the same data
def _data(kind: str, **options: Any) -> Any:
    if kind == "quadratic":
        from ..data.regression import polynomial_regression

        return polynomial_regression("quadratic", **options)
    if kind == "digits":
        from ..data.digits import digits

        return digits(**options)
    if kind == "mnist1d":
        from ..data.mnist1d import mnist1d

        return mnist1d(**options)
    if kind == "mnist":
        import numpy as np

        from ..data.regression import Split

        # A local .npz (x_train, y_train, x_test, y_test; images flattened to 784 and scaled to [0, 1]):
        # the library never downloads.
        path, n_train, n_test = options["path"], options.get("n_train"), options.get("n_test")
        with np.load(path) as f:
            arrays = {k: torch.as_tensor(f[k]) for k in ("x_train", "y_train", "x_test", "y_test")}
        x_tr, x_te = (arrays[k].reshape(len(arrays[k]), -1).to(torch.float32) for k in ("x_train", "x_test"))
        return Split(x_tr[:n_train], arrays["y_train"][:n_train].long(), x_te[:n_test], arrays["y_test"][:n_test].long())
    raise ValueError(f"_data: unknown data set {kind!r}")


def build_quadratic(width: int, *, device: str = "cpu", n_train: int = 1000, n_test: int = 1000,
                    data_seed: int = 0) -> Problem:
    r"""Freeman & Bruna's quadratic task: $y = 0.5x^2 + 0.25x + 0.1$, $x\sim U[0,1]$, a bias-free
    1-w-w-1 sigmoid MLP with a sigmoid output (FB: w = 4), mean absolute error on train and test."""
    from ..models import mlp

    split = _data("quadratic", n_train=n_train, n_test=n_test, seed=data_seed)
    mae = nn.functional.l1_loss
    return _landscapes(split, lambda s: mlp((1, width, width, 1), activation="sigmoid", output_activation="sigmoid",
                                            bias=False, seed=s), mae, mae, "auto", device, f"quadratic, width {width}")


def build_digits_mlp(width: int, *, device: str = "cpu", n_train: int = 1200) -> Problem:
    """Lecture 05's digits MLP 64-w-10 (w = 32 there): training cross-entropy, test error decides."""
    from ..models import mlp

    split = _data("digits", n_train=n_train)
    return _landscapes(split, lambda s: mlp((64, width, 10), seed=s), nn.functional.cross_entropy, error_rate,
                       "auto", device, f"digits, MLP 64-{width}-10")


def build_digits_cnn(width: int, *, device: str = "cpu", n_train: int = 1200) -> Problem:
    """Lecture 05's digits CNN with channels (w, 2w) (w = 8 there), float32."""
    from ..models.cnn import cnn

    split = _data("digits", n_train=n_train, dtype=torch.float32)
    return _landscapes(split, lambda s: cnn((8, 8), channels=(width, 2 * width), dtype=torch.float32, seed=s),
                       nn.functional.cross_entropy, error_rate, 8, device, f"digits, CNN ({width}, {2 * width})")


def build_mnist1d_cnn(width: int, *, device: str = "cpu", n_samples: int = 2000) -> Problem:
    """Lecture 05's MNIST-1D CNN, kernel 5, channels (w, 2w) (w = 8 there), float32."""
    from ..models.cnn import cnn

    split = _data("mnist1d", n_samples=n_samples, dtype=torch.float32)
    return _landscapes(split, lambda s: cnn((40,), kernel_size=5, channels=(width, 2 * width), dtype=torch.float32, seed=s),
                       nn.functional.cross_entropy, error_rate, 8, device, f"MNIST-1D, CNN ({width}, {2 * width})")


def fb_mnist_cnn(width: int = 1024, *, seed: int | None = None) -> nn.Sequential:
    """Freeman & Bruna's MNIST network: conv5x5x32 -> pool -> conv5x5x64 -> pool -> fc ``width`` -> 10.

    FB used width 1024 and dropout 0.5; dropout is left out, since the landscape must be a
    deterministic function of the parameters (DSS compares losses along segments).
    """
    if seed is not None:
        torch.manual_seed(seed)
    return nn.Sequential(
        nn.Unflatten(1, (1, 28, 28)),
        nn.Conv2d(1, 32, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(32, 64, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(64 * 7 * 7, width), nn.ReLU(), nn.Linear(width, 10),
    )


def build_mnist_cnn(width: int, *, device: str = "cpu", path: str = "mnist.npz", n_train: int | None = None,
                    n_test: int | None = None, chunk_size: int = 1) -> Problem:
    """FB's MNIST CNN (:func:`fb_mnist_cnn`) on MNIST read from a local ``.npz`` file (``path``)."""
    split = _data("mnist", path=path, n_train=n_train, n_test=n_test)
    return _landscapes(split, lambda s: fb_mnist_cnn(width, seed=s), nn.functional.cross_entropy, error_rate,
                       chunk_size, device, f"MNIST, FB CNN fc{width}")


#: Task builders by name: ``builder(width, *, device, **builder_options) -> Problem``.
BUILDERS: dict[str, Callable[..., Problem]] = {
    "quadratic": build_quadratic,
    "digits_mlp": build_digits_mlp,
    "digits_cnn": build_digits_cnn,
    "mnist1d_cnn": build_mnist1d_cnn,
    "mnist_cnn": build_mnist_cnn,
}


@dataclass(frozen=True)
class Task:
    """One unit of work: a (width, seed, threshold) of a sweep."""

    kind: str
    width: int
    seed: int
    threshold: float

    @property
    def id(self) -> str:
        """A file-name-safe, unique, stable name, e.g. ``dss-w32-s0-L0.05``."""
        return f"{self.kind}-w{self.width}-s{self.seed}-L{self.threshold:.6g}"

    def init_seeds(self, pairs: int) -> list[int]:
        """Seeds of the 2N networks (A of pair i: seed ``i``, B: seed ``N + i``)."""
        return [1 + 10_000 * self.seed + i for i in range(2 * pairs)]


def split_tasks(config: Any) -> list[Task]:
    """The tasks of a :class:`~landscape_lib.scale.config.SweepConfig`: widths x seeds x thresholds."""
    return [Task(config.kind, w, s, L0) for w in config.widths for s in config.seeds for L0 in config.thresholds]


def _endpoints(problem: Problem, config: Any, task: Task) -> tuple[Tensor, Tensor]:
    from ..dss import train_below

    theta = torch.stack([problem.train.flatten(problem.make(s)) for s in task.init_seeds(config.pairs)])
    target = config.dss.alpha * task.threshold
    run = train_below(problem.train, theta, target, criterion=problem.criterion, lr=config.train_lr,
                      max_steps=config.train_max_steps, check_every=config.train_check_every)
    if not bool(run.converged.all()):
        worst = float(problem.criterion.evaluate(run.theta).max())
        raise RuntimeError(f"task {task.id}: {int((~run.converged).sum())} of {len(theta)} endpoint networks did not "
                           f"reach the criterion {target:.6g} (= alpha x L0) within train_max_steps = "
                           f"{config.train_max_steps} (worst: {worst:.6g}); raise train_max_steps or train_lr, "
                           "or drop this threshold")
    return run.theta[:config.pairs], run.theta[config.pairs:]


def _dss_task(problem: Problem, config: Any, task: Task, a: Tensor, b: Tensor) -> dict[str, Any]:
    from ..dss.sweep import sweep_levels

    sweep = sweep_levels(problem.train, a, b, [task.threshold], criterion=problem.criterion, options=config.dss)
    tensors: dict[str, Tensor] = {}
    rows = []
    for i, (row, r) in enumerate(zip(sweep.rows(), sweep.results)):
        tensors[f"beads.{i}"] = r.beads
        tensors[f"segment_max.{i}"] = r.segment_max
        if r.refined_max is not None:
            tensors[f"refined_max.{i}"] = r.refined_max
        rows.append({**row, "length": float(r.length), "level": float(r.level)})
    return {"tensors": tensors, "rows": rows, "slack": sweep.slack}


def _gap_task(problem: Problem, config: Any, task: Task, a: Tensor, b: Tensor) -> dict[str, Any]:
    from ..topology.energy_gap import dss_oracle, energy_gap_many

    gaps = energy_gap_many(problem.train, a, b, upper=config.gap_upper_factor * task.threshold,
                           rtol=config.gap_rtol, max_rounds=config.gap_max_rounds, criterion=problem.criterion,
                           oracle=dss_oracle(config.dss, criterion=problem.criterion), progress=False)
    tensors: dict[str, Tensor] = {"theta_a": a, "theta_b": b}
    rows = []
    for i, g in enumerate(gaps):
        if g.string is not None:
            tensors[f"beads.{i}"] = g.string.beads
        rows.append(dict(threshold=task.threshold, pair=i, connected=g.bracketed, gap=g.gap, lower_level=g.lower_level,
                         resolution=g.resolution, floor=g.floor, upper=g.upper, lower=g.lower, rounds=g.rounds,
                         converged=g.converged, contradicted=g.contradicted,
                         n_beads=g.string.n_beads if g.string is not None else 0,
                         normalized_length=g.string.normalized_length if g.string is not None else float("nan")))
    return {"tensors": tensors, "rows": rows, "slack": config.dss.slack}


def execute_task(config_data: dict[str, Any], task_data: dict[str, Any]) -> dict[str, Any]:
    """Run one task from plain data; returns ``{"tensors": {name: Tensor}, "rows": [...], "seconds": s}``.

    Every tensor is detached, contiguous and on the CPU, so the result can be shipped from a
    Ray worker and saved with safetensors or ``torch.save`` (and loaded with ``weights_only=True``).
    The thread count is set here, inside the worker, for the duration of the task.
    """
    from .config import SweepConfig

    config = SweepConfig.from_dict(config_data)
    task = Task(**task_data)
    start = time.perf_counter()
    with torch_threads(config.threads):
        problem = BUILDERS[config.builder](task.width, device=config.device, **config.builder_options)
        a, b = _endpoints(problem, config, task)
        out = (_dss_task if task.kind == "dss" else _gap_task)(problem, config, task, a, b)
    out["tensors"] = {k: v.detach().to("cpu").contiguous() for k, v in out["tensors"].items()}
    out["seconds"] = time.perf_counter() - start
    return out
