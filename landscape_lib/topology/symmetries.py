r"""Symmetries of multilayer perceptrons, as maps on flat parameter vectors.

A fully connected network $f_\theta(x) = W_K\,\rho(W_{K-1}\cdots\rho(W_1x+b_1)\cdots+b_{K-1})+b_K$
with an *elementwise* non-linearity $\rho$ computes the same function at many parameter vectors
(Freeman & Bruna 2017, §2.3; the starting point of permutation alignment, Ainsworth et al. 2023):

* **permutation** of the units of hidden layer $k$ by $\pi$: $W_k \to P_\pi W_k$,
  $b_k \to P_\pi b_k$, $W_{k+1} \to W_{k+1}P_\pi^\top$ -- for every elementwise $\rho$, because
  $\rho(P_\pi z) = P_\pi\rho(z)$;
* **positive rescaling** of unit $i$ of hidden layer $k$ by $c_i > 0$: row $i$ of $W_k$ and
  $b_{k,i}$ times $c_i$, column $i$ of $W_{k+1}$ times $1/c_i$ -- only for a *positively
  homogeneous* $\rho$ ($\rho(cz) = c\rho(z)$ for $c>0$: ReLU, leaky ReLU, identity);
* **adding units** whose outgoing weights are zero (any $\rho$): a function-preserving way to
  embed a network into a wider one.

All maps act on the flat vector $\theta$ of :class:`~landscape_lib.landscape.ModuleLandscape`
(the order of ``model.named_parameters()``), on one point (P,) or a batch (K, P), for any
``nn.Sequential`` of ``nn.Linear`` layers (with or without biases) and parameter-free elementwise
activations.  Hidden layers are numbered from 0: ``layer=k`` is the output of the (k+1)-th
``nn.Linear``.
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from dataclasses import dataclass

import torch
from torch import Tensor, nn
from torch.func import functional_call, vmap

from ..validation import check_finite, check_tensor, describe

#: Parameter-free activations that act entrywise (so permuting units commutes with them).
ELEMENTWISE = (nn.ReLU, nn.LeakyReLU, nn.Identity, nn.Tanh, nn.Sigmoid, nn.GELU, nn.ELU, nn.SiLU, nn.Softplus,
               nn.Hardtanh, nn.ReLU6, nn.Softsign, nn.Tanhshrink)
#: Activations with rho(c z) = c rho(z) for every c > 0 (so positive rescaling preserves the function).
POSITIVELY_HOMOGENEOUS = (nn.ReLU, nn.LeakyReLU, nn.Identity)


@dataclass(frozen=True)
class LinearSlot:
    """Where one ``nn.Linear`` of an MLP lives inside the flat parameter vector θ.

    Attributes:
        weight: slice of θ holding the (n_out, n_in) weight, row-major.
        bias: slice of θ holding the bias, or ``None`` for a layer without bias.
        n_in, n_out: the layer's input and output widths.
        activations: the modules applied after this layer, before the next ``nn.Linear``.
    """

    weight: slice
    bias: slice | None
    n_in: int
    n_out: int
    activations: tuple[nn.Module, ...]


def mlp_layout(model: nn.Module, *, fn: str = "mlp_layout") -> list[LinearSlot]:
    """The layers of an ``nn.Sequential`` MLP and where their parameters sit in θ.

    Raises:
        TypeError: ``model`` is not an ``nn.Sequential``.
        ValueError: a module is neither ``nn.Linear`` nor a parameter-free elementwise activation,
            the widths do not chain, or there is no ``nn.Linear``.
    """
    if not isinstance(model, nn.Sequential):
        raise TypeError(f"{fn}: argument `model` must be an nn.Sequential MLP, got {describe(model)}")
    offsets, start = {}, 0
    for name, p in model.named_parameters():
        offsets[name] = slice(start, start + p.numel())
        start += p.numel()
    slots: list[LinearSlot] = []
    pending: list[nn.Module] = []
    for name, module in model.named_children():
        if isinstance(module, nn.Linear):
            if slots:
                slots[-1] = LinearSlot(**{**slots[-1].__dict__, "activations": tuple(pending)})
                if slots[-1].n_out != module.in_features:
                    raise ValueError(f"{fn}: layer {name!r} takes {module.in_features} inputs but the previous "
                                     f"nn.Linear gives {slots[-1].n_out}")
            pending = []
            slots.append(LinearSlot(offsets[f"{name}.weight"], offsets.get(f"{name}.bias"),
                                    module.in_features, module.out_features, ()))
        elif isinstance(module, ELEMENTWISE) and not any(True for _ in module.parameters()):
            pending.append(module)
        else:
            raise ValueError(f"{fn}: module {name!r} ({type(module).__name__}) of `model` is neither nn.Linear nor "
                             f"a parameter-free elementwise activation ({', '.join(c.__name__ for c in ELEMENTWISE)})")
    if not slots:
        raise ValueError(f"{fn}: argument `model` has no nn.Linear layer")
    slots[-1] = LinearSlot(**{**slots[-1].__dict__, "activations": tuple(pending)})
    return slots


def n_parameters(model: nn.Module) -> int:
    """P, the length of the flat parameter vector of ``model``."""
    return sum(p.numel() for p in model.parameters())


def hidden_widths(model: nn.Module) -> list[int]:
    """Widths of the hidden layers of an MLP (``[3]`` for a 2-3-2 network)."""
    return [slot.n_out for slot in mlp_layout(model, fn="hidden_widths")[:-1]]


def _check_theta(model: nn.Module, theta: object, fn: str) -> Tensor:
    theta = check_tensor(theta, fn=fn, arg="theta")
    P = n_parameters(model)
    if theta.ndim not in (1, 2) or theta.shape[-1] != P:
        raise ValueError(f"{fn}: argument `theta` must have shape (P,) or (K, P) with P = {P} for this model, "
                         f"got shape {tuple(theta.shape)}")
    if not theta.is_floating_point():
        raise TypeError(f"{fn}: argument `theta` must be a floating tensor, got dtype {theta.dtype}")
    return check_finite(theta, fn=fn, arg="theta")


def _hidden_pair(model: nn.Module, layer: object, fn: str) -> tuple[LinearSlot, LinearSlot]:
    slots = mlp_layout(model, fn=fn)
    n_hidden = len(slots) - 1
    if isinstance(layer, bool) or not isinstance(layer, int) or not 0 <= layer < n_hidden:
        raise ValueError(f"{fn}: argument `layer` must be a hidden-layer index in 0..{n_hidden - 1} "
                         f"(this model has {n_hidden} hidden layer(s)), got {layer!r}")
    return slots[layer], slots[layer + 1]


def _blocks(theta: Tensor, slot: LinearSlot) -> tuple[Tensor, Tensor | None]:
    """Views (K, n_out, n_in) and (K, n_out) of a layer's weight and bias inside a (K, P) batch."""
    w = theta[:, slot.weight].reshape(len(theta), slot.n_out, slot.n_in)
    b = None if slot.bias is None else theta[:, slot.bias]
    return w, b


def _write(theta: Tensor, slot: LinearSlot, w: Tensor, b: Tensor | None) -> None:
    theta[:, slot.weight] = w.reshape(len(theta), -1)
    if slot.bias is not None:
        theta[:, slot.bias] = b


def permute_hidden(model: nn.Module, theta: Tensor, perm: Sequence[int] | Tensor, *, layer: int = 0) -> Tensor:
    r"""Reorder the units of hidden layer ``layer``: new unit $i$ is old unit ``perm[i]``.

    $W_k \to W_k[\pi]$, $b_k \to b_k[\pi]$, $W_{k+1} \to W_{k+1}[:, \pi]$.  The network's function is
    unchanged for every elementwise activation.

    Args:
        model: the ``nn.Sequential`` MLP that ``theta`` parametrises (only its layout is read).
        theta: parameters, shape (P,) or (K, P); not modified.
        perm: a permutation of ``range(width)``.
        layer: hidden-layer index (0 = after the first ``nn.Linear``).

    Returns:
        The permuted parameters, of the shape of ``theta``.

    Example:
        >>> from landscape_lib.models import mlp
        >>> net = mlp((2, 3, 2), bias=False)
        >>> theta = torch.arange(12, dtype=torch.float64)
        >>> permute_hidden(net, theta, [1, 0, 2])[:6]
        tensor([2., 3., 0., 1., 4., 5.], dtype=torch.float64)
    """
    fn = "permute_hidden"
    theta = _check_theta(model, theta, fn)
    this, nxt = _hidden_pair(model, layer, fn)
    perm_t = torch.as_tensor(perm) if not isinstance(perm, Tensor) else perm
    if perm_t.ndim != 1 or perm_t.dtype in (torch.bool,) or perm_t.is_floating_point() or \
            sorted(perm_t.tolist()) != list(range(this.n_out)):
        raise ValueError(f"{fn}: argument `perm` must be a permutation of range({this.n_out}) (the width of hidden "
                         f"layer {layer}), got {perm_t.tolist() if perm_t.numel() < 20 else describe(perm_t)}")
    perm_t = perm_t.long()
    batch = theta.reshape(-1, theta.shape[-1])
    out = batch.clone()
    w, b = _blocks(batch, this)
    _write(out, this, w[:, perm_t], None if b is None else b[:, perm_t])
    w2, b2 = _blocks(batch, nxt)
    _write(out, nxt, w2[:, :, perm_t], b2)
    return out.reshape(theta.shape)


def permute_all(model: nn.Module, theta: Tensor, perms: Sequence[Sequence[int] | Tensor | None]) -> Tensor:
    """Apply one permutation per hidden layer (``None`` leaves a layer as it is)."""
    n_hidden = len(hidden_widths(model))
    if len(perms) != n_hidden:
        raise ValueError(f"permute_all: argument `perms` must hold one entry per hidden layer ({n_hidden}), "
                         f"got {len(perms)}")
    for layer, perm in enumerate(perms):
        if perm is not None:
            theta = permute_hidden(model, theta, perm, layer=layer)
    return theta


def rescale_hidden(model: nn.Module, theta: Tensor, scale: float | Sequence[float] | Tensor, *,
                   layer: int = 0) -> Tensor:
    r"""Multiply unit $i$'s incoming weights and bias by $c_i>0$ and its outgoing weights by $1/c_i$.

    $W_k \to \mathrm{diag}(c)W_k$, $b_k \to \mathrm{diag}(c)b_k$,
    $W_{k+1} \to W_{k+1}\mathrm{diag}(c)^{-1}$.  Since $\rho(c z) = c\rho(z)$ for $c>0$ (ReLU), the
    function is unchanged; this is the "positive diagonal rescaling" of Freeman & Bruna's flat
    sets for ReLU networks.

    Args:
        model: the MLP; the activations after layer ``layer`` must be positively homogeneous
            (ReLU, leaky ReLU or identity).
        theta: parameters, shape (P,) or (K, P); not modified.
        scale: one positive number for every unit, or one per unit (shape (width,)).
        layer: hidden-layer index.

    Returns:
        The rescaled parameters, of the shape of ``theta``.
    """
    fn = "rescale_hidden"
    theta = _check_theta(model, theta, fn)
    this, nxt = _hidden_pair(model, layer, fn)
    bad = [type(a).__name__ for a in this.activations if not isinstance(a, POSITIVELY_HOMOGENEOUS)]
    if bad:
        raise ValueError(f"{fn}: hidden layer {layer} uses {', '.join(bad)}, which is not positively homogeneous; "
                         "rescaling preserves the function only for ReLU, LeakyReLU or Identity")
    c = torch.as_tensor(scale, dtype=theta.dtype, device=theta.device)
    if c.ndim == 0:
        c = c.expand(this.n_out)
    if c.shape != (this.n_out,) or not bool(torch.isfinite(c).all()) or not bool((c > 0).all()):
        raise ValueError(f"{fn}: argument `scale` must be a positive finite number or {this.n_out} of them "
                         f"(the width of hidden layer {layer}), got {c.tolist() if c.numel() < 20 else describe(c)}")
    batch = theta.reshape(-1, theta.shape[-1])
    out = batch.clone()
    w, b = _blocks(batch, this)
    _write(out, this, w * c[None, :, None], None if b is None else b * c)
    w2, b2 = _blocks(batch, nxt)
    _write(out, nxt, w2 / c[None, None, :], b2)
    return out.reshape(theta.shape)


def add_hidden_units(model: nn.Module, theta: Tensor, n_new: int, *, layer: int = 0,
                     incoming: Tensor | None = None) -> tuple[nn.Sequential, Tensor]:
    r"""Embed the network into one with ``n_new`` more units in hidden layer ``layer``, same function.

    The new units get the incoming weights ``incoming`` (default zero; their biases are zero) and
    **zero outgoing weights**, so the output does not depend on them, for every activation.  A
    non-zero ``incoming`` matters for training: a unit with zero incoming *and* outgoing weights
    receives zero gradient (a saddle), one with random incoming weights does not.

    Args:
        model: the MLP; it is not modified (a widened deep copy is returned).
        theta: parameters of ``model``, shape (P,) or (K, P).
        n_new: number of units to add (>= 1), appended after the existing ones.
        layer: hidden-layer index.
        incoming: weights of the new units, shape (n_new, n_in) (shared by a batch), or ``None``.

    Returns:
        ``(wider_model, wider_theta)``.
    """
    fn = "add_hidden_units"
    theta = _check_theta(model, theta, fn)
    this, _ = _hidden_pair(model, layer, fn)
    if isinstance(n_new, bool) or not isinstance(n_new, int) or n_new < 1:
        raise ValueError(f"{fn}: argument `n_new` must be an integer >= 1, got {n_new!r}")
    if incoming is None:
        incoming = torch.zeros(n_new, this.n_in, dtype=theta.dtype, device=theta.device)
    check_tensor(incoming, fn=fn, arg="incoming")
    if tuple(incoming.shape) != (n_new, this.n_in):
        raise ValueError(f"{fn}: argument `incoming` must have shape ({n_new}, {this.n_in}), got {tuple(incoming.shape)}")
    wider = copy.deepcopy(model)
    linears = [m for m in wider if isinstance(m, nn.Linear)]
    first, second = linears[layer], linears[layer + 1]
    factory = dict(dtype=first.weight.dtype, device=first.weight.device)
    for idx, old in enumerate(list(wider)):
        if old is first:
            wider[idx] = nn.Linear(first.in_features, first.out_features + n_new, bias=first.bias is not None, **factory)
        elif old is second:
            wider[idx] = nn.Linear(second.in_features + n_new, second.out_features, bias=second.bias is not None, **factory)
    batch = theta.reshape(-1, theta.shape[-1])
    K = len(batch)
    pieces = []
    for i, slot in enumerate(mlp_layout(model, fn=fn)):
        w, b = _blocks(batch, slot)
        if i == layer:
            w = torch.cat([w, incoming.to(theta.dtype).expand(K, -1, -1)], dim=1)
            b = None if b is None else torch.cat([b, b.new_zeros(K, n_new)], dim=1)
        elif i == layer + 1:
            w = torch.cat([w, w.new_zeros(K, slot.n_out, n_new)], dim=2)
        pieces.append(w.reshape(K, -1))
        if b is not None:
            pieces.append(b)
    wide_theta = torch.cat(pieces, dim=1)
    return wider, wide_theta.reshape(*theta.shape[:-1], -1)


def network_outputs(model: nn.Module, theta: Tensor, inputs: Tensor) -> Tensor:
    r"""$f_\theta(X)$: the outputs of ``model`` with parameters ``theta`` (P,) or a batch (K, P).

    Returns shape (n, n_out), or (K, n, n_out) for a batch.  The model itself is not modified.
    """
    fn = "network_outputs"
    theta = _check_theta(model, theta, fn)
    check_tensor(inputs, fn=fn, arg="inputs")
    names = [name for name, _ in model.named_parameters()]
    shapes = [p.shape for _, p in model.named_parameters()]
    numels = [p.numel() for _, p in model.named_parameters()]

    def single(t: Tensor) -> Tensor:
        params = {n: piece.view(s) for n, piece, s in zip(names, torch.split(t, numels), shapes)}
        return functional_call(model, params, (inputs,))

    return single(theta) if theta.ndim == 1 else vmap(single)(theta)
