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
