"""Compare two screenshots: did a widget's figure really change?

Kept free of any browser so that the comparison itself is unit-tested (``test_images.py``): a test
that moves a slider and compares "before" with "after" is only as good as this function.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

import numpy as np
from PIL import Image

#: A channel must move by more than this (out of 255) for a pixel to count as changed: PNG
#: round trips and font anti-aliasing jitter by a few levels, a redrawn curve by far more.
PIXEL_TOLERANCE = 16
#: A figure "changed" when more than this fraction of its pixels changed (0.1 %: about 500 pixels
#: of a 700 x 700 screenshot, less than one redrawn line but more than a blinking cursor).
MIN_CHANGED_FRACTION = 1e-3


@dataclass(frozen=True)
class ImageDifference:
    """How two screenshots differ: their sizes and the fraction of pixels that changed."""

    size_before: tuple[int, int]
    size_after: tuple[int, int]
    changed_fraction: float

    @property
    def changed(self) -> bool:
        """True when the sizes differ or more than :data:`MIN_CHANGED_FRACTION` of the pixels changed."""
        return self.size_before != self.size_after or self.changed_fraction > MIN_CHANGED_FRACTION

    def __str__(self) -> str:
        if self.size_before != self.size_after:
            return f"size {self.size_before} -> {self.size_after}"
        return f"{self.changed_fraction:.4%} of {self.size_before[0]}x{self.size_before[1]} pixels changed"


def compare_images(before: bytes, after: bytes) -> ImageDifference:
    """Decode two PNG screenshots and measure how much of the picture changed.

    A pixel changed when any RGB channel differs by more than :data:`PIXEL_TOLERANCE`.  Images of
    different sizes (a redraw that changed the figure's height) count as changed.

    Args:
        before: PNG bytes of the element before the interaction.
        after: PNG bytes of the same element after it.
    """
    a = np.asarray(Image.open(io.BytesIO(before)).convert("RGB"), dtype=np.int16)
    b = np.asarray(Image.open(io.BytesIO(after)).convert("RGB"), dtype=np.int16)
    size_a, size_b = (a.shape[1], a.shape[0]), (b.shape[1], b.shape[0])
    if size_a != size_b:
        return ImageDifference(size_a, size_b, 1.0)
    changed = (np.abs(a - b) > PIXEL_TOLERANCE).any(axis=-1)
    return ImageDifference(size_a, size_b, float(changed.mean()) if changed.size else 0.0)
