"""Symmetry maps of MLPs: function invariance (float64, < 1e-10), shapes, composition, bad inputs."""

from __future__ import annotations

import pytest
import torch
from torch import nn

from landscape_lib.landscape import ModuleLandscape
from landscape_lib.models import deep_linear, mlp
from landscape_lib.topology.symmetries import (
    add_hidden_units,
    hidden_widths,
    mlp_layout,
    n_parameters,
    network_outputs,
    permute_all,
    permute_hidden,
    rescale_hidden,
)

F64 = torch.float64
ARCHITECTURES = [((2, 3, 2), "relu", False), ((3, 5, 4, 2), "relu", True), ((4, 6, 1), "tanh", True),
                 ((2, 4, 4, 3), "sigmoid", False), ((3, 4, 2), "identity", True)]


def _flat(net: nn.Module) -> torch.Tensor:
    return torch.cat([p.detach().reshape(-1) for p in net.parameters()])


def _setup(widths, activation, bias, seed=0):
    net = mlp(widths, activation=activation, bias=bias, seed=seed)
    g = torch.Generator().manual_seed(seed)
    theta = torch.randn(6, n_parameters(net), generator=g, dtype=F64)
    x = torch.randn(40, widths[0], generator=g, dtype=F64)
    return net, theta, x, g


def test_network_outputs_matches_the_module_and_module_landscape() -> None:
    net = mlp((3, 5, 2), seed=1)
    x = torch.randn(10, 3, dtype=F64)
    theta = _flat(net)
    assert torch.allclose(network_outputs(net, theta, x), net(x), atol=1e-14)
    F = ModuleLandscape(net, x, torch.zeros(10, 2, dtype=F64), nn.functional.mse_loss)
    assert torch.allclose(network_outputs(net, theta, x), F.outputs(theta), atol=1e-14)
    batch = torch.stack([theta, 2 * theta])
    assert network_outputs(net, batch, x).shape == (2, 10, 2)


@pytest.mark.parametrize("widths, activation, bias", ARCHITECTURES)
def test_permutations_preserve_the_function_for_every_elementwise_activation(widths, activation, bias) -> None:
    net, theta, x, g = _setup(widths, activation, bias)
    before = network_outputs(net, theta, x)
    for layer, width in enumerate(hidden_widths(net)):
        perm = torch.randperm(width, generator=g)
        moved = permute_hidden(net, theta, perm, layer=layer)
        assert moved.shape == theta.shape
        assert float((network_outputs(net, moved, x) - before).abs().max()) < 1e-10
        if width > 1 and not torch.equal(perm, torch.arange(width)):
            assert float((moved - theta).abs().max()) > 1e-3  # it really moved
        # a permutation followed by its inverse is the identity
        assert torch.equal(permute_hidden(net, moved, torch.argsort(perm), layer=layer), theta)


def test_permutation_moves_exactly_the_right_entries() -> None:
    net = mlp((2, 3, 2), bias=False)
    theta = torch.arange(12, dtype=F64)  # W1 = [[0,1],[2,3],[4,5]], W2 = [[6,7,8],[9,10,11]]
    out = permute_hidden(net, theta, [2, 0, 1])
    assert out.tolist() == [4, 5, 0, 1, 2, 3, 8, 6, 7, 11, 9, 10]
    with_bias = mlp((1, 2, 1))  # W1 (2,1), b1 (2), W2 (1,2), b2 (1)
    out = permute_hidden(with_bias, torch.arange(7, dtype=F64), [1, 0])
    assert out.tolist() == [1, 0, 3, 2, 5, 4, 6]


@pytest.mark.parametrize("widths, activation, bias", [a for a in ARCHITECTURES if a[1] in ("relu", "identity")])
def test_positive_rescaling_preserves_relu_and_linear_networks(widths, activation, bias) -> None:
    net, theta, x, g = _setup(widths, activation, bias)
    before = network_outputs(net, theta, x)
    for layer, width in enumerate(hidden_widths(net)):
        scale = torch.rand(width, generator=g, dtype=F64) * 5 + 0.05
        moved = rescale_hidden(net, theta, scale, layer=layer)
        assert float((network_outputs(net, moved, x) - before).abs().max()) < 1e-10
        assert torch.allclose(rescale_hidden(net, moved, 1 / scale, layer=layer), theta, atol=1e-12)
    assert torch.allclose(rescale_hidden(net, theta[0], 3.0), rescale_hidden(net, theta, 3.0)[0])


def test_rescaling_of_a_single_point_and_leaky_relu() -> None:
    net = nn.Sequential(nn.Linear(2, 3), nn.LeakyReLU(0.1), nn.Linear(3, 1)).to(F64)
    theta, x = _flat(net), torch.randn(20, 2, dtype=F64)
    moved = rescale_hidden(net, theta, torch.tensor([2.0, 0.5, 9.0], dtype=F64))
    assert moved.shape == theta.shape
    assert float((network_outputs(net, moved, x) - network_outputs(net, theta, x)).abs().max()) < 1e-10


def test_negative_rescaling_is_not_a_relu_symmetry_and_is_refused() -> None:
    net = mlp((2, 3, 1), seed=0)
    with pytest.raises(ValueError, match=r"rescale_hidden: argument `scale` must be a positive"):
        rescale_hidden(net, _flat(net), torch.tensor([1.0, -1.0, 1.0], dtype=F64))


def test_rescaling_refuses_tanh_which_is_not_positively_homogeneous() -> None:
    net = mlp((2, 3, 1), activation="tanh")
    with pytest.raises(ValueError, match=r"rescale_hidden: hidden layer 0 uses Tanh, which is not positively homogeneous"):
        rescale_hidden(net, _flat(net), 2.0)


def test_permute_all_composes_one_permutation_per_layer() -> None:
    net, theta, x, _ = _setup((3, 5, 4, 2), "relu", True)
    moved = permute_all(net, theta, [[4, 3, 2, 1, 0], None])
    assert torch.equal(moved, permute_hidden(net, theta, [4, 3, 2, 1, 0], layer=0))
    assert float((network_outputs(net, permute_all(net, theta, [[1, 0, 2, 3, 4], [3, 2, 1, 0]]), x)
                  - network_outputs(net, theta, x)).abs().max()) < 1e-10
    with pytest.raises(ValueError, match=r"permute_all: argument `perms` must hold one entry per hidden layer \(2\), got 1"):
        permute_all(net, theta, [None])


@pytest.mark.parametrize("activation", ["relu", "tanh"])
def test_adding_units_with_zero_outgoing_weights_preserves_the_function(activation) -> None:
    net, theta, x, g = _setup((3, 4, 5, 2), activation, True)
    wider, wide_theta = add_hidden_units(net, theta, 2, layer=1, incoming=torch.randn(2, 4, generator=g, dtype=F64))
    assert hidden_widths(wider) == [4, 7] and hidden_widths(net) == [4, 5]  # the original is untouched
    assert wide_theta.shape == (6, n_parameters(wider))
    assert float((network_outputs(wider, wide_theta, x) - network_outputs(net, theta, x)).abs().max()) < 1e-12
    lin = deep_linear((2, 2, 2))
    wider_lin, t = add_hidden_units(lin, _flat(lin), 1)
    assert hidden_widths(wider_lin) == [3] and t.shape == (12,)


def test_layout_reads_any_sequential_mlp() -> None:
    slots = mlp_layout(mlp((3, 5, 4, 2), bias=True))
    assert [(s.n_in, s.n_out) for s in slots] == [(3, 5), (5, 4), (4, 2)]
    assert slots[0].weight == slice(0, 15) and slots[0].bias == slice(15, 20) and slots[1].weight == slice(20, 40)
    no_bias = mlp_layout(mlp((3, 5, 2), bias=False))
    assert no_bias[0].bias is None and no_bias[1].weight == slice(15, 25)
    assert hidden_widths(mlp((1, 7, 3, 1))) == [7, 3]


@pytest.mark.parametrize("call, error, message", [
    (lambda: permute_hidden(mlp((2, 3, 1)), torch.zeros(13, dtype=F64), [0, 1, 1]), ValueError,
     r"permute_hidden: argument `perm` must be a permutation of range\(3\) .* got \[0, 1, 1\]"),
    (lambda: permute_hidden(mlp((2, 3, 1)), torch.zeros(13, dtype=F64), [0, 1]), ValueError, r"permutation of range\(3\)"),
    (lambda: permute_hidden(mlp((2, 3, 1)), torch.zeros(12, dtype=F64), [0, 1, 2]), ValueError,
     r"permute_hidden: argument `theta` must have shape \(P,\) or \(K, P\) with P = 13 .* got shape \(12,\)"),
    (lambda: permute_hidden(mlp((2, 3, 1)), [0.0] * 13, [0, 1, 2]), TypeError,
     r"permute_hidden: argument `theta` must be a torch.Tensor, got list"),
    (lambda: permute_hidden(mlp((2, 3, 1)), torch.zeros(13, dtype=F64), [0, 1, 2], layer=1), ValueError,
     r"permute_hidden: argument `layer` must be a hidden-layer index in 0..0 .* got 1"),
    (lambda: permute_hidden(mlp((2, 3, 1)), torch.full((13,), float("nan"), dtype=F64), [0, 1, 2]), ValueError,
     r"permute_hidden: argument `theta` contains nan"),
    (lambda: rescale_hidden(mlp((2, 3, 1)), torch.zeros(13, dtype=F64), torch.ones(2)), ValueError,
     r"rescale_hidden: argument `scale` must be a positive finite number or 3 of them"),
    (lambda: permute_hidden(nn.Linear(2, 3), torch.zeros(9, dtype=F64), [0, 1, 2]), TypeError,
     r"permute_hidden: argument `model` must be an nn.Sequential MLP, got Linear"),
    (lambda: hidden_widths(nn.Sequential(nn.Linear(2, 3), nn.Softmax(dim=-1), nn.Linear(3, 1))), ValueError,
     r"hidden_widths: module '1' \(Softmax\) of `model` is neither nn.Linear nor a parameter-free elementwise"),
    (lambda: hidden_widths(nn.Sequential(nn.Linear(2, 3), nn.ReLU(), nn.Linear(4, 1))), ValueError,
     r"layer '2' takes 4 inputs but the previous nn.Linear gives 3"),
    (lambda: hidden_widths(nn.Sequential(nn.ReLU())), ValueError, r"hidden_widths: argument `model` has no nn.Linear layer"),
    (lambda: add_hidden_units(mlp((2, 3, 1)), torch.zeros(13, dtype=F64), 0), ValueError,
     r"add_hidden_units: argument `n_new` must be an integer >= 1, got 0"),
    (lambda: add_hidden_units(mlp((2, 3, 1)), torch.zeros(13, dtype=F64), 1, incoming=torch.zeros(1, 3, dtype=F64)),
     ValueError, r"add_hidden_units: argument `incoming` must have shape \(1, 2\), got \(1, 3\)"),
    (lambda: network_outputs(mlp((2, 3, 1)), torch.zeros(13, dtype=F64), "x"), TypeError,
     r"network_outputs: argument `inputs` must be a torch.Tensor"),
])
def test_bad_inputs_are_reported_with_function_argument_and_value(call, error, message) -> None:
    with pytest.raises(error, match=message):
        call()
