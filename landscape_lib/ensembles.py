r"""Many small networks trained at once: the network side of Choromanska et al.'s spin-glass analogy.

Choromanska, Henaff, Mathieu, Ben Arous & LeCun (2015) map the loss of a ReLU network onto a
spherical spin glass and predict that, as the network grows, the losses reached by independent
training runs concentrate in a narrow band (as the energies of GD endpoints do in the p-spin
model).  :func:`train_mlp_ensemble` measures that: K ReLU networks $64 \to h \to 10$ (or with
``depth`` hidden layers of width h, $64 \to h \to \dots \to h \to 10$; initialised as
:func:`landscape_lib.models.mlp` with seeds 0..K-1) are trained
with Adam on cross-entropy, each on its *own* random minibatches, as one stacked computation:
the K weight matrices form tensors of shape (K, ...) and every layer is one batched matrix product.

In Choromanska et al.'s map the degree of the spin glass is the number of *weight layers*: a
network with ``depth`` hidden layers has ``depth + 1`` weight layers, so $p = $ ``depth + 1``.  A
one-hidden-layer network is $p = 2$, the spherical 2-spin model, which has only $2N$ critical
points and no glassy band; $p = 3$ needs two hidden layers.
(:func:`landscape_lib.training.descend` does the same for any ``ModuleLandscape`` through
``torch.func.vmap``; this hand-written version of one architecture is about ten times faster,
which matters for a one-minute lecture.)
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import Tensor

from .validation import check_positive
from .data import Split
from .models import mlp
from .threads import torch_threads


@dataclass(frozen=True)
class EnsembleResult:
    """What :func:`train_mlp_ensemble` returns; every tensor has one entry per run (shape (K,)).

    Attributes:
        hidden: the hidden width h.
        depth: the number of hidden layers (Choromanska et al.'s p is ``depth + 1``).
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
    depth: int = 1

    @property
    def spin_glass_p(self) -> int:
        """The degree p of Choromanska et al.'s spin glass: the number of weight layers."""
        return self.depth + 1


def _forward(params: list[Tensor], x: Tensor) -> Tensor:
    """Logits of K networks: x of shape (K, n, d) or (n, d) -> (K, n, c).

    ``params`` alternates weights (K, out, in) and biases (K, out); ReLU after every layer but the last.
    """
    out = x
    n_layers = len(params) // 2
    for i in range(n_layers):
        w, b = params[2 * i], params[2 * i + 1]
        out = torch.matmul(out, w.transpose(1, 2)) + b[:, None, :]
        if i < n_layers - 1:
            out = torch.relu(out)
    return out


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
    depth: int = 1,
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
        depth: number of hidden layers, each of width h (Choromanska et al.'s p is ``depth + 1``).

    Returns:
        An :class:`EnsembleResult`.

    Reference:
        Choromanska et al. (2015), "The loss surfaces of multilayer networks", AISTATS, §5.
    """
    fn = "train_mlp_ensemble"
    for arg, value in (("hidden", hidden), ("n_runs", n_runs), ("steps", steps), ("batch_size", batch_size),
                       ("depth", depth)):
        check_positive(value, fn=fn, arg=arg, integer=True)
    check_positive(lr, fn=fn, arg="lr")
    if not isinstance(data, Split):
        raise TypeError(f"{fn}: argument `data` must be a landscape_lib.data.Split, got {type(data).__name__}")
    x, y = data.x_train, data.y_train
    d = x.shape[1]
    c = int(torch.cat([data.y_train, data.y_test]).max()) + 1
    widths = (d, *([hidden] * depth), c)
    nets = [mlp(widths, dtype=x.dtype, seed=seed + k) for k in range(n_runs)]
    names = [name for name, _ in nets[0].named_parameters()]  # weight, bias of each Linear, in order
    params = [torch.stack([dict(net.named_parameters())[name].detach() for net in nets]).requires_grad_(True)
              for name in names]
    gen = torch.Generator().manual_seed(seed)
    with torch_threads(threads):
        _adam_loop(params, x, y, steps=steps, lr=lr, batch_size=batch_size, weight_decay=weight_decay, gen=gen)
    with torch.no_grad():
        train_loss = _mean_cross_entropy(_forward(params, x), y)
        test_logits = _forward(params, data.x_test)
        test_loss = _mean_cross_entropy(test_logits, data.y_test)
        test_error = (test_logits.argmax(-1) != data.y_test).to(x.dtype).mean(1)
        theta = torch.cat([p.detach().reshape(n_runs, -1) for p in params], dim=1)
    return EnsembleResult(hidden, train_loss, test_loss, test_error, theta, depth)
