"""The landscape abstraction: batched = single, gradients/HVPs = dense references, round trips, errors."""

from __future__ import annotations

import pytest
import torch
from torch import nn

from landscape_lib.landscape import AnalyticLandscape, ModuleLandscape
from landscape_lib.models import mlp
from landscape_lib.toys import double_well
from tests.helpers import F64, point, small_mlp_landscape


def test_batch_of_k_points_equals_k_single_evaluations() -> None:
    F = small_mlp_landscape()
    theta = F.flatten(F.model) + 0.3 * torch.randn(9, F.dim, generator=torch.Generator().manual_seed(1), dtype=F64)
    batched = F(theta)
    single = torch.stack([F(t) for t in theta])
    assert batched.shape == (9,)
    torch.testing.assert_close(batched, single, rtol=1e-6, atol=0)


def test_chunked_batches_equal_unchunked() -> None:
    F = small_mlp_landscape()
    theta = torch.randn(10, F.dim, generator=torch.Generator().manual_seed(2), dtype=F64)
    chunked = ModuleLandscape(F.model, F.inputs, F.targets, F.loss_fn, chunk_size=3)
    torch.testing.assert_close(chunked(theta), F(theta), rtol=1e-12, atol=0)


def test_module_landscape_equals_the_module_itself() -> None:
    F = small_mlp_landscape()
    expected = nn.functional.mse_loss(F.model(F.inputs), F.targets)
    torch.testing.assert_close(F(F.flatten(F.model)), expected.detach())


def test_flat_vector_round_trips_exactly() -> None:
    F = small_mlp_landscape()
    theta = torch.randn(F.dim, generator=torch.Generator().manual_seed(3), dtype=F64)
    other = mlp((3, 6, 2), activation="tanh", seed=99)
    F.load_into(other, theta)
    assert torch.equal(F.flatten(other), theta)
    for name, value in F.unflatten(theta).items():
        assert torch.equal(dict(other.named_parameters())[name].detach(), value)


def test_gradient_and_hvp_match_dense_hessian_of_a_small_mlp() -> None:
    F = small_mlp_landscape()
    theta = F.flatten(F.model)
    v = torch.randn(F.dim, generator=torch.Generator().manual_seed(4), dtype=F64)
    dense = torch.autograd.functional.hessian(lambda t: F(t), theta)
    torch.testing.assert_close(F.hvp(theta, v), dense @ v, rtol=1e-8, atol=1e-10)
    torch.testing.assert_close(F.hessian(theta), dense, rtol=1e-8, atol=1e-10)
    auto = torch.autograd.functional.jacobian(lambda t: F(t), theta)
    torch.testing.assert_close(F.grad(theta), auto, rtol=1e-8, atol=1e-12)


def test_batched_gradient_and_hvp() -> None:
    F = small_mlp_landscape()
    g = torch.Generator().manual_seed(5)
    thetas = torch.randn(4, F.dim, generator=g, dtype=F64)
    vs = torch.randn(4, F.dim, generator=g, dtype=F64)
    torch.testing.assert_close(F.grad(thetas), torch.stack([F.grad(t) for t in thetas]))
    torch.testing.assert_close(F.hvp(thetas, vs), torch.stack([F.hessian(t) @ v for t, v in zip(thetas, vs)]))


def test_analytic_landscape_closed_form_derivatives() -> None:
    F = double_well()  # (x^2 - 1)^2 + y^2
    x, y = 0.5, -0.25
    torch.testing.assert_close(F.grad(point(x, y)), point(4 * x * (x * x - 1), 2 * y))
    torch.testing.assert_close(F.hessian(point(x, y)), torch.tensor([[12 * x * x - 4, 0], [0, 2]], dtype=F64))


def test_weight_mask_selects_weights_only() -> None:
    """The mask is True exactly where θ holds a weight: a model whose weights are 1 and biases 0,
    flattened, must equal the mask entry by entry (counting entries would not see a shifted mask)."""
    F = small_mlp_landscape()
    marked = mlp((3, 6, 2), activation="tanh")
    with torch.no_grad():
        for name, param in marked.named_parameters():
            param.fill_(1.0 if name.endswith("weight") else 0.0)
    expected = F.flatten(marked) == 1.0
    mask = F.weight_mask()
    assert mask.dtype == torch.bool and mask.shape == (F.dim,)
    assert torch.equal(mask, expected), f"mask {mask.int().tolist()} vs weights at {expected.int().tolist()}"
    theta = torch.arange(F.dim, dtype=F64)
    weights = torch.cat([F.unflatten(theta)[n].flatten() for n in F.names if n.endswith("weight")])
    assert torch.equal(theta[mask], weights)


@pytest.mark.parametrize("bad, error, message", [
    ([0.0, 1.0], TypeError, r"ModuleLandscape.__call__: argument `theta` must be a torch.Tensor, got list"),
    (torch.zeros(5, dtype=F64), ValueError, r"must have shape \(P,\) or \(K, P\) with P = 38, got shape \(5,\)"),
    (torch.zeros(38, dtype=torch.float32), TypeError, r"has dtype torch.float32, expected torch.float64"),
    (torch.full((38,), float("nan"), dtype=F64), ValueError, r"argument `theta` contains nan at index \(0,\)"),
    (torch.zeros(2, 3, 38, dtype=F64), ValueError, r"got shape \(2, 3, 38\)"),
])
def test_bad_points_get_clear_errors(bad: object, error: type, message: str) -> None:
    F = small_mlp_landscape()
    assert F.dim == 38
    with pytest.raises(error, match=message):
        F(bad)


def test_model_that_does_not_match_the_vector_is_refused() -> None:
    F = small_mlp_landscape()
    with pytest.raises(ValueError, match=r"ModuleLandscape.load_into: argument `model` does not match"):
        F.load_into(mlp((3, 7, 2)), torch.zeros(F.dim, dtype=F64))
    with pytest.raises(ValueError, match=r"ModuleLandscape.flatten: .*different shapes"):
        F.flatten(mlp((3, 7, 2)))
    with pytest.raises(TypeError, match=r"expected torch.float64"):
        F.flatten(mlp((3, 6, 2), activation="tanh", dtype=torch.float32))


def test_hvp_shape_mismatch_and_construction_errors() -> None:
    F = small_mlp_landscape()
    with pytest.raises(ValueError, match=r"hvp: `v` must have the shape of `theta`"):
        F.hvp(torch.zeros(F.dim, dtype=F64), torch.zeros(2, F.dim, dtype=F64))
    with pytest.raises(ValueError, match=r"same number of samples, got 4 and 3"):
        ModuleLandscape(F.model, torch.zeros(4, 3, dtype=F64), torch.zeros(3, 2, dtype=F64), nn.functional.mse_loss)
    with pytest.raises(TypeError, match=r"argument `model` must be a torch.nn.Module"):
        ModuleLandscape("model", F.inputs, F.targets, nn.functional.mse_loss)
    with pytest.raises(TypeError, match=r"AnalyticLandscape: argument `fn` must be callable"):
        AnalyticLandscape(3.0, dim=2)
    with pytest.raises(ValueError, match=r"argument `dim` must be an integer >= 1, got 0"):
        AnalyticLandscape(lambda t: t.sum(), dim=0)


def test_point_on_another_device_is_refused() -> None:
    F = small_mlp_landscape()
    elsewhere = torch.zeros(F.dim, dtype=F64, device="meta")  # any device other than the landscape's
    with pytest.raises(TypeError, match=r"argument `theta` is on device meta, expected cpu"):
        F(elsewhere)


class _Conv(nn.Module):
    """A small CNN whose widest activation is a feature map (4 channels x 8 x 8 = 256 per sample)."""

    def __init__(self) -> None:
        super().__init__()
        self.conv = nn.Conv2d(1, 4, 3, padding=1, dtype=F64)
        self.head = nn.Linear(256, 3, dtype=F64)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.head(torch.relu(self.conv(x)).flatten(1))


# (model, one input sample's shape, widest activation per sample, read off the architecture)
CHUNK_CASES = [
    (lambda: mlp((3, 500, 2)), (3,), 500),            # widest layer in the middle, not at the output
    (lambda: mlp((3, 4, 4, 40)), (3,), 40),           # widest layer is the output
    (_Conv, (1, 8, 8), 256),                          # a feature map, not a number of units
]


@pytest.mark.parametrize(("make", "sample", "widest"), CHUNK_CASES, ids=["wide hidden", "wide output", "conv"])
@pytest.mark.parametrize("n", [7, 100])
def test_auto_chunk_size_bounds_the_activations_of_a_chunk(make, sample, widest, n) -> None:
    """The chunk is the *largest* number of points whose activations fit the budget, for widths
    read off the architecture (a conv feature map included), and at least 1."""
    from landscape_lib.landscape import auto_chunk_size

    model, x = make(), torch.zeros(n, *sample, dtype=F64)
    for budget in (10**4, 10**6):
        k = auto_chunk_size(model, x, budget=budget)
        assert k >= 1
        if k > 1:
            assert k * n * widest <= budget, f"a chunk of {k} holds {k * n * widest} > {budget} activations"
        assert (k + 1) * n * widest > budget, f"a chunk of {k + 1} would still fit {budget}"


def test_auto_chunk_size_is_what_evaluation_uses() -> None:
    """Evaluating K points runs the network once per chunk (counted at its activation layer, which
    every batched evaluation strategy calls once per chunk), with the unchunked values."""
    from landscape_lib.landscape import auto_chunk_size

    model, x = mlp((3, 500, 2)), torch.randn(100, 3, generator=torch.Generator().manual_seed(0), dtype=F64)
    y = torch.zeros(100, 2, dtype=F64)
    F = ModuleLandscape(model, x, y, nn.functional.mse_loss)
    assert F.chunk_size == auto_chunk_size(model, x) and 1 < F.chunk_size < 12
    calls = []
    handle = model[1].register_forward_hook(lambda *_: calls.append(1))  # the hidden activation
    try:
        theta = F.flatten(model) + 0.01 * torch.randn(12, F.dim, generator=torch.Generator().manual_seed(1), dtype=F64)
        values = F(theta)
    finally:
        handle.remove()
    assert len(calls) == -(-12 // F.chunk_size), f"{len(calls)} vectorised calls for chunks of {F.chunk_size}"
    unchunked = ModuleLandscape(model, x, y, nn.functional.mse_loss, chunk_size=None)
    torch.testing.assert_close(values, unchunked(theta), rtol=1e-12, atol=0)
    with pytest.raises(ValueError, match=r"argument `chunk_size` must be None or an integer >= 1, got 0"):
        ModuleLandscape(model, x, y, nn.functional.mse_loss, chunk_size=0)
