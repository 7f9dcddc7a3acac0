"""Input checks shared by the library: every error names the function, the argument and the value.

A student who passes a list instead of a tensor, a float32 vector to a float64 landscape or a
vector with a NaN in it should read *what* was wrong and *where*, not a stack trace from deep
inside ``torch.func``.  These helpers raise ``TypeError`` (wrong kind of object) or
``ValueError`` (right kind, wrong content).
"""

from __future__ import annotations

import math

import torch
from torch import Tensor


def describe(value: object) -> str:
    """A short description of ``value`` for error messages: type, shape and dtype of tensors."""
    if isinstance(value, Tensor):
        return f"tensor of shape {tuple(value.shape)} and dtype {value.dtype} on {value.device}"
    text = repr(value)
    if len(text) > 60:
        text = text[:57] + "..."
    return f"{type(value).__name__} {text}"


def check_tensor(value: object, *, fn: str, arg: str) -> Tensor:
    """Raise ``TypeError`` unless ``value`` is a ``torch.Tensor``."""
    if not isinstance(value, Tensor):
        raise TypeError(f"{fn}: argument `{arg}` must be a torch.Tensor, got {describe(value)}")
    return value


def check_finite(value: Tensor, *, fn: str, arg: str) -> Tensor:
    """Raise ``ValueError`` if ``value`` holds a NaN or an infinity, naming the first bad index."""
    finite = torch.isfinite(value)
    if not bool(finite.all()):
        bad = tuple(int(i) for i in (~finite).nonzero()[0])
        raise ValueError(
            f"{fn}: argument `{arg}` contains {value[bad].item()} at index {bad}; "
            "every entry must be finite"
        )
    return value


def check_dtype_device(
    value: Tensor, *, dtype: torch.dtype, device: torch.device, fn: str, arg: str
) -> Tensor:
    """Raise ``TypeError`` if ``value`` is not of the expected dtype and device."""
    if value.dtype != dtype:
        raise TypeError(
            f"{fn}: argument `{arg}` has dtype {value.dtype}, expected {dtype} "
            f"(convert with `{arg}.to({dtype})`)"
        )
    if value.device != device:
        raise TypeError(
            f"{fn}: argument `{arg}` is on device {value.device}, expected {device} "
            f"(move it with `{arg}.to('{device}')`)"
        )
    return value


def check_positive(value: object, *, fn: str, arg: str, integer: bool = False) -> float:
    """Raise unless ``value`` is a finite number > 0 (an ``int`` if ``integer``)."""
    kinds = (int,) if integer else (int, float)
    if isinstance(value, bool) or not isinstance(value, kinds):
        kind = "an integer" if integer else "a number"
        raise TypeError(f"{fn}: argument `{arg}` must be {kind}, got {describe(value)}")
    if not math.isfinite(value) or value <= 0:
        raise ValueError(f"{fn}: argument `{arg}` must be > 0, got {value}")
    return value


def check_points(
    theta: object, *, dim: int, dtype: torch.dtype, device: torch.device, fn: str, arg: str
) -> Tensor:
    """Check a point θ of shape (P,) or a batch of shape (K, P) of a P-dimensional landscape."""
    theta = check_tensor(theta, fn=fn, arg=arg)
    if theta.ndim not in (1, 2) or theta.shape[-1] != dim:
        raise ValueError(
            f"{fn}: argument `{arg}` must have shape (P,) or (K, P) with P = {dim}, "
            f"got shape {tuple(theta.shape)}"
        )
    check_dtype_device(theta, dtype=dtype, device=device, fn=fn, arg=arg)
    return check_finite(theta, fn=fn, arg=arg)
