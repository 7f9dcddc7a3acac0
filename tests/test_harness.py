"""The self-check machinery (``landscape_lib/checks/_harness.py``): what a student reads when a
check fails, for every way their function can fail, and which answers count as numbers."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest
import torch
from scipy.optimize import brentq

from landscape_lib.checks._harness import (
    NotImplementedYet,
    SelfCheckFailed,
    call_student,
    expect_close,
    expect_number,
    expect_tensor,
    passed,
)
from landscape_lib.landscape import Landscape

CHECK = "check_demo"


# -- stubs, direct and nested -------------------------------------------------------------------
def energy(x):  # exactly what tools/make_exercises.py writes into a stub
    raise NotImplementedError("energy: not implemented yet -- replace this line with your code")


def gradient(x):  # solved first; calls the unsolved `energy`
    return 2 * energy(x)


def descent_step(x):  # solved; calls `gradient`, which calls the unsolved `energy`
    return x - 0.1 * gradient(x)


def bare_stub(x):
    raise NotImplementedError


def todo(x):
    raise NotImplementedError("TODO: finish me")


def root_finder(p):  # a library (scipy) between the student's two functions
    return brentq(lambda u: energy(u) - p, -1.0, 1.0)


def test_the_stub_itself_is_not_implemented_yet() -> None:
    with pytest.raises(NotImplementedYet, match=r"check_demo: `energy` is not implemented yet -- replace") as info:
        call_student(CHECK, energy, 1.0)
    assert info.value.stub == "energy"


@pytest.mark.parametrize("fn", [bare_stub, todo], ids=["bare raise", "raise with a message of their own"])
def test_any_raise_notimplementederror_in_their_function_is_a_stub(fn) -> None:
    with pytest.raises(NotImplementedYet, match=rf"`{fn.__name__}` is not implemented yet"):
        call_student(CHECK, fn, 1.0)


@pytest.mark.parametrize(("fn", "stub"), [(gradient, "energy"), (descent_step, "energy"), (root_finder, "energy")],
                         ids=["one level", "two levels", "through scipy"])
def test_exercise_solved_before_the_one_it_calls_names_the_unsolved_stub(fn, stub) -> None:
    """Exercise 2 done before exercise 1: the message names the stub that raised, not the solved function."""
    with pytest.raises(NotImplementedYet) as info:
        call_student(CHECK, fn, 0.5)
    assert str(info.value).startswith(
        f"{CHECK}: `{fn.__name__}` calls your `{stub}`, which is not implemented yet -- write `{stub}` first")
    assert info.value.stub == stub
    assert info.value._render_traceback_() == [f"\u274c {info.value}"]  # one short line in Jupyter


def test_a_stub_in_a_lambda_is_named_from_the_generated_message() -> None:
    namespace: dict = {}
    exec("hessian = lambda x: (_ for _ in ()).throw(NotImplementedError("
         "'hessian: not implemented yet -- replace this line with your code'))", namespace)
    with pytest.raises(NotImplementedYet, match=r"`curvature` calls your `hessian`, which is not implemented yet"):
        call_student(CHECK, lambda_calling(namespace["hessian"]), 1.0)


def lambda_calling(inner):
    def curvature(x):
        return inner(x)
    return curvature


def test_notimplementederror_raised_by_pytorch_is_a_real_error_not_a_stub() -> None:
    def uses_an_unsupported_operation(x):
        dense = torch.ones(3, device="meta")
        return dense.sparse_mask(torch.ones(3).to_sparse())  # PyTorch raises NotImplementedError from C++

    with pytest.raises(SelfCheckFailed) as info:
        call_student(CHECK, uses_an_unsupported_operation, 1.0)
    assert not isinstance(info.value, NotImplementedYet)
    message = str(info.value)
    assert message.startswith(f"{CHECK}: your function raised NotImplementedError: Could not run")
    assert "\n" not in message and len(message) < 600, "PyTorch's page-long message must be cut to one line"
    assert "test_harness.py" in message and "sparse_mask" in message  # their line, not torch's


def test_notimplementederror_from_an_abstract_library_method_is_a_real_error() -> None:
    class MyLandscape(Landscape):  # the student forgot to implement _loss_single
        pass

    def evaluate(x):
        return MyLandscape(2)(torch.zeros(2, dtype=torch.float64))

    with pytest.raises(SelfCheckFailed, match=r"your function raised NotImplementedError") as info:
        call_student(CHECK, evaluate, 1.0)
    assert not isinstance(info.value, NotImplementedYet)
    assert "test_harness.py" in str(info.value)  # the student's line, not landscape.py's


def test_an_exception_deep_inside_a_library_points_at_their_line() -> None:
    def invert(x):
        return np.linalg.inv(np.zeros((2, 2)))  # raises inside numpy's Python code

    with pytest.raises(SelfCheckFailed) as info:
        call_student(CHECK, invert, 1.0)
    message = str(info.value)
    assert message.startswith(f"{CHECK}: your function raised LinAlgError: Singular matrix")
    assert "test_harness.py" in message and "np.linalg.inv(np.zeros((2, 2)))" in message
    assert "site-packages" not in message


def test_a_non_callable_is_refused() -> None:
    with pytest.raises(TypeError, match=r"check_demo: argument must be your function \(a callable\), got int 3"):
        call_student(CHECK, 3)


# -- numbers: Python, NumPy, 0-d tensors and arrays ---------------------------------------------
ACCEPTED = [
    (3, 3.0), (2.5, 2.5), (Fraction(1, 4), 0.25),
    (np.float16(1.5), 1.5), (np.float32(0.25), 0.25), (np.float64(2.0), 2.0), (np.longdouble(1.25), 1.25),
    (np.int8(-4), -4.0), (np.int16(7), 7.0), (np.int32(5), 5.0), (np.int64(9), 9.0), (np.uint8(200), 200.0),
    (np.array(2.5), 2.5), (np.array([4.0]), 4.0), (np.array(3, dtype=np.int32), 3.0),
    (torch.tensor(1.5), 1.5), (torch.tensor([1.5], dtype=torch.float64), 1.5), (torch.tensor(6, dtype=torch.int32), 6.0),
    (torch.tensor(0.5, dtype=torch.float16), 0.5),
]


@pytest.mark.parametrize(("got", "value"), ACCEPTED, ids=[f"{type(g).__name__}-{getattr(g, 'dtype', '')}" for g, _ in ACCEPTED])
def test_numbers_of_any_real_kind_are_accepted(got, value) -> None:
    result = expect_number(CHECK, got)
    assert type(result) is float and result == value


REFUSED = [
    (True, r"got bool True"), (np.bool_(False), r"got bool"), (torch.tensor(True), r"got tensor of shape \(\)"),
    (1 + 2j, r"got complex"), (np.complex64(1), r"got complex64"), ("1.5", r"got str '1.5'"), (None, r"got NoneType"),
    (np.array([1.0, 2.0]), r"got numpy array of shape \(2,\) and dtype float64 \(return a single number: did you forget a sum"),
    (torch.ones(3), r"got tensor of shape \(3,\).*did you forget a sum"),
]


@pytest.mark.parametrize(("got", "message"), REFUSED, ids=[repr(g)[:20] for g, _ in REFUSED])
def test_things_that_are_not_one_real_number_are_refused(got, message) -> None:
    with pytest.raises(SelfCheckFailed, match=rf"check_demo: the result should be a number, {message}"):
        expect_number(CHECK, got)


@pytest.mark.parametrize("got", [float("nan"), np.float32("inf"), torch.tensor(float("-inf"))])
def test_non_finite_numbers_are_refused(got) -> None:
    with pytest.raises(SelfCheckFailed, match=r"check_demo: the result should be finite"):
        expect_number(CHECK, got)


def test_integer_answers_from_numpy_match_integer_expectations() -> None:
    expect_close(CHECK, np.int64(3), 3, case="a mask with three blobs")
    expect_close(CHECK, np.array(3), 3, case="a mask with three blobs")
    with pytest.raises(SelfCheckFailed, match=r"wrong value for two blobs: expected 2, got 3$"):
        expect_close(CHECK, np.int32(3), 2, case="two blobs")


def test_a_float32_answer_is_told_why_it_misses_a_float64_tolerance() -> None:
    third = 1 / 3
    expect_close(CHECK, np.float32(third), third, case="x", rtol=1e-6)  # within the default-ish tolerance
    with pytest.raises(SelfCheckFailed) as info:
        expect_close(CHECK, np.float32(third), third, case="x", rtol=1e-12, atol=0)
    message = str(info.value)
    want, got = message.split("expected ")[1].split(" (")[0].split(", got ")
    assert want != got, f"the two numbers must be printed with enough digits to differ: {message}"
    assert "dtype float32: compute in float64" in message
    with pytest.raises(SelfCheckFailed, match=r"dtype torch.float32: compute in float64"):
        expect_close(CHECK, torch.full((3,), third, dtype=torch.float32), torch.full((3,), third, dtype=torch.float64),
                     case="x", rtol=1e-12, atol=0)


def test_a_right_float64_answer_gets_no_precision_hint() -> None:
    with pytest.raises(SelfCheckFailed) as info:
        expect_close(CHECK, 0.5, 0.25, case="x")
    assert str(info.value) == "check_demo: wrong value for x: expected 0.25, got 0.5"


# -- tensors ----------------------------------------------------------------------------------------
def test_expect_tensor_says_what_is_wrong() -> None:
    good = torch.zeros(2, 3, dtype=torch.float64)
    assert expect_tensor(CHECK, good, shape=(2, 3), dtype=torch.float64) is good
    cases = [
        (np.zeros((2, 3)), r"should be a torch.Tensor, got numpy array of shape \(2, 3\) and dtype float64 "
                             r"\(convert it with `torch.as_tensor"),
        ([0.0, 1.0], r"should be a torch.Tensor, got list"),
        (torch.zeros(3, 2, dtype=torch.float64), r"should have shape \(2, 3\), got shape \(3, 2\)"),
        (torch.zeros(2, 3), r"should have dtype torch.float64, got torch.float32"),
        (torch.full((2, 3), float("nan"), dtype=torch.float64), r"contains NaN or infinity"),
    ]
    for got, message in cases:
        with pytest.raises(SelfCheckFailed, match=rf"check_demo: the result {message}"):
            expect_tensor(CHECK, got, shape=(2, 3), dtype=torch.float64)


def test_expect_close_on_tensors_names_the_first_wrong_entry() -> None:
    expected = torch.tensor([1.0, 2.0, 3.0], dtype=torch.float64)
    expect_close(CHECK, expected.clone(), expected, case="c")
    with pytest.raises(SelfCheckFailed, match=r"wrong value for c: at index \(1,\) expected 2, got 5 \(1 of 3 entries differ\)"):
        expect_close(CHECK, torch.tensor([1.0, 5.0, 3.0], dtype=torch.float64), expected, case="c")
    mask = torch.tensor([True, False])
    with pytest.raises(SelfCheckFailed, match=r"should be a boolean tensor, got dtype torch.int64"):
        expect_close(CHECK, torch.tensor([1, 0]), mask, case="m")


def test_passed_prints_one_line(capsys) -> None:
    passed(CHECK, "all good")
    assert capsys.readouterr().out == "\u2705 check_demo passed: all good\n"
