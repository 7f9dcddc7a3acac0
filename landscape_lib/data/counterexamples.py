r"""Small data sets on which ReLU networks have disconnected level sets or bad local minima.

* :func:`two_gaussian_mixture` -- Freeman & Bruna (2017) §2.3.1: inputs from a mixture of two
  Gaussians, a target that depends on the hidden component $Z$; with two ReLU units, a solution
  and its hidden-permuted copy are separated by risk $\ge 1/2$.
* :func:`cyclic_map` -- Freeman & Bruna's engineered disconnection: three points of the plane,
  target $x_1\to x_2\to x_3\to x_1$, fitted by a 2-3-2 ReLU network without biases (12 parameters).
* :func:`yun_sra_jadbabaie` -- Yun, Sra & Jadbabaie (ICLR 2019): three points on which a 2-2-1
  ReLU network has a local minimum at risk 1/3 while the global minimum is 0
  (:func:`yun_local_minimum`, :func:`yun_global_minimum`).

Flat parameter vectors follow the order of ``mlp((2, 2, 1), activation="relu")``'s
``named_parameters()``: $W_1$ (row-major), $b_1$, $W_2$, $b_2$.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch
from torch import Tensor

from ..validation import check_positive

#: Means of the two mixture components, $Z = +1$ and $Z = -1$.
MIXTURE_MEANS = {1: (1.0, -1.0), -1: (-1.0, 1.0)}
#: Relative risk of any two-unit ReLU network whose first layer has rank <= 1 (see :func:`two_gaussian_mixture`).
RANK_ONE_RELATIVE_RISK = 0.5
#: Yun, Sra & Jadbabaie: risk (1/2 * sum of squares) at their local minimum, and at the global minimum.
YUN_LOCAL_RISK = 1.0 / 3.0
YUN_GLOBAL_RISK = 0.0


@dataclass(frozen=True)
class MixtureData:
    """Samples of the two-Gaussian counterexample: inputs ``x`` (n, 2), targets ``y`` (n, 1), components ``z`` (n,)."""

    x: Tensor
    y: Tensor
    z: Tensor
    sigma: float


def two_gaussian_mixture(n: int = 2000, sigma: float = 0.2, *, seed: int = 0,
                         dtype: torch.dtype = torch.float64) -> MixtureData:
    r"""Freeman & Bruna's two-Gaussian counterexample, in a concrete form.

    $Z=\pm1$ with probability ½ each, $X = \mu_Z + \varepsilon$ with $\varepsilon\sim N(0,\sigma^2 I_2)$,
    $\mu_{+1} = (1,-1)$, $\mu_{-1} = (-1, 1)$, and the target is the deviation from the component's
    mean read along the component's own axis,

    $$ Y = \langle X - \mu_Z,\ e_Z\rangle, \qquad e_{+1} = (1,0),\ e_{-1} = (0,1). $$

    (The paper writes $Y = (X-\mu_Z)\cdot Z$ in one sentence; this is our reading of it, chosen so
    that its two claims can be checked -- the paper gives no more detail.)

    * A two-unit network reaches relative risk $\to 0$ as $\sigma\to 0$:
      $\hat y = \mathrm{relu}(x_1) + \mathrm{relu}(x_2) - 1$ (:func:`two_gaussian_solution`),
      and so does its hidden-permuted copy, whose $W_1$ has the opposite determinant.
    * If $\operatorname{rank}W_1\le1$ the network sees $X$ only through one projection
      $s=\langle w, X\rangle$, and even knowing $Z$, $\mathbb{E}\,\mathrm{Var}(Y\mid s, Z) = \sigma^2/2$
      for every $w$: the relative risk $\mathbb{E}(\hat y - Y)^2/\mathbb{E}Y^2$ is $\ge 1/2$
      (:data:`RANK_ONE_RELATIVE_RISK`) at every $\sigma$.  Any path between the two solutions
      crosses $\det W_1 = 0$.

    Args:
        n: number of samples; sigma: the components' standard deviation; seed: sampler seed.
    """
    fn = "two_gaussian_mixture"
    check_positive(n, fn=fn, arg="n", integer=True)
    check_positive(sigma, fn=fn, arg="sigma")
    g = torch.Generator().manual_seed(seed)
    z = torch.where(torch.rand(n, generator=g) < 0.5, 1, -1)
    mu = torch.tensor([MIXTURE_MEANS[int(k)] for k in (1, -1)], dtype=dtype)  # rows: Z = +1, Z = -1
    which = (z == -1).long()
    eps = sigma * torch.randn(n, 2, generator=g, dtype=dtype)
    x = mu[which] + eps
    y = eps.gather(1, which[:, None])  # coordinate 0 for Z = +1, coordinate 1 for Z = -1
    return MixtureData(x=x, y=y, z=z, sigma=float(sigma))


def two_gaussian_solution(dtype: torch.dtype = torch.float64) -> Tensor:
    r"""$\theta^A$: $W_1 = I$, $b_1 = 0$, $W_2 = (1, 1)$, $b_2 = -1$ for ``mlp((2, 2, 1), activation="relu")`` (9 parameters)."""
    return torch.tensor([1.0, 0.0, 0.0, 1.0, 0.0, 0.0, 1.0, 1.0, -1.0], dtype=dtype)


def relative_squared_error(targets: Tensor):
    r"""The loss $\hat y \mapsto \overline{(\hat y - y)^2}\,/\,\overline{y^2}$ for fixed ``targets`` (``vmap``-compatible)."""
    scale = float((targets**2).mean())
    if not scale > 0:
        raise ValueError(f"relative_squared_error: argument `targets` must not be all zero, got mean square {scale}")

    def loss(outputs: Tensor, y: Tensor) -> Tensor:
        return ((outputs - y) ** 2).mean() / scale

    return loss


def cyclic_map(dtype: torch.dtype = torch.float64) -> tuple[Tensor, Tensor]:
    r"""Freeman & Bruna's engineered disconnection: three points $x_1, x_2, x_3$ and targets $x_2, x_3, x_1$.

    The points are $x_1 = (1, 0)$, $x_2 = (\cos 100°, \sin 100°)$, $x_3 = (\cos 230°, \sin 230°)\cdot 0.8$:
    in general position and not summing to zero, so that the cyclic map is **not** linear (the paper
    does not give its points).  Fit with ``mlp((2, 3, 2), activation="relu", bias=False)``.

    Returns:
        ``(inputs, targets)``, both of shape (3, 2).
    """
    a2, a3 = math.radians(100.0), math.radians(230.0)
    x = torch.tensor([[1.0, 0.0], [math.cos(a2), math.sin(a2)], [0.8 * math.cos(a3), 0.8 * math.sin(a3)]], dtype=dtype)
    return x, x.roll(-1, dims=0)


def yun_sra_jadbabaie(dtype: torch.dtype = torch.float64) -> tuple[Tensor, Tensor]:
    r"""Yun, Sra & Jadbabaie (2019): $X = \begin{pmatrix}1&0&\frac12\\0&1&\frac12\end{pmatrix}$ (columns are samples), $Y=(0, 0, 1)$.

    Returns:
        ``(inputs (3, 2), targets (3, 1))``; their loss is $\frac12\sum_i(\hat y_i - y_i)^2$ (:func:`half_sum_of_squares`).
    """
    x = torch.tensor([[1.0, 0.0], [0.0, 1.0], [0.5, 0.5]], dtype=dtype)
    y = torch.tensor([[0.0], [0.0], [1.0]], dtype=dtype)
    return x, y


def half_sum_of_squares(outputs: Tensor, targets: Tensor) -> Tensor:
    r"""$\frac12\sum_i (\hat y_i - y_i)^2$, Yun et al.'s loss."""
    return 0.5 * ((outputs - targets) ** 2).sum()


def yun_local_minimum(dtype: torch.dtype = torch.float64) -> Tensor:
    r"""A bad local minimum of the 2-2-1 ReLU network on :func:`yun_sra_jadbabaie` (risk 1/3).

    $W_1 = I$, $b_1 = (\frac12, \frac12)$, $W_2 = (1, 1)$, $b_2 = -\frac53$: both units are strictly
    active on all three points, so near this point the network is an affine map of $x$, and the
    best affine fit of the data (three collinear points, targets 0, 0, 1) is the constant $\frac13$,
    at risk $\frac12(\frac19+\frac19+\frac49) = \frac13$.  (The construction of Yun et al.'s Thm. 1:
    all units in their linear regime, output = the least-squares linear fit.)
    """
    return torch.tensor([1.0, 0.0, 0.0, 1.0, 0.5, 0.5, 1.0, 1.0, -5.0 / 3.0], dtype=dtype)


def yun_global_minimum(dtype: torch.dtype = torch.float64) -> Tensor:
    r"""A zero-risk point: $\hat y = 1 - \mathrm{relu}(x_1 - x_2) - \mathrm{relu}(x_2 - x_1) = 1 - |x_1 - x_2|$."""
    return torch.tensor([1.0, -1.0, -1.0, 1.0, 0.0, 0.0, -1.0, -1.0, 1.0], dtype=dtype)
