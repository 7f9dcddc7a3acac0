r"""Two-layer networks in the setting of Freeman & Bruna's Thm 2.4 and of Venturi, Bandeira & Bruna.

One hidden layer of width $m$, scalar output, no biases:

$$ \Phi(x;\theta) = \sum_{k=1}^{m} u_k\, \rho(\langle w_k, x\rangle), \qquad
   F(\theta) = \frac1N\sum_{i=1}^N \big(\Phi(x_i;\theta) - y_i\big)^2 + \kappa\,\lVert u\rVert_1 . $$

* ``activation="relu"``: $\rho(z)=\max(0,z)$ with first-layer rows in the unit ball,
  $\lVert w_k\rVert\le 1$, and the $\ell_1$ penalty $\kappa\lVert u\rVert_1$ on the second layer --
  exactly the setting of Freeman & Bruna (2017), Thm 2.4.  The constraint is built into the
  parametrisation: the free parameters are $v_k$ and $w_k = v_k/\max(1,\lVert v_k\rVert)$ (the
  projection onto the ball), so ordinary training and the straight segments of DSS stay inside it.
  (The penalty makes unit-norm rows optimal: $u\,\rho(\langle w,x\rangle)=u\lVert w\rVert\,\rho(\langle \hat w,x\rangle)$
  costs $\kappa|u|$ for an output of size $|u|\lVert w\rVert$.)
* ``activation="quadratic"``: $\rho(z)=z^2$, rows unconstrained, usually $\kappa=0$ -- the simplest
  activation of finite *intrinsic dimension* (Venturi, Bandeira & Bruna 2018): every network is a
  quadratic form $x^\top(\sum_k u_k w_k w_k^\top)x$, a space of dimension $n(n+1)/2$.

**Many widths, many tasks, one landscape.** :class:`TwoLayerLandscape` holds networks of every
width up to ``max_width`` and several data sets ("tasks") at once, so that one batched call of
``descend`` or of DSS's ``connect_many`` trains or connects all of them.  A point is

$$ \theta = \big(v_1,\dots,v_M,\ u_1,\dots,u_M,\ m,\ d\big) \in \mathbb{R}^{Mn+M+2}, $$

where the two last coordinates are *tags*: the width $m$ (units $k>m$ are switched off) and the
task index $d$.  The loss reads the tags through comparisons, which have no gradient, so training
never moves them and a straight segment between two points with the same tags keeps them: on
each slice $\{m, d\ \text{fixed}\}$ the landscape *is* the width-$m$ landscape of task $d$.
"""

from __future__ import annotations

import math

import torch
from torch import Tensor

from ..validation import check_finite, check_positive, check_tensor, describe
from ..landscape import Landscape

ACTIVATIONS = ("relu", "quadratic")


def activation_fn(name: str, z: Tensor) -> Tensor:
    """$\\rho(z)$: ``"relu"`` is $\\max(0, z)$, ``"quadratic"`` is $z^2$."""
    if name == "relu":
        return torch.relu(z)
    if name == "quadratic":
        return z * z
    raise ValueError(f"activation_fn: argument `name` must be one of {ACTIVATIONS}, got {name!r}")


def unit_ball_rows(v: Tensor) -> Tensor:
    r"""Project every row onto the unit ball: $w_k = v_k / \max(1, \lVert v_k\rVert)$ (shape kept)."""
    # Through the squared norm: differentiable twice at v = 0 (padded units), unlike the norm itself.
    return v * torch.rsqrt((v * v).sum(dim=-1, keepdim=True).clamp_min(1.0))


def intrinsic_dimension(input_dim: int, degree: int = 2) -> int:
    r"""Dimension of $\mathrm{span}\{x\mapsto\langle w,x\rangle^d : w\in\mathbb{R}^n\}$: $\binom{n+d-1}{d}$.

    The span is the space of homogeneous polynomials of degree $d$ in $n$ variables (every such
    polynomial is a sum of $d$-th powers of linear forms), whose monomials number $\binom{n+d-1}{d}$;
    for $\rho(z)=z^2$ this is $n(n+1)/2$.  Venturi, Bandeira & Bruna (2018): width $\ge$ this
    dimension $\Rightarrow$ no spurious valleys, for any data distribution.
    """
    for arg, value in (("input_dim", input_dim), ("degree", degree)):
        check_positive(value, fn="intrinsic_dimension", arg=arg, integer=True)
    return math.comb(input_dim + degree - 1, degree)


class TwoLayerLandscape(Landscape):
    r"""$F(\theta)=\frac1N\sum_i(\sum_k u_k\rho(\langle w_k,x_i\rangle)-y_i)^2+\kappa\lVert u\rVert_1$, all widths $\le M$ at once.

    Args:
        inputs: $X$ of shape (N, n), or (D, N, n) for D tasks sharing N and n.
        targets: $Y$ of shape (N,), or (D, N).
        max_width: $M$, the largest width a point can have.
        activation: ``"relu"`` (rows in the unit ball) or ``"quadratic"`` (rows free).
        kappa: $\kappa\ge0$, the weight of the $\ell_1$ penalty on the second layer.
        unit_ball: constrain the rows to the unit ball (default: yes for ReLU, no for quadratic).
        name: for plots and messages.

    References: Freeman & Bruna (2017), Thm 2.4 (ReLU, unit-norm rows, $\ell_1$ second layer);
    Venturi, Bandeira & Bruna (2018) (quadratic activation, intrinsic dimension).
    """

    def __init__(
        self,
        inputs: Tensor,
        targets: Tensor,
        *,
        max_width: int,
        activation: str = "relu",
        kappa: float = 0.0,
        unit_ball: bool | None = None,
        name: str = "two-layer net",
    ) -> None:
        fn = "TwoLayerLandscape"
        check_tensor(inputs, fn=fn, arg="inputs")
        check_tensor(targets, fn=fn, arg="targets")
        if inputs.ndim == 2:
            inputs, targets = inputs[None], targets[None]
        if inputs.ndim != 3 or targets.ndim != 2 or targets.shape != inputs.shape[:2]:
            raise ValueError(f"{fn}: `inputs` must have shape (N, n) or (D, N, n) and `targets` (N,) or (D, N); "
                             f"got {tuple(inputs.shape)} and {tuple(targets.shape)}")
        if not inputs.is_floating_point() or targets.dtype != inputs.dtype:
            raise TypeError(f"{fn}: `inputs` and `targets` must be floating tensors of one dtype, "
                            f"got {inputs.dtype} and {targets.dtype}")
        check_finite(inputs, fn=fn, arg="inputs")  # NaN data would give a NaN landscape, silently
        check_finite(targets, fn=fn, arg="targets")
        check_positive(max_width, fn=fn, arg="max_width", integer=True)
        if activation not in ACTIVATIONS:
            raise ValueError(f"{fn}: argument `activation` must be one of {ACTIVATIONS}, got {activation!r}")
        if isinstance(kappa, bool) or not isinstance(kappa, (int, float)) or not math.isfinite(kappa) or kappa < 0:
            raise ValueError(f"{fn}: argument `kappa` must be a number >= 0, got {describe(kappa)}")
        self.n_tasks, self.n_samples, self.input_dim = inputs.shape
        self.max_width = max_width
        super().__init__(max_width * self.input_dim + max_width + 2, dtype=inputs.dtype, device=inputs.device, name=name)
        self.inputs, self.targets = inputs, targets
        self.activation = activation
        self.kappa = float(kappa)
        self.unit_ball = (activation == "relu") if unit_ball is None else bool(unit_ball)

    # -- the layout of a point -------------------------------------------------------------
    def pack(self, v: Tensor, u: Tensor, task: int = 0) -> Tensor:
        """Points from first layers ``v`` (m, n) or (K, m, n) and second layers ``u`` (m,) or (K, m).

        The width tag is m; units m+1..M are padded with zeros (and switched off by the tag).
        """
        fn = "TwoLayerLandscape.pack"
        given = f"{tuple(v.shape)} and {tuple(u.shape)}"
        single = v.ndim == 2
        v, u = (v[None], u[None]) if single else (v, u)
        if v.ndim != 3 or v.shape[2] != self.input_dim or u.shape != v.shape[:2] or not 1 <= v.shape[1] <= self.max_width:
            raise ValueError(f"{fn}: `v` must have shape (m, {self.input_dim}) or (K, m, {self.input_dim}) with "
                             f"1 <= m <= {self.max_width} and `u` shape (m,) or (K, m); got {given}")
        if isinstance(task, bool) or not isinstance(task, int) or not 0 <= task < self.n_tasks:
            raise ValueError(f"{fn}: argument `task` must be an integer in [0, {self.n_tasks - 1}], got {task!r}")
        K, m, n = v.shape
        theta = torch.zeros(K, self.dim, dtype=self.dtype, device=self.device)
        theta[:, : m * n] = v.reshape(K, m * n)
        theta[:, self.max_width * n: self.max_width * n + m] = u
        theta[:, -2], theta[:, -1] = float(m), float(task)
        return theta[0] if single else theta

    def units(self, theta: Tensor) -> tuple[Tensor, Tensor]:
        """The active units of one point: effective rows $w_k$ (m, n) and output weights $u_k$ (m,)."""
        theta = self.check(theta, fn="TwoLayerLandscape.units")
        if theta.ndim != 1:
            raise ValueError(f"TwoLayerLandscape.units: `theta` must be one point (P,), got {tuple(theta.shape)}")
        M, n, m = self.max_width, self.input_dim, int(self.widths(theta))
        v = theta[: m * n].reshape(m, n)
        return (unit_ball_rows(v) if self.unit_ball else v), theta[M * n: M * n + m]

    def widths(self, theta: Tensor) -> Tensor:
        """The width tag of each point (an integer tensor)."""
        return theta[..., -2].round().long()

    def random_init(self, widths: list[int] | tuple[int, ...], *, task: int = 0, scale: float = 1.0,
                    generator: torch.Generator | None = None) -> Tensor:
        r"""One random point per entry of ``widths``: rows uniform on the unit sphere, $u_k\sim\mathcal N(0, s^2/m)$."""
        points = []
        for m in widths:
            v = torch.randn(m, self.input_dim, generator=generator, dtype=self.dtype)
            v = v / v.norm(dim=1, keepdim=True)
            u = scale * torch.randn(m, generator=generator, dtype=self.dtype) / math.sqrt(m)
            points.append(self.pack(v, u, task))
        return torch.stack(points)

    # -- the loss ----------------------------------------------------------------------------
    def _masked_terms(self, theta: Tensor, task: int) -> tuple[Tensor, Tensor]:
        """Mean squared error and penalty of K points (K, P) of one task; widths act through a 0/1 mask."""
        M, n = self.max_width, self.input_dim
        v = theta[:, : M * n].reshape(-1, M, n)
        w = unit_ball_rows(v) if self.unit_ball else v
        # Comparisons carry no gradient: training and DSS never move the tags.
        mask = (torch.arange(M, device=theta.device) < theta[:, -2:-1]).to(theta.dtype)
        u = theta[:, M * n: M * n + M] * mask
        features = activation_fn(self.activation, torch.einsum("ni,kmi->knm", self.inputs[task], w))
        out = torch.einsum("knm,km->kn", features, u)
        return ((out - self.targets[task]) ** 2).mean(dim=1), self.kappa * u.abs().sum(dim=1)

    def _terms(self, theta: Tensor) -> tuple[Tensor, Tensor]:
        """``(mse, penalty)`` of a batch (K, P), one batched computation per task."""
        widths, tasks = self.widths(theta), theta[:, -1].round().long()
        bad = (widths < 1) | (widths > self.max_width) | (tasks < 0) | (tasks >= self.n_tasks)
        if bool(bad.any()):
            k = int(bad.nonzero()[0])
            raise ValueError(f"TwoLayerLandscape: point {k} has width tag {int(widths[k])} (must be in [1, "
                             f"{self.max_width}]) or task tag {int(tasks[k])} (must be in [0, {self.n_tasks - 1}]); "
                             "build points with `pack`")
        if self.n_tasks == 1:
            return self._masked_terms(theta, 0)
        parts = [((tasks == d).nonzero().squeeze(1),) for d in range(self.n_tasks)]
        parts = [(idx, *self._masked_terms(theta[idx], d)) for d, (idx,) in enumerate(parts) if len(idx)]
        order = torch.argsort(torch.cat([p[0] for p in parts]))
        return torch.cat([p[1] for p in parts])[order], torch.cat([p[2] for p in parts])[order]

    def data_loss(self, theta: Tensor) -> Tensor:
        """The mean squared error alone (no penalty) of each point on its own task: scalar or (K,)."""
        theta = self.check(theta, fn="TwoLayerLandscape.data_loss")
        return self._terms(theta.reshape(-1, self.dim))[0].reshape(theta.shape[:-1])

    def outputs(self, theta: Tensor) -> Tensor:
        r"""$\Phi(x_i;\theta)$ of one point (P,) on its task's inputs, shape (N,)."""
        w, u = self.units(theta)
        d = int(theta[-1].round())
        return activation_fn(self.activation, self.inputs[d] @ w.T) @ u

    def evaluate(self, theta: Tensor) -> Tensor:
        # Hand-batched instead of vmap: these networks are tiny and vmap's overhead dominates.
        if theta.ndim == 1:
            return self._loss_single(theta)
        mse, penalty = self._terms(theta)
        return mse + penalty

    def _loss_single(self, theta: Tensor) -> Tensor:
        # Traceable by vmap/grad (used by Landscape.grad, hvp, hessian): the tags act through masks.
        M, n = self.max_width, self.input_dim
        v = theta[: M * n].reshape(M, n)
        w = unit_ball_rows(v) if self.unit_ball else v
        # Comparisons carry no gradient: training and DSS never move the tags.
        mask = (torch.arange(M, device=theta.device) < theta[-2]).to(theta.dtype)
        tasks = (torch.arange(self.n_tasks, device=theta.device) == theta[-1]).to(theta.dtype)
        u = theta[M * n: M * n + M] * mask
        out = activation_fn(self.activation, self.inputs @ w.T) @ u
        mse = (((out - self.targets) ** 2).mean(dim=1) * tasks).sum()
        return mse + self.kappa * u.abs().sum()

    def with_data(self, inputs: Tensor, targets: Tensor, *, name: str | None = None) -> TwoLayerLandscape:
        """The same architecture and penalty on other data (e.g. a test set)."""
        return TwoLayerLandscape(inputs, targets, max_width=self.max_width, activation=self.activation,
                                 kappa=self.kappa, unit_ball=self.unit_ball, name=name or self.name)


def merge_closest_units(w: Tensor, u: Tensor) -> tuple[Tensor, Tensor, float]:
    r"""Compress a one-hidden-layer ReLU network by one unit: merge the two rows closest in angle.

    The two units $i<j$ with the smallest angle $\alpha$ between $w_i$ and $w_j$ are replaced by one
    unit (at index $i$) on their normalised bisector $\hat w = (\hat w_i+\hat w_j)/\lVert\hat w_i+\hat w_j\rVert$
    with output weight $u_i\lVert w_i\rVert + u_j\lVert w_j\rVert$ (ReLU is positively homogeneous).
    Freeman & Bruna (2017, Prop. 2.3) bound the change of the features by $O(\alpha)$: this is the
    move behind the "robust compressibility" $\delta_W(m-l,\alpha;m)$ of Thm 2.4.

    Args:
        w: first-layer rows, shape (m, n), m >= 2, no zero row.
        u: second layer, shape (m,).

    Returns:
        ``(w_new (m-1, n), u_new (m-1,), alpha)``, ``alpha`` in radians.
    """
    fn = "merge_closest_units"
    check_tensor(w, fn=fn, arg="w")
    check_tensor(u, fn=fn, arg="u")
    if w.ndim != 2 or w.shape[0] < 2 or u.shape != w.shape[:1]:
        raise ValueError(f"{fn}: `w` must have shape (m, n) with m >= 2 and `u` shape (m,), got {tuple(w.shape)} and {tuple(u.shape)}")
    norms = w.norm(dim=1)
    if bool((norms == 0).any()):
        raise ValueError(f"{fn}: argument `w` has a zero row (index {int((norms == 0).nonzero()[0])}); its angle is undefined")
    unit = w / norms[:, None]
    cos = (unit @ unit.T).clamp(-1.0, 1.0)
    cos.fill_diagonal_(-2.0)  # never pair a unit with itself
    flat = int(torch.argmax(cos))
    i, j = sorted(divmod(flat, len(w)))
    bisector = unit[i] + unit[j]
    keep = [k for k in range(len(w)) if k != j]
    w_new, u_new = w[keep].clone(), u[keep].clone()
    w_new[i] = bisector / bisector.norm()
    u_new[i] = u[i] * norms[i] + u[j] * norms[j]
    return w_new, u_new, float(torch.arccos(cos[i, j]))
