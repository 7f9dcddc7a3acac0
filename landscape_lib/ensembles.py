r"""Many small networks trained at once: the network side of Choromanska et al.'s spin-glass analogy.

Choromanska, Henaff, Mathieu, Ben Arous & LeCun (2015) map the loss of a ReLU network onto a
spherical spin glass and predict that, as the network grows, the losses reached by independent
training runs concentrate in a narrow band (as the energies of GD endpoints do in the p-spin
model).  :func:`train_mlp_ensemble` measures that: K one-hidden-layer ReLU networks
$64 \to h \to 10$ (initialised as :func:`landscape_lib.models.mlp` with seeds 0..K-1) are trained
with Adam on cross-entropy, each on its *own* random minibatches, as one stacked computation:
the K weight matrices form tensors of shape (K, ...) and every layer is one batched matrix product.
(:func:`landscape_lib.training.descend` does the same for any ``ModuleLandscape`` through
``torch.func.vmap``; this hand-written version of one architecture is about ten times faster,
which matters for a one-minute lecture.)
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import Tensor

from ._validate import check_positive
from .data import Split
from .models import mlp
from .threads import torch_threads


@dataclass(frozen=True)
class EnsembleResult:
    """What :func:`train_mlp_ensemble` returns; every tensor has one entry per run (shape (K,)).

    Attributes:
        hidden: the hidden width h.
        train_loss, test_loss: final mean cross-entropy on the train and test splits.
        test_error: final test misclassification rate.
        theta: final flat parameter vectors, shape (K, P), in the order of ``mlp``'s parameters
            (so ``ModuleLandscape(mlp((d, h, c)), ...)`` can evaluate them).
    """

    hidden: int
    train_loss: Tensor
    test_loss: Tensor
    test_error: Tensor
    theta: Tensor


def _forward(params: list[Tensor], x: Tensor) -> Tensor:
    """Logits of K networks: x of shape (K, n, d) or (n, d) -> (K, n, c)."""
    w1, b1, w2, b2 = params  # (K, h, d), (K, h), (K, c, h), (K, c)
    hidden = torch.relu(torch.matmul(x, w1.transpose(1, 2)) + b1[:, None, :])
    return hidden @ w2.transpose(1, 2) + b2[:, None, :]


def _mean_cross_entropy(logits: Tensor, labels: Tensor) -> Tensor:
    """Per-run mean cross-entropy: logits (K, n, c), labels (K, n) or (n,) -> (K,)."""
    K, n, c = logits.shape
    labels = labels.expand(K, n) if labels.ndim == 1 else labels
    return F.cross_entropy(logits.reshape(K * n, c), labels.reshape(-1), reduction="none").view(K, n).mean(1)


def _adam_loop(params: list[Tensor], x: Tensor, y: Tensor, *, steps: int, lr: float, batch_size: int,
               weight_decay: float, gen: torch.Generator) -> None:
    """Adam on the stacked parameters; run k sees only its own minibatches and its own loss."""
    n_runs, n = params[0].shape[0], x.shape[0]
    opt = torch.optim.Adam(params, lr=lr, weight_decay=weight_decay)
    for _ in range(steps):
        idx = torch.randint(0, n, (n_runs, batch_size), generator=gen)  # each run its own minibatch
        loss = _mean_cross_entropy(_forward(params, x[idx]), y[idx]).sum()  # the sum: run k gets its own gradient
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()


def train_mlp_ensemble(
    data: Split,
    hidden: int,
    n_runs: int,
    *,
    steps: int = 1000,
    lr: float = 1e-2,
    batch_size: int = 100,
    weight_decay: float = 1e-4,
    seed: int = 0,
    threads: int | None = 1,
) -> EnsembleResult:
    r"""Train ``n_runs`` networks $d \to h \to c$ (ReLU) from independent initialisations at once.

    Args:
        data: a :class:`~landscape_lib.data.Split` with float inputs (n, d) and int64 labels.
        hidden: hidden width h.
        n_runs: K, the number of independent runs (initialisation seeds ``seed + 0..K-1``).
        steps: Adam steps (Kingma & Ba 2015).
        lr: learning rate.
        batch_size: minibatch size; every run draws its own minibatches.
        weight_decay: L2 coefficient added to the gradient (``torch.optim.Adam``'s convention).
        seed: base seed of the initialisations and of the minibatch sampler.
        threads: PyTorch threads during training (small steps: one thread is fastest on a busy
            machine; see :func:`landscape_lib.threads.torch_threads`).

    Returns:
        An :class:`EnsembleResult`.

    Reference:
        Choromanska et al. (2015), "The loss surfaces of multilayer networks", AISTATS, §5.
    """
    fn = "train_mlp_ensemble"
    for arg, value in (("hidden", hidden), ("n_runs", n_runs), ("steps", steps), ("batch_size", batch_size)):
        check_positive(value, fn=fn, arg=arg, integer=True)
    check_positive(lr, fn=fn, arg="lr")
    if not isinstance(data, Split):
        raise TypeError(f"{fn}: argument `data` must be a landscape_lib.data.Split, got {type(data).__name__}")
    x, y = data.x_train, data.y_train
    d = x.shape[1]
    c = int(torch.cat([data.y_train, data.y_test]).max()) + 1
    nets = [mlp((d, hidden, c), dtype=x.dtype, seed=seed + k) for k in range(n_runs)]
    params = [torch.stack([dict(net.named_parameters())[name].detach() for net in nets]).requires_grad_(True)
              for name in ("0.weight", "0.bias", "2.weight", "2.bias")]
    gen = torch.Generator().manual_seed(seed)
    with torch_threads(threads):
        _adam_loop(params, x, y, steps=steps, lr=lr, batch_size=batch_size, weight_decay=weight_decay, gen=gen)
    with torch.no_grad():
        train_loss = _mean_cross_entropy(_forward(params, x), y)
        test_logits = _forward(params, data.x_test)
        test_loss = _mean_cross_entropy(test_logits, data.y_test)
        test_error = (test_logits.argmax(-1) != data.y_test).to(x.dtype).mean(1)
        theta = torch.cat([p.detach().reshape(n_runs, -1) for p in params], dim=1)
    return EnsembleResult(hidden, train_loss, test_loss, test_error, theta)
