"""The input check shared by the tensor landscapes: points on the unit sphere."""

from __future__ import annotations

import torch
from torch import Tensor

from ..validation import check_finite


def check_unit_sphere(x: Tensor, *, fn: str, arg: str) -> Tensor:
    """Raise ``ValueError`` unless every row of ``x`` (last axis) is finite with norm 1 (float rounding allowed)."""
    check_finite(x, fn=fn, arg=arg)
    norms = x.norm(dim=-1)
    tol = max(1e-6, 1000 * torch.finfo(x.dtype).eps)  # float32 runs: 1.2e-4
    if not bool(((norms - 1).abs() <= tol).all()):
        worst = float(norms.flatten()[(norms - 1).abs().flatten().argmax()])
        raise ValueError(f"{fn}: argument `{arg}` must lie on the unit sphere |{arg}| = 1, got |{arg}| = {worst:.6g}")
    return x
