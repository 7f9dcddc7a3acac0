"""Stacked training of independent networks (lecture 01, Choromanska et al.'s experiment)."""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F

from landscape_lib.data import Split
from landscape_lib.ensembles import train_mlp_ensemble
from landscape_lib.models import mlp


def toy_split(seed: int = 0) -> Split:
    g = torch.Generator().manual_seed(seed)
    x = torch.randn(60, 5, generator=g)
    y = (x[:, 0] > 0).long() + (x[:, 1] > 0).long()
    return Split(x[:40], y[:40], x[40:], y[40:])


@pytest.mark.parametrize("depth", [1, 2])
def test_stacked_runs_match_their_own_networks(depth: int) -> None:
    data = toy_split()
    r = train_mlp_ensemble(data, 6, 3, steps=20, batch_size=10, depth=depth, seed=4)
    assert r.depth == depth and r.spin_glass_p == depth + 1 and r.theta.shape[0] == 3
    for k in range(3):  # rebuild network k from theta: its losses are the recorded ones
        net = mlp((5, *([6] * depth), 3), dtype=torch.float32)
        torch.nn.utils.vector_to_parameters(r.theta[k], net.parameters())
        with torch.no_grad():
            assert float(F.cross_entropy(net(data.x_train), data.y_train)) == pytest.approx(float(r.train_loss[k]), rel=1e-5)
            assert float(F.cross_entropy(net(data.x_test), data.y_test)) == pytest.approx(float(r.test_loss[k]), rel=1e-5)


def test_training_lowers_the_loss_and_depth_is_validated() -> None:
    data = toy_split(1)
    before = train_mlp_ensemble(data, 8, 2, steps=1, lr=1e-9, batch_size=10, depth=2)
    after = train_mlp_ensemble(data, 8, 2, steps=300, lr=1e-2, batch_size=10, depth=2)
    assert bool((after.train_loss < before.train_loss).all())
    with pytest.raises(ValueError, match=r"train_mlp_ensemble: argument `depth`"):
        train_mlp_ensemble(data, 8, 2, depth=0)
