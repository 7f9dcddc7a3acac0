"""Mean-field two-layer networks (lecture 07): the closed-form population loss against Monte Carlo and autograd."""

from __future__ import annotations

import math

import pytest
import torch

from landscape_lib.mean_field import (
    empirical_loss,
    init_particles,
    mean_field_descent,
    mean_field_gd_step,
    network_output,
    population_gradients,
    population_loss,
    relu_kernel,
    teacher_output,
    teacher_weights,
    train_mean_field,
)

F64 = torch.float64


def test_relu_kernel_closed_form_special_cases() -> None:
    u = torch.tensor([[3.0, 0.0]], dtype=F64)
    same, ortho, opposite = (torch.tensor([[x, y]], dtype=F64) for x, y in ((2.0, 0.0), (0.0, 2.0), (-2.0, 0.0)))
    assert math.isclose(float(relu_kernel(u, same)), 6 / 2, rel_tol=1e-12)  # E relu(g)^2 = 1/2
    assert math.isclose(float(relu_kernel(u, ortho)), 6 / (2 * math.pi), rel_tol=1e-12)  # (E relu g)^2
    assert abs(float(relu_kernel(u, opposite))) < 1e-12


def test_relu_kernel_matches_monte_carlo() -> None:
    g = torch.Generator().manual_seed(0)
    U = torch.randn(3, 5, generator=g, dtype=F64)
    V = torch.randn(2, 5, generator=g, dtype=F64)
    x = torch.randn(400_000, 5, generator=g, dtype=F64)
    mc = torch.relu(x @ U.T).T @ torch.relu(x @ V.T) / len(x)
    assert torch.allclose(relu_kernel(U, V), mc, rtol=0.02, atol=0.01)


def test_population_loss_matches_the_empirical_loss_on_a_large_sample() -> None:
    g = torch.Generator().manual_seed(1)
    teacher = teacher_weights(3, 6)
    a, W = init_particles(5, 2, 6, generator=g)
    x = torch.randn(400_000, 6, generator=g, dtype=F64)
    emp = empirical_loss(a, W, x, teacher_output(teacher, x))
    assert torch.allclose(population_loss(a, W, teacher), emp, rtol=0.02)


def test_population_gradients_match_autograd() -> None:
    g = torch.Generator().manual_seed(2)
    teacher = teacher_weights(4, 10)
    a, W = init_particles(6, 3, 10, generator=g)
    a_, W_ = a.clone().requires_grad_(True), W.clone().requires_grad_(True)
    # autograd through the closed form is fine away from phi = 0; the diagonal i = j is phi = 0, so
    # compare with a version whose diagonal is written as |w|^2 / 2 (its exact value).
    nu = W_.norm(dim=-1)
    dots = W_ @ W_.transpose(-1, -2)
    rho = (dots / (nu[..., :, None] * nu[..., None, :])).clamp(-1, 1)
    eye = torch.eye(6, dtype=torch.bool)
    rho_off = torch.where(eye, torch.zeros_like(rho), rho)
    k_ss = (nu[..., :, None] * nu[..., None, :] * torch.sqrt(1 - rho_off**2) + (math.pi - torch.arccos(rho_off)) * dots) / (2 * math.pi)
    k_ss = torch.where(eye, nu[..., :, None] ** 2 / 2 * torch.ones_like(rho), k_ss)
    k_st = relu_kernel(W_, teacher.expand(3, 4, 10))
    k_tt = relu_kernel(teacher, teacher)
    c, b = a_ / 6, torch.full((4,), 0.25, dtype=F64)
    loss = 0.5 * (torch.einsum("ri,rij,rj->r", c, k_ss, c) - 2 * (k_st @ b * c).sum(-1) + b @ k_tt @ b)
    assert torch.allclose(loss.detach(), population_loss(a, W, teacher), atol=1e-12)
    ga_auto, gW_auto = torch.autograd.grad(loss.sum(), (a_, W_))
    ga, gW = population_gradients(a, W, teacher)
    assert torch.allclose(ga, ga_auto, atol=1e-10) and torch.allclose(gW, gW_auto, atol=1e-10)


def test_student_equal_to_teacher_has_zero_loss_and_gradient() -> None:
    teacher = teacher_weights(4, 10)
    W = torch.cat([teacher, teacher])[None]  # m = 8 particles, two copies of each teacher neuron
    a = torch.ones(1, 8, dtype=F64)
    assert float(population_loss(a, W, teacher)) < 1e-14
    ga, gW = population_gradients(a, W, teacher)
    assert float(ga.abs().max()) < 1e-12 and float(gW.abs().max()) < 1e-12


def test_mean_field_gd_step_matches_autograd_with_the_m_scaling() -> None:
    g = torch.Generator().manual_seed(3)
    a, W = init_particles(7, 2, 4, generator=g)
    x = torch.randn(50, 4, generator=g, dtype=F64)
    y = teacher_output(teacher_weights(2, 4), x)
    a_, W_ = a.clone().requires_grad_(True), W.clone().requires_grad_(True)
    ga, gW = torch.autograd.grad(empirical_loss(a_, W_, x, y).sum(), (a_, W_))
    a1, W1 = mean_field_gd_step(a, W, x, y, 0.3)
    assert torch.allclose(a1, a - 0.3 * 7 * ga, atol=1e-12) and torch.allclose(W1, W - 0.3 * 7 * gW, atol=1e-12)
    assert network_output(a, W, x).shape == (2, 50)


def test_descent_decreases_the_loss_and_runs_seeds_independently() -> None:
    teacher = teacher_weights(2, 5)
    run = train_mean_field(8, teacher, n_seeds=3, steps=200, record_every=50, snapshot_every=100)
    assert run.loss.shape == (5, 3) and run.steps.tolist() == [0, 50, 100, 150, 200]
    assert bool((run.loss[-1] < 0.2 * run.loss[0]).all())
    assert run.snapshot_steps.tolist() == [0, 100, 200] and run.snapshots[0][1].shape == (8, 5)
    g = torch.Generator().manual_seed(0)
    a, W = init_particles(8, 3, 5, generator=g)
    alone = mean_field_descent(a[1:2], W[1:2], teacher, steps=200, record_every=50)
    assert torch.allclose(alone.loss[:, 0], run.loss[:, 1], atol=1e-12)


def test_mean_field_bad_inputs() -> None:
    teacher = teacher_weights(2, 5)
    a, W = init_particles(4, 2, 5)
    with pytest.raises(ValueError, match=r"population_loss: arguments `a` \(R, m\) and `W` \(R, m, d\) must match"):
        population_loss(a[:, :3], W, teacher)
    with pytest.raises(ValueError, match="mean_field_descent: argument `lr` must be > 0, got -1"):
        mean_field_descent(a, W, teacher, lr=-1)
    with pytest.raises(ValueError, match="teacher_weights: at most d = 3 orthonormal neurons, got m0 = 4"):
        teacher_weights(4, 3)


def test_mean_field_figures_render() -> None:
    import io

    from landscape_lib.plots.simplified_models import plot_mean_field_losses, plot_particles

    teacher = teacher_weights(4, 10)
    runs = [train_mean_field(m, teacher, n_seeds=2, steps=20, record_every=10, snapshot_every=10) for m in (4, 8)]
    for fig in (plot_mean_field_losses(runs, at_step=10, m0=4), plot_particles(*runs[1].snapshots[-1], teacher, step=20)):
        fig.savefig(io.BytesIO(), format="png")  # renders every label (catches mathtext errors)
