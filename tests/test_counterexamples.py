"""Counterexample data sets: shapes, the stated solutions and minima, the rank-1 bound, bad inputs."""

from __future__ import annotations

import math

import pytest
import torch
from torch import nn

from landscape_lib.data.counterexamples import (
    RANK_ONE_RELATIVE_RISK,
    YUN_LOCAL_RISK,
    cyclic_map,
    half_sum_of_squares,
    relative_squared_error,
    two_gaussian_mixture,
    two_gaussian_solution,
    yun_global_minimum,
    yun_local_minimum,
    yun_sra_jadbabaie,
)
from landscape_lib.landscape import ModuleLandscape
from landscape_lib.models import mlp
from landscape_lib.topology.symmetries import network_outputs, permute_hidden

F64 = torch.float64


def test_two_gaussian_mixture_shapes_balance_and_target() -> None:
    d = two_gaussian_mixture(4000, 0.3, seed=1)
    assert d.x.shape == (4000, 2) and d.y.shape == (4000, 1) and d.z.shape == (4000,) and d.x.dtype == F64
    assert abs(float((d.z == 1).double().mean()) - 0.5) < 0.03
    mu = torch.where((d.z == 1)[:, None], torch.tensor([1.0, -1.0], dtype=F64), torch.tensor([-1.0, 1.0], dtype=F64))
    dev = d.x - mu
    expected = torch.where(d.z == 1, dev[:, 0], dev[:, 1])[:, None]
    assert torch.allclose(d.y, expected, atol=1e-14)
    assert abs(float(d.y.pow(2).mean()) / 0.09 - 1) < 0.1  # E Y^2 = sigma^2
    again = two_gaussian_mixture(4000, 0.3, seed=1)
    assert torch.equal(again.x, d.x)


@pytest.mark.parametrize("sigma", [0.4, 0.1, 0.02])
def test_the_solution_and_its_permuted_copy_reach_small_relative_risk(sigma) -> None:
    d = two_gaussian_mixture(3000, sigma, seed=0)
    net = mlp((2, 2, 1), activation="relu")
    F = ModuleLandscape(net, d.x, d.y, relative_squared_error(d.y))
    a = two_gaussian_solution()
    b = permute_hidden(net, a, [1, 0])
    # error only where a component's noise exceeds 1 in one coordinate (probability ~ 2 Phi(-1/sigma))
    bound = 10 * math.erfc(1 / (sigma * math.sqrt(2)))
    assert float(F(a)) <= bound + 1e-20 and abs(float(F(b)) - float(F(a))) < 1e-12
    assert torch.linalg.det(a[:4].reshape(2, 2)) * torch.linalg.det(b[:4].reshape(2, 2)) < 0


def test_every_rank_one_first_layer_has_relative_risk_at_least_one_half() -> None:
    # Brute force over rank-1 networks: W1 = a w^T, biases and the output layer fitted by least squares
    # on the (known) features; none may beat the bound (up to sampling error).
    d = two_gaussian_mixture(20000, 0.1, seed=2)
    g = torch.Generator().manual_seed(0)
    best = math.inf
    for _ in range(60):
        w = torch.randn(2, generator=g, dtype=F64)
        a = torch.randn(2, generator=g, dtype=F64)
        b1 = 0.3 * torch.randn(2, generator=g, dtype=F64)
        h = torch.relu((d.x @ w)[:, None] * a + b1)
        features = torch.cat([h, torch.ones(len(h), 1, dtype=F64)], dim=1)
        coef = torch.linalg.lstsq(features, d.y).solution
        risk = float(((features @ coef - d.y) ** 2).mean() / d.y.pow(2).mean())
        best = min(best, risk)
    assert best >= RANK_ONE_RELATIVE_RISK - 0.02


def test_relative_squared_error_is_one_for_the_zero_predictor() -> None:
    y = torch.randn(30, 1, dtype=F64)
    assert abs(float(relative_squared_error(y)(torch.zeros_like(y), y)) - 1) < 1e-12
    with pytest.raises(ValueError, match=r"relative_squared_error: argument `targets` must not be all zero"):
        relative_squared_error(torch.zeros(3, 1))


def test_cyclic_map_is_a_cycle_and_not_linear() -> None:
    x, y = cyclic_map()
    assert x.shape == y.shape == (3, 2)
    assert torch.equal(y[0], x[1]) and torch.equal(y[1], x[2]) and torch.equal(y[2], x[0])
    # the least-squares linear map misses the targets: the cyclic map is not linear on these points
    M = torch.linalg.lstsq(x, y).solution
    assert float((x @ M - y).abs().max()) > 0.1
    # and 12 parameters: a 2-3-2 ReLU network without biases
    assert sum(p.numel() for p in mlp((2, 3, 2), bias=False).parameters()) == 12


def test_yun_data_and_both_stated_minima() -> None:
    x, y = yun_sra_jadbabaie()
    assert x.tolist() == [[1.0, 0.0], [0.0, 1.0], [0.5, 0.5]] and y.flatten().tolist() == [0.0, 0.0, 1.0]
    net = mlp((2, 2, 1), activation="relu")
    F = ModuleLandscape(net, x, y, half_sum_of_squares)
    loc, glob = yun_local_minimum(), yun_global_minimum()
    assert abs(float(F(loc)) - YUN_LOCAL_RISK) < 1e-14 and float(F(glob)) < 1e-14
    assert torch.allclose(network_outputs(net, loc, x), torch.full((3, 1), 1 / 3, dtype=F64), atol=1e-14)
    # a local minimum: zero gradient, PSD Hessian, and no random nearby point is lower
    assert float(F.grad(loc).norm()) < 1e-12
    assert float(torch.linalg.eigvalsh(F.hessian(loc)).min()) > -1e-10
    g = torch.Generator().manual_seed(0)
    near = loc + 1e-2 * torch.randn(500, 9, generator=g, dtype=F64)
    assert float(F(near).min()) >= YUN_LOCAL_RISK - 1e-12


def test_half_sum_of_squares() -> None:
    assert float(half_sum_of_squares(torch.tensor([[1.0], [2.0]]), torch.zeros(2, 1))) == 2.5


@pytest.mark.parametrize("kwargs, message", [
    (dict(n=0), r"two_gaussian_mixture: argument `n` must be > 0, got 0"),
    (dict(n=10, sigma=-0.1), r"two_gaussian_mixture: argument `sigma` must be > 0, got -0.1"),
    (dict(n=2.5), r"two_gaussian_mixture: argument `n` must be an integer"),
])
def test_two_gaussian_mixture_rejects_bad_arguments(kwargs, message) -> None:
    with pytest.raises((ValueError, TypeError), match=message):
        two_gaussian_mixture(**kwargs)
