"""The machinery behind every exercise self-check.

A self-check ``check_<name>(student_fn)`` runs the student's function on a few cases with known
answers and either prints one line of success or raises :class:`SelfCheckFailed` with a message a
student can act on:

* the function is still the stub -> "not implemented yet" (:class:`NotImplementedYet`);
* it calls another exercise function that is still a stub (exercise 2 solved before exercise 1)
  -> "`f` calls your `g`, which is not implemented yet", naming the stub that raised;
* it raised -> the exception type and message and the line of *their* code that raised (a
  ``NotImplementedError`` raised inside a library, e.g. an operation PyTorch does not support,
  is reported as such, not as an unsolved exercise);
* it returned the wrong kind of thing -> expected vs got (type, shape, dtype, NaN);
* it returned a wrong value -> the case, the expected value and the value it returned.

Numbers may come back as Python numbers, NumPy scalars of any real dtype, or 0-d (one-element)
tensors and arrays: students mix NumPy and PyTorch, and a correct value is a correct value.

In Jupyter the failure is shown as a short message, not a traceback through this module
(``_render_traceback_`` is IPython's hook for exceptions that render themselves).

Layout for a notebook column: the ✅/❌ lines are wrapped at word boundaries to at most
:data:`WIDTH` columns, continuation lines indented under the text (a browser would otherwise break
them mid-word).  ``str(exc)`` of a wrong answer or of an exception in the student's code stays one
line (what logs and ``pytest.raises(match=...)`` see); only its rendering is wrapped.  "Not
implemented yet" messages are laid out when they are made, and their verdict -- who is not
implemented and what to do first -- stays whole on the first line, even if that line is longer.
"""

from __future__ import annotations

import inspect
import math
import numbers
import re
import sysconfig
import traceback
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from types import CodeType, TracebackType
from typing import Any

import numpy as np
import torch
from torch import Tensor

from ..validation import describe

WIDTH = 88  # columns of a notebook output line
_MARK = 3  # columns of "✅ " / "❌ " (the emoji is two columns wide); continuation lines are indented as much


def lay_out(text: str, *, keep_through: str = "") -> str:
    """``text`` wrapped at word boundaries into lines of at most :data:`WIDTH` columns after a
    ✅/❌ mark, continuation lines indented by the mark's width.

    Words are never split.  The first line runs at least through ``keep_through`` (a phrase of
    ``text``), even past the width: that phrase is the verdict a student (or a test) looks for.
    """
    width = WIDTH - _MARK
    cut = text.find(keep_through)
    keep = cut + len(keep_through) if keep_through and cut >= 0 else 0
    lines: list[str] = []
    line, used = "", 0  # `used`: characters of `text` placed so far (for `keep`)
    for word in text.split(" "):
        candidate = f"{line} {word}" if line else word
        if not line or len(candidate) <= width or (not lines and used < keep):
            line = candidate
        else:
            lines.append(line)
            line = word
        used += len(word) + 1
    lines.append(line)
    return ("\n" + " " * _MARK).join(lines)


class SelfCheckFailed(AssertionError):
    """An exercise self-check did not pass; the message says why and what to try."""

    def _render_traceback_(self) -> list[str]:  # IPython: show this instead of a traceback
        text = str(self)
        laid_out = "\n" in text  # laid out when it was made (see NotImplementedYet): shown as it is
        return [f"\u274c {text if laid_out else lay_out(text)}"]  # one entry: one output block


class NotImplementedYet(SelfCheckFailed):
    """The exercise function still raises ``NotImplementedError`` (it is the unsolved stub).

    ``stub`` names the function that raised: the checked function itself, or another exercise
    function it calls that is still unsolved.
    """

    stub: str | None = None


# Code outside these folders is the student's (a notebook cell, a test file, their own module).
_PACKAGE = Path(__file__).resolve().parents[1]
_LIBRARY_DIRS = tuple({Path(p).resolve() for k, p in sysconfig.get_paths().items()
                       if k in ("stdlib", "platstdlib", "purelib", "platlib")} | {_PACKAGE})
# What `tools/make_exercises.py` writes into a stub: `raise NotImplementedError("name: not implemented yet ...")`.
_STUB_MESSAGE = re.compile(r"^(?:(\w+): )?not implemented yet", re.IGNORECASE)


def _is_library(filename: str) -> bool:
    """True for a file of Python, an installed package or landscape_lib; False for the student's code."""
    if filename.startswith("<"):  # exec'd or interactive code
        return False
    path = Path(filename).resolve()
    if {"site-packages", "dist-packages"} & set(path.parts):
        return True
    return any(path.is_relative_to(d) for d in _LIBRARY_DIRS)


def _tracebacks(exc: BaseException) -> list[TracebackType]:
    out, tb = [], exc.__traceback__
    while tb is not None:
        out.append(tb)
        tb = tb.tb_next
    return out


def _their_line(exc: BaseException) -> str:
    """Where in the student's code ``exc`` came from: their innermost frame (else the innermost
    frame outside landscape_lib's checks)."""
    frames = traceback.extract_tb(exc.__traceback__)
    theirs = [f for f in frames if not _is_library(f.filename)]
    frames = theirs or [f for f in frames if "landscape_lib/checks" not in f.filename.replace("\\", "/")]
    if not frames:
        return ""
    f = frames[-1]
    where = "your notebook" if f.filename.startswith("<") or "ipykernel" in f.filename else f.filename
    return f" (in {where}, line {f.lineno}: `{(f.line or '').strip()}`)"


def _short(exc: BaseException, limit: int = 300) -> str:
    """The first line of an exception's message, cut at ``limit`` characters (PyTorch's can be pages)."""
    lines = str(exc).strip().splitlines()
    text = lines[0] if lines else ""
    return text if len(text) <= limit and len(lines) <= 1 else text[:limit].rstrip() + " ..."


def _code_of(fn: Callable[..., Any]) -> CodeType | None:
    fn = inspect.unwrap(getattr(fn, "__func__", fn))
    return getattr(fn, "__code__", None)


def _unsolved_stub(exc: NotImplementedError) -> str | None:
    """The name of the student's function whose ``raise NotImplementedError`` this is, or ``None``.

    ``None`` means the error is a real one: it was raised inside a library (PyTorch refusing an
    operation, an abstract method) or by a call on the student's line rather than by a ``raise``.
    """
    tbs = _tracebacks(exc)
    if not tbs:
        return None
    code = tbs[-1].tb_frame.f_code
    if _is_library(code.co_filename):
        return None
    message = str(exc).strip()
    stub_message = _STUB_MESSAGE.match(message)
    line = traceback.extract_tb(tbs[-1], limit=1)[0].line or ""
    if not (line.strip().startswith("raise") or not message or stub_message):
        return None  # e.g. `y = torch.op(x)` on the student's line, where torch raised from C
    if code.co_name.startswith("<") and stub_message and stub_message.group(1):
        return stub_message.group(1)  # a stub written at module level or in a lambda: trust its text
    return code.co_name


def call_student(check: str, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """Call the student's ``fn``; turn every way it can fail into a :class:`SelfCheckFailed`."""
    if not callable(fn):
        raise TypeError(f"{check}: argument must be your function (a callable), got {describe(fn)}")
    try:
        return fn(*args, **kwargs)
    except NotImplementedError as exc:
        stub = _unsolved_stub(exc)
        if stub is None:  # raised by a library, not by an unsolved exercise: a real error
            raise SelfCheckFailed(
                f"{check}: your function raised NotImplementedError: {_short(exc)}{_their_line(exc)}"
            ) from exc
        name = getattr(fn, "__name__", "your function")
        code = _code_of(fn)
        # (a stub we cannot name -- a generator or comprehension raising -- counts as the function itself)
        direct = stub == name or stub.startswith("<") or (
            code is not None and _tracebacks(exc)[-1].tb_frame.f_code is code)
        if direct:
            error = NotImplementedYet(lay_out(
                f"{check}: `{name}` is not implemented yet -- replace the `raise NotImplementedError` "
                "line with your code, run that cell, then run this check again.",
                keep_through="not implemented yet -- replace"))
        else:  # they solved this exercise first; it calls an exercise they have not done yet
            error = NotImplementedYet(lay_out(
                f"{check}: `{name}` calls your `{stub}`, which is not implemented yet -- write `{stub}` "
                f"first (run its cell and its check), then run this check again.",
                keep_through=f"write `{stub}` first"))
        error.stub = name if direct else stub
        raise error from None
    except SelfCheckFailed:
        raise
    except Exception as exc:  # the student's code raised: show it briefly, not the whole stack
        raise SelfCheckFailed(
            f"{check}: your function raised {type(exc).__name__}: {_short(exc)}{_their_line(exc)}"
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
        hint = " (convert it with `torch.as_tensor(...)`)" if isinstance(got, np.ndarray) else ""
        raise SelfCheckFailed(f"{check}: {what} should be a torch.Tensor, got {_describe(got)}{hint}")
    if shape is not None and tuple(got.shape) != tuple(shape):
        raise SelfCheckFailed(f"{check}: {what} should have shape {tuple(shape)}, got shape {tuple(got.shape)}")
    if dtype is not None and got.dtype != dtype:
        raise SelfCheckFailed(f"{check}: {what} should have dtype {dtype}, got {got.dtype}")
    if got.is_floating_point() and not bool(torch.isfinite(got).all()):
        raise SelfCheckFailed(f"{check}: {what} contains NaN or infinity: {got.flatten()[:6].tolist()}")
    return got


def _describe(value: object) -> str:
    """:func:`describe`, with NumPy arrays by shape and dtype (their repr spans lines)."""
    if isinstance(value, np.ndarray):
        return f"numpy array of shape {value.shape} and dtype {value.dtype}"
    return describe(value)


def _unwrap_number(got: Any) -> Any:
    """A one-element tensor or array, or a NumPy scalar, as the Python (or NumPy) number it holds."""
    if isinstance(got, (Tensor, np.ndarray)) and (got.numel() if isinstance(got, Tensor) else got.size) == 1:
        return got.item()
    if isinstance(got, np.generic):
        return got.item()
    return got


def expect_number(check: str, got: Any, *, what: str = "the result") -> float:
    """Fail unless ``got`` is a finite real number.

    Accepted: Python numbers, NumPy scalars of any real dtype (``np.float32``, ``np.int64``, ...),
    and one-element (e.g. 0-d) tensors and arrays.  Booleans and complex numbers are refused.
    """
    value = _unwrap_number(got)
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        hint = ""
        if isinstance(got, (Tensor, np.ndarray)) and not isinstance(value, (bool, np.bool_)):
            hint = " (return a single number: did you forget a sum, or `.item()`?)"
        raise SelfCheckFailed(f"{check}: {what} should be a number, got {_describe(got)}{hint}")
    if not math.isfinite(value):
        raise SelfCheckFailed(f"{check}: {what} should be finite, got {value}")
    return float(value)


def _precision_hint(got: Any, expected_dtype: torch.dtype) -> str:
    """Why a value can be right and still miss a float64 tolerance: it was computed in low precision."""
    if isinstance(got, Tensor):
        low = got.dtype in (torch.float32, torch.float16, torch.bfloat16)
    elif isinstance(got, (np.ndarray, np.generic)):
        low = got.dtype in (np.float32, np.float16)
    else:
        low = False
    if expected_dtype == torch.float64 and low:
        return f" (your result has dtype {got.dtype}: compute in float64 to reach the tolerance)"
    return ""


def _differing(expected: float, got: float) -> tuple[str, str]:
    """Both numbers printed with just enough digits to show that they differ."""
    for digits in (6, 10, 17):
        a, b = f"{expected:.{digits}g}", f"{got:.{digits}g}"
        if a != b:
            break
    return a, b


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
            want, have = _differing(expected[idx].item(), got[idx].item())
            raise SelfCheckFailed(
                f"{check}: wrong value for {case}: at index {idx} expected {want}, "
                f"got {have} ({int(wrong.sum())} of {wrong.numel()} entries differ)"
                f"{_precision_hint(got, expected.dtype)}"
            )
        return
    value = expect_number(check, got, what=f"the result for {case}")
    if isinstance(expected, int) and not isinstance(expected, bool):
        if value != expected:
            raise SelfCheckFailed(f"{check}: wrong value for {case}: expected {expected}, got {_unwrap_number(got)}")
        return
    if not math.isclose(value, float(expected), rel_tol=rtol, abs_tol=atol):
        want, have = _differing(float(expected), value)
        raise SelfCheckFailed(f"{check}: wrong value for {case}: expected {want}, got {have}"
                              f"{_precision_hint(got, torch.float64)}")


def passed(check: str, detail: str) -> None:
    """Print the success message (wrapped for a notebook column by :func:`lay_out`)."""
    print(f"\u2705 {lay_out(f'{check} passed: {detail}')}")


@contextmanager
def hinted(hint: str) -> Iterator[None]:
    """Append ``hint`` (what to compute) to the message of a :class:`SelfCheckFailed` raised in the block.

    "Not implemented yet" passes through unchanged.
    """
    try:
        yield
    except NotImplementedYet:
        raise
    except SelfCheckFailed as exc:
        raise SelfCheckFailed(f"{exc} -- {hint}") from exc.__cause__


def expect_inputs_unchanged(name: str, case: str, **pairs: tuple[Tensor, Tensor]) -> None:
    """Fail if the student's function changed a tensor it was given: ``pairs[arg] = (passed, original)``.

    An in-place update (``w[i] = ...``, ``a -= ...``) silently corrupts the caller's variables: the
    notebook's later cells then work on changed data.
    """
    for arg, (given, original) in pairs.items():
        if given.shape != original.shape or not torch.equal(given, original):
            raise SelfCheckFailed(f"{name}: for {case} your function changed its input `{arg}` in place -- work on a "
                                  f"copy (`{arg}.clone()`) or build new tensors instead of assigning into `{arg}`")
