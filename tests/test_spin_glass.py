"""Unit tests of the spherical p-spin model (landscape_lib.spin_glass) and its descent."""

from __future__ import annotations

import io
import math

import pytest
import torch

from landscape_lib.spin_glass import (
    euclidean_gradient,
    great_circle,
    is_symmetric,
    project_to_sphere,
    pspin_energy,
    pspin_energy_unchecked,
    pspin_hamiltonian,
    random_sphere_points,
    riemannian_gradient,
    riemannian_hessian,
    sample_couplings,
    semicircle_radius,
    symmetrize,
    tangent_basis,
    tangent_hessian_eigenvalues,
)
from landscape_lib.spin_glass.descent import fit_finite_size, sphere_gradient_descent


def gen(seed: int = 0) -> torch.Generator:
    return torch.Generator().manual_seed(seed)


@pytest.mark.parametrize("p", [2, 3, 4])
def test_energy_matches_the_explicit_sum_and_unit_sphere_convention(p: int) -> None:
    N = 6
    g = gen(p)
    raw = torch.randn((N,) * p, generator=g, dtype=torch.float64)
    sigma = random_sphere_points(N, (3,), generator=g)
    # H(sigma) = N^{-(p-1)/2} sum J sigma...sigma with the raw (unsymmetrised) couplings
    letters = "abcdefg"[:p]
    explicit = torch.stack([torch.einsum(f"{letters},{','.join(letters)}->", raw, *([s] * p)) for s in sigma])
    explicit = explicit * N ** (-(p - 1) / 2)
    J = symmetrize(raw)
    assert torch.allclose(pspin_hamiltonian(J, sigma), explicit, atol=1e-12)
    assert torch.allclose(pspin_hamiltonian(raw, sigma), explicit, atol=1e-12)  # symmetrising leaves H unchanged
    assert torch.allclose(pspin_energy(J, sigma), explicit / N, atol=1e-12)
    # Unit-sphere convention f(x) = <J, x^p>: H(sqrt(N) x) / sqrt(N) = f(x), so E = f(x)/sqrt(N)
    x = sigma / math.sqrt(N)
    f = torch.stack([torch.einsum(f"{letters},{','.join(letters)}->", raw, *([xi] * p)) for xi in x])
    assert torch.allclose(pspin_energy(J, sigma), f / math.sqrt(N), atol=1e-12)


def test_energy_is_odd_for_odd_p_and_single_point_shapes() -> None:
    J = sample_couplings(8, 3, generator=gen())
    s = random_sphere_points(8, generator=gen(1))
    assert pspin_energy(J, s).shape == ()
    assert torch.allclose(pspin_energy(J, -s), -pspin_energy(J, s))
    assert riemannian_gradient(J, s).shape == (8,)
    batch = random_sphere_points(8, (5,), generator=gen(2))
    assert pspin_energy(J, batch).shape == (5,)


def test_batched_instances_agree_with_one_instance_at_a_time() -> None:
    J = sample_couplings(7, 3, n_instances=3, generator=gen())
    s = random_sphere_points(7, (3, 4), generator=gen(1))
    e = pspin_energy(J, s)
    g = riemannian_gradient(J, s)
    assert e.shape == (3, 4) and g.shape == (3, 4, 7)
    for b in range(3):
        assert torch.allclose(e[b], pspin_energy(J[b], s[b]))
        assert torch.allclose(g[b], riemannian_gradient(J[b], s[b]))


@pytest.mark.parametrize("p", [2, 3, 4])
def test_riemannian_gradient_is_tangent_and_equals_projected_autograd(p: int) -> None:
    N = 9
    J = sample_couplings(N, p, generator=gen(p))
    sigma = random_sphere_points(N, (4,), generator=gen(10 + p))
    g = riemannian_gradient(J, sigma)
    assert torch.allclose((g * sigma).sum(-1), torch.zeros(4, dtype=torch.float64), atol=1e-12)
    s = sigma.clone().requires_grad_(True)
    (auto,) = torch.autograd.grad(pspin_energy_unchecked(J, s, p).sum() * N, s)  # grad of H
    projected = auto - sigma * (auto * sigma).sum(-1, keepdim=True) / N
    assert torch.allclose(g, projected, atol=1e-10)
    assert torch.allclose(euclidean_gradient(J, sigma), auto, atol=1e-10)
    # Euler's relation for a degree-p polynomial: sigma . grad H = p H
    assert torch.allclose((auto * sigma).sum(-1), p * pspin_hamiltonian(J, sigma), atol=1e-10)


@pytest.mark.parametrize("p", [2, 3, 4])
def test_riemannian_hessian_matches_dense_autograd_hessian_of_the_retracted_energy(p: int) -> None:
    N = 7
    J = sample_couplings(N, p, generator=gen(p))
    sigma = random_sphere_points(N, generator=gen(20 + p))

    def on_sphere(x: torch.Tensor) -> torch.Tensor:  # H(sqrt(N) x/|x|): second-order retraction
        return pspin_energy_unchecked(J, math.sqrt(N) * x / x.norm(), p) * N

    dense = torch.autograd.functional.hessian(on_sphere, sigma)
    proj = torch.eye(N, dtype=torch.float64) - torch.outer(sigma, sigma) / N
    hess = riemannian_hessian(J, sigma)
    assert torch.allclose(hess, proj @ dense @ proj, atol=1e-10)
    assert torch.allclose(hess @ sigma, torch.zeros(N, dtype=torch.float64), atol=1e-10)
    eig = tangent_hessian_eigenvalues(J, sigma)
    assert eig.shape == (N - 1,)
    B = tangent_basis(sigma)
    assert torch.allclose(B.T @ B, torch.eye(N - 1, dtype=torch.float64), atol=1e-12)
    assert torch.allclose(B.T @ sigma, torch.zeros(N - 1, dtype=torch.float64), atol=1e-12)
    full = torch.linalg.eigvalsh(hess)
    # the tangent spectrum is the full spectrum minus the zero eigenvalue along sigma
    zero = full.abs().argmin()
    assert torch.allclose(eig, torch.cat([full[:zero], full[zero + 1:]]), atol=1e-10)


def test_covariance_is_N_q_to_the_p_on_sampled_pairs() -> None:
    """E[H(s)H(s')] = N q^p: Monte Carlo over 4000 instances, 5-sigma tolerance."""
    N, p, n = 8, 3, 4000
    g = gen(3)
    a = random_sphere_points(N, generator=g)
    for q_target in (1.0, 0.7, 0.3, 0.0):
        # build s' with overlap q_target with a
        w = torch.randn(N, generator=g, dtype=torch.float64)
        w = w - (w @ a) / N * a
        w = w / w.norm() * math.sqrt(N)
        b = q_target * a + math.sqrt(1 - q_target**2) * w
        q = float(a @ b) / N
        J = sample_couplings(N, p, n_instances=n, generator=g)
        pts = torch.stack([a, b]).expand(n, 2, N)
        H = pspin_hamiltonian(J, pts)  # (n, 2)
        prod = H[:, 0] * H[:, 1]
        expected = N * q**p
        sem = float(prod.std()) / math.sqrt(n)
        assert abs(float(prod.mean()) - expected) < 5 * sem, (q, float(prod.mean()), expected, sem)


def test_hessian_at_a_random_point_is_a_semicircle_of_radius_2_sqrt_p_p_minus_1() -> None:
    N, p = 150, 3
    J = sample_couplings(N, p, generator=gen(5))
    s = random_sphere_points(N, generator=gen(6))
    eig = tangent_hessian_eigenvalues(J, s) + p * pspin_energy(J, s)  # undo the shift: M alone
    R = semicircle_radius(p)
    assert abs(float((eig**2).mean()) - p * (p - 1)) < 0.05 * p * (p - 1)  # semicircle second moment R^2/4
    assert abs(float(eig.max()) - R) < 0.1 * R and abs(float(eig.min()) + R) < 0.1 * R


def test_symmetrize_and_sampling() -> None:
    J = sample_couplings(5, 4, generator=gen())
    assert J.shape == (5,) * 4 and is_symmetric(J, 4)
    raw = torch.randn(5, 5, 5, generator=gen(), dtype=torch.float64)
    assert not is_symmetric(raw, 3)
    assert torch.equal(sample_couplings(5, 3, generator=gen(7)), sample_couplings(5, 3, generator=gen(7)))
    batch = sample_couplings(5, 3, n_instances=2, generator=gen())
    assert batch.shape == (2, 5, 5, 5) and is_symmetric(batch, 3)
    pts = random_sphere_points(10, (3, 2), generator=gen())
    assert torch.allclose((pts**2).sum(-1), torch.full((3, 2), 10.0, dtype=torch.float64))
    circle = great_circle(pts[0, 0], pts[0, 1], torch.linspace(0, 2 * math.pi, 9))
    assert torch.allclose((circle**2).sum(-1), torch.full((9,), 10.0, dtype=torch.float64))
    assert torch.allclose(circle[0], pts[0, 0]) and torch.allclose(circle[4], -pts[0, 0], atol=1e-12)


@pytest.mark.parametrize(
    ("call", "error", "match"),
    [
        (lambda: sample_couplings(10, 1), ValueError, r"sample_couplings: argument `p` must be an integer >= 2, got 1"),
        (lambda: sample_couplings(1, 3), ValueError, r"sample_couplings: argument `N` must be an integer >= 2, got 1"),
        (lambda: sample_couplings(10, 2.5), TypeError, r"sample_couplings: argument `p` must be an integer, got float 2.5"),
        (lambda: sample_couplings(10, 3, n_instances=0), ValueError, r"`n_instances` must be None or an integer >= 1, got 0"),
        (lambda: pspin_energy([1.0, 2.0], torch.ones(2)), TypeError, r"pspin_energy: argument `J` must be a torch.Tensor, got list"),
        (lambda: pspin_energy(torch.zeros(4, 4, 4, dtype=torch.float64), torch.ones(5, dtype=torch.float64)),
         ValueError, r"pspin_energy: argument `J` must have shape \(N,\)\*p with p >= 2 and N = sigma.shape\[-1\] = 5, "
                     r"got J of shape \(4, 4, 4\)"),
        (lambda: pspin_energy(torch.zeros(4, dtype=torch.float64), torch.ones(4, dtype=torch.float64)),
         ValueError, r"pspin_energy: argument `J` must have shape \(N,\)\*p with p >= 2"),
        (lambda: pspin_energy(sample_couplings(4, 3), 2 * torch.ones(4, dtype=torch.float64)),
         ValueError, r"pspin_energy: argument `sigma` must lie on the sphere \|sigma\|\^2 = N = 4, got \|sigma\|\^2 = 16"),
        (lambda: pspin_energy(sample_couplings(4, 3), torch.ones(4, dtype=torch.float32)),
         TypeError, r"pspin_energy: `J` and `sigma` must share a dtype, got torch.float64 and torch.float32"),
        (lambda: riemannian_gradient(torch.randn(4, 4, 4, dtype=torch.float64), torch.ones(4, dtype=torch.float64)),
         ValueError, r"riemannian_gradient: argument `J` must be symmetric under permutations of its 3 indices"),
        (lambda: pspin_energy(sample_couplings(4, 3, n_instances=2), torch.ones(3, 1, 4, dtype=torch.float64)),
         ValueError, r"pspin_energy: argument `J` must have shape \(B,\) \+ \(N,\)\*p with B = sigma.shape\[0\]"),
        (lambda: sphere_gradient_descent(sample_couplings(4, 3), torch.ones(4, dtype=torch.float64), dt=-1.0),
         ValueError, r"sphere_gradient_descent: argument `dt` must be > 0, got -1.0"),
        (lambda: sphere_gradient_descent(sample_couplings(4, 3), torch.ones(4, dtype=torch.float64), temperature=-0.1),
         ValueError, r"sphere_gradient_descent: argument `temperature` must be a number >= 0, got -0.1"),
    ],
)
def test_bad_inputs_give_clear_errors(call, error, match) -> None:
    with pytest.raises(error, match=match):
        call()


def test_gradient_descent_reaches_local_minima_and_repeats_exactly() -> None:
    N, p = 24, 3
    J = sample_couplings(N, p, n_instances=2, generator=gen(1))
    s0 = random_sphere_points(N, (2, 6), generator=gen(2))
    r = sphere_gradient_descent(J, s0, dt=0.1, tol=1e-6, max_steps=20_000, progress=False)
    assert bool(r.converged.all())
    assert r.energy.shape == (2, 6) and r.sigma.shape == (2, 6, N)
    assert torch.allclose(r.energy, pspin_energy(J, r.sigma))
    assert bool((r.grad_norm < 1e-6).all())
    assert bool((r.energy < pspin_energy(J, s0)).all())  # descent went down
    assert bool((r.history[1:] <= r.history[:-1] + 1e-12).all())  # ... monotonically (dt below 2/lambda_max)
    for b in range(2):
        assert bool((tangent_hessian_eigenvalues(J[b], r.sigma[b])[:, 0] > 0).all())  # every endpoint a minimum
    again = sphere_gradient_descent(J, s0, dt=0.1, tol=1e-6, max_steps=20_000, progress=False)
    assert torch.equal(again.sigma, r.sigma)
    # one instance with (S, N) and a single (N,) start give the same as the batched call
    one = sphere_gradient_descent(J[0], s0[0], dt=0.1, tol=1e-6, max_steps=20_000, progress=False)
    assert torch.allclose(one.energy, r.energy[0])
    single = sphere_gradient_descent(J[0], s0[0, 0], dt=0.1, tol=1e-6, max_steps=20_000, progress=False)
    assert single.energy.shape == () and torch.allclose(single.energy, r.energy[0, 0])


def test_one_step_is_the_retracted_gradient_step() -> None:
    N = 10
    J = sample_couplings(N, 3, generator=gen(3))
    s0 = random_sphere_points(N, (2,), generator=gen(4))
    r = sphere_gradient_descent(J, s0, dt=0.05, max_steps=1, progress=False)
    expected = project_to_sphere(s0 - 0.05 * riemannian_gradient(J, s0))
    assert torch.allclose(r.sigma, expected, atol=1e-13)


def test_langevin_runs_stay_on_the_sphere_and_are_seeded() -> None:
    N = 16
    J = sample_couplings(N, 3, generator=gen(3))
    s0 = random_sphere_points(N, (4,), generator=gen(4))
    a = sphere_gradient_descent(J, s0, dt=0.05, max_steps=200, temperature=0.5, generator=gen(9), progress=False)
    b = sphere_gradient_descent(J, s0, dt=0.05, max_steps=200, temperature=0.5, generator=gen(9), progress=False)
    assert torch.equal(a.sigma, b.sigma) and not bool(a.converged.any())
    assert torch.allclose((a.sigma**2).sum(-1), torch.full((4,), float(N), dtype=torch.float64))
    assert bool((a.steps == 200).all())


def test_finite_size_fit_recovers_a_known_curve() -> None:
    ns = torch.tensor([32.0, 64.0, 128.0, 256.0], dtype=torch.float64)
    means = -1.63 + 1.4 * ns ** (-2 / 3)
    fit = fit_finite_size(ns, means, torch.full((4,), 0.01))
    assert abs(fit.u_inf + 1.63) < 1e-10 and abs(fit.a - 1.4) < 1e-9 and fit.chi2 < 1e-15 and fit.dof == 2
    assert abs(fit(100.0) - (-1.63 + 1.4 * 100 ** (-2 / 3))) < 1e-10
    with pytest.raises(ValueError, match=r"fit_finite_size: argument `sems` must be > 0"):
        fit_finite_size(ns, means, torch.zeros(4))


def test_plots_and_widget_return_labelled_figures() -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from landscape_lib.plots.spin_glass import (
        plot_complexity_curves,
        plot_final_energy_histogram,
        semicircle_density,
    )
    from landscape_lib.widgets.spin_glass import (
        MAX_N,
        descent_histogram,
        descent_histogram_widget,
        final_energies,
    )

    for fig in (plot_complexity_curves(3), plot_final_energy_histogram(torch.tensor([-1.5, -1.55, -1.6]), p=3, N=20),
                descent_histogram(p=4, N=100, n_starts=4)):  # N is capped at MAX_N[4] for p = 4
        for ax in fig.axes:
            assert ax.get_xlabel() and ax.get_ylabel() and ax.get_title()
        plt.close(fig)
    assert f"N = {MAX_N[4]}" in fig.axes[0].get_title() and f"N capped at {MAX_N[4]} for p = 4" in fig.axes[0].get_title()
    assert "runs converged" in fig.axes[0].get_title()
    x = torch.linspace(-3, 3, 20001, dtype=torch.float64).numpy()
    assert abs(semicircle_density(x, 2.0).sum() * (x[1] - x[0]) - 1.0) < 1e-3  # a probability density
    e = final_energies(3, 16, 5, seed=1)
    assert e.shape == (5,) and torch.equal(e, final_energies(3, 16, 5, seed=1))
    with pytest.raises(ValueError, match=r"final_energies: argument `N` must be between 2 and 20 for p = 5, got 30"):
        final_energies(5, 30, 4)
    demo = descent_histogram_widget()
    plt.close("all")
    assert [c.description for c in demo.children[:4]] == ["p", "N", "starts", "seed"]


def test_semicircle_mass_below_matches_integration_and_the_finite_n_picture() -> None:
    from landscape_lib.spin_glass import semicircle_mass_below

    R = semicircle_radius(3)
    assert semicircle_mass_below(-R, R) == 0.0 and semicircle_mass_below(R, R) == 1.0
    assert semicircle_mass_below(0.0, R) == pytest.approx(0.5)
    x = torch.linspace(-R, -4.68, 20001, dtype=torch.float64)
    density = 2 / (math.pi * R**2) * torch.sqrt((R**2 - x**2).clamp_min(0))
    assert semicircle_mass_below(-4.68, R) == pytest.approx(float(torch.trapezoid(density, x)), rel=1e-3)
    # lecture 01: at E = -1.56 (p = 3) about 0.56 negative directions at N = 100
    assert 100 * semicircle_mass_below(3 * -1.56, R) == pytest.approx(0.56, abs=0.01)
    with pytest.raises(ValueError, match=r"semicircle_mass_below: argument `radius` must be > 0, got -1"):
        semicircle_mass_below(0.0, -1)
    with pytest.raises(TypeError, match=r"semicircle_mass_below: argument `x` must be a finite number"):
        semicircle_mass_below(float("nan"), 1.0)


def test_widget_step_scales_with_p_and_p5_converges_within_the_budget() -> None:
    from landscape_lib.widgets.spin_glass import MAX_N, descent_step, step_budget

    assert descent_step(3) == pytest.approx(0.15)
    for p in (3, 4, 5):  # a fixed fraction (0.73) of the stability limit 1 / R(p) near threshold minima
        assert descent_step(p) * semicircle_radius(p) == pytest.approx(0.15 * semicircle_radius(3))
        assert 200 <= step_budget(p, MAX_N[p], 160) <= step_budget(p, 8, 8) <= 20_000
    assert step_budget(5, 20, 48) * 20**5 * 48 <= 3e11
    J = sample_couplings(14, 5, generator=gen(0)).float()
    s0 = random_sphere_points(14, (16,), generator=gen(1)).float()
    scaled = sphere_gradient_descent(J, s0, dt=descent_step(5), tol=1e-4, max_steps=2000, progress=False)
    fixed = sphere_gradient_descent(J, s0, dt=0.15, tol=1e-4, max_steps=2000, progress=False)  # the old widget
    assert bool(scaled.converged.all()) and int(fixed.converged.sum()) <= 4


def test_widget_adapts_the_n_slider_to_p_and_reports_its_work() -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from landscape_lib.widgets.spin_glass import MAX_N, descent_histogram_widget

    box = descent_histogram_widget()
    p, N, starts, seed, status, out = box.children
    starts.value = 8
    assert "done in" in status.value and "up to 128 for p = 3" in status.value
    p.value = 5
    assert N.max == MAX_N[5] and N.value <= MAX_N[5]
    assert "up to 20 for p = 5" in status.value
    plt.close("all")


def test_relaxation_and_spread_plots_are_labelled() -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from landscape_lib.ensembles import EnsembleResult
    from landscape_lib.plots.spin_glass import plot_energy_relaxation, plot_test_loss_spread

    times = torch.arange(5, dtype=torch.float64)
    history = -torch.linspace(0, 1.5, 5, dtype=torch.float64)[:, None].expand(5, 3)
    g = gen(0)
    results = [EnsembleResult(h, torch.rand(4, generator=g), torch.rand(4, generator=g) + 0.1, torch.rand(4),
                              torch.zeros(4, 2), depth=d) for d in (1, 2) for h in (2, 5)]
    for fig in (plot_energy_relaxation(times, history, p=3), plot_test_loss_spread(results)):
        for ax in fig.axes:
            assert ax.get_xlabel() and ax.get_ylabel() and ax.get_title()
        buffer = io.BytesIO()
        fig.savefig(buffer, format="png")
        assert buffer.getvalue()[:4] == b"\x89PNG"
    assert "p = 3" in plot_test_loss_spread(results).axes[1].get_legend_handles_labels()[1][1]
    plt.close("all")
