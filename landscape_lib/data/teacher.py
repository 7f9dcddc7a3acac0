r"""Teacher-student regression data: smooth vs rough targets, and two-layer teachers.

**Targets on the circle (input dimension n = 2).**  Inputs $x=(\cos\varphi,\sin\varphi)$ with
$\varphi$ uniform, targets $y=\cos(k\varphi)$.  The frequency $k$ sets the *smoothness*: a
bias-free ReLU unit $\rho(\langle w,x\rangle)=\max(0,\cos(\varphi-\psi))$ is a half-wave rectified
cosine, whose Fourier series holds only the frequencies 0, 1 and the **even** ones, with
coefficients $\tfrac{2}{\pi}\,\tfrac{(-1)^{j+1}}{4j^2-1}$ at $2j$.  So $k=2$ (``"smooth"``) is
cheap to represent, $k=4$ (``"rough"``) needs five times more $\ell_1$ mass in the second
layer and more units to resolve, and odd $k\ge3$ cannot be represented at all (we never use them).

**Teachers.** ``y = sum_k u_k rho(<w_k, x>)`` with Gaussian inputs -- the setting of Venturi,
Bandeira & Bruna's experiments with polynomial activations.
"""

from __future__ import annotations

import math

import torch
from torch import Tensor

from ..validation import check_data_request, check_positive, check_tensor
from ..models.one_hidden_relu import activation_fn
from .regression import Split

#: Frequencies of the two circle targets: ``cos(2 phi)`` is smooth, ``cos(4 phi)`` rough.
TARGET_FREQUENCIES = {"smooth": 2, "rough": 4}


def circle_inputs(n_samples: int, *, generator: torch.Generator | None = None,
                  dtype: torch.dtype = torch.float64) -> Tensor:
    r"""$n$ points $x_i=(\cos\varphi_i,\sin\varphi_i)$, $\varphi_i$ uniform on $[0, 2\pi)$: shape (n, 2)."""
    check_positive(n_samples, fn="circle_inputs", arg="n_samples", integer=True)
    phi = 2 * math.pi * torch.rand(n_samples, generator=generator, dtype=dtype)
    return torch.stack([torch.cos(phi), torch.sin(phi)], dim=1)


def harmonic_target(x: Tensor, frequency: int) -> Tensor:
    r"""$y=\lVert x\rVert\cos(k\varphi)$ for $x=\lVert x\rVert(\cos\varphi,\sin\varphi)$ (positively homogeneous, like a bias-free net)."""
    fn = "harmonic_target"
    check_tensor(x, fn=fn, arg="x")
    if x.ndim != 2 or x.shape[1] != 2:
        raise ValueError(f"{fn}: argument `x` must have shape (N, 2), got {tuple(x.shape)}")
    check_positive(frequency, fn=fn, arg="frequency", integer=True)
    return x.norm(dim=1) * torch.cos(frequency * torch.atan2(x[:, 1], x[:, 0]))


def circle_regression(target: str | int, *, n_train: int = 64, n_test: int = 256, seed: int = 0,
                      dtype: torch.dtype = torch.float64) -> Split:
    """Train/test data on the unit circle with target ``cos(k phi)``; ``target`` is ``"smooth"``,
    ``"rough"`` or a frequency k.  Targets have shape (N,)."""
    k = TARGET_FREQUENCIES.get(target) if isinstance(target, str) else target
    if k is None or isinstance(k, bool) or not isinstance(k, int) or k < 1:
        raise ValueError(f"circle_regression: argument `target` must be one of {sorted(TARGET_FREQUENCIES)} "
                         f"or a positive integer frequency, got {target!r}")
    check_data_request("circle_regression", {"n_train": n_train, "n_test": n_test}, seed=seed, dtype=dtype,
                       numbers_per_sample=3)
    g = torch.Generator().manual_seed(seed)
    x = circle_inputs(n_train + n_test, generator=g, dtype=dtype)
    y = harmonic_target(x, k)
    return Split(x[:n_train], y[:n_train], x[n_train:], y[n_train:])


def teacher_regression(input_dim: int, teacher_width: int, *, activation: str = "quadratic", n_train: int = 200,
                       n_test: int = 200, seed: int = 0, dtype: torch.dtype = torch.float64) -> Split:
    r"""Gaussian inputs $x\sim\mathcal N(0,I_n)$ and a random teacher $y=\sum_{k\le p}u_k\rho(\langle w_k,x\rangle)$.

    Teacher rows are uniform on the unit sphere, output weights $\pm1$ with alternating signs (so a
    quadratic teacher is an *indefinite* form: a student needs units of both signs).
    """
    fn = "teacher_regression"
    for arg, value in (("input_dim", input_dim), ("teacher_width", teacher_width), ("n_train", n_train), ("n_test", n_test)):
        check_positive(value, fn=fn, arg=arg, integer=True)
    if activation not in ("relu", "quadratic"):
        raise ValueError(f"{fn}: argument `activation` must be 'relu' or 'quadratic', got {activation!r}")
    check_data_request(fn, {"n_train": n_train, "n_test": n_test}, seed=seed, dtype=dtype,
                       numbers_per_sample=input_dim + teacher_width + 1)
    g = torch.Generator().manual_seed(seed)
    w = torch.randn(teacher_width, input_dim, generator=g, dtype=dtype)
    w = w / w.norm(dim=1, keepdim=True)
    u = torch.tensor([(-1.0) ** k for k in range(teacher_width)], dtype=dtype)
    x = torch.randn(n_train + n_test, input_dim, generator=g, dtype=dtype)
    y = activation_fn(activation, x @ w.T) @ u
    return Split(x[:n_train], y[:n_train], x[n_train:], y[n_train:])
