"""Two-layer networks of Freeman & Bruna's Thm 2.4 / VBB, and the teacher-student data, against hand computations."""

from __future__ import annotations

import math

import pytest
import torch

from landscape_lib.data.teacher import (TARGET_FREQUENCIES, circle_inputs, circle_regression, harmonic_target,
                                        teacher_regression)
from landscape_lib.models.one_hidden_relu import (TwoLayerLandscape, activation_fn, intrinsic_dimension,
                                                  merge_closest_units, unit_ball_rows)
from landscape_lib.training import descend

F64 = torch.float64


def by_hand(x, y, v, u, kappa, activation="relu", unit_ball=True):
    """The loss written out unit by unit and sample by sample."""
    total = 0.0
    for i in range(len(x)):
        out = 0.0
        for k in range(len(u)):
            w = v[k] / max(1.0, float(v[k].norm())) if unit_ball else v[k]
            z = float(w @ x[i])
            out += float(u[k]) * (max(z, 0.0) if activation == "relu" else z * z)
        total += (out - float(y[i])) ** 2
    return total / len(x) + kappa * float(u.abs().sum())


@pytest.fixture
def data():
    g = torch.Generator().manual_seed(0)
    return torch.randn(2, 7, 3, generator=g, dtype=F64), torch.randn(2, 7, generator=g, dtype=F64), g


@pytest.mark.parametrize("activation", ["relu", "quadratic"])
def test_loss_matches_a_hand_computation_for_every_width_and_task(data, activation) -> None:
    x, y, g = data
    F = TwoLayerLandscape(x, y, max_width=5, activation=activation, kappa=0.1)
    points, expected = [], []
    for m, task in [(1, 0), (3, 1), (5, 0), (2, 1)]:
        v = 1.5 * torch.randn(m, 3, generator=g, dtype=F64)  # some rows outside the unit ball
        u = torch.randn(m, generator=g, dtype=F64)
        points.append(F.pack(v, u, task))
        expected.append(by_hand(x[task], y[task], v, u, 0.1, activation, unit_ball=activation == "relu"))
    theta = torch.stack(points)
    assert torch.allclose(F(theta), torch.tensor(expected, dtype=F64), rtol=1e-12)
    # one point at a time, and through vmap (Landscape.grad/hvp use the traceable single-point loss)
    assert torch.allclose(torch.stack([F(t) for t in theta]), F(theta), rtol=1e-12)
    assert torch.allclose(torch.func.vmap(F._loss_single)(theta), F(theta), rtol=1e-12)
    assert torch.allclose(F.data_loss(theta) + 0.1 * torch.stack([F.units(t)[1].abs().sum() for t in theta]), F(theta))


def test_a_width_m_point_equals_the_same_network_in_a_landscape_of_max_width_m(data) -> None:
    x, y, g = data
    v, u = torch.randn(3, 3, generator=g, dtype=F64), torch.randn(3, generator=g, dtype=F64)
    wide, narrow = TwoLayerLandscape(x, y, max_width=8, kappa=0.01), TwoLayerLandscape(x, y, max_width=3, kappa=0.01)
    assert float(wide(wide.pack(v, u, 1))) == pytest.approx(float(narrow(narrow.pack(v, u, 1))), rel=1e-13)


def test_tags_never_receive_a_gradient_and_training_keeps_them(data) -> None:
    x, y, g = data
    F = TwoLayerLandscape(x, y, max_width=4, kappa=0.01)
    theta = F.random_init([2, 4, 3], task=1, generator=g)
    grads = F.grad(theta)
    assert torch.all(grads[:, -2:] == 0)
    assert torch.all(grads[0, 2 * 3: 4 * 3] == 0) and torch.all(grads[0, 12 + 2: 12 + 4] == 0)  # switched-off units
    leaf = theta.clone().requires_grad_(True)
    (autograd,) = torch.autograd.grad(F.evaluate(leaf).sum(), leaf)
    assert torch.allclose(grads, autograd, rtol=1e-12, atol=1e-14)  # batched einsum path == vmap(grad) path
    run = descend(F, theta, lr=0.05, max_steps=200, progress=False)
    assert torch.equal(run.theta[:, -2:], theta[:, -2:])
    assert torch.all(run.loss < F(theta))
    # the dense Hessian is symmetric (the traceable path works through the masks)
    H = F.hessian(theta[0])
    assert torch.allclose(H, H.T, atol=1e-10)


def test_unit_ball_rows_projects_only_rows_outside_the_ball() -> None:
    v = torch.tensor([[3.0, 4.0], [0.3, 0.4], [0.0, 0.0]], dtype=F64)
    w = unit_ball_rows(v)
    assert torch.allclose(w, torch.tensor([[0.6, 0.8], [0.3, 0.4], [0.0, 0.0]], dtype=F64))


@pytest.mark.parametrize("n, d, expected", [(4, 2, 10), (2, 2, 3), (3, 3, 10), (5, 1, 5), (2, 4, 5)])
def test_intrinsic_dimension_is_the_rank_of_random_features(n, d, expected) -> None:
    assert intrinsic_dimension(n, d) == expected == math.comb(n + d - 1, d)
    g = torch.Generator().manual_seed(1)
    x, w = torch.randn(200, n, generator=g, dtype=F64), torch.randn(100, n, generator=g, dtype=F64)
    assert int(torch.linalg.matrix_rank((x @ w.T) ** d)) == expected


def test_merge_closest_units_keeps_the_function_for_coincident_units() -> None:
    g = torch.Generator().manual_seed(2)
    w = torch.nn.functional.normalize(torch.randn(5, 2, generator=g, dtype=F64), dim=1)
    w = torch.cat([w, 0.5 * w[2:3]])  # unit 5 points like unit 2, with norm 0.5
    u = torch.randn(6, generator=g, dtype=F64)
    w2, u2, alpha = merge_closest_units(w, u)
    assert alpha == pytest.approx(0.0, abs=1e-6) and w2.shape == (5, 2) and u2.shape == (5,)
    assert float(u2[2]) == pytest.approx(float(u[2] + 0.5 * u[5]))
    x = torch.randn(50, 2, generator=g, dtype=F64)
    assert torch.allclose(torch.relu(x @ w.T) @ u, torch.relu(x @ w2.T) @ u2, atol=1e-12)


def test_merge_closest_units_picks_the_smallest_angle_and_bisects_it() -> None:
    phi = torch.tensor([0.0, 1.0, 0.2, 3.0], dtype=F64)
    w = torch.stack([torch.cos(phi), torch.sin(phi)], dim=1)
    u = torch.tensor([1.0, 2.0, 3.0, 4.0], dtype=F64)
    w2, u2, alpha = merge_closest_units(w, u)
    assert alpha == pytest.approx(0.2)
    assert torch.allclose(w2[0], torch.tensor([math.cos(0.1), math.sin(0.1)], dtype=F64))
    assert torch.allclose(u2, torch.tensor([4.0, 2.0, 4.0], dtype=F64))


def test_circle_targets_and_teachers() -> None:
    split = circle_regression("rough", n_train=30, n_test=10, seed=3)
    phi = torch.atan2(split.x_train[:, 1], split.x_train[:, 0])
    assert torch.allclose(split.y_train, torch.cos(TARGET_FREQUENCIES["rough"] * phi))
    assert torch.allclose(split.x_train.norm(dim=1), torch.ones(30, dtype=F64))
    assert split.x_test.shape == (10, 2) and split.y_test.shape == (10,)
    x = 2 * circle_inputs(5, generator=torch.Generator().manual_seed(0))
    assert torch.allclose(harmonic_target(x, 2), 2 * torch.cos(2 * torch.atan2(x[:, 1], x[:, 0])))
    teacher = teacher_regression(3, 2, activation="quadratic", n_train=40, n_test=5, seed=0)
    # a quadratic teacher is a quadratic form: 6 coefficients explain the 40 targets exactly
    xs = teacher.x_train
    monomials = torch.stack([xs[:, i] * xs[:, j] for i in range(3) for j in range(i, 3)], dim=1)
    coef = torch.linalg.lstsq(monomials, teacher.y_train[:, None]).solution
    assert torch.allclose(monomials @ coef, teacher.y_train[:, None], atol=1e-10)
    relu = teacher_regression(3, 2, activation="relu", n_train=8, seed=0)
    assert relu.y_train.shape == (8,) and activation_fn("relu", torch.tensor(-1.0)) == 0


def test_bad_inputs_are_named(data) -> None:
    x, y, _ = data
    with pytest.raises(ValueError, match=r"TwoLayerLandscape: argument `activation` must be one of \('relu', 'quadratic'\), got 'tanh'"):
        TwoLayerLandscape(x, y, max_width=3, activation="tanh")
    with pytest.raises(ValueError, match=r"TwoLayerLandscape: argument `kappa` must be a number >= 0, got float -1.0"):
        TwoLayerLandscape(x, y, max_width=3, kappa=-1.0)
    with pytest.raises(ValueError, match=r"TwoLayerLandscape: `inputs` must have shape \(N, n\) or \(D, N, n\)"):
        TwoLayerLandscape(x, y[0], max_width=3)
    with pytest.raises(ValueError, match=r"TwoLayerLandscape: argument `max_width` must be > 0, got 0"):
        TwoLayerLandscape(x, y, max_width=0)
    F = TwoLayerLandscape(x, y, max_width=3)
    with pytest.raises(ValueError, match=r"TwoLayerLandscape.pack: `v` must have shape \(m, 3\) .* got \(4, 3\) and \(4,\)"):
        F.pack(torch.zeros(4, 3, dtype=F64), torch.zeros(4, dtype=F64))
    with pytest.raises(ValueError, match=r"TwoLayerLandscape.pack: argument `task` must be an integer in \[0, 1\], got 2"):
        F.pack(torch.zeros(2, 3, dtype=F64), torch.zeros(2, dtype=F64), task=2)
    bad = torch.zeros(F.dim, dtype=F64)
    bad[-2] = 7.0
    with pytest.raises(ValueError, match=r"TwoLayerLandscape: point 0 has width tag 7"):
        F(bad[None])
    with pytest.raises(ValueError, match=r"merge_closest_units: argument `w` has a zero row \(index 1\)"):
        merge_closest_units(torch.tensor([[1.0, 0.0], [0.0, 0.0]], dtype=F64), torch.ones(2, dtype=F64))
    with pytest.raises(ValueError, match=r"circle_regression: argument `target` must be one of \['rough', 'smooth'\]"):
        circle_regression("wiggly")
    with pytest.raises(ValueError, match=r"intrinsic_dimension: argument `degree` must be > 0, got 0"):
        intrinsic_dimension(3, 0)
    with pytest.raises(ValueError, match=r"activation_fn: argument `name` must be one of"):
        activation_fn("sigmoid", torch.zeros(1))
