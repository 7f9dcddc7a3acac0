"""Small models for the course: multilayer perceptrons and deep linear networks.

All are plain ``torch.nn.Sequential`` stacks, so ``ModuleLandscape`` sees through them and a
student can print them.
"""

from __future__ import annotations

from collections.abc import Sequence

import torch
from torch import nn

ACTIVATIONS = {"relu": nn.ReLU, "sigmoid": nn.Sigmoid, "tanh": nn.Tanh, "identity": nn.Identity}


def _activation(name: str, fn: str, arg: str) -> nn.Module:
    if name not in ACTIVATIONS:
        raise ValueError(f"{fn}: argument `{arg}` must be one of {sorted(ACTIVATIONS)}, got {name!r}")
    return ACTIVATIONS[name]()


def mlp(
    widths: Sequence[int],
    *,
    activation: str = "relu",
    output_activation: str = "identity",
    bias: bool = True,
    dtype: torch.dtype = torch.float64,
    seed: int | None = None,
) -> nn.Sequential:
    """A fully connected network ``widths[0] -> widths[1] -> ... -> widths[-1]``.

    Args:
        widths: layer widths, input first, e.g. ``(1, 4, 4, 1)`` for Freeman & Bruna's
            polynomial-regression network.
        activation: hidden non-linearity, one of ``relu``, ``sigmoid``, ``tanh``, ``identity``.
        output_activation: applied after the last layer (``sigmoid`` for FB's quadratic task).
        bias: whether the linear layers have biases.
        dtype: parameter dtype.
        seed: if given, initialise with ``torch.manual_seed(seed)`` (PyTorch's default init).
    """
    widths = list(widths)
    if len(widths) < 2 or any(isinstance(w, bool) or not isinstance(w, int) or w < 1 for w in widths):
        raise ValueError(f"mlp: argument `widths` must be at least two positive integers, got {widths}")
    if seed is not None:
        torch.manual_seed(seed)
    layers: list[nn.Module] = []
    for i, (n_in, n_out) in enumerate(zip(widths[:-1], widths[1:])):
        layers.append(nn.Linear(n_in, n_out, bias=bias))
        last = i == len(widths) - 2
        layers.append(_activation(output_activation if last else activation, "mlp",
                                  "output_activation" if last else "activation"))
    if isinstance(layers[-1], nn.Identity):
        layers.pop()
    return nn.Sequential(*layers).to(dtype)


def deep_linear(widths: Sequence[int], *, dtype: torch.dtype = torch.float64, seed: int | None = None) -> nn.Sequential:
    r"""A deep linear network $x \mapsto W_K \cdots W_1 x$ (no biases), as in Freeman & Bruna Prop. 2.2."""
    return mlp(widths, activation="identity", bias=False, dtype=dtype, seed=seed)
