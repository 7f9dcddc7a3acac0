r"""Deep linear networks $\Phi(x) = W_K\cdots W_1x$: their symmetry group and its components.

For a linear network the loss depends on $\theta=(W_1,\dots,W_K)$ only through the product
$W_K\cdots W_1$, so for every invertible $G$ of the size of hidden layer $k$,

$$ (W_k, W_{k+1}) \;\mapsto\; (G\,W_k,\; W_{k+1}G^{-1}) $$

leaves the function unchanged: the flat sets of solutions are orbits of $GL(n_k)$
(Freeman & Bruna 2017, §2.2).  $GL(n)$ has two connected components, $\det G>0$ ($GL^+$) and
$\det G<0$.  When every hidden width equals the input and output width $n$, a solution of an
invertible target $A$ has $\det W_1 \ne 0$ everywhere on the low sublevel sets, so the sign of
$\det W_1$ cannot change along a path inside them: the level set has (at least) two components
(:func:`det_sign`).  One more hidden unit removes the obstruction (Prop. 2.2: $n_j > \min(n_1, n_K)$):
:func:`rotation_path` walks around it inside a single orbit.

The rank floor: every path from $\det W_1>0$ to $\det W_1<0$ crosses $\det W_1 = 0$, where the
product has rank $<n$ and the loss is at least the reduced-rank regression optimum
(:func:`reduced_rank_floor`, Baldi & Hornik 1989).
"""

from __future__ import annotations

import math

import torch
from torch import Tensor, nn

from ..validation import check_finite, check_tensor
from .symmetries import _blocks, _check_theta, _hidden_pair, _write, mlp_layout


def half_squared_error(outputs: Tensor, targets: Tensor) -> Tensor:
    r"""$\frac{1}{2n}\sum_i \lVert \hat y_i - y_i\rVert^2$ (``vmap``-compatible loss for ``ModuleLandscape``)."""
    return 0.5 * ((outputs - targets) ** 2).sum(-1).mean()


def _check_linear(model: nn.Module, fn: str) -> list:
    slots = mlp_layout(model, fn=fn)
    for i, slot in enumerate(slots):
        if slot.bias is not None or any(not isinstance(a, nn.Identity) for a in slot.activations):
            raise ValueError(f"{fn}: argument `model` must be a deep linear network (no biases, no activations); "
                             f"layer {i} has {'a bias' if slot.bias is not None else 'a non-linear activation'}")
    return slots


def end_to_end(model: nn.Module, theta: Tensor) -> Tensor:
    r"""The product $W_K\cdots W_1$ of a deep linear network: (n_out, n_in), or (K, n_out, n_in) for a batch."""
    fn = "end_to_end"
    slots = _check_linear(model, fn)
    theta = _check_theta(model, theta, fn)
    batch = theta.reshape(-1, theta.shape[-1])
    product = _blocks(batch, slots[0])[0]
    for slot in slots[1:]:
        product = _blocks(batch, slot)[0] @ product
    return product[0] if theta.ndim == 1 else product


def det_sign(model: nn.Module, theta: Tensor, *, layer: int = 0) -> Tensor:
    r"""$\operatorname{sign}\det W$ of the (square) weight matrix of ``nn.Linear`` number ``layer``.

    Returns a float tensor of $\pm1$ (0 for a singular matrix): a scalar, or shape (K,) for a batch.
    """
    fn = "det_sign"
    slots = mlp_layout(model, fn=fn)
    theta = _check_theta(model, theta, fn)
    if isinstance(layer, bool) or not isinstance(layer, int) or not 0 <= layer < len(slots):
        raise ValueError(f"{fn}: argument `layer` must be a layer index in 0..{len(slots) - 1}, got {layer!r}")
    slot = slots[layer]
    if slot.n_in != slot.n_out:
        raise ValueError(f"{fn}: layer {layer} has a {slot.n_out} x {slot.n_in} weight; a determinant needs a square one")
    w = _blocks(theta.reshape(-1, theta.shape[-1]), slot)[0]
    signs = torch.sign(torch.linalg.det(w))
    return signs[0] if theta.ndim == 1 else signs


def act_on_hidden(model: nn.Module, theta: Tensor, G: Tensor, *, layer: int = 0) -> Tensor:
    r"""The $GL(n_k)$ action $(W_k, b_k, W_{k+1}) \mapsto (GW_k,\ Gb_k,\ W_{k+1}G^{-1})$ on hidden layer ``layer``.

    Preserves the function when the activation after that layer is the identity (any invertible
    $G$), or ReLU with $G$ a positive diagonal matrix times a permutation.

    Args:
        model: the MLP (the activation after ``layer`` must be ``nn.Identity``).
        theta: parameters (P,) or (K, P).
        G: an invertible (width, width) matrix.
    """
    fn = "act_on_hidden"
    theta = _check_theta(model, theta, fn)
    this, nxt = _hidden_pair(model, layer, fn)
    if any(not isinstance(a, nn.Identity) for a in this.activations):
        raise ValueError(f"{fn}: hidden layer {layer} is not linear; the GL action preserves the function only for "
                         "linear layers (use permute_hidden / rescale_hidden for ReLU)")
    G = check_finite(check_tensor(G, fn=fn, arg="G"), fn=fn, arg="G").to(theta.dtype)
    if tuple(G.shape) != (this.n_out, this.n_out):
        raise ValueError(f"{fn}: argument `G` must have shape ({this.n_out}, {this.n_out}), got {tuple(G.shape)}")
    if abs(float(torch.linalg.det(G))) < 1e-12:
        raise ValueError(f"{fn}: argument `G` must be invertible, got det G = {float(torch.linalg.det(G)):.3g}")
    batch = theta.reshape(-1, theta.shape[-1])
    out = batch.clone()
    w, b = _blocks(batch, this)
    _write(out, this, G @ w, None if b is None else b @ G.T)
    w2, b2 = _blocks(batch, nxt)
    _write(out, nxt, w2 @ torch.linalg.inv(G), b2)
    return out.reshape(theta.shape)


def rotation(angle: float, n: int, i: int, j: int, dtype: torch.dtype = torch.float64) -> Tensor:
    r"""The $n\times n$ rotation by ``angle`` in the plane of coordinates $i, j$ (an element of $SO(n)\subset GL^+(n)$)."""
    R = torch.eye(n, dtype=dtype)
    c, s = math.cos(angle), math.sin(angle)
    R[i, i], R[i, j], R[j, i], R[j, j] = c, -s, s, c
    return R


def rotation_path(model: nn.Module, theta: Tensor, *, layer: int = 0, units: tuple[int, int] = (0, 1),
                  angle: float = math.pi, n_points: int = 33) -> Tensor:
    r"""A path along the $GL^+$ orbit of ``theta``: $\theta(s) = R(s)\cdot\theta$, $s\in[0,$ ``angle``$]$.

    $R(s)$ rotates hidden units ``units`` of layer ``layer`` into each other (:func:`rotation`).
    Every point computes the same function as ``theta``, so the loss is constant along the path.
    With ``angle = pi`` the two units end up negated: for a width-2 layer, the path joins
    $(W_1, W_2)$ to $(-W_1, -W_2)$ -- the two branches that are *separate* for width 1.

    Returns:
        Shape (n_points, P), first row ``theta``.
    """
    fn = "rotation_path"
    theta = _check_theta(model, theta, fn)
    if theta.ndim != 1:
        raise ValueError(f"{fn}: argument `theta` must be one point of shape (P,), got {tuple(theta.shape)}")
    this, _ = _hidden_pair(model, layer, fn)
    i, j = units
    if not (0 <= i < this.n_out and 0 <= j < this.n_out and i != j):
        raise ValueError(f"{fn}: argument `units` must be two different unit indices below {this.n_out}, got {units}")
    if isinstance(n_points, bool) or not isinstance(n_points, int) or n_points < 2:
        raise ValueError(f"{fn}: argument `n_points` must be an integer >= 2, got {n_points!r}")
    angles = torch.linspace(0.0, angle, n_points, dtype=torch.float64).tolist()
    return torch.stack([act_on_hidden(model, theta, rotation(a, this.n_out, i, j, theta.dtype), layer=layer)
                        for a in angles])


def reduced_rank_floor(inputs: Tensor, targets: Tensor, rank: int) -> float:
    r"""$\min_{\operatorname{rank}M\le r}\frac{1}{2n}\lVert Y - MX\rVert^2 = \tfrac12\big(\operatorname{tr}\Sigma_{YY} - \sum_{i\le r}\lambda_i\big)$.

    $\Sigma = \Sigma_{YX}\Sigma_{XX}^{-1}\Sigma_{XY}$ with uncentred second moments (no biases),
    $\lambda_1\ge\lambda_2\ge\dots$ its eigenvalues (Baldi & Hornik 1989).  This is the lowest loss
    of a linear network whose narrowest layer has width $r$, and the loss floor at $\det W_1 = 0$
    for an $n$-$n$-$n$ network with $r = n-1$.

    Args:
        inputs: X, shape (n, d_in); targets: Y, shape (n, d_out); rank: r >= 0.
    """
    fn = "reduced_rank_floor"
    for name, t in (("inputs", inputs), ("targets", targets)):
        check_finite(check_tensor(t, fn=fn, arg=name), fn=fn, arg=name)
        if t.ndim != 2:
            raise ValueError(f"{fn}: argument `{name}` must have shape (n, d), got {tuple(t.shape)}")
    if len(inputs) != len(targets):
        raise ValueError(f"{fn}: `inputs` and `targets` must hold the same number of samples, got {len(inputs)} and {len(targets)}")
    if isinstance(rank, bool) or not isinstance(rank, int) or rank < 0:
        raise ValueError(f"{fn}: argument `rank` must be an integer >= 0, got {rank!r}")
    n = len(inputs)
    sxx, syx, syy = inputs.T @ inputs / n, targets.T @ inputs / n, targets.T @ targets / n
    sigma = syx @ torch.linalg.solve(sxx, syx.T)
    eig = torch.linalg.eigvalsh(sigma).flip(0)
    return float(0.5 * (torch.trace(syy) - eig[:rank].sum()))
