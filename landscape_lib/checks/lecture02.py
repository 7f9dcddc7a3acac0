"""Self-checks of the lecture 02 exercises (linear vs half-rectified topology).

Each ``check_*`` runs the student's function on cases with known answers -- the library's own
symmetry maps in :mod:`landscape_lib.topology.symmetries` and
:mod:`landscape_lib.topology.linear_networks`, or grid counts from
:mod:`landscape_lib.topology.sublevel` -- and prints one line on success or raises
``SelfCheckFailed`` with the case, the expected value and the value returned.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable

import numpy as np
import torch
from torch import Tensor

from ..landscape import AnalyticLandscape
from ..models import deep_linear, mlp
from ..topology.linear_networks import det_sign, rotation_path
from ..topology.sublevel import count_components, evaluate_on_grid, sublevel_mask
from ..topology.symmetries import network_outputs, rescale_hidden
from ..validation import describe
from ._harness import SelfCheckFailed, call_student, expect_close, expect_tensor, passed

_F64 = torch.float64


def check_rescale_relu_unit(rescale_relu_unit: Callable[[Tensor, Tensor, Tensor, int, float], tuple]) -> None:
    r"""``rescale_relu_unit(W1, b1, W2, unit, c)``: row ``unit`` of $W_1$ and $b_{1}$ times $c$, column ``unit`` of $W_2$ times $1/c$."""
    name = "check_rescale_relu_unit"
    g = torch.Generator().manual_seed(20)
    cases = [((2, 3, 1), 0, 2.0, "a 2-3-1 network, unit 0 scaled by c = 2"),
             ((4, 5, 3), 3, 0.25, "a 4-5-3 network, unit 3 scaled by c = 0.25"),
             ((3, 2, 2), 1, 7.5, "a 3-2-2 network, unit 1 scaled by c = 7.5")]
    for widths, unit, c, case in cases:
        n_in, m, n_out = widths
        net = mlp(widths, activation="relu")
        W1 = torch.randn(m, n_in, generator=g, dtype=_F64)
        b1 = torch.randn(m, generator=g, dtype=_F64)
        W2 = torch.randn(n_out, m, generator=g, dtype=_F64)
        b2 = torch.zeros(n_out, dtype=_F64)
        scale = torch.ones(m, dtype=_F64)
        scale[unit] = c
        theta = torch.cat([W1.reshape(-1), b1, W2.reshape(-1), b2])
        expected = rescale_hidden(net, theta, scale)
        given = (W1.clone(), b1.clone(), W2.clone())
        got = call_student(name, rescale_relu_unit, *given, unit, c)
        for arg, before, after in zip(("W1", "b1", "W2"), (W1, b1, W2), given):
            if not torch.equal(before, after):
                raise SelfCheckFailed(f"{name}: for {case} your function changed the {arg} it was given; clone the "
                                      "tensors first (`W1 = W1.clone()`, ...) -- the caller's network must stay as it was")
        if not isinstance(got, tuple) or len(got) != 3:
            raise SelfCheckFailed(f"{name}: return the tuple (W1, b1, W2) of rescaled tensors, got {type(got).__name__}")
        new_W1 = expect_tensor(name, got[0], shape=W1.shape, what=f"W1 for {case}")
        new_b1 = expect_tensor(name, got[1], shape=b1.shape, what=f"b1 for {case}")
        new_W2 = expect_tensor(name, got[2], shape=W2.shape, what=f"W2 for {case}")
        got_theta = torch.cat([new_W1.reshape(-1), new_b1, new_W2.reshape(-1), b2]).to(_F64)
        x = torch.randn(50, n_in, generator=g, dtype=_F64)
        change = float((network_outputs(net, got_theta, x) - network_outputs(net, theta, x)).abs().max())
        if change > 1e-10:
            raise SelfCheckFailed(f"{name}: for {case} the network's outputs changed by {change:.3g}; a symmetry must "
                                  "leave them unchanged -- relu(c z) = c relu(z) for c > 0, so what is multiplied on the "
                                  "way in must be divided on the way out (and the bias is part of the way in)")
        expect_close(name, got_theta, expected, case=case, rtol=1e-12, atol=1e-12)
    passed(name, "the rescaled networks match the library and compute the same function")


def check_det_sign_classes(det_sign_classes: Callable[[Tensor], Tensor]) -> None:
    r"""``det_sign_classes(thetas)``: $\operatorname{sign}\det W_1$ for a batch (K, 8) of 2-2-2 linear networks."""
    name = "check_det_sign_classes"
    net = deep_linear((2, 2, 2))
    g = torch.Generator().manual_seed(21)
    cases = []
    for A, label in ((torch.tensor([[1.0, 0.5], [-0.3, 1.2]], dtype=_F64), "solutions of a target A with det A > 0"),
                     (torch.tensor([[0.0, 1.0], [1.0, 0.3]], dtype=_F64), "solutions of a target A with det A < 0")):
        rows = []
        for _ in range(8):
            G = torch.randn(2, 2, generator=g, dtype=_F64)
            rows.append(torch.cat([G.reshape(-1), (A @ torch.linalg.inv(G)).reshape(-1)]))
        cases.append((torch.stack(rows), label))
    cases.append((torch.randn(10, 8, generator=g, dtype=_F64), "10 random parameter vectors"))
    for thetas, case in cases:
        expected = det_sign(net, thetas)
        got = call_student(name, det_sign_classes, thetas.clone())
        got = expect_tensor(name, got, shape=expected.shape, what=f"the result for {case}")
        try:
            expect_close(name, got, expected, case=case, rtol=0, atol=1e-12)
        except SelfCheckFailed as exc:
            raise SelfCheckFailed(f"{exc} -- W1 is the first four entries of theta (the first layer, shape (2, 2)); "
                                  "the product W2 W1 = A has the same determinant for every solution") from None
    passed(name, "every solution is classified by the sign of det W1 (the two GL(2) cosets)")


def check_rotation_path_121(rotation_path_121: Callable[[Tensor, int], Tensor]) -> None:
    r"""``rotation_path_121(theta, n_points)``: $(R(s)w_1, R(s)w_2)$ for $s\in[0,\pi]$, a 1-2-1 linear network."""
    name = "check_rotation_path_121"
    net = deep_linear((1, 2, 1))
    cases = [(torch.tensor([1.0, 0.5, 0.8, 0.4], dtype=_F64), 9, "w1 = (1, 0.5), w2 = (0.8, 0.4), 9 points"),
             (torch.tensor([2.0, -1.0, 0.3, -0.4], dtype=_F64), 33, "w1 = (2, -1), w2 = (0.3, -0.4), 33 points"),
             (torch.tensor([0.0, 1.5, 1.0, 2.0], dtype=_F64), 2, "w1 = (0, 1.5), w2 = (1, 2), only the 2 ends")]
    for theta, n, case in cases:
        expected = rotation_path(net, theta, angle=math.pi, n_points=n)
        got = call_student(name, rotation_path_121, theta.clone(), n)
        got = expect_tensor(name, got, shape=expected.shape, what=f"the path for {case}")
        if got.dtype != theta.dtype:  # float32 rounding alone moves w2 . w1 by ~1e-7
            raise SelfCheckFailed(f"{name}: the path for {case} has dtype {got.dtype}, but theta is {theta.dtype}: "
                                  "compute in float64 (`torch.linspace(0, math.pi, n_points, dtype=theta.dtype)`)")
        products = got[:, :2].mul(got[:, 2:]).sum(dim=1)
        drift = float((products - theta[:2] @ theta[2:]).abs().max())
        if drift > 1e-9:
            raise SelfCheckFailed(f"{name}: along your path for {case}, w2 . w1 (the network's function) changes by "
                                  f"{drift:.3g}; rotate both vectors by the same angle so their inner product stays fixed")
        expect_close(name, got, expected, case=case, rtol=1e-10, atol=1e-10)
    passed(name, "the path rotates both weight vectors together, keeps w2 . w1 fixed and ends at -theta")


def _hyperbola() -> AnalyticLandscape:
    return AnalyticLandscape(lambda t: 0.5 * (t[0] * t[1] - 1) ** 2, 2, name="scalar linear network")


def check_count_hyperbola_components(count_hyperbola_components: Callable[[float, int], int]) -> None:
    r"""``count_hyperbola_components(level, resolution)``: components of $\{\frac12(w_1w_2-1)^2\le\lambda\}$ on the grid $[-2.5, 2.5]^2$."""
    name = "check_count_hyperbola_components"
    F = _hyperbola()
    cases = [(0.1, 101, "lambda = 0.1 (two hyperbola branches)"), (0.49, 51, "lambda = 0.49, a 51 x 51 grid"),
             (0.4995, 101, "lambda = 0.4995, just below the saddle (compare with `<=` exactly, no tolerance)"),
             (0.5, 101, "lambda = 0.5 exactly (the axes, F = 1/2, join the branches)"),
             (0.8, 101, "lambda = 0.8 (above the saddle at the origin)"),
             (0.02, 21, "lambda = 0.02 on a coarse 21 x 21 grid (the thin branches break up: use `resolution`)")]
    for level, resolution, case in cases:
        axis = torch.linspace(-2.5, 2.5, resolution, dtype=_F64)
        expected = count_components(sublevel_mask(evaluate_on_grid(F, (axis, axis)), level))
        got = call_student(name, count_hyperbola_components, level, resolution)
        if (isinstance(got, Tensor) and got.numel() == 1) or (isinstance(got, np.ndarray) and got.size == 1):
            got = got.item()  # a one-element (e.g. 0-d) tensor or array holds a count too
        if isinstance(got, np.generic):
            got = got.item()  # NumPy integers are integers
        if isinstance(got, bool) or not isinstance(got, numbers.Integral):
            raise SelfCheckFailed(f"{name}: return the number of components as an int, got {describe(got)}")
        got = int(got)
        expect_close(name, got, expected, case=case)
    passed(name, "2 components below lambda = 1/2, 1 from 1/2 on -- the saddle at the origin has F = 1/2")
