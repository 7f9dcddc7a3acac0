"""What a student reads in a notebook column: ``print(result)`` of a DSS run and the ✅/❌ lines of
the self-checks are wrapped at word boundaries to 88 columns, and wrapping changes only whitespace
(every word and number of the one-line message is still there, unbroken)."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from landscape_lib.checks._harness import (
    WIDTH,
    SelfCheckFailed,
    call_student,
    expect_close,
    hinted,
    lay_out,
    passed,
)
from landscape_lib.dss import DSSOptions, connect
from landscape_lib.toys import double_well, ring_valley

F64 = torch.float64
CHECK = "check_segment_max_loss"  # a long real check name


def columns(line: str) -> int:
    """Display width: the ✅/❌ marks are two columns wide."""
    return len(line) + sum(ch in "\u2705\u274c" for ch in line)


def words(text: str) -> list[str]:
    return text.replace("\u2705", " ").replace("\u274c", " ").split()


def assert_fits_and_keeps_every_word(shown: str, original: str, *, first_line_may_run_to: int = WIDTH) -> None:
    lines = shown.splitlines()
    assert columns(lines[0]) <= first_line_may_run_to, f"{columns(lines[0])} columns: {lines[0]!r}"
    too_long = [line for line in lines[1:] if columns(line) > WIDTH]
    assert not too_long, f"lines over {WIDTH} columns: {too_long}"
    assert words(shown) == words(original), "wrapping may only change whitespace (no word split or lost)"


# -- DSSResult ----------------------------------------------------------------------------------
def pt(*xs: float) -> torch.Tensor:
    return torch.tensor(xs, dtype=F64)


RUNS = {
    "connected, shortened": lambda: connect(ring_valley(), pt(1.0, 0.0), pt(-1.0, 1e-3), 1e-3, lr=0.01,
                                            max_steps=5000, shorten=True),
    "bead not converged": lambda: connect(ring_valley(), pt(1.0, 0.0), pt(-1.0, 0.0), 0.01, lr=0.01, max_steps=300),
    "depth cap": lambda: connect(double_well(), pt(-1.0, 0.0), pt(0.9, 0.2), 0.5, lr=0.01, max_steps=5000,
                                 max_depth=2),
    "connected above L0 only": lambda: connect(double_well(), pt(-1.0, 0.0), pt(0.9, 0.2), 0.95, lr=0.01,
                                               max_steps=5000, max_depth=6),
    "refined": lambda: connect(double_well(), pt(-1.0, 0.0), pt(0.9, 0.2), 1.3,
                               options=DSSOptions(refine=True, lr=0.01, max_steps=5000)),
}


@pytest.mark.parametrize("name", list(RUNS))
def test_printed_result_fits_a_notebook_column_and_keeps_the_message(name: str) -> None:
    result = RUNS[name]()
    text = str(result)
    assert all(len(line) <= WIDTH for line in text.splitlines()), text
    body = "\n".join(text.splitlines()[7:])  # after the title and the six rows of the table
    assert words(body) == words(result.message), "the message must be wrapped, not changed"
    assert f"threshold L0       {result.threshold:.4g}" in text and f"{result.n_beads} (depth {result.depth})" in text
    assert "\n" not in result.message and "\n" not in repr(result), "message and repr stay one line"


# -- self-check messages ------------------------------------------------------------------------
def energy(x):
    raise NotImplementedError("energy: not implemented yet -- replace this line with your code")


def segment_max_loss(x):  # solved before the exercise it calls
    return 2 * energy(x)


def raises_deep(x):
    return np.linalg.inv(np.zeros((2, 2)))


def failure(fn) -> SelfCheckFailed:
    with pytest.raises(SelfCheckFailed) as info:
        fn()
    return info.value


FAILURES = {
    "stub": lambda: call_student(CHECK, energy, 1.0),
    "their exception": lambda: call_student(CHECK, raises_deep, 1.0),
    "wrong tensor": lambda: expect_close(CHECK, torch.zeros(3, dtype=F64), torch.ones(3, dtype=F64),
                                         case="the segment from (-1, 0) to (1, 0) through the saddle of the double well"),
    "hinted": lambda: _hinted_failure(),
}


def _hinted_failure() -> None:
    with hinted("compute the maximum of F over the n_grid points of every segment, not only at its endpoints"):
        expect_close(CHECK, 0.5, 1.0, case="the first segment of the string")


@pytest.mark.parametrize("name", list(FAILURES))
def test_failure_messages_render_wrapped_at_word_boundaries(name: str) -> None:
    exc = failure(FAILURES[name])
    (shown,) = exc._render_traceback_()  # one output block
    assert len(str(exc)) > WIDTH, "the case must be long enough to need wrapping"
    assert shown.count("\n") >= 1
    assert_fits_and_keeps_every_word(shown, str(exc))
    assert all(line.startswith("   ") for line in shown.splitlines()[1:]), "hanging indent under the text"


def test_a_stub_calling_a_stub_keeps_its_verdict_on_the_first_line() -> None:
    """The verdict "`f` calls your `g`, which is not implemented yet -- write `g` first" is never
    split (students and tests search for it); the rest wraps."""
    exc = failure(lambda: call_student(CHECK, segment_max_loss, 1.0))
    (shown,) = exc._render_traceback_()
    first = shown.splitlines()[0]
    assert first.endswith("which is not implemented yet -- write `energy` first"), first
    assert_fits_and_keeps_every_word(shown, str(exc), first_line_may_run_to=len(first) + 1)


def test_the_success_line_is_wrapped_too(capsys) -> None:
    detail = ("the maximum of F on every segment matches the library's for 3 cases, including a segment "
              "whose maximum lies strictly inside and one with its endpoints swapped")
    passed(CHECK, detail)
    out = capsys.readouterr().out.rstrip("\n")
    assert out.startswith(f"\u2705 {CHECK} passed: the maximum")
    assert_fits_and_keeps_every_word(out, f"\u2705 {CHECK} passed: {detail}")


def test_lay_out_leaves_a_short_message_alone_and_never_splits_a_long_word() -> None:
    assert lay_out("check_x passed: 3 cases") == "check_x passed: 3 cases"
    long_word = "x" * 120
    assert lay_out(f"short {long_word} end").splitlines() == ["short", f"   {long_word}", "   end"]
