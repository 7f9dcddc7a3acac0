"""The batched training loop: K runs at once behave like K separate runs; targets freeze runs."""

from __future__ import annotations

import pytest
import torch

from landscape_lib.seeding import set_seed
from landscape_lib.toys import convex_bowl, double_well
from landscape_lib.training import descend
from tests.helpers import F64, point, small_mlp_landscape


def test_batched_runs_equal_separate_runs() -> None:
    F = small_mlp_landscape()
    starts = F.flatten(F.model) + 0.1 * torch.randn(3, F.dim, generator=torch.Generator().manual_seed(0), dtype=F64)
    together = descend(F, starts, lr=1e-2, max_steps=50)
    apart = torch.stack([descend(F, s, lr=1e-2, max_steps=50).theta for s in starts])
    torch.testing.assert_close(together.theta, apart, rtol=1e-9, atol=1e-12)


def test_gradient_descent_on_a_bowl_converges_to_its_minimum() -> None:
    result = descend(convex_bowl(), point(1.0, -1.0), lr=0.1, max_steps=200, optimizer="sgd")
    assert float(result.loss) < 1e-12
    torch.testing.assert_close(result.theta, point(0, 0), atol=1e-6, rtol=0)


def test_each_run_stops_at_its_target() -> None:
    F = double_well()
    starts = torch.tensor([[1.0, 0.0], [1.5, 0.5], [-1.8, 1.0]], dtype=F64)
    result = descend(F, starts, lr=1e-2, max_steps=2000, target=0.05, optimizer="sgd")
    assert bool(result.reached_target.all())
    assert int(result.steps[0]) == 0  # already at the minimum: never moves
    assert bool((result.loss <= 0.05).all()) and bool((result.loss[1:] > 0.04).all())  # stopped on arrival


def _minibatch_sgd_by_hand(F, theta0: torch.Tensor, *, lr: float, steps: int, batch_size: int, seed: int) -> torch.Tensor:
    """Plain minibatch SGD written out: at each step a fresh random subset of `batch_size` samples
    (drawn from the seeded generator) and a step along the gradient of the loss on that subset."""
    from torch.func import functional_call

    g = torch.Generator().manual_seed(seed)
    theta = theta0.clone()
    for _ in range(steps):
        idx = torch.randperm(len(F.inputs), generator=g)[:batch_size]
        t = theta.clone().requires_grad_(True)
        loss = F.loss_fn(functional_call(F.model, F.unflatten(t), (F.inputs[idx],)), F.targets[idx])
        (grad,) = torch.autograd.grad(loss, t)
        theta = theta - lr * grad
    return theta


def test_minibatch_training_is_seeded() -> None:
    """The generator, and only it, decides the minibatches; every run of a batch sees the same ones."""
    F = small_mlp_landscape()
    theta0 = F.flatten(F.model)
    starts = torch.stack([theta0, theta0 + 0.05])
    kwargs = dict(lr=5e-2, max_steps=30, batch_size=8, optimizer="sgd")
    run = descend(F, starts, generator=torch.Generator().manual_seed(1), **kwargs)
    for start, got in zip(starts, run.theta):
        expected = _minibatch_sgd_by_hand(F, start, lr=5e-2, steps=30, batch_size=8, seed=1)
        torch.testing.assert_close(got, expected, rtol=1e-10, atol=1e-12)
    torch.manual_seed(123)  # the global generator must play no part
    again = descend(F, starts, generator=torch.Generator().manual_seed(1), **kwargs)
    assert torch.equal(again.theta, run.theta)
    other = descend(F, starts, generator=torch.Generator().manual_seed(2), **kwargs)
    full = descend(F, starts, lr=5e-2, max_steps=30, optimizer="sgd")
    assert (other.theta - run.theta).abs().max() > 1e-4, "another seed must give other minibatches"
    assert (full.theta - run.theta).abs().max() > 1e-4, "minibatches must differ from the full batch"


def test_descend_errors() -> None:
    with pytest.raises(ValueError, match=r"descend: argument `optimizer` must be one of \('adam', 'sgd'\), got 'lbfgs'"):
        descend(convex_bowl(), point(1, 1), lr=0.1, max_steps=10, optimizer="lbfgs")
    with pytest.raises(ValueError, match=r"descend: argument `lr` must be > 0, got -1"):
        descend(convex_bowl(), point(1, 1), lr=-1, max_steps=10)
    with pytest.raises(TypeError, match=r"descend: `batch_size` needs a ModuleLandscape"):
        descend(convex_bowl(), point(1, 1), lr=0.1, max_steps=10, batch_size=4)
    with pytest.raises(ValueError, match=r"set_seed: argument `seed` must be a non-negative integer"):
        set_seed(-3)


def test_seeded_training_repeats_exactly() -> None:
    from torch import nn

    from landscape_lib.data import digits
    from landscape_lib.landscape import ModuleLandscape
    from landscape_lib.models import mlp

    def run() -> torch.Tensor:
        set_seed(7)
        data = digits(n_train=300)
        F = ModuleLandscape(mlp((64, 8, 10)), data.x_train, data.y_train, nn.functional.cross_entropy)
        starts = torch.stack([F.flatten(mlp((64, 8, 10))) for _ in range(2)])
        return descend(F, starts, lr=1e-2, max_steps=40).loss

    assert torch.equal(run(), run())
