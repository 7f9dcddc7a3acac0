r"""Sublevel sets on grids: $\Omega_F(\lambda) = \{\theta : F(\theta) \le \lambda\}$ and its components.

In two (or a few) dimensions we can simply look: evaluate $F$ on a grid (one batched call), keep
the grid points with $F \le \lambda$, and count the connected pieces $N_\lambda$ of that mask,
two points being neighbours when they differ by one step along one axis.  Freeman & Bruna (2017)
Prop. 2.1: if $\Omega_F(\lambda)$ is connected for every $\lambda$, every strict local minimum is
global -- so $N_\lambda$ as a function of $\lambda$ is the picture to keep in mind.

A grid only sees what it resolves: two components closer than a grid step merge, a thin neck
narrower than a step breaks.  Use a grid fine enough for the features you ask about.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Sequence

import torch
from torch import Tensor

from ..validation import check_finite, check_memory, check_number, check_tensor, describe
from ..landscape import Landscape


def evaluate_on_grid(landscape: Landscape, axes: Sequence[Tensor]) -> Tensor:
    r"""$F$ on the tensor-product grid ``axes[0] x axes[1] x ...``, in one batched evaluation.

    Args:
        landscape: a landscape with ``dim == len(axes)``.
        axes: one 1-D tensor of coordinates per dimension.

    Returns:
        Values of shape ``(len(axes[0]), len(axes[1]), ...)`` (``indexing="ij"``: axis 0 is the
        first coordinate).
    """
    fn = "evaluate_on_grid"
    if not isinstance(landscape, Landscape):
        raise TypeError(f"{fn}: argument `landscape` must be a Landscape, got {describe(landscape)}")
    if isinstance(axes, Tensor) or not hasattr(axes, "__len__"):
        raise TypeError(f"{fn}: argument `axes` must be a sequence of 1-D tensors, one per dimension, got {describe(axes)}")
    if len(axes) != landscape.dim:
        raise ValueError(f"{fn}: need one axis per dimension ({landscape.dim}), got {len(axes)} axes (argument `axes`)")
    for i, ax in enumerate(axes):
        check_tensor(ax, fn=fn, arg=f"axes[{i}]")
        if ax.ndim != 1 or len(ax) < 2:
            raise ValueError(f"{fn}: `axes[{i}]` must be 1-D with at least 2 points, got shape {tuple(ax.shape)}")
        check_finite(ax, fn=fn, arg=f"axes[{i}]")
    n = 1
    for ax in axes:
        n *= len(ax)
    # the mesh, the stacked points (n, P) and the values: about 2P + 2 numbers per grid point
    check_memory(n * (2 * landscape.dim + 2), fn=fn,
                 what=f"a grid of {' x '.join(str(len(ax)) for ax in axes)} = {n:,} points (argument `axes`)",
                 fix="use fewer points per axis", itemsize=torch.finfo(landscape.dtype).bits // 8)
    mesh = torch.meshgrid(*[ax.to(landscape.dtype) for ax in axes], indexing="ij")
    points = torch.stack([m.reshape(-1) for m in mesh], dim=1)
    with torch.no_grad():
        values = landscape.evaluate_checked(points, fn=fn)
    return values.reshape(mesh[0].shape)


def sublevel_mask(values: Tensor, level: float) -> Tensor:
    r"""Boolean mask of the grid points in $\Omega(\lambda)$: ``values <= level``."""
    fn = "sublevel_mask"
    values = check_tensor(values, fn=fn, arg="values")
    if not values.is_floating_point():
        raise TypeError(f"{fn}: argument `values` must be a floating tensor of losses, got {describe(values)}")
    values = check_finite(values, fn=fn, arg="values")
    # A NaN level compares false with everything: the mask would be silently empty.
    level = check_number(level, fn=fn, arg="level")
    return values <= level


def label_components(mask: Tensor, *, fn: str = "label_components") -> tuple[Tensor, int]:
    """Label the connected components of a boolean n-D mask (neighbours: one step along one axis).

    A breadth-first flood fill from every unlabelled ``True`` cell.

    Returns:
        ``(labels, n)``: an int64 tensor of the mask's shape (0 outside the mask, 1..n inside) and
        the number of components ``n``.
    """
    mask = check_tensor(mask, fn=fn, arg="mask")
    if mask.dtype != torch.bool:
        raise TypeError(f"{fn}: argument `mask` must be a boolean tensor, got dtype {mask.dtype}")
    shape = tuple(mask.shape)
    flat = mask.reshape(-1).tolist()
    labels = [0] * len(flat)
    # Strides of a C-ordered array: moving one step along axis d changes the flat index by strides[d].
    strides = [1] * len(shape)
    for d in range(len(shape) - 2, -1, -1):
        strides[d] = strides[d + 1] * shape[d + 1]
    n = 0
    for start, inside in enumerate(flat):
        if not inside or labels[start]:
            continue
        n += 1
        labels[start] = n
        queue = deque([start])
        while queue:
            cell = queue.popleft()
            for d, stride in enumerate(strides):
                coord = (cell // stride) % shape[d]
                for step, ok in ((-stride, coord > 0), (stride, coord < shape[d] - 1)):
                    other = cell + step
                    if ok and flat[other] and not labels[other]:
                        labels[other] = n
                        queue.append(other)
    return torch.tensor(labels, dtype=torch.long).reshape(shape), n


def count_components(mask: Tensor) -> int:
    r"""$N_\lambda$: the number of connected components of a boolean grid mask."""
    return label_components(mask, fn="count_components")[1]
