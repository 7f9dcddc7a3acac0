"""Small models for the course: multilayer perceptrons and deep linear networks.

All are plain ``torch.nn.Sequential`` stacks, so ``ModuleLandscape`` sees through them and a
student can print them.
"""

from __future__ import annotations

from collections.abc import Sequence

import torch
from torch import nn

from ..validation import check_bool, check_float_dtype, check_int, check_memory, describe

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
    return _mlp(widths, activation=activation, output_activation=output_activation, bias=bias, dtype=dtype,
                seed=seed, fn="mlp")


def _mlp(widths: Sequence[int], *, activation: str, output_activation: str, bias: bool, dtype: torch.dtype,
         seed: int | None, fn: str) -> nn.Sequential:
    if isinstance(widths, (str, bytes)) or not hasattr(widths, "__iter__"):
        raise TypeError(f"{fn}: argument `widths` must be a sequence of layer widths such as (1, 4, 1), "
                        f"got {describe(widths)}")
    widths = list(widths)
    if len(widths) < 2 or any(isinstance(w, bool) or not isinstance(w, int) or w < 1 for w in widths):
        raise ValueError(f"{fn}: argument `widths` must be at least two positive integers, got {widths}")
    check_bool(bias, fn=fn, arg="bias")
    check_float_dtype(dtype, fn=fn)
    if seed is not None:
        check_int(seed, fn=fn, arg="seed")
    for arg in ("activation", "output_activation"):
        _activation(locals()[arg] if arg == "activation" else output_activation, fn, arg)
    n_params = sum(a * b + b for a, b in zip(widths[:-1], widths[1:]))
    check_memory(2 * n_params, fn=fn, what=f"a network with `widths` {widths} ({n_params:,} parameters)",
                 fix="use narrower layers", itemsize=torch.finfo(dtype).bits // 8)
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
    return _mlp(widths, activation="identity", output_activation="identity", bias=False, dtype=dtype, seed=seed,
                fn="deep_linear")
