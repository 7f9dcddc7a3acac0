r"""A two-layer ReLU network in the mean-field scaling, its teacher, and its population loss.

The student of width $m$ is an average over $m$ *particles* $\theta_i = (a_i, w_i)$:

$$f(x) = \frac1m\sum_{i=1}^m a_i\,\sigma(w_i\cdot x),\qquad \sigma = \mathrm{relu},$$

i.e. $f(x) = \int a\,\sigma(w\cdot x)\,d\rho(a,w)$ for the empirical measure $\rho$ of the
particles (Mei, Montanari & Nguyen 2018; Chizat & Bach 2018).  The teacher has the same form with
$m_0$ unit neurons, $y(x) = \frac1{m_0}\sum_{j\le m_0}\sigma(w^*_j\cdot x)$.

**Population loss.**  For Gaussian inputs $x\sim\mathcal N(0, I_d)$ the loss
$L = \tfrac12\mathbb E(f(x) - y(x))^2$ is a closed form in the particles, through the degree-1
arc-cosine kernel (Cho & Saul 2009)

$$\kappa(u,v) = \mathbb E\,\sigma(u\cdot x)\sigma(v\cdot x)
 = \frac{|u||v|}{2\pi}\big(\sin\phi + (\pi-\phi)\cos\phi\big),\qquad \phi = \angle(u,v),$$

whose gradient is $\nabla_u\kappa(u,v) = \frac1{2\pi}\big((\pi-\phi)\,v + |v|\sin\phi\,\hat u\big)$
(finite also at $\phi = 0$, where autograd of $\arccos$ is not).  This is the setting of Safran &
Shamir (2018).  Working with the population loss removes sampling noise and makes a step cost
$O(m^2 d)$ instead of $O(nmd)$.

Shapes: R independent runs (seeds) at once: ``a`` is ``(R, m)``, ``W`` is ``(R, m, d)``; the
teacher is ``(m0, d)`` (shared by the runs).
"""

from __future__ import annotations

import math

import torch
from torch import Tensor

from ..validation import check_finite, check_positive, check_tensor, describe


def _check_particles(a: object, W: object, fn: str) -> tuple[Tensor, Tensor]:
    a = check_tensor(a, fn=fn, arg="a")
    W = check_tensor(W, fn=fn, arg="W")
    if W.ndim != 3 or a.shape != W.shape[:2] or a.dtype != W.dtype or not W.is_floating_point():
        raise ValueError(f"{fn}: arguments `a` (R, m) and `W` (R, m, d) must match in R, m and dtype, "
                         f"got a: {describe(a)}, W: {describe(W)}")
    check_finite(a, fn=fn, arg="a")
    check_finite(W, fn=fn, arg="W")
    return a, W


def teacher_weights(m0: int = 4, d: int = 10, *, dtype: torch.dtype = torch.float64) -> Tensor:
    """The teacher's first layer: the orthonormal directions e_1, ..., e_m0 of R^d, shape (m0, d)."""
    check_positive(m0, fn="teacher_weights", arg="m0", integer=True)
    check_positive(d, fn="teacher_weights", arg="d", integer=True)
    if m0 > d:
        raise ValueError(f"teacher_weights: at most d = {d} orthonormal neurons, got m0 = {m0}")
    return torch.eye(d, dtype=dtype)[:m0].clone()


def init_particles(m: int, n_runs: int, d: int = 10, *, generator: torch.Generator | None = None,
                   dtype: torch.dtype = torch.float64) -> tuple[Tensor, Tensor]:
    r"""i.i.d. particles: $a_i\sim\mathcal N(0,1)$, $w_i\sim\mathcal N(0, I_d/d)$; shapes (R, m) and (R, m, d).

    Their law $\rho_0$ does not depend on $m$: that is what makes the $m\to\infty$ limit a flow
    of one measure.
    """
    for name, value in (("m", m), ("n_runs", n_runs), ("d", d)):
        check_positive(value, fn="init_particles", arg=name, integer=True)
    W = torch.randn(n_runs, m, d, generator=generator, dtype=dtype) / math.sqrt(d)
    a = torch.randn(n_runs, m, generator=generator, dtype=dtype)
    return a, W


def network_output(a: Tensor, W: Tensor, x: Tensor) -> Tensor:
    r"""$f(x) = \frac1m\sum_i a_i\,\mathrm{relu}(w_i\cdot x)$ for inputs ``x`` (n, d): shape (R, n)."""
    a, W = _check_particles(a, W, "network_output")
    x = check_tensor(x, fn="network_output", arg="x")
    if x.ndim != 2 or x.shape[1] != W.shape[2]:
        raise ValueError(f"network_output: argument `x` must have shape (n, d) with d = {W.shape[2]}, got {describe(x)}")
    return torch.relu(W @ x.T.to(W.dtype)).mul(a[..., None]).mean(1)


def teacher_output(teacher: Tensor, x: Tensor) -> Tensor:
    r"""$y(x) = \frac1{m_0}\sum_j\mathrm{relu}(w^*_j\cdot x)$, shape (n,)."""
    return torch.relu(x @ teacher.T).mean(-1)


def relu_kernel(U: Tensor, V: Tensor) -> Tensor:
    r"""$\kappa(u_i, v_j) = \mathbb E_{x\sim\mathcal N(0,I)}\mathrm{relu}(u_i\cdot x)\,\mathrm{relu}(v_j\cdot x)$.

    ``U`` (..., m, d) and ``V`` (..., k, d) give (..., m, k).  Closed form of Cho & Saul (2009).
    """
    U = check_tensor(U, fn="relu_kernel", arg="U")
    V = check_tensor(V, fn="relu_kernel", arg="V")
    return _kernel(U, V)[0]


def _kernel(U: Tensor, V: Tensor) -> tuple[Tensor, Tensor, Tensor, Tensor]:
    """(kappa, angle phi, sin phi, |u|, |v|) -- the pieces the gradient reuses."""
    nu, nv = U.norm(dim=-1), V.norm(dim=-1)
    dots = U @ V.transpose(-1, -2)
    scale = nu[..., :, None] * nv[..., None, :]
    rho = (dots / scale).clamp(-1.0, 1.0)
    phi = torch.arccos(rho)
    sin = torch.sqrt(1 - rho * rho)
    kappa = (scale * sin + (math.pi - phi) * dots) / (2 * math.pi)
    return kappa, phi, sin, nu, nv


def _kernel_grad_sum(U: Tensor, V: Tensor, phi: Tensor, sin: Tensor, nu: Tensor, nv: Tensor, coef: Tensor) -> Tensor:
    r"""$\sum_j c_j\nabla_{u_i}\kappa(u_i, v_j)$ for all i: shape of ``U`` (coef (R, k) or (k,))."""
    coef = coef[..., None, :]  # (R, 1, k)
    direct = ((math.pi - phi) * coef) @ V  # (R, m, d)
    radial = (sin * nv[..., None, :] * coef).sum(-1)  # (R, m)
    return (direct + radial[..., None] * U / nu[..., None]) / (2 * math.pi)


def population_loss(a: Tensor, W: Tensor, teacher: Tensor) -> Tensor:
    r"""$L = \frac12\mathbb E_x\big(f(x) - y(x)\big)^2$ for Gaussian inputs, one value per run: shape (R,)."""
    a, W = _check_particles(a, W, "population_loss")
    return _loss_and_grads(a, W, teacher.to(W.dtype), grads=False)[0]


def _loss_and_grads(a: Tensor, W: Tensor, teacher: Tensor, *, grads: bool = True) -> tuple[Tensor, ...]:
    """Population loss and its gradients dL/da (R, m), dL/dW (R, m, d)."""
    m, m0 = a.shape[1], teacher.shape[0]
    c = a / m  # output weight of each student particle
    b = torch.full((m0,), 1.0 / m0, dtype=W.dtype)
    T = teacher.expand(W.shape[0], m0, W.shape[2])
    k_ss, phi_ss, sin_ss, nu, _ = _kernel(W, W)
    k_st, phi_st, sin_st, _, nt = _kernel(W, T)
    k_tt = _kernel(teacher, teacher)[0]
    loss = 0.5 * (torch.einsum("ri,rij,rj->r", c, k_ss, c) - 2 * (k_st @ b * c).sum(-1) + b @ k_tt @ b)
    if not grads:
        return (loss,)
    dL_dc = (k_ss @ c[..., None])[..., 0] - k_st @ b
    dL_dW = c[..., None] * (_kernel_grad_sum(W, W, phi_ss, sin_ss, nu, nu, c) - _kernel_grad_sum(W, T, phi_st, sin_st, nu, nt, b))
    return loss, dL_dc / m, dL_dW


def population_gradients(a: Tensor, W: Tensor, teacher: Tensor) -> tuple[Tensor, Tensor]:
    """Exact gradients (dL/da, dL/dW) of :func:`population_loss`, shapes of ``a`` and ``W``."""
    a, W = _check_particles(a, W, "population_gradients")
    _, ga, gW = _loss_and_grads(a, W, teacher.to(W.dtype))
    return ga, gW


def empirical_loss(a: Tensor, W: Tensor, x: Tensor, y: Tensor) -> Tensor:
    r"""$\frac1{2n}\sum_k (f(x_k) - y_k)^2$ on a sample, one value per run: shape (R,)."""
    return 0.5 * ((network_output(a, W, x) - y) ** 2).mean(-1)


def mean_field_gd_step(a: Tensor, W: Tensor, x: Tensor, y: Tensor, lr: float) -> tuple[Tensor, Tensor]:
    r"""One full-batch step on the empirical loss with the mean-field scaling $\theta_i \leftarrow \theta_i - \eta\,m\,\nabla_{\theta_i}L$.

    Explicitly, with residuals $r_k = f(x_k) - y_k$,
    $a_i \leftarrow a_i - \eta\,\frac1n\sum_k r_k\,\sigma(w_i\cdot x_k)$ and
    $w_i \leftarrow w_i - \eta\,a_i\,\frac1n\sum_k r_k\,\sigma'(w_i\cdot x_k)\,x_k$:
    the factor $m$ cancels the $1/m$ of $f$, so each particle moves at a speed independent of $m$.
    """
    a, W = _check_particles(a, W, "mean_field_gd_step")
    check_positive(lr, fn="mean_field_gd_step", arg="lr")
    pre = W @ x.T  # (R, m, n)
    act = torch.relu(pre)
    r = act.mul(a[..., None]).mean(1) - y  # (R, n)
    n = x.shape[0]
    grad_a = (act @ r[..., None])[..., 0] / n
    grad_W = a[..., None] * (((pre > 0).to(W.dtype) * r[:, None, :]) @ x) / n
    return a - lr * grad_a, W - lr * grad_W
