"""Tensor landscapes (lecture 07): closed forms, autograd, and the bridge to lecture 01's 3-spin model."""

from __future__ import annotations

import math

import pytest
import torch

from landscape_lib.spin_glass import pspin_energy, riemannian_gradient, riemannian_hessian
from landscape_lib.tensors import (
    all_subsets,
    ascent_index,
    decomposition_ascent,
    decomposition_gradient,
    decomposition_hessian,
    decomposition_objective,
    distance_to_components,
    power_iteration,
    projected_gradient_ascent,
    random_orthonormal_components,
    sample_spiked_tensor,
    spiked_field,
    spiked_objective,
    spiked_riemannian_gradient,
    spiked_riemannian_hessian,
    subset_sum_point,
    success_rate,
    tangent_eigenvalues,
)

F64 = torch.float64


def unit(shape, seed=0):
    x = torch.randn(*shape, generator=torch.Generator().manual_seed(seed), dtype=F64)
    return x / x.norm(dim=-1, keepdim=True)


def sphere_derivatives(f, x):
    """Riemannian gradient and Hessian of f at unit x from autograd of the Euclidean ones."""
    x = x.clone().requires_grad_(True)
    g = torch.autograd.grad(f(x), x)[0]
    H = torch.autograd.functional.hessian(f, x.detach())
    P = torch.eye(len(x), dtype=F64) - torch.outer(x.detach(), x.detach())
    return P @ g, P @ (H - float(x.detach() @ g) * torch.eye(len(x), dtype=F64)) @ P


# -- spiked tensor ------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def model():
    return sample_spiked_tensor(7, generator=torch.Generator().manual_seed(1))


def test_spiked_objective_and_field_match_the_dense_tensor(model) -> None:
    Y = model.dense(2.5)
    x = unit((5, 7))
    assert torch.allclose(spiked_objective(model, 2.5, x), torch.einsum("ijk,si,sj,sk->s", Y, x, x, x), atol=1e-12)
    assert torch.allclose(spiked_field(model, 2.5, x), torch.einsum("ijk,sj,sk->si", Y, x, x), atol=1e-12)


def test_with_no_signal_the_objective_is_the_3_spin_energy(model) -> None:
    """lambda = 0: f(x) = E(sqrt(N) x), grad f = grad H / sqrt(N), Hess f = Hess H (lecture 01)."""
    x = unit((4, 7))
    sigma = math.sqrt(7) * x
    assert torch.allclose(spiked_objective(model, 0.0, x), pspin_energy(model.W, sigma), atol=1e-12)
    assert torch.allclose(spiked_riemannian_gradient(model, 0.0, x), riemannian_gradient(model.W, sigma) / math.sqrt(7),
                          atol=1e-12)
    assert torch.allclose(spiked_riemannian_hessian(model, 0.0, x), riemannian_hessian(model.W, sigma), atol=1e-10)


def test_spiked_gradient_and_hessian_match_autograd(model) -> None:
    Y = model.dense(3.0)
    x = unit((7,), seed=3)
    grad, hess = sphere_derivatives(lambda z: torch.einsum("ijk,i,j,k->", Y, z, z, z), x)
    assert torch.allclose(spiked_riemannian_gradient(model, 3.0, x), grad, atol=1e-10)
    assert torch.allclose(spiked_riemannian_hessian(model, 3.0, x), hess, atol=1e-10)


def test_lam_broadcasts_over_a_batch_of_starts(model) -> None:
    x = unit((3, 4, 7))
    lams = torch.tensor([0.0, 1.0, 5.0], dtype=F64)[:, None]
    batched = spiked_objective(model, lams, x)
    for i, lam in enumerate(lams.flatten().tolist()):
        assert torch.allclose(batched[i], spiked_objective(model, lam, x[i]), atol=1e-12)


def test_power_iteration_is_the_normalised_contraction_and_finds_a_strong_spike() -> None:
    model = sample_spiked_tensor(30, generator=torch.Generator().manual_seed(2))
    x0 = unit((6, 30), seed=4)
    one = power_iteration(model, 1.0, x0, 1)
    F = torch.einsum("ijk,sj,sk->si", model.dense(1.0), x0, x0)
    assert torch.allclose(one.x, F / F.norm(dim=-1, keepdim=True), atol=1e-12)
    assert one.overlap_history.shape == (2, 6)
    strong = power_iteration(model, 10 * math.sqrt(30), x0, 20)
    assert bool((strong.overlap > 0.99).all()) and float(success_rate(strong.overlap)) == 1.0


def test_gradient_ascent_increases_the_objective_and_stops_at_critical_points() -> None:
    model = sample_spiked_tensor(12, generator=torch.Generator().manual_seed(5))
    x0 = unit((2, 8, 12), seed=6)
    lams = torch.tensor([[1.0], [30.0]], dtype=F64)
    run = projected_gradient_ascent(model, lams, x0, step=0.2, max_steps=600)
    assert bool((run.value >= spiked_objective(model, lams, x0) - 1e-12).all())
    assert float(run.grad_norm.max()) < 1e-6
    # every endpoint is a local maximum: tangent Hessian negative definite
    for i, lam in enumerate((1.0, 30.0)):
        eig = tangent_eigenvalues(spiked_riemannian_hessian(model, lam, run.x[i]), run.x[i])
        assert bool((eig < 1e-8).all())


def test_success_rate() -> None:
    assert float(success_rate(torch.tensor([0.95, -0.92, 0.5, 0.1]))) == 0.5
    with pytest.raises(ValueError, match="success_rate: argument `threshold`"):
        success_rate(torch.zeros(3), threshold=1.5)


def test_spiked_bad_inputs_name_function_argument_and_value(model) -> None:
    with pytest.raises(ValueError, match=r"spiked_objective: argument `x` must lie on the unit sphere .* 2"):
        spiked_objective(model, 1.0, 2 * unit((7,)))
    with pytest.raises(ValueError, match=r"power_iteration: argument `x` must have shape \(\.\.\., N\) with N = 7"):
        power_iteration(model, 1.0, unit((3, 5)), 3)
    with pytest.raises(TypeError, match="spiked_field: argument `model` must be a SpikedTensor"):
        spiked_field("Y", 1.0, unit((7,)))
    with pytest.raises(ValueError, match="power_iteration: argument `n_iter` must be > 0, got 0"):
        power_iteration(model, 1.0, unit((7,)), 0)
    with pytest.raises(ValueError, match="does not broadcast"):
        spiked_objective(model, torch.ones(3), unit((4, 7)))


# -- orthogonal decomposition --------------------------------------------------------------------
@pytest.fixture(scope="module")
def components():
    return random_orthonormal_components(5, 6, generator=torch.Generator().manual_seed(7))


def test_decomposition_derivatives_match_autograd(components) -> None:
    A = torch.randn(4, 6, generator=torch.Generator().manual_seed(8), dtype=F64)  # any components
    u = unit((6,), seed=9)
    grad, hess = sphere_derivatives(lambda z: ((A @ z) ** 4).sum(), u)
    assert torch.allclose(decomposition_gradient(A, u), grad, atol=1e-10)
    assert torch.allclose(decomposition_hessian(A, u), hess, atol=1e-10)
    assert torch.allclose(decomposition_objective(A, u), ((A @ u) ** 4).sum())


def test_subset_sums_are_critical_with_value_one_over_s_and_index_s_minus_one(components) -> None:
    for subset in all_subsets(5):
        signs = [(-1) ** i for i in range(len(subset))]
        u = subset_sum_point(components, subset, signs)
        s = len(subset)
        assert float(decomposition_gradient(components, u).norm()) < 1e-12
        assert abs(float(decomposition_objective(components, u)) - 1 / s) < 1e-12
        assert int(ascent_index(components, u)) == s - 1
        eig = tangent_eigenvalues(decomposition_hessian(components, u), u)
        # closed form: 8/s on the s - 1 directions inside the span, -4/s on the other d - s
        expected = torch.tensor([-4 / s] * (6 - s) + [8 / s] * (s - 1), dtype=F64)
        assert torch.allclose(eig, expected, atol=1e-10)


def test_ascent_from_random_starts_ends_at_a_component(components) -> None:
    run = decomposition_ascent(components, unit((50, 6), seed=10))
    assert float(distance_to_components(components, run.u).max()) < 1e-6
    assert bool((ascent_index(components, run.u) == 0).all())


def test_all_subsets_and_distance() -> None:
    assert all_subsets(3) == [(0,), (1,), (2,), (0, 1), (0, 2), (1, 2), (0, 1, 2)]
    A = torch.eye(3, dtype=F64)
    u = torch.tensor([[0.0, -1.0, 0.0], [0.6, 0.8, 0.0]], dtype=F64)
    assert torch.allclose(distance_to_components(A, u), torch.tensor([0.0, math.sqrt(0.4)], dtype=F64))


def test_decomposition_bad_inputs(components) -> None:
    with pytest.raises(ValueError, match="random_orthonormal_components: at most d = 3 .* got r = 4"):
        random_orthonormal_components(4, 3)
    with pytest.raises(ValueError, match=r"subset_sum_point: argument `subset` must be distinct row indices"):
        subset_sum_point(components, [0, 0])
    with pytest.raises(ValueError, match=r"decomposition_hessian: argument `u` must have shape \(d,\)"):
        decomposition_hessian(components, unit((5,)))
    with pytest.raises(ValueError, match="decomposition_objective: argument `u` must lie on the unit sphere"):
        decomposition_objective(components, torch.ones(6, dtype=F64))


def test_tensor_figures_render() -> None:
    import io

    from landscape_lib.plots.simplified_models import plot_endpoint_overlaps, plot_subset_saddles, plot_success_curves

    figs = [
        plot_success_curves({"N = 10": ([0.5, 1.0], [0.2, 0.9])}, reference=([0.5, 1.0], [0.3, 1.0], "anchors")),
        plot_endpoint_overlaps([0.0, 4.0], [torch.tensor([0.1, -0.05, 0.95]), torch.tensor([0.99, 0.02])],
                               band=[0.2, 0.1], N=10),
        plot_subset_saddles(torch.tensor([1, 2, 3]), torch.tensor([0, 1, 2]), torch.tensor([1.0, 0.5, 1 / 3])),
    ]
    for fig in figs:
        fig.savefig(io.BytesIO(), format="png")  # renders every label (catches mathtext errors)
