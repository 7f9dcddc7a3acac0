"""The machinery behind every exercise self-check.

A self-check ``check_<name>(student_fn)`` runs the student's function on a few cases with known
answers and either prints one line of success or raises :class:`SelfCheckFailed` with a message a
student can act on:

* the function is still the stub -> "not implemented yet" (:class:`NotImplementedYet`);
* it raised -> the exception type and message and the line of *their* code that raised;
* it returned the wrong kind of thing -> expected vs got (type, shape, dtype, NaN);
* it returned a wrong value -> the case, the expected value and the value it returned.

In Jupyter the failure is shown as a short message, not a traceback through this module
(``_render_traceback_`` is IPython's hook for exceptions that render themselves).
"""

from __future__ import annotations

import math
import traceback
from collections.abc import Callable, Sequence
from typing import Any

import torch
from torch import Tensor

from .._validate import describe


class SelfCheckFailed(AssertionError):
    """An exercise self-check did not pass; the message says why and what to try."""

    def _render_traceback_(self) -> list[str]:  # IPython: show this instead of a traceback
        return [f"\u274c {self}"]


class NotImplementedYet(SelfCheckFailed):
    """The exercise function still raises ``NotImplementedError`` (it is the unsolved stub)."""


def _their_line(exc: BaseException) -> str:
    """The last frame of the traceback that is not inside landscape_lib's checks: the student's line."""
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if "landscape_lib/checks" not in f.filename.replace("\\", "/")]
    if not frames:
        return ""
    f = frames[-1]
    where = "your notebook" if f.filename.startswith("<") or "ipykernel" in f.filename else f.filename
    return f" (in {where}, line {f.lineno}: `{(f.line or '').strip()}`)"


def call_student(check: str, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """Call the student's ``fn``; turn every way it can fail into a :class:`SelfCheckFailed`."""
    if not callable(fn):
        raise TypeError(f"{check}: argument must be your function (a callable), got {describe(fn)}")
    try:
        return fn(*args, **kwargs)
    except NotImplementedError:
        name = getattr(fn, "__name__", "your function")
        raise NotImplementedYet(
            f"{check}: `{name}` is not implemented yet -- replace the `raise NotImplementedError` "
            "line with your code, run that cell, then run this check again."
        ) from None
    except SelfCheckFailed:
        raise
    except Exception as exc:  # the student's code raised: show it briefly, not the whole stack
        raise SelfCheckFailed(
            f"{check}: your function raised {type(exc).__name__}: {exc}{_their_line(exc)}"
        ) from exc


def expect_tensor(
    check: str,
    got: Any,
    *,
    shape: Sequence[int] | None = None,
    dtype: torch.dtype | None = None,
    what: str = "the result",
) -> Tensor:
    """Fail unless ``got`` is a finite tensor of the given shape (and dtype, if given)."""
    if not isinstance(got, Tensor):
        raise SelfCheckFailed(f"{check}: {what} should be a torch.Tensor, got {describe(got)}")
    if shape is not None and tuple(got.shape) != tuple(shape):
        raise SelfCheckFailed(f"{check}: {what} should have shape {tuple(shape)}, got shape {tuple(got.shape)}")
    if dtype is not None and got.dtype != dtype:
        raise SelfCheckFailed(f"{check}: {what} should have dtype {dtype}, got {got.dtype}")
    if got.is_floating_point() and not bool(torch.isfinite(got).all()):
        raise SelfCheckFailed(f"{check}: {what} contains NaN or infinity: {got.flatten()[:6].tolist()}")
    return got


def expect_number(check: str, got: Any, *, what: str = "the result") -> float:
    """Fail unless ``got`` is a finite real number (a Python number or a one-element tensor)."""
    if isinstance(got, Tensor) and got.numel() == 1:
        got = got.item()
    if isinstance(got, bool) or not isinstance(got, (int, float)):
        raise SelfCheckFailed(f"{check}: {what} should be a number, got {describe(got)}")
    if not math.isfinite(got):
        raise SelfCheckFailed(f"{check}: {what} should be finite, got {got}")
    return float(got)


def expect_close(
    check: str, got: Any, expected: Any, *, case: str, rtol: float = 1e-6, atol: float = 1e-8
) -> None:
    """Fail with "expected vs got" unless ``got`` matches ``expected`` within tolerance."""
    if isinstance(expected, Tensor):
        got = expect_tensor(check, got, shape=expected.shape, what=f"the result for {case}")
        if expected.dtype == torch.bool:
            if got.dtype != torch.bool:
                raise SelfCheckFailed(f"{check}: the result for {case} should be a boolean tensor, got dtype {got.dtype}")
            ok = bool((got == expected).all())
        else:
            ok = torch.allclose(got.to(expected.dtype), expected, rtol=rtol, atol=atol)
        if not ok:
            wrong = (got != expected) if expected.dtype == torch.bool else ~torch.isclose(
                got.to(expected.dtype), expected, rtol=rtol, atol=atol)
            idx = tuple(int(i) for i in wrong.nonzero()[0])
            raise SelfCheckFailed(
                f"{check}: wrong value for {case}: at index {idx} expected {expected[idx].item():.6g}, "
                f"got {got[idx].item():.6g} ({int(wrong.sum())} of {wrong.numel()} entries differ)"
            )
        return
    value = expect_number(check, got, what=f"the result for {case}")
    if isinstance(expected, int) and not isinstance(expected, bool):
        if value != expected:
            raise SelfCheckFailed(f"{check}: wrong value for {case}: expected {expected}, got {got}")
        return
    if not math.isclose(value, float(expected), rel_tol=rtol, abs_tol=atol):
        raise SelfCheckFailed(f"{check}: wrong value for {case}: expected {float(expected):.6g}, got {value:.6g}")


def passed(check: str, detail: str) -> None:
    """Print the one-line success message."""
    print(f"\u2705 {check} passed: {detail}")
