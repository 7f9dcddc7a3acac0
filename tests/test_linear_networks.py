"""Deep linear networks: GL action, determinant classes, rotation path, the reduced-rank floor."""

from __future__ import annotations

import math

import pytest
import torch

from landscape_lib.landscape import ModuleLandscape
from landscape_lib.models import deep_linear, mlp
from landscape_lib.topology.linear_networks import (
    act_on_hidden,
    det_sign,
    end_to_end,
    half_squared_error,
    reduced_rank_floor,
    rotation,
    rotation_path,
)

F64 = torch.float64


def test_end_to_end_is_the_product_of_the_weights() -> None:
    net = deep_linear((3, 4, 5, 2), seed=0)
    theta = torch.cat([p.detach().reshape(-1) for p in net.parameters()])
    W = [p.detach() for p in net.parameters()]
    assert torch.allclose(end_to_end(net, theta), W[2] @ W[1] @ W[0], atol=1e-14)
    assert end_to_end(net, torch.stack([theta, theta])).shape == (2, 2, 3)


def test_gl_action_preserves_the_product_and_det_sign_follows_det_G() -> None:
    net = deep_linear((2, 2, 2))
    g = torch.Generator().manual_seed(0)
    theta = torch.randn(5, 8, generator=g, dtype=F64)
    G = torch.tensor([[0.0, 1.0], [1.0, 0.5]], dtype=F64)  # det = -1
    moved = act_on_hidden(net, theta, G)
    assert torch.allclose(end_to_end(net, moved), end_to_end(net, theta), atol=1e-12)
    assert torch.equal(det_sign(net, moved), -det_sign(net, theta))
    assert det_sign(net, theta[0]).ndim == 0


def test_gl_action_with_biases_on_a_linear_hidden_layer() -> None:
    net = mlp((2, 3, 1), activation="identity", bias=True, seed=0)
    theta = torch.cat([p.detach().reshape(-1) for p in net.parameters()])
    x = torch.randn(9, 2, dtype=F64)
    G = torch.tensor([[1.0, 2.0, 0.0], [0.0, 1.0, 0.0], [0.3, 0.0, 2.0]], dtype=F64)
    from landscape_lib.topology.symmetries import network_outputs
    assert torch.allclose(network_outputs(net, act_on_hidden(net, theta, G), x), network_outputs(net, theta, x), atol=1e-12)


def test_rotation_is_orthogonal_with_determinant_one() -> None:
    R = rotation(0.7, 3, 0, 2)
    assert torch.allclose(R @ R.T, torch.eye(3, dtype=F64), atol=1e-15) and abs(float(torch.linalg.det(R)) - 1) < 1e-14
    assert torch.allclose(rotation(math.pi, 2, 0, 1), -torch.eye(2, dtype=F64), atol=1e-15)


def test_rotation_path_keeps_the_loss_and_reaches_minus_theta() -> None:
    x = torch.linspace(-1, 1, 11, dtype=F64)[:, None]
    F = ModuleLandscape(deep_linear((1, 2, 1)), x, 2 * x, half_squared_error)
    theta = torch.tensor([1.0, 1.0, 1.5, 0.5], dtype=F64)
    path = rotation_path(deep_linear((1, 2, 1)), theta, n_points=40)
    assert path.shape == (40, 4) and torch.equal(path[0], theta)
    assert torch.allclose(path[-1], -theta, atol=1e-12)
    losses = F(path)
    assert float((losses - F(theta)).abs().max()) < 1e-12


def test_reduced_rank_floor_matches_a_brute_force_rank_one_fit() -> None:
    g = torch.Generator().manual_seed(3)
    X = torch.randn(200, 3, generator=g, dtype=F64)
    Y = X @ torch.randn(3, 2, generator=g, dtype=F64) + 0.1 * torch.randn(200, 2, generator=g, dtype=F64)
    floor = reduced_rank_floor(X, Y, 1)
    # the rank-1 optimum is the projection of the least-squares fit onto the top eigenvector of Sigma
    B = torch.linalg.lstsq(X, Y).solution  # (3, 2): Y ~ X B
    fitted = X @ B
    u = torch.linalg.eigh(fitted.T @ fitted)[1][:, -1:]
    best = 0.5 * float(((Y - fitted @ u @ u.T) ** 2).sum(1).mean())
    assert abs(floor - best) < 1e-10
    assert abs(reduced_rank_floor(X, Y, 2) - 0.5 * float(((Y - fitted) ** 2).sum(1).mean())) < 1e-10
    assert abs(reduced_rank_floor(X, Y, 0) - 0.5 * float((Y**2).sum(1).mean())) < 1e-12


@pytest.mark.parametrize("call, error, message", [
    (lambda: det_sign(deep_linear((2, 3, 2)), torch.zeros(12, dtype=F64)), ValueError,
     r"det_sign: layer 0 has a 3 x 2 weight; a determinant needs a square one"),
    (lambda: end_to_end(mlp((2, 2, 2)), torch.zeros(12, dtype=F64)), ValueError,
     r"end_to_end: argument `model` must be a deep linear network"),
    (lambda: act_on_hidden(mlp((2, 2, 2), bias=False), torch.zeros(8, dtype=F64), torch.eye(2, dtype=F64)), ValueError,
     r"act_on_hidden: hidden layer 0 is not linear"),
    (lambda: act_on_hidden(deep_linear((2, 2, 2)), torch.zeros(8, dtype=F64), torch.zeros(2, 2, dtype=F64)), ValueError,
     r"act_on_hidden: argument `G` must be invertible"),
    (lambda: act_on_hidden(deep_linear((2, 2, 2)), torch.zeros(8, dtype=F64), torch.eye(3, dtype=F64)), ValueError,
     r"act_on_hidden: argument `G` must have shape \(2, 2\), got \(3, 3\)"),
    (lambda: rotation_path(deep_linear((1, 2, 1)), torch.zeros(4, dtype=F64), units=(0, 0)), ValueError,
     r"rotation_path: argument `units` must be two different unit indices below 2"),
    (lambda: rotation_path(deep_linear((1, 2, 1)), torch.zeros(2, 4, dtype=F64)), ValueError,
     r"rotation_path: argument `theta` must be one point"),
    (lambda: reduced_rank_floor(torch.zeros(5, 2), torch.zeros(4, 2), 1), ValueError,
     r"reduced_rank_floor: `inputs` and `targets` must hold the same number of samples, got 5 and 4"),
    (lambda: reduced_rank_floor(torch.zeros(5, 2), torch.zeros(5, 2), -1), ValueError,
     r"reduced_rank_floor: argument `rank` must be an integer >= 0, got -1"),
])
def test_bad_inputs_are_reported(call, error, message) -> None:
    with pytest.raises(error, match=message):
        call()
