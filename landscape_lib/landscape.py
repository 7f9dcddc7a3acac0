r"""The landscape abstraction: a loss $F:\mathbb{R}^P\to\mathbb{R}$ of one flat parameter vector.

Every object of the course -- a 2-D toy, a p-spin Hamiltonian, a trained network on a data
set -- is seen the same way: a function of a point $\theta\in\mathbb{R}^P$.  Level sets
$\Omega_F(\lambda)=\{\theta : F(\theta)\le\lambda\}$, paths, barriers and Hessians are then
defined once, for all of them (Freeman & Bruna 2017, §2).

A :class:`Landscape` evaluates

* one point, ``theta`` of shape ``(P,)`` -> a scalar tensor, or
* a batch, ``theta`` of shape ``(K, P)`` -> a tensor of shape ``(K,)``, in **one** vectorised call
  (``torch.func.vmap`` over the stacked points, in chunks of ``chunk_size`` to bound memory),

and gives gradients, Hessian-vector products and (for small P) the dense Hessian.

Two concrete kinds:

* :class:`AnalyticLandscape` wraps a formula ``fn(theta) -> scalar`` written with torch ops;
* :class:`ModuleLandscape` wraps any ``torch.nn.Module`` with data and a loss: the module's
  parameters are swapped in with ``torch.func.functional_call``, so nothing is copied per point.
"""

from __future__ import annotations

import copy
import math
from collections.abc import Callable

import torch
from torch import Tensor, nn
from torch.func import functional_call, grad, jacrev, vjp, vmap

from .validation import (check_device, check_finite, check_float_dtype, check_memory, check_points,
                         check_tensor, describe)


class Landscape:
    """Base class of every landscape: ``F(theta)`` for ``theta`` of shape (P,) or (K, P).

    Subclasses implement :meth:`_loss_single`, the loss of one point as a scalar tensor, with
    operations that ``torch.func.vmap`` can batch.

    Args:
        dim: P, the number of parameters.
        dtype: the floating dtype that points must have (float64 by default: the course checks
            closed forms to tight tolerances).
        device: the device that points must live on.
        chunk_size: evaluate a batch ``chunk_size`` points at a time (``None``: all at once).
        name: a short name used in plots and messages.
    """

    def __init__(
        self,
        dim: int,
        *,
        dtype: torch.dtype = torch.float64,
        device: torch.device | str = "cpu",
        chunk_size: int | None = None,
        name: str = "F",
    ) -> None:
        owner = type(self).__name__
        if isinstance(dim, bool) or not isinstance(dim, int) or dim < 1:
            raise ValueError(f"{owner}: argument `dim` must be an integer >= 1, got {dim!r}")
        check_float_dtype(dtype, fn=owner)
        device = check_device(device, fn=owner)
        if chunk_size is not None and (isinstance(chunk_size, bool) or not isinstance(chunk_size, int) or chunk_size < 1):
            raise ValueError(
                f"{type(self).__name__}: argument `chunk_size` must be None or an integer >= 1, "
                f"got {chunk_size!r}"
            )
        self.dim = dim
        self.dtype = dtype
        self.device = torch.device(device)
        self.chunk_size = chunk_size
        self.name = name

    # -- to be provided by subclasses ------------------------------------------------------
    def _loss_single(self, theta: Tensor) -> Tensor:
        raise NotImplementedError

    # -- evaluation --------------------------------------------------------------------------
    def check(self, theta: object, *, fn: str = "Landscape", arg: str = "theta") -> Tensor:
        """Validate a point or batch of points (type, shape, dtype, device, finiteness, not empty)."""
        return check_points(theta, dim=self.dim, dtype=self.dtype, device=self.device, fn=fn, arg=arg)

    #: The constructor argument that defines F (named in errors about its values).
    _formula_arg = "fn"

    def check_values(self, values: Tensor, theta: Tensor, *, fn: str) -> Tensor:
        """Check what F returned at ``theta`` at a public entry point: one number per point.

        A formula that returns a vector (``lambda t: t ** 2`` instead of ``(t ** 2).sum()``)
        would otherwise give a (K, P) "loss" that every later step silently misreads.
        """
        expected = tuple(theta.shape[:-1])
        if not isinstance(values, Tensor) or tuple(values.shape) != expected:
            got = tuple(values.shape) if isinstance(values, Tensor) else describe(values)
            raise ValueError(
                f"{fn}: the landscape's `{self._formula_arg}` must return one scalar per point, i.e. shape "
                f"{expected} for points of shape {tuple(theta.shape)}, got {got}; reduce it to a number "
                "(e.g. `.sum()` or `.mean()`)"
            )
        return values

    def evaluate_checked(self, theta: Tensor, *, fn: str) -> Tensor:
        """``F`` at already-checked points, with its output checked (once, at a public entry)."""
        try:
            values = self.evaluate(theta)
        except RuntimeError as err:
            if isinstance(err, NotImplementedError):  # an abstract method or a student's stub: keep it as it is
                raise
            raise ValueError(
                f"{fn}: evaluating the landscape's `{self._formula_arg}` at points of shape "
                f"{tuple(theta.shape)} failed: {err}"
            ) from err
        return self.check_values(values, theta, fn=fn)

    def evaluate(self, theta: Tensor) -> Tensor:
        """``F`` without input checks, for inner loops that have already checked their points."""
        if theta.ndim == 1:
            return self._loss_single(theta)
        return self._loss_batch(theta)

    def _loss_batch(self, theta: Tensor) -> Tensor:
        """F at K points (K, P) -> (K,); by default one vectorised call (in chunks)."""
        return vmap(self._loss_single, chunk_size=self.chunk_size)(theta)

    def evaluate_on_segments(self, left: Tensor, right: Tensor, t: Tensor, *, block: int = 256) -> Tensor:
        r"""$F((1-t)\,a_s + t\,b_s)$ for segments $[a_s, b_s]$, without gradients: shape (S, T).

        Args:
            left, right: segment ends, shape (S, P).
            t: positions on the segments, shape (T,) (the same for all) or (S, T).
            block: points per batched call (see :meth:`evaluate_in_blocks`; one call over
                thousands of points is memory-bound, 2-3x slower on a small CPU).
        """
        t = t.expand(len(left), -1) if t.ndim == 1 else t
        points = (1 - t)[..., None] * left[:, None, :] + t[..., None] * right[:, None, :]
        return self.evaluate_in_blocks(points.reshape(-1, left.shape[1]), block=block).reshape(t.shape)

    def evaluate_in_blocks(self, points: Tensor, *, block: int = 256) -> Tensor:
        """``F`` at many points (M, P), without gradients, ``block`` points per batched call
        unless the landscape sets its own ``chunk_size``."""
        with torch.no_grad():
            if self.chunk_size is not None or len(points) <= block:
                return self.evaluate(points)
            return torch.cat([self.evaluate(part) for part in points.split(block)])

    def __call__(self, theta: Tensor) -> Tensor:
        """Loss at ``theta``: shape (P,) gives a scalar, shape (K, P) gives shape (K,)."""
        fn = f"{type(self).__name__}.__call__"
        return self.evaluate_checked(self.check(theta, fn=fn), fn=fn)

    loss = __call__

    def grad(self, theta: Tensor) -> Tensor:
        r"""Gradient $\nabla F(\theta)$, of the same shape as ``theta`` ((P,) or (K, P))."""
        fn = f"{type(self).__name__}.grad"
        theta = self.check(theta, fn=fn)
        try:
            if theta.ndim == 1:
                return grad(self._loss_single)(theta)
            return vmap(grad(self._loss_single), chunk_size=self.chunk_size)(theta)
        except RuntimeError as err:
            if "scalar" not in str(err):
                raise
            raise ValueError(f"{fn}: the landscape's `{self._formula_arg}` must return a scalar for one point "
                             f"of shape (P,) ({err}); reduce it to a number (e.g. `.sum()`)") from err

    def hvp(self, theta: Tensor, v: Tensor) -> Tensor:
        r"""Hessian-vector product $\nabla^2F(\theta)\,v$ by double backpropagation (Pearlmutter 1994).

        $Hv$ is the vector-Jacobian product of the gradient map with $v$ (the Hessian is
        symmetric): it costs a few gradients and never forms the P x P matrix.  (Reverse-over-
        reverse rather than ``jvp``-of-``grad``: the latter trips over ``functional_call`` in
        current PyTorch.)
        ``theta`` and ``v`` have shape (P,), or both (K, P) for K products at K points.
        """
        fn = f"{type(self).__name__}.hvp"
        theta = self.check(theta, fn=fn)
        v = check_points(v, dim=self.dim, dtype=self.dtype, device=self.device, fn=fn, arg="v")
        if v.shape != theta.shape:
            raise ValueError(f"{fn}: `v` must have the shape of `theta` {tuple(theta.shape)}, got {tuple(v.shape)}")

        def single(t: Tensor, u: Tensor) -> Tensor:
            return vjp(grad(self._loss_single), t)[1](u)[0]

        if theta.ndim == 1:
            return single(theta, v)
        return vmap(single, chunk_size=self.chunk_size)(theta, v)

    def hessian(self, theta: Tensor) -> Tensor:
        """Dense P x P Hessian at one point -- only for small P (tests, 2-D toys, tiny nets)."""
        fn = f"{type(self).__name__}.hessian"
        theta = self.check(theta, fn=fn)
        if theta.ndim != 1:
            raise ValueError(f"{fn}: argument `theta` must be one point of shape (P,), got {tuple(theta.shape)}")
        check_memory(3 * self.dim**2, fn=fn, what=f"the dense {self.dim} x {self.dim} Hessian of `theta`",
                     fix="use `hvp` or landscape_lib.curvature (Lanczos) for large P", itemsize=theta.element_size())
        return jacrev(grad(self._loss_single))(theta)  # reverse-over-reverse, like hvp

    def __repr__(self) -> str:
        return f"{type(self).__name__}(name={self.name!r}, dim={self.dim}, dtype={self.dtype})"


class AnalyticLandscape(Landscape):
    """A landscape given by a formula.

    Args:
        fn: ``fn(theta) -> scalar tensor`` for one point ``theta`` of shape (P,), written with
            torch operations (so that ``vmap`` and autograd see through it).
        dim: P.
        extent: optional plotting box ``(xmin, xmax, ymin, ymax)`` for 2-D landscapes.
        name, dtype, device, chunk_size: as in :class:`Landscape`.

    Example:
        >>> bowl = AnalyticLandscape(lambda t: (t ** 2).sum(), dim=2, name="bowl")
        >>> bowl(torch.tensor([[1.0, 2.0], [0.0, 0.0]], dtype=torch.float64))
        tensor([5., 0.], dtype=torch.float64)
    """

    def __init__(
        self,
        fn: Callable[[Tensor], Tensor],
        dim: int,
        *,
        extent: tuple[float, float, float, float] | None = None,
        name: str = "F",
        dtype: torch.dtype = torch.float64,
        device: torch.device | str = "cpu",
        chunk_size: int | None = None,
    ) -> None:
        if not callable(fn):
            raise TypeError(f"AnalyticLandscape: argument `fn` must be callable, got {describe(fn)}")
        if extent is not None:
            if not isinstance(extent, (tuple, list)) or len(extent) != 4:
                raise ValueError(f"AnalyticLandscape: argument `extent` must be (xmin, xmax, ymin, ymax) or None, "
                                 f"got {describe(extent)}")
            bounds = [float(x) for x in extent]
            if not all(map(math.isfinite, bounds)) or bounds[0] >= bounds[1] or bounds[2] >= bounds[3]:
                raise ValueError(f"AnalyticLandscape: argument `extent` must be finite with xmin < xmax and "
                                 f"ymin < ymax, got {extent!r}")
        super().__init__(dim, dtype=dtype, device=device, chunk_size=chunk_size, name=name)
        self.fn = fn
        self.extent = extent

    def _loss_single(self, theta: Tensor) -> Tensor:
        return self.fn(theta)


#: Numbers of activations one vectorised chunk may hold (2**18 float32 = 1 MiB, about an L2 cache).
ACTIVATION_BUDGET = 2**18


def auto_chunk_size(model: nn.Module, inputs: Tensor, budget: int = ACTIVATION_BUDGET) -> int:
    """How many parameter vectors to evaluate per vectorised call of ``model`` on ``inputs``.

    Evaluating K points at once multiplies every activation by K.  Past the cache size the CPU
    waits for memory and a batch gets *slower* than a loop (measured in
    ``benchmarks/bench_interpolation.py``), so chunks are sized to keep
    K x (number of samples) x (widest activation per sample) within ``budget``.  The widest
    activation is measured once, by a forward pass on one sample (hooks on every submodule).
    """
    widest = [1]  # the inputs are shared by all K points: only the outputs of layers count
    hooks = [m.register_forward_hook(lambda _m, _i, out: widest.append(out.numel()) if isinstance(out, Tensor) else None)
             for m in model.modules()]
    try:
        with torch.no_grad():
            model(inputs[:1])
    finally:
        for h in hooks:
            h.remove()
    return max(1, budget // (len(inputs) * max(widest)))


#: Layers a stacked MLP evaluation understands: linear maps and elementwise non-linearities.
ELEMENTWISE = (nn.ReLU, nn.Sigmoid, nn.Tanh, nn.Identity, nn.LeakyReLU, nn.Softplus, nn.GELU, nn.ELU)
STRATEGIES = ("auto", "stacked", "vmap", "loop")


def _mean_over_samples(per_sample: Tensor) -> Tensor:
    return per_sample.reshape(per_sample.shape[0], -1).mean(dim=1)


#: Losses with a direct per-row form for stacked outputs (K, n, ...): the same numbers as
#: ``vmap(loss_fn)`` without its per-call overhead (the default ``reduction="mean"`` only).
ROW_LOSSES: dict[Callable, Callable[[Tensor, Tensor], Tensor]] = {
    nn.functional.mse_loss: lambda out, y: _mean_over_samples((out - y) ** 2),
    nn.functional.l1_loss: lambda out, y: _mean_over_samples((out - y).abs()),
    nn.functional.cross_entropy: lambda out, y: _mean_over_samples(
        -torch.log_softmax(out, dim=-1).gather(-1, y.expand(out.shape[0], *y.shape)[..., None])[..., 0])
    if y.dtype == torch.long and out.ndim == 3 else vmap(nn.functional.cross_entropy, in_dims=(0, None))(out, y),
}


def _first_linear_layer(model: nn.Module) -> int | None:
    """Index of the first layer of an ``nn.Sequential`` holding parameters, if it is linear in them
    (``nn.Linear`` or a convolution) and nothing before it has parameters; else ``None``."""
    if not isinstance(model, nn.Sequential):
        return None
    for index, layer in enumerate(model):
        if any(True for _ in layer.parameters()):
            return index if isinstance(layer, (nn.Linear, nn.Conv1d, nn.Conv2d)) else None
    return None


def is_plain_mlp(model: nn.Module) -> bool:
    """Whether ``model`` is an ``nn.Sequential`` of ``nn.Linear`` layers and elementwise activations."""
    return (isinstance(model, nn.Sequential) and len(model) > 0
            and all(isinstance(m, (nn.Linear, *ELEMENTWISE)) for m in model)
            and any(isinstance(m, nn.Linear) for m in model))


def _check_module_data(model: object, inputs: object, targets: object, loss_fn: object, strategy: object,
                       chunk_size: object, *, fn: str) -> Tensor:
    """Validate the arguments of :class:`ModuleLandscape` (once, at construction); return the first parameter.

    Catches what would otherwise fail obscurely inside the first vectorised call (a float32
    model on float64 data, inputs of the wrong width, an empty data set) or silently (NaN data).
    """
    if not isinstance(model, nn.Module):
        raise TypeError(f"{fn}: argument `model` must be a torch.nn.Module, got {describe(model)}")
    if strategy not in STRATEGIES:
        raise ValueError(f"{fn}: argument `strategy` must be one of {STRATEGIES}, got {strategy!r}")
    if strategy == "stacked" and not is_plain_mlp(model):
        raise ValueError(f"{fn}: `strategy='stacked'` needs an nn.Sequential of nn.Linear layers and "
                         f"elementwise activations {tuple(c.__name__ for c in ELEMENTWISE)}; got {type(model).__name__} "
                         "(use argument `strategy`='auto')")
    if not (chunk_size is None or chunk_size == "auto"
            or (isinstance(chunk_size, int) and not isinstance(chunk_size, bool) and chunk_size >= 1)):
        raise ValueError(f"{fn}: argument `chunk_size` must be None or an integer >= 1, got {chunk_size!r} (or 'auto')")
    params = dict(model.named_parameters())
    if not params:
        raise ValueError(f"{fn}: argument `model` has no parameters")
    first = next(iter(params.values()))
    for key, p in params.items():
        if p.dtype != first.dtype or p.device != first.device:
            raise ValueError(
                f"{fn}: all parameters of `model` must share one dtype and device; "
                f"{key!r} is {p.dtype} on {p.device}, the first is {first.dtype} on {first.device}"
            )
    check_tensor(inputs, fn=fn, arg="inputs")
    check_tensor(targets, fn=fn, arg="targets")
    if not callable(loss_fn):
        raise TypeError(f"{fn}: argument `loss_fn` must be callable, got {describe(loss_fn)}")
    if inputs.ndim == 0 or len(inputs) == 0:
        raise ValueError(f"{fn}: argument `inputs` holds no samples (shape {tuple(inputs.shape)})")
    if targets.ndim == 0 or len(inputs) != len(targets):
        raise ValueError(
            f"{fn}: `inputs` and argument `targets` must hold the same number of samples, "
            f"got {len(inputs)} and {len(targets) if targets.ndim else 'a 0-d tensor'}"
        )
    for arg, data in (("inputs", inputs), ("targets", targets)):
        if data.is_floating_point():
            if data.dtype != first.dtype:
                raise TypeError(
                    f"{fn}: argument `{arg}` has dtype {data.dtype} but the parameters of `model` are "
                    f"{first.dtype}; convert one of them (`{arg}.to({first.dtype})` or `model.to({data.dtype})`)"
                )
            check_finite(data, fn=fn, arg=arg)
    try:
        with torch.no_grad():
            model(inputs[:1].to(first.device))
    except (RuntimeError, ValueError, TypeError, IndexError) as err:
        raise ValueError(f"{fn}: `model` cannot be applied to argument `inputs` of shape {tuple(inputs.shape)} "
                         f"(one sample of shape {tuple(inputs.shape[1:])}): {err}") from err
    return first


class ModuleLandscape(Landscape):
    r"""The empirical risk of a ``torch.nn.Module`` as a function of its flat parameter vector.

    $F(\theta) = \ell(f_\theta(X), Y)$, where $f_\theta$ is ``model`` with its parameters
    replaced by the entries of $\theta$ (in the order of ``model.named_parameters()``) and
    $\ell$ is ``loss_fn`` (a mean over the data, e.g. ``torch.nn.functional.mse_loss``).

    The model itself is never modified: evaluation goes through
    ``torch.func.functional_call``; :meth:`flatten` and :meth:`load_into` convert between a
    module's parameters and a flat vector both ways.

    Args:
        model: the network; its buffers (if any) are used as they are.
        inputs: X, the inputs fed to ``model`` (a tensor whose first axis indexes samples).
        targets: Y, the second argument of ``loss_fn``.
        loss_fn: ``loss_fn(outputs, targets) -> scalar``; must be ``vmap``-compatible (all of
            ``torch.nn.functional``'s losses are).
        chunk_size: see :class:`Landscape`; ``"auto"`` (default) picks the largest chunk whose
            activations stay within about :data:`ACTIVATION_BUDGET` numbers (see
            :func:`auto_chunk_size`).
        strategy: how a batch of K points is evaluated.  ``"stacked"``: for an ``nn.Sequential``
            of linear layers and elementwise activations (:func:`is_plain_mlp`), the K weight
            matrices of a layer are stacked and applied with one batched matrix product -- no
            per-point machinery at all, which matters when the network is tiny and the steps
            many (DSS beads); ``"vmap"``: ``torch.func.vmap`` over ``functional_call`` (any
            module); ``"loop"``: one ``functional_call`` per point (fastest once a single point's
            activations outgrow the cache, i.e. when ``chunk_size`` comes out as 1);
            ``"auto"`` (default): stacked for a plain MLP whose chunk holds more than one point,
            else loop when the chunk is 1, else vmap.
        name: a short name for plots and messages.
    """

    def __init__(
        self,
        model: nn.Module,
        inputs: Tensor,
        targets: Tensor,
        loss_fn: Callable[[Tensor, Tensor], Tensor],
        *,
        chunk_size: int | None | str = "auto",
        strategy: str = "auto",
        name: str = "F",
        _fn: str = "ModuleLandscape",  # the public method that builds it (with_data), named in errors
    ) -> None:
        first = _check_module_data(model, inputs, targets, loss_fn, strategy, chunk_size, fn=_fn)
        params = dict(model.named_parameters())
        self._chunk_request = chunk_size
        if chunk_size == "auto":
            chunk_size = auto_chunk_size(model, inputs)
        super().__init__(
            sum(p.numel() for p in params.values()),
            dtype=first.dtype,
            device=first.device,
            chunk_size=chunk_size,
            name=name,
        )
        self.model = model
        self.inputs = inputs.to(first.device)
        self.targets = targets.to(first.device)
        self.loss_fn = loss_fn
        self.names = list(params)
        self.shapes = [p.shape for p in params.values()]
        self.numels = [p.numel() for p in params.values()]
        self.buffers = {k: b.detach() for k, b in model.named_buffers()}
        self._strategy_request = strategy
        if strategy == "auto":
            strategy = ("loop" if self.chunk_size == 1 else "stacked" if is_plain_mlp(model) and not self.buffers
                        else "vmap")
        self.strategy = strategy
        self._scratch: nn.Module | None = None  # a private copy of the model for the loop strategy

    # -- module <-> flat vector ------------------------------------------------------------
    def parameter_slices(self) -> dict[str, slice]:
        """Where each named parameter lives inside θ."""
        slices, start = {}, 0
        for name, n in zip(self.names, self.numels):
            slices[name] = slice(start, start + n)
            start += n
        return slices

    def weight_mask(self) -> Tensor:
        """Boolean mask of shape (P,): True on entries of parameters whose name ends in ``weight``.

        Freeman & Bruna's polynomial scripts measure string length on weights only (biases
        excluded); this mask makes that choice explicit.
        """
        mask = torch.zeros(self.dim, dtype=torch.bool, device=self.device)
        for name, sl in self.parameter_slices().items():
            mask[sl] = name.endswith("weight")
        return mask

    def unflatten(self, theta: Tensor) -> dict[str, Tensor]:
        """Split θ of shape (P,) into ``{name: tensor}`` with the module's parameter shapes (views)."""
        pieces = torch.split(theta, self.numels)
        return {name: piece.view(shape) for name, piece, shape in zip(self.names, pieces, self.shapes)}

    def _check_same_architecture(self, model: nn.Module, fn: str) -> dict[str, Tensor]:
        if not isinstance(model, nn.Module):
            raise TypeError(f"{fn}: argument `model` must be a torch.nn.Module, got {describe(model)}")
        params = dict(model.named_parameters())
        shapes = {k: tuple(p.shape) for k, p in params.items()}
        expected = {k: tuple(s) for k, s in zip(self.names, self.shapes)}
        if shapes != expected:
            missing = sorted(set(expected) - set(shapes))
            extra = sorted(set(shapes) - set(expected))
            differ = sorted(k for k in set(shapes) & set(expected) if shapes[k] != expected[k])
            raise ValueError(
                f"{fn}: argument `model` does not match this landscape's architecture "
                f"(missing {missing}, unexpected {extra}, different shapes "
                f"{[(k, shapes[k], expected[k]) for k in differ]})"
            )
        return params

    def flatten(self, model: nn.Module) -> Tensor:
        """θ of shape (P,): the parameters of ``model`` (same architecture) concatenated, detached."""
        params = self._check_same_architecture(model, "ModuleLandscape.flatten")
        flat = torch.cat([params[k].detach().reshape(-1) for k in self.names])
        if flat.dtype != self.dtype or flat.device != self.device:
            raise TypeError(
                f"ModuleLandscape.flatten: `model` has dtype {flat.dtype} on {flat.device}, "
                f"expected {self.dtype} on {self.device}"
            )
        return flat.clone()

    def load_into(self, model: nn.Module, theta: Tensor) -> nn.Module:
        """Copy θ into the parameters of ``model`` (in place) and return the model."""
        params = self._check_same_architecture(model, "ModuleLandscape.load_into")
        theta = self.check(theta, fn="ModuleLandscape.load_into")
        if theta.ndim != 1:
            raise ValueError(
                f"ModuleLandscape.load_into: argument `theta` must be one point of shape (P,), "
                f"got {tuple(theta.shape)}"
            )
        with torch.no_grad():
            for name, value in self.unflatten(theta).items():
                params[name].copy_(value)
        return model

    # -- data ------------------------------------------------------------------------------
    _formula_arg = "loss_fn"

    def with_data(self, inputs: Tensor, targets: Tensor, *, name: str | None = None) -> ModuleLandscape:
        """The same model and loss on other data (a test set, a minibatch)."""
        return ModuleLandscape(
            self.model, inputs, targets, self.loss_fn, chunk_size=self._chunk_request,
            strategy=self._strategy_request, name=name or self.name, _fn="ModuleLandscape.with_data"
        )

    def outputs(self, theta: Tensor) -> Tensor:
        """The model's outputs f_θ(X) at one point θ (for accuracies and plots)."""
        theta = self.check(theta, fn="ModuleLandscape.outputs")
        if theta.ndim != 1:
            raise ValueError(f"ModuleLandscape.outputs: `theta` must have shape (P,), got {tuple(theta.shape)}")
        return functional_call(self.model, (self.unflatten(theta), self.buffers), (self.inputs,))

    def _loss_single(self, theta: Tensor) -> Tensor:
        out = functional_call(self.model, (self.unflatten(theta), self.buffers), (self.inputs,))
        return self.loss_fn(out, self.targets)

    def evaluate_on_segments(self, left: Tensor, right: Tensor, t: Tensor, *, block: int = 256) -> Tensor:
        if self.strategy != "loop":
            return super().evaluate_on_segments(left, right, t, block=block)
        # One point at a time, written straight into a private copy of the model: no (S*T, P) tensor
        # of points and no functional_call, as in a hand-written interpolation loop.  One more saving:
        # the first layer is linear in its own parameters, so along a segment its output is
        # z(t) = z(a) + t z(b - a) -- two evaluations of it per segment instead of one per point.
        t = t.expand(len(left), -1) if t.ndim == 1 else t
        if self._scratch is None:
            self._scratch = copy.deepcopy(self.model)
        scratch, slices = self._scratch, self.parameter_slices()
        k = _first_linear_layer(scratch)
        head, first, tail = (scratch[:k], scratch[k], scratch[k + 1:]) if k is not None else (None, None, scratch)
        values = torch.empty(t.shape, dtype=self.dtype, device=self.device)

        def write(module: nn.Module, prefix: str, a: Tensor, step: Tensor | None, tj: float = 0.0) -> None:
            for name, param in module.named_parameters():
                sl = slices[f"{prefix}{name}"]
                view = a[sl].view(param.shape)
                if step is None:
                    param.copy_(view)
                else:
                    torch.add(view, step[sl].view(param.shape), alpha=tj, out=param)

        with torch.no_grad():
            x = self.inputs if head is None else head(self.inputs)
            for s in range(len(left)):
                a, step = left[s], right[s] - left[s]
                if first is not None:
                    write(first, f"{k}.", a, None)
                    z_a = first(x)
                    write(first, f"{k}.", step, None)
                    z_step = first(x)
                for j, tj in enumerate(t[s].tolist()):
                    if first is None:
                        write(tail, "", a, step, tj)
                        out = tail(x)
                    else:
                        for index, layer in enumerate(tail, start=k + 1):
                            write(layer, f"{index}.", a, step, tj)
                        out = tail(z_a + tj * z_step)
                    values[s, j] = self.loss_fn(out, self.targets)
        return values

    def _loss_batch(self, theta: Tensor) -> Tensor:
        if self.strategy == "loop":
            return torch.stack([self._loss_single(point) for point in theta])
        if self.strategy == "vmap":
            return super()._loss_batch(theta)
        if self.chunk_size is None or len(theta) <= self.chunk_size:
            return self._stacked_loss(theta)
        return torch.cat([self._stacked_loss(part) for part in theta.split(self.chunk_size)])

    def _stacked_loss(self, theta: Tensor) -> Tensor:
        """The plain-MLP evaluation: each layer's K weight matrices applied as one batched product."""
        K, h, params = len(theta), self.inputs, self.unflatten_batch(theta)
        for index, layer in enumerate(self.model):
            if isinstance(layer, nn.Linear):
                weight = params[f"{index}.weight"]  # (K, out, in)
                if h.ndim == 2:  # the shared inputs (n, in): all K first layers in one matrix product
                    out = weight.shape[1]
                    h = (h @ weight.permute(2, 0, 1).reshape(h.shape[1], K * out)).reshape(len(h), K, out).transpose(0, 1)
                else:  # (K, n, in) -> (K, n, out)
                    h = torch.matmul(h, weight.transpose(1, 2))
                if layer.bias is not None:
                    h = h + params[f"{index}.bias"][:, None, :]
            else:
                h = layer(h)
        if h.ndim == 2:  # no linear layer was applied to the shared inputs (cannot happen for a plain MLP)
            h = h.expand(K, *h.shape)
        row_loss = ROW_LOSSES.get(self.loss_fn)
        if row_loss is not None:
            return row_loss(h, self.targets)
        return vmap(self.loss_fn, in_dims=(0, None))(h, self.targets)

    def unflatten_batch(self, theta: Tensor) -> dict[str, Tensor]:
        """Split K points (K, P) into ``{name: tensor of shape (K, *shape)}`` (views)."""
        pieces = torch.split(theta, self.numels, dim=1)
        return {name: piece.reshape(len(theta), *shape) for name, piece, shape in zip(self.names, pieces, self.shapes)}
