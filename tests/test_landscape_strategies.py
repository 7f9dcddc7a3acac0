"""ModuleLandscape's batch strategies (stacked MLP, vmap, loop) give the same losses and gradients."""

from __future__ import annotations

import pytest
import torch
from torch import nn

from landscape_lib.landscape import ModuleLandscape, is_plain_mlp
from landscape_lib.models import mlp

F64 = torch.float64


def _data(n: int = 50, d: int = 5, out: int = 3, classes: bool = False):
    g = torch.Generator().manual_seed(0)
    x = torch.randn(n, d, generator=g, dtype=F64)
    y = torch.randint(0, out, (n,), generator=g) if classes else torch.randn(n, out, generator=g, dtype=F64)
    return x, y


CASES = [
    ("relu with biases, mse", dict(widths=(5, 7, 6, 3), activation="relu"), nn.functional.mse_loss, False),
    ("sigmoid without biases, l1", dict(widths=(5, 4, 4, 3), activation="sigmoid", bias=False,
                                        output_activation="sigmoid"), nn.functional.l1_loss, False),
    ("tanh, cross-entropy", dict(widths=(5, 8, 3), activation="tanh"), nn.functional.cross_entropy, True),
    ("smooth l1 (no direct row form: vmap over the loss)", dict(widths=(5, 4, 3)), nn.functional.smooth_l1_loss, False),
]


@pytest.mark.parametrize("name, kwargs, loss_fn, classes", CASES, ids=[c[0] for c in CASES])
def test_every_strategy_gives_the_same_losses_and_gradients(name, kwargs, loss_fn, classes) -> None:
    x, y = _data(classes=classes)
    widths = kwargs.pop("widths")
    make = lambda s: mlp(widths, seed=s, **kwargs)  # noqa: E731
    landscapes = {s: ModuleLandscape(make(0), x, y, loss_fn, strategy=s) for s in ("stacked", "vmap", "loop")}
    assert ModuleLandscape(make(0), x, y, loss_fn).strategy == "stacked"  # auto picks it for a small MLP
    theta = torch.stack([landscapes["vmap"].flatten(make(s)) for s in range(1, 6)]).requires_grad_(True)
    single = torch.stack([landscapes["vmap"](t) for t in theta.detach()])
    for strategy, F in landscapes.items():
        values = F.evaluate(theta)
        torch.testing.assert_close(values, single, rtol=1e-12, atol=1e-12, msg=strategy)
        (g,) = torch.autograd.grad(values.sum(), theta)
        torch.testing.assert_close(g, F.grad(theta.detach()), rtol=1e-10, atol=1e-12, msg=strategy)


def test_auto_picks_a_loop_when_one_point_fills_the_cache_and_vmap_for_other_modules() -> None:
    x, y = _data(n=2000, d=5)
    wide = ModuleLandscape(mlp((5, 300, 3), seed=0), x, y, nn.functional.mse_loss)
    assert wide.chunk_size == 1 and wide.strategy == "loop"
    conv = nn.Sequential(nn.Unflatten(1, (1, 5)), nn.Conv1d(1, 2, 3), nn.Flatten(), nn.Linear(6, 3)).to(F64)
    assert not is_plain_mlp(conv)
    assert ModuleLandscape(conv, x, y, nn.functional.mse_loss).strategy == "vmap"


def test_strategy_errors_name_the_argument() -> None:
    x, y = _data()
    conv = nn.Sequential(nn.Unflatten(1, (1, 5)), nn.Conv1d(1, 2, 3), nn.Flatten(), nn.Linear(6, 3)).to(F64)
    with pytest.raises(ValueError, match=r"ModuleLandscape: `strategy='stacked'` needs an nn.Sequential of nn.Linear"):
        ModuleLandscape(conv, x, y, nn.functional.mse_loss, strategy="stacked")
    with pytest.raises(ValueError, match=r"ModuleLandscape: argument `strategy` must be one of .*, got 'fast'"):
        ModuleLandscape(mlp((5, 3)), x, y, nn.functional.mse_loss, strategy="fast")


def _small_cnn(seed: int) -> nn.Sequential:
    torch.manual_seed(seed)
    return nn.Sequential(nn.Unflatten(1, (1, 5)), nn.Conv1d(1, 2, 3), nn.ReLU(), nn.Flatten(), nn.Linear(6, 3)).to(F64)


@pytest.mark.parametrize("make", [lambda s: mlp((5, 7, 6, 3), seed=s), lambda s: mlp((5, 4, 3), bias=False, seed=s),
                                  _small_cnn], ids=["mlp", "mlp without biases", "cnn"])
def test_points_on_segments_agree_between_the_loop_and_the_batched_evaluation(make) -> None:
    """The loop writes points into a private model copy and reuses the first layer's output along
    each segment (it is linear in its parameters): the numbers must equal plain evaluation."""
    x, y = _data()
    loop = ModuleLandscape(make(0), x, y, nn.functional.mse_loss, strategy="loop")
    batched = ModuleLandscape(make(0), x, y, nn.functional.mse_loss, strategy="vmap")
    a = torch.stack([loop.flatten(make(s)) for s in (1, 2)])
    b = torch.stack([loop.flatten(make(s)) for s in (3, 4)])
    t = torch.tensor([[0.0, 0.3, 1.0], [0.5, 0.9, 0.1]], dtype=F64)
    expected = torch.stack([batched.evaluate((1 - t[s, :, None]) * a[s] + t[s, :, None] * b[s]) for s in range(2)])
    torch.testing.assert_close(loop.evaluate_on_segments(a, b, t), expected, rtol=1e-12, atol=1e-12)
    shared = torch.stack([batched.evaluate((1 - t[0, :, None]) * a[s] + t[0, :, None] * b[s]) for s in range(2)])
    torch.testing.assert_close(loop.evaluate_on_segments(a, b, t[0]), shared, rtol=1e-12, atol=1e-12)  # one t for all
    assert loop.model is not loop._scratch  # the user's model is never written to
    torch.testing.assert_close(loop.flatten(loop.model), loop.flatten(make(0)))
