"""Self-checks of the lecture 07 exercises (tensors and mean field).

Each ``check_*`` runs the student's function on cases with known answers -- closed forms or the
library's own implementations in :mod:`landscape_lib.tensors` and :mod:`landscape_lib.mean_field`
-- and prints one line on success or raises ``SelfCheckFailed`` with the case, the expected value
and the value returned.
"""

from __future__ import annotations

from collections.abc import Callable

import torch
from torch import Tensor

from ..mean_field import (
    init_particles,
    mean_field_gd_step,
    relu_kernel,
    teacher_output,
    teacher_weights,
)
from ..tensors import (
    ascent_index,
    power_iteration,
    random_orthonormal_components,
    sample_spiked_tensor,
    subset_sum_point,
)
from ._harness import (
    SelfCheckFailed,
    call_student,
    expect_close,
    expect_inputs_unchanged,
    expect_number,
    expect_tensor,
    hinted,
    passed,
)

_F64 = torch.float64


def _unit(shape: tuple[int, ...], seed: int) -> Tensor:
    x = torch.randn(*shape, generator=torch.Generator().manual_seed(seed), dtype=_F64)
    return x / x.norm(dim=-1, keepdim=True)


def check_tensor_power_iteration(tensor_power_iteration: Callable[[Tensor, Tensor, int], Tensor]) -> None:
    r"""``tensor_power_iteration(Y, x0, n_iter)``: ``n_iter`` steps of $x \leftarrow Y(\cdot,x,x)/|Y(\cdot,x,x)|$ from every row of x0."""
    name = "check_tensor_power_iteration"
    model = sample_spiked_tensor(8, generator=torch.Generator().manual_seed(70))
    x0 = _unit((5, 8), seed=71)
    cases = [(0.0, 1, "pure noise (lambda = 0), one iteration"),
             (2.0, 3, "lambda = 2, three iterations"),
             (30.0, 10, "a strong spike (lambda = 30), ten iterations")]
    for lam, n_iter, case in cases:
        expected = power_iteration(model, lam, x0, n_iter).x
        given = x0.clone()
        got = call_student(name, tensor_power_iteration, model.dense(lam), given, n_iter)
        expect_inputs_unchanged(name, case, x0=(given, x0))
        got = expect_tensor(name, got, shape=expected.shape, what=f"the result for {case}")
        norms = got.detach().to(_F64).norm(dim=-1)  # (a float32 answer is judged by expect_close below)
        if not torch.allclose(norms, torch.ones(5, dtype=_F64), atol=1e-5):
            raise SelfCheckFailed(f"{name}: for {case} every returned point should have norm 1 (normalise each iterate), "
                                  f"got norms {norms.tolist()}")
        expect_close(name, got, expected, case=case, rtol=1e-7, atol=1e-9)
    passed(name, "iterates match the library's power iteration for lambda = 0, 2 and 30")


def check_subset_sum_index(subset_sum_index: Callable[[Tensor, tuple[int, ...]], int]) -> None:
    r"""``subset_sum_index(A, subset)``: number of ascent directions (positive tangent Hessian eigenvalues) of T at $u_S$."""
    name = "check_subset_sum_index"
    A = random_orthonormal_components(6, 6, generator=torch.Generator().manual_seed(72))
    g = torch.Generator().manual_seed(73)
    B = torch.randn(5, 6, generator=g, dtype=_F64)
    B = B / B.norm(dim=-1, keepdim=True)
    cases = [(A, (2,), "one component (a local maximum)"), (A, (0, 3), "orthonormal, |S| = 2"),
             (A, (0, 1, 4, 5), "orthonormal, |S| = 4"), (A, tuple(range(6)), "orthonormal, all six components"),
             (B, (0, 2), "non-orthogonal random components, S = (0, 2)"),
             (B, (1, 2, 3), "non-orthogonal random components, S = (1, 2, 3)")]
    for comps, subset, case in cases:
        expected = int(ascent_index(comps, subset_sum_point(comps, subset)))
        got = call_student(name, subset_sum_index, comps.clone(), subset)
        got = expect_number(name, got, what=f"the result for {case}")
        if got != expected:
            if got == expected + 1:
                hint = (" -- did you count the radial direction u? Project with P_u = I - u u^T on both sides "
                        "(P H P is symmetric) and drop its zero eigenvalue: count eigenvalues > 1e-8.")
            elif comps is A and got == len(comps) - len(subset):
                hint = " -- that is the number of *descent* directions; count eigenvalues > 0."
            else:
                hint = (" -- at the unit vector u = sum_S a_i / |sum_S a_i| build P (12 sum_i c_i^2 a_i a_i^T - "
                        "4 T(u) I) P with c = A u, T(u) = sum_i c_i^4, P = I - u u^T, and count its positive eigenvalues.")
            raise SelfCheckFailed(f"{name}: wrong value for {case}: expected {expected}, got {got:g}{hint}")
    passed(name, "indices |S| - 1 at orthonormal subset sums, and the library's count for correlated components")


def check_mean_field_step(mean_field_step: Callable[[Tensor, Tensor, Tensor, Tensor, float], tuple[Tensor, Tensor]]) -> None:
    r"""``mean_field_step(a, W, x, y, lr)``: one full-batch step $\theta_i \leftarrow \theta_i - \eta\,m\,\nabla_{\theta_i}L$."""
    name = "check_mean_field_step"
    g = torch.Generator().manual_seed(74)
    teacher = teacher_weights(2, 5)
    x = torch.randn(40, 5, generator=g, dtype=_F64)
    y = teacher_output(teacher, x)
    for m, lr in ((3, 0.5), (50, 0.2)):
        a, W = init_particles(m, 2, 5, generator=g)
        case = f"width m = {m}, lr = {lr}, 2 runs, 40 samples"
        a_new, W_new = mean_field_gd_step(a, W, x, y, lr)
        given_a, given_W = a.clone(), W.clone()
        got = call_student(name, mean_field_step, given_a, given_W, x.clone(), y.clone(), lr)
        expect_inputs_unchanged(name, case, a=(given_a, a), W=(given_W, W))
        if not (isinstance(got, tuple) and len(got) == 2):
            raise SelfCheckFailed(f"{name}: should return the pair (a_new, W_new), got {type(got).__name__}")
        for value, expected, what in ((got[0], a_new, "a_new"), (got[1], W_new, "W_new")):
            value = expect_tensor(name, value, shape=expected.shape, what=f"{what} for {case}")
            moved, want = (value - (a if what == "a_new" else W)), (expected - (a if what == "a_new" else W))
            ratio = float(moved.norm() / want.norm())
            if abs(ratio * m - 1) < 0.05:
                raise SelfCheckFailed(f"{name}: for {case} your {what} moved {ratio:.3g} times the expected step: "
                                      "that is the gradient without the mean-field factor m")
            with hinted("f = (1/m) sum_i a_i relu(w_i . x) (the 1/m of the mean field), loss = 1/2 mean over samples "
                        "of (f - y)^2 for each run, summed over the R independent runs (not averaged); then a and W "
                        "both move by -lr * m * gradient"):
                expect_close(name, value, expected, case=f"{what}, {case}", rtol=1e-7, atol=1e-10)
    passed(name, "steps match the mean-field update at widths 3 and 50 (particles move at a width-independent speed)")


def check_relu_kernel(relu_kernel_entry: Callable[[Tensor, Tensor], float]) -> None:
    r"""``relu_kernel_entry(u, v)`` = $\mathbb E_{x\sim\mathcal N(0,I)}\mathrm{relu}(u\cdot x)\,\mathrm{relu}(v\cdot x)$ in closed form."""
    name = "check_relu_kernel"
    g = torch.Generator().manual_seed(75)
    r1, r2 = torch.randn(4, generator=g, dtype=_F64), torch.randn(4, generator=g, dtype=_F64)
    third = torch.tensor([1 / 3, 2 / 3, 0.2], dtype=_F64)
    cases = [(torch.tensor([2.0, 0.0], dtype=_F64), torch.tensor([3.0, 0.0], dtype=_F64), "parallel vectors (phi = 0)"),
             (torch.tensor([1.0, 0.0], dtype=_F64), torch.tensor([0.0, 2.0], dtype=_F64), "orthogonal vectors"),
             (torch.tensor([1.0, 0.0], dtype=_F64), torch.tensor([-1.0, 0.1], dtype=_F64), "nearly opposite vectors"),
             (r1, r2, "two random vectors in R^4"), (r1, 0.5 * r1 + r2, "two correlated random vectors in R^4"),
             # u . v / (|u| |v|) rounds to 1.0000000000000002 here: acos of it raises unless the cosine is clamped
             (third, 2.5 * third, "parallel vectors u and 2.5 u whose cosine rounds above 1")]
    for u, v, case in cases:
        expected = float(relu_kernel(u[None], v[None]))
        with hinted(f"for {case} (a math domain error from acos means rounding pushed the cosine out of "
                    "[-1, 1]: clamp it)"):
            got = call_student(name, relu_kernel_entry, u.clone(), v.clone())
        with hinted("k(u, v) = |u| |v| / (2 pi) * (sin phi + (pi - phi) cos phi), phi the angle between u and v "
                    "(clamp cos phi to [-1, 1] before acos); closed form, in float64"):
            expect_close(name, got, expected, case=case, rtol=1e-7, atol=1e-10)
    passed(name, "closed form matches the arc-cosine kernel at phi = 0, pi/2, near pi and random angles")
