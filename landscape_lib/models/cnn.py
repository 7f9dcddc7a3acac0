r"""A small convolutional network for 8x8 digit images and for 1-D signals (MNIST-1D).

Freeman & Bruna (2017, §3.2) ran DSS on a two-layer CNN for MNIST (conv 5x5x32 -> pool -> conv
5x5x64 -> pool -> fc1024 -> 10).  :func:`cnn` is the same shape shrunk to a laptop: two
convolutions with ReLU, each of stride 2, then one linear read-out,

$$ x \;\to\; \mathrm{relu}(W_1 *_2 x + b_1) \;\to\; \mathrm{relu}(W_2 *_2 \cdot + b_2)
   \;\to\; W_3\,\mathrm{flatten}(\cdot) + b_3 , $$

where $*_2$ is a convolution evaluated at every second position.  A stride-2 convolution does the
down-sampling of a max-pooling layer itself (the "all-convolutional" net of Springenberg et al.
2015); we use it because evaluating many parameter vectors at once (``vmap``) is several times
faster without pooling layers on a CPU (measured: about 7 vs 16-30 ms per network and step on
1,200 digits).

Inputs are *flat* vectors (shape (n, 64) for 8x8 images, (n, 40) for MNIST-1D), as the data
loaders return them; the first layer reshapes them.  The network is a plain ``nn.Sequential``
(no batch norm, no dropout, no buffers), so ``ModuleLandscape`` evaluates many parameter vectors
at once through ``torch.func.functional_call`` and ``vmap``.
"""

from __future__ import annotations

from collections.abc import Sequence

import torch
from torch import nn


def cnn(
    input_shape: Sequence[int],
    *,
    channels: Sequence[int] = (8, 16),
    n_classes: int = 10,
    kernel_size: int = 3,
    dtype: torch.dtype = torch.float64,
    seed: int | None = None,
) -> nn.Sequential:
    """Two stride-2 convolution + ReLU blocks and a linear read-out, as one ``nn.Sequential``.

    Args:
        input_shape: ``(height, width)`` for images (e.g. ``(8, 8)``: scikit-learn digits) or
            ``(length,)`` for signals (e.g. ``(40,)``: MNIST-1D); every size must be divisible by 4
            (two strides of 2).  The network takes flat inputs of shape (n, prod(input_shape)).
        channels: output channels of the two convolutions.
        n_classes: width of the read-out (logits).
        kernel_size: odd kernel size; padding ``kernel_size // 2`` makes each convolution halve the size exactly.
        dtype: parameter dtype.
        seed: if given, initialise with ``torch.manual_seed(seed)`` (PyTorch's default init).

    Example:
        >>> cnn((8, 8), seed=0)(torch.zeros(5, 64, dtype=torch.float64)).shape
        torch.Size([5, 10])
    """
    fn = "cnn"
    shape = tuple(input_shape) if isinstance(input_shape, (list, tuple)) else input_shape
    if (not isinstance(shape, tuple) or len(shape) not in (1, 2)
            or any(isinstance(s, bool) or not isinstance(s, int) or s < 4 or s % 4 for s in shape)):
        raise ValueError(f"{fn}: argument `input_shape` must be (length,) or (height, width) with sizes "
                         f"divisible by 4, got {input_shape!r}")
    chans = list(channels)
    if len(chans) != 2 or any(isinstance(c, bool) or not isinstance(c, int) or c < 1 for c in chans):
        raise ValueError(f"{fn}: argument `channels` must be two positive integers, got {channels!r}")
    if isinstance(n_classes, bool) or not isinstance(n_classes, int) or n_classes < 2:
        raise ValueError(f"{fn}: argument `n_classes` must be an integer >= 2, got {n_classes!r}")
    if isinstance(kernel_size, bool) or not isinstance(kernel_size, int) or kernel_size < 1 or kernel_size % 2 == 0:
        raise ValueError(f"{fn}: argument `kernel_size` must be an odd positive integer, got {kernel_size!r}")
    if seed is not None:
        torch.manual_seed(seed)
    conv = nn.Conv2d if len(shape) == 2 else nn.Conv1d
    pad = kernel_size // 2
    cells = 1
    for s in shape:
        cells *= s // 4  # two strides of 2 in every spatial direction
    return nn.Sequential(
        nn.Unflatten(1, (1, *shape)),
        conv(1, chans[0], kernel_size, stride=2, padding=pad), nn.ReLU(),
        conv(chans[0], chans[1], kernel_size, stride=2, padding=pad), nn.ReLU(),
        nn.Flatten(),
        nn.Linear(chans[1] * cells, n_classes),
    ).to(dtype)
