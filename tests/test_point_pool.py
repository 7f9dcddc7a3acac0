"""The one training loop (PointPool): per-row Adam equals torch.optim.Adam; rows join, check and leave on time."""

from __future__ import annotations

import pytest
import torch

from landscape_lib.toys import convex_bowl
from landscape_lib.training import PointPool, plain_objective
from tests.helpers import F64, point, small_mlp_landscape


@pytest.mark.parametrize("optimizer", ["adam", "sgd"])
def test_each_row_follows_torch_optim_step_for_step(optimizer) -> None:
    F = small_mlp_landscape()
    starts = F.flatten(F.model) + 0.3 * torch.randn(3, F.dim, generator=torch.Generator().manual_seed(0), dtype=F64)
    pool = PointPool(plain_objective(F), F, optimizer=optimizer, lr=1e-2, max_steps=1000, check_every=7)
    pool.add(starts, -1.0, range(3))
    refs = []
    for row in starts:
        x = row.clone().requires_grad_(True)
        refs.append((x, (torch.optim.Adam if optimizer == "adam" else torch.optim.SGD)([x], lr=1e-2)))
    for _ in range(40):
        pool.advance()
        for x, opt in refs:
            opt.zero_grad()
            F(x).backward()
            opt.step()
        torch.testing.assert_close(pool.theta, torch.stack([x.detach() for x, _ in refs]), rtol=1e-10, atol=1e-12)


def test_a_row_that_joins_late_has_its_own_step_count_and_bias_correction() -> None:
    F = convex_bowl()
    early = PointPool(plain_objective(F), F, optimizer="adam", lr=0.1, max_steps=100, check_every=5)
    early.add(point(1.0, 2.0)[None], -1.0, ["early"])
    for _ in range(10):
        early.advance()
    early.add(point(-2.0, 1.0)[None], -1.0, ["late"])
    alone = PointPool(plain_objective(F), F, optimizer="adam", lr=0.1, max_steps=100, check_every=5)
    alone.add(point(-2.0, 1.0)[None], -1.0, ["late"])
    for _ in range(10):
        early.advance()
        alone.advance()
    torch.testing.assert_close(early.theta[1], alone.theta[0], rtol=0, atol=0)
    assert early.steps.tolist() == [20, 10]


def test_rows_leave_at_their_own_checks_converged_or_exhausted() -> None:
    F = convex_bowl()  # F(x) = |x|^2
    pool = PointPool(plain_objective(F), F, optimizer="sgd", lr=0.1, max_steps=12, check_every=5)
    pool.add(torch.stack([point(1.0, 0.0), point(0.1, 0.0), point(3.0, 0.0)]), torch.tensor([0.5, 1.0, 1e-9], dtype=F64),
             ["a", "b", "c"])
    left = {}
    for it in range(20):
        for f in pool.advance():
            left[f.tag] = (it, f.steps, f.converged)
    # b is below its level at step 0; a (x <- 0.8 x per step) reaches 0.5 after 2 steps but is seen at step 5;
    # c never reaches 1e-9 and leaves at its step budget
    assert left == {"b": (0, 0, True), "a": (5, 5, True), "c": (12, 12, False)}
