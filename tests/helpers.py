"""Small known-answer problems shared by the unit tests."""

from __future__ import annotations

import torch
from torch import nn

from landscape_lib.landscape import ModuleLandscape
from landscape_lib.models import mlp

F64 = torch.float64


def point(*xs: float) -> torch.Tensor:
    return torch.tensor(xs, dtype=F64)


def small_mlp_landscape(seed: int = 0, n: int = 40) -> ModuleLandscape:
    """A 3-6-2 tanh MLP on random regression data, float64."""
    g = torch.Generator().manual_seed(seed)
    model = mlp((3, 6, 2), activation="tanh", seed=seed)
    x = torch.randn(n, 3, generator=g, dtype=F64)
    y = torch.randn(n, 2, generator=g, dtype=F64)
    return ModuleLandscape(model, x, y, nn.functional.mse_loss, name="small MLP")


def stub(*args, **kwargs):
    """What an unsolved exercise does: the line `tools/make_exercises.py` writes into every stub."""
    raise NotImplementedError("not implemented yet -- replace this line with your code")


def assert_check_contract(check, solution, capsys) -> None:
    """A self-check passes on a correct answer (one ✅ line) and says "not implemented yet" on the stub."""
    import pytest

    from landscape_lib.checks._harness import NotImplementedYet

    check(solution)
    assert f"{check.__name__} passed" in capsys.readouterr().out
    with pytest.raises(NotImplementedYet, match=r"is not implemented yet"):
        check(stub)


def require_optional(available: bool, what: str, how_to_enable: str) -> None:
    """Skip the calling test when an optional tool is missing -- unless the run demands it.

    Browser tests need Chromium, sweep-runner tests need Ray: a student's machine may have neither,
    and the test suite must still pass there (with a one-line reason saying how to enable them).
    CI sets ``LANDSCAPE_REQUIRE_OPTIONAL=1``, which turns that skip into a failure, so a CI machine
    that silently lost Chromium or Ray cannot report green.
    """
    import os

    import pytest

    if available:
        return
    message = f"{what} is not available; {how_to_enable}"
    if os.environ.get("LANDSCAPE_REQUIRE_OPTIONAL") == "1":
        pytest.fail(f"{message} (LANDSCAPE_REQUIRE_OPTIONAL=1 is set, so this cannot be skipped)",
                    pytrace=False)
    pytest.skip(message)
