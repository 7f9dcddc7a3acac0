"""The screenshot comparison the browser tests rely on (no browser needed)."""

from __future__ import annotations

import io

import numpy as np
from matplotlib.figure import Figure
from PIL import Image

from tests.browser.images import PIXEL_TOLERANCE, compare_images


def png(pixels: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(pixels.astype(np.uint8)).save(buffer, format="PNG")
    return buffer.getvalue()


def figure_png(level: float) -> bytes:
    """A small line plot like a widget's, with one curve whose height is ``level``."""
    fig = Figure(figsize=(4, 3), dpi=80)
    ax = fig.add_subplot()
    x = np.linspace(0, 1, 50)
    ax.plot(x, level * x**2)
    ax.set_ylim(0, 2)
    ax.set_xlabel("x")
    ax.set_ylabel("loss")
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png")
    return buffer.getvalue()


def test_identical_images_are_unchanged():
    image = figure_png(1.0)
    difference = compare_images(image, image)
    assert not difference.changed and difference.changed_fraction == 0.0, str(difference)


def test_a_redrawn_curve_is_a_change():
    difference = compare_images(figure_png(1.0), figure_png(1.5))
    assert difference.changed, str(difference)


def test_redrawing_the_same_figure_is_no_change():
    """What a broken callback that redraws the old state produces: new PNG bytes, same picture."""
    difference = compare_images(figure_png(1.0), figure_png(1.0))
    assert not difference.changed, str(difference)


def test_jitter_below_the_tolerance_is_no_change():
    rng = np.random.default_rng(0)
    base = rng.integers(40, 200, size=(60, 80, 3))
    jitter = rng.integers(-PIXEL_TOLERANCE, PIXEL_TOLERANCE + 1, size=base.shape)
    assert not compare_images(png(base), png(base + jitter)).changed


def test_a_few_changed_pixels_are_no_change_but_a_line_is():
    base = np.full((100, 100, 3), 255)
    speck = base.copy()
    speck[50, 50] = 0  # one pixel: a cursor or a rounding artefact
    line = base.copy()
    line[50, :] = 0  # a redrawn line across the figure
    assert not compare_images(png(base), png(speck)).changed
    difference = compare_images(png(base), png(line))
    assert difference.changed and abs(difference.changed_fraction - 0.01) < 1e-9, str(difference)


def test_a_resized_figure_is_a_change():
    difference = compare_images(png(np.zeros((10, 10, 3))), png(np.zeros((12, 10, 3))))
    assert difference.changed and "size" in str(difference)
