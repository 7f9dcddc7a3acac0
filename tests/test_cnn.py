"""The small CNN: shapes, known-answer forward pass, ModuleLandscape through vmap, bad inputs."""

from __future__ import annotations

import pytest
import torch
from torch import nn

from landscape_lib.landscape import ModuleLandscape
from landscape_lib.models.cnn import cnn

F64 = torch.float64


@pytest.mark.parametrize("shape, n_in", [((8, 8), 64), ((40,), 40), ((4, 12), 48)])
def test_output_shape_and_dtype(shape, n_in):
    net = cnn(shape, channels=(3, 5), seed=0)
    out = net(torch.randn(7, n_in, dtype=F64))
    assert out.shape == (7, 10) and out.dtype == F64
    assert isinstance(net, nn.Sequential) and not list(net.buffers())


def test_parameter_count_matches_the_formula():
    # conv1: 1*c1*k^2 + c1; conv2: c1*c2*k^2 + c2; read-out: c2*(8/4)*(8/4)*10 + 10
    c1, c2, k = 4, 6, 3
    net = cnn((8, 8), channels=(c1, c2), kernel_size=k)
    expected = (c1 * k * k + c1) + (c1 * c2 * k * k + c2) + (c2 * 4 * 10 + 10)
    assert sum(p.numel() for p in net.parameters()) == expected


def test_forward_pass_against_explicit_convolutions():
    net = cnn((8, 8), channels=(2, 3), seed=1)
    x = torch.randn(5, 64, dtype=F64)
    conv1, conv2, lin = net[1], net[3], net[6]
    h = torch.relu(nn.functional.conv2d(x.view(5, 1, 8, 8), conv1.weight, conv1.bias, stride=2, padding=1))
    h = torch.relu(nn.functional.conv2d(h, conv2.weight, conv2.bias, stride=2, padding=1))
    expected = h.reshape(5, -1) @ lin.weight.T + lin.bias
    assert torch.allclose(net(x), expected, atol=1e-12)


def test_seed_makes_initialisation_repeatable():
    a, b = cnn((40,), seed=3), cnn((40,), seed=3)
    assert all(torch.equal(p, q) for p, q in zip(a.parameters(), b.parameters()))


def test_module_landscape_batched_matches_one_by_one():
    g = torch.Generator().manual_seed(0)
    x, y = torch.randn(20, 40, generator=g, dtype=F64), torch.randint(0, 10, (20,), generator=g)
    F = ModuleLandscape(cnn((40,), channels=(2, 3), kernel_size=5, seed=0), x, y, nn.functional.cross_entropy)
    theta = torch.stack([F.flatten(cnn((40,), channels=(2, 3), kernel_size=5, seed=s)) for s in range(3)])
    batched = F(theta)
    single = torch.stack([F(t) for t in theta])
    assert torch.allclose(batched, single, atol=1e-12)
    # the gradient of the flat landscape is autograd's gradient of the module
    net = cnn((40,), channels=(2, 3), kernel_size=5, seed=1)
    F.load_into(net, theta[1])
    nn.functional.cross_entropy(net(x), y).backward()
    flat_grad = torch.cat([p.grad.reshape(-1) for p in net.parameters()])
    assert torch.allclose(F.grad(theta[1]), flat_grad, atol=1e-10)


@pytest.mark.parametrize("kwargs, message", [
    (dict(input_shape=(8, 6)), "input_shape"),
    (dict(input_shape=(8, 8, 8)), "input_shape"),
    (dict(input_shape=8), "input_shape"),
    (dict(input_shape=(8, 8), channels=(4,)), "channels"),
    (dict(input_shape=(8, 8), channels=(4, 0)), "channels"),
    (dict(input_shape=(8, 8), n_classes=1), "n_classes"),
    (dict(input_shape=(8, 8), kernel_size=4), "kernel_size"),
])
def test_bad_arguments_name_function_and_argument(kwargs, message):
    with pytest.raises(ValueError, match=rf"cnn: argument `{message}`"):
        cnn(**kwargs)
