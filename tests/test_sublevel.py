"""Sublevel sets on grids: component counts on known landscapes and against brute force."""

from __future__ import annotations

import itertools

import pytest
import torch

from landscape_lib.landscape import AnalyticLandscape
from landscape_lib.topology.sublevel import (
    count_components,
    evaluate_on_grid,
    label_components,
    sublevel_mask,
)
from landscape_lib.toys import (
    DOUBLE_WELL_SADDLE_LEVEL,
    convex_bowl,
    double_well,
    ring_valley,
)
from tests.helpers import F64


def _grid(toy, n=161):
    x0, x1, y0, y1 = toy.extent
    return evaluate_on_grid(toy, (torch.linspace(x0, x1, n, dtype=F64), torch.linspace(y0, y1, n, dtype=F64)))


@pytest.mark.parametrize("level, expected", [(0.1, 2), (0.9, 2), (1.1, 1), (3.0, 1)])
def test_double_well_splits_below_its_saddle(level: float, expected: int) -> None:
    assert DOUBLE_WELL_SADDLE_LEVEL == 1.0
    assert count_components(sublevel_mask(_grid(double_well()), level)) == expected


def test_ring_and_bowl_are_connected_at_every_level() -> None:
    ring, bowl = _grid(ring_valley()), _grid(convex_bowl())
    for level in (0.05, 0.5, 0.99, 1.5):
        assert count_components(sublevel_mask(ring, level)) == 1
        assert count_components(sublevel_mask(bowl, level)) == 1


def _brute_force_count(mask: torch.Tensor) -> int:
    """Union of cells by repeated relabelling until nothing changes (slow, obviously right)."""
    cells = [c for c in itertools.product(*map(range, mask.shape)) if mask[c]]
    label = {c: i for i, c in enumerate(cells)}
    changed = True
    while changed:
        changed = False
        for c in cells:
            for d in range(mask.ndim):
                for step in (-1, 1):
                    n = tuple(c[k] + (step if k == d else 0) for k in range(mask.ndim))
                    if n in label and label[n] < label[c]:
                        label[c], changed = label[n], True
    return len(set(label.values()))


@pytest.mark.parametrize("shape", [(9, 11), (5, 6, 7), (3, 4, 3, 4)])
def test_component_labels_match_brute_force_in_n_dimensions(shape) -> None:
    g = torch.Generator().manual_seed(sum(shape))
    for _ in range(3):
        mask = torch.rand(shape, generator=g) < 0.5
        labels, n = label_components(mask)
        assert n == _brute_force_count(mask)
        assert bool(((labels > 0) == mask).all())


def test_three_dimensional_landscape_grid() -> None:
    F = AnalyticLandscape(lambda t: (t[0] ** 2 - 1) ** 2 + t[1] ** 2 + t[2] ** 2, dim=3)
    ax = torch.linspace(-1.6, 1.6, 33, dtype=F64)
    values = evaluate_on_grid(F, (ax, ax, ax))
    assert values.shape == (33, 33, 33)
    assert count_components(sublevel_mask(values, 0.5)) == 2
    assert count_components(sublevel_mask(values, 1.5)) == 1


def test_sublevel_errors() -> None:
    with pytest.raises(TypeError, match=r"label_components: argument `mask` must be a boolean tensor, got dtype torch.float32"):
        label_components(torch.zeros(3, 3))
    with pytest.raises(ValueError, match=r"evaluate_on_grid: need one axis per dimension \(2\), got 1 axes"):
        evaluate_on_grid(double_well(), (torch.zeros(3, dtype=F64),))
    with pytest.raises(ValueError, match=r"sublevel_mask: argument `values` contains nan"):
        sublevel_mask(torch.tensor([0.0, float("nan")]), 1.0)
