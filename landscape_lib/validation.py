"""Input checks shared by the library: every error names the function, the argument and the value.

A student who passes a list instead of a tensor, a float32 vector to a float64 landscape or a
vector with a NaN in it should read *what* was wrong and *where*, not a stack trace from deep
inside ``torch.func``.  These helpers raise ``TypeError`` (wrong kind of object) or
``ValueError`` (right kind, wrong content).

Three more guards, all applied once at a public entry, never inside an inner loop:

* sizes: :func:`check_memory` refuses, *before allocating*, a call that would need more than
  :func:`memory_budget` = :data:`MEMORY_FRACTION` of the machine's physical memory
  (``os.sysconf``), raising :class:`MemoryBudgetError` (a ``ValueError``) that states the need,
  the budget and the fix;
* divergence: :func:`check_not_diverged` stops a run whose loss became NaN/inf with a
  :class:`DivergenceError` saying at which step and what to try;
* blame: :func:`reported_as` re-labels an input error of an inner public helper with the name of
  the function the user called.
"""

from __future__ import annotations

import contextlib
import math
import os
from collections.abc import Iterator

import torch
from torch import Tensor


def describe(value: object) -> str:
    """A short description of ``value`` for error messages: type, shape and dtype of tensors."""
    if isinstance(value, Tensor):
        return f"tensor of shape {tuple(value.shape)} and dtype {value.dtype} on {value.device}"
    text = repr(value)
    if len(text) > 60:
        text = text[:57] + "..."
    return f"{type(value).__name__} {text}"


def check_tensor(value: object, *, fn: str, arg: str) -> Tensor:
    """Raise ``TypeError`` unless ``value`` is a ``torch.Tensor``."""
    if not isinstance(value, Tensor):
        raise TypeError(f"{fn}: argument `{arg}` must be a torch.Tensor, got {describe(value)}")
    return value


def check_finite(value: Tensor, *, fn: str, arg: str) -> Tensor:
    """Raise ``ValueError`` if ``value`` holds a NaN or an infinity, naming the first bad index."""
    finite = torch.isfinite(value)
    if not bool(finite.all()):
        bad = tuple(int(i) for i in (~finite).nonzero()[0])
        raise ValueError(
            f"{fn}: argument `{arg}` contains {value[bad].item()} at index {bad}; "
            "every entry must be finite"
        )
    return value


def check_dtype_device(
    value: Tensor, *, dtype: torch.dtype, device: torch.device, fn: str, arg: str
) -> Tensor:
    """Raise ``TypeError`` if ``value`` is not of the expected dtype and device."""
    if value.dtype != dtype:
        raise TypeError(
            f"{fn}: argument `{arg}` has dtype {value.dtype}, expected {dtype} "
            f"(convert with `{arg}.to({dtype})`)"
        )
    if value.device != device:
        raise TypeError(
            f"{fn}: argument `{arg}` is on device {value.device}, expected {device} "
            f"(move it with `{arg}.to('{device}')`)"
        )
    return value


def check_positive(value: object, *, fn: str, arg: str, integer: bool = False) -> float:
    """Raise unless ``value`` is a finite number > 0 (an ``int`` if ``integer``)."""
    kinds = (int,) if integer else (int, float)
    if isinstance(value, bool) or not isinstance(value, kinds):
        kind = "an integer" if integer else "a number"
        raise TypeError(f"{fn}: argument `{arg}` must be {kind}, got {describe(value)}")
    if not math.isfinite(value) or value <= 0:
        raise ValueError(f"{fn}: argument `{arg}` must be > 0, got {value}")
    return value


def check_points(
    theta: object, *, dim: int, dtype: torch.dtype, device: torch.device, fn: str, arg: str
) -> Tensor:
    """Check a point θ of shape (P,) or a batch of shape (K, P) of a P-dimensional landscape."""
    theta = check_tensor(theta, fn=fn, arg=arg)
    if theta.ndim not in (1, 2) or theta.shape[-1] != dim:
        raise ValueError(
            f"{fn}: argument `{arg}` must have shape (P,) or (K, P) with P = {dim}, "
            f"got shape {tuple(theta.shape)}"
        )
    if theta.ndim == 2 and theta.shape[0] == 0:
        raise ValueError(f"{fn}: argument `{arg}` holds no points (shape {tuple(theta.shape)}); pass at least one row")
    check_dtype_device(theta, dtype=dtype, device=device, fn=fn, arg=arg)
    return check_finite(theta, fn=fn, arg=arg)


# -- numbers, choices, devices ------------------------------------------------------------------
def _real(value: object) -> float | None:
    """``value`` as a Python float if it is a real number (Python, NumPy, 0-d tensor/array), else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, Tensor):
        return float(value) if value.numel() == 1 and not value.is_complex() and not value.dtype == torch.bool else None
    if type(value).__module__ == "numpy" and getattr(value, "shape", None) == ():
        try:
            return float(value)  # NumPy scalars and 0-d arrays
        except (TypeError, ValueError):
            return None
    return None


def check_number(
    value: object,
    *,
    fn: str,
    arg: str,
    minimum: float | None = None,
    maximum: float | None = None,
    strict_min: bool = False,
    finite: bool = True,
) -> float:
    """A real number (any Python/NumPy/0-d tensor kind) within ``[minimum, maximum]``; returns a float.

    ``strict_min`` makes the lower bound exclusive.  NaN is always refused (it compares false with
    everything, so a NaN level or target would silently select nothing).
    """
    number = _real(value)
    if number is None:
        raise TypeError(f"{fn}: argument `{arg}` must be a real number, got {describe(value)}")
    if math.isnan(number) or (finite and math.isinf(number)):
        raise ValueError(f"{fn}: argument `{arg}` must be a finite number, got {number}")
    if minimum is not None and (number <= minimum if strict_min else number < minimum):
        raise ValueError(f"{fn}: argument `{arg}` must be {'>' if strict_min else '>='} {minimum}, got {number}")
    if maximum is not None and number > maximum:
        raise ValueError(f"{fn}: argument `{arg}` must be <= {maximum}, got {number}")
    return number


def check_known_names(fn: str, given: object, known: object, *, what: str,
                      error: type[Exception] = ValueError, quote=repr) -> None:
    """Refuse names in ``given`` that are not in ``known`` (a typo must not be silently ignored).

    The message lists the unknown names (each formatted by ``quote``) and every valid one, e.g.
    "connect: unknown option `vectorize`; the options are alpha, ...".
    """
    unknown = sorted(set(given) - set(known))
    if unknown:
        raise error(f"{fn}: unknown {what}{'s' if len(unknown) > 1 else ''} {', '.join(map(quote, unknown))}; "
                    f"the {what}s are {', '.join(sorted(known))}")


def check_int(
    value: object, *, fn: str, arg: str, minimum: int | None = None, maximum: int | None = None
) -> int:
    """An integer (Python or NumPy; not ``bool``) within ``[minimum, maximum]``; returns an ``int``."""
    import numbers

    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        if isinstance(value, float) and value.is_integer():
            raise TypeError(f"{fn}: argument `{arg}` must be an integer, got the float {value} (write {int(value)})")
        raise TypeError(f"{fn}: argument `{arg}` must be an integer, got {describe(value)}")
    number = int(value)
    if minimum is not None and number < minimum:
        raise ValueError(f"{fn}: argument `{arg}` must be an integer >= {minimum}, got {number}")
    if maximum is not None and number > maximum:
        raise ValueError(f"{fn}: argument `{arg}` must be an integer <= {maximum}, got {number}")
    return number


def check_bool(value: object, *, fn: str, arg: str) -> bool:
    """A ``bool`` (NumPy booleans accepted): ``flag="no"`` must not mean True."""
    if isinstance(value, bool) or type(value).__name__ == "bool_":
        return bool(value)
    raise TypeError(f"{fn}: argument `{arg}` must be True or False, got {describe(value)}")


def check_device(device: object, *, fn: str, arg: str = "device") -> torch.device:
    """A device that exists on this machine: ``device='cuda'`` without a GPU is refused here,
    not deep inside the first allocation."""
    try:
        dev = torch.device(device)  # type: ignore[arg-type]
    except (RuntimeError, TypeError) as err:
        raise ValueError(f"{fn}: argument `{arg}` is not a device, got {describe(device)} ({err})") from None
    if dev.type == "cuda" and not torch.cuda.is_available():
        raise ValueError(f"{fn}: argument `{arg}` is {str(dev)!r} but no CUDA GPU is available here; use device='cpu'")
    if dev.type == "mps" and not (hasattr(torch.backends, "mps") and torch.backends.mps.is_available()):
        raise ValueError(f"{fn}: argument `{arg}` is 'mps' but MPS is not available here; use device='cpu'")
    if dev.type not in ("cpu", "cuda", "mps"):
        raise ValueError(f"{fn}: argument `{arg}` must be 'cpu' (or an available 'cuda'), got {str(dev)!r}")
    return dev


def check_float_dtype(dtype: object, *, fn: str, arg: str = "dtype") -> torch.dtype:
    """A floating torch dtype (float32 or float64 in practice)."""
    if not isinstance(dtype, torch.dtype) or not dtype.is_floating_point:
        raise TypeError(f"{fn}: argument `{arg}` must be a floating torch dtype such as torch.float64, got {describe(dtype)}")
    return dtype


# -- memory -----------------------------------------------------------------------------------
#: The share of the machine's physical memory one call may ask for: beyond it a call would swap
#: or be killed, so it is refused before anything is allocated.
MEMORY_FRACTION = 0.25


def physical_memory() -> int:
    """Bytes of physical memory (``os.sysconf``; 8 GiB if the platform does not say)."""
    try:
        return int(os.sysconf("SC_PAGE_SIZE")) * int(os.sysconf("SC_PHYS_PAGES"))
    except (AttributeError, ValueError, OSError):
        return 8 * 2**30


def memory_budget() -> int:
    """Bytes one call may allocate: :data:`MEMORY_FRACTION` of the physical memory."""
    return int(MEMORY_FRACTION * physical_memory())


def _gib(n_bytes: float) -> str:
    return f"{n_bytes / 2**30:.3g} GiB"


def check_memory(n_elements: float, *, fn: str, what: str, fix: str, itemsize: int = 8) -> None:
    """Refuse, before allocating, a tensor of ``n_elements`` entries larger than :func:`memory_budget`.

    ``n_elements`` may be a Python int of any size (e.g. ``N ** p``), so the product never overflows.
    """
    need = n_elements * itemsize
    budget = memory_budget()
    if need > budget:
        raise MemoryBudgetError(
            f"{fn}: {what} would need {_gib(need)}, more than the memory budget of {_gib(budget)} "
            f"({MEMORY_FRACTION:.0%} of this machine's {_gib(physical_memory())} of RAM); {fix}"
        )


class MemoryBudgetError(ValueError):
    """A call asked for more memory than :func:`memory_budget` (raised before allocating)."""


# -- divergence -------------------------------------------------------------------------------
class DivergenceError(FloatingPointError):
    """A NaN or an infinity appeared during training or descent."""


def check_not_diverged(values: Tensor, *, fn: str, step: int, what: str = "loss", fix: str = "lower `lr`") -> None:
    """Stop a run whose ``values`` became NaN/inf, saying at which step and what to try.

    Called once per recorded step (not per inner step), so the check costs one reduction.
    """
    if not bool(torch.isfinite(values).all()):
        where = tuple(int(i) for i in (~torch.isfinite(values)).nonzero()[0])
        if values.ndim == 0:
            place = ""
        elif values.ndim == 1:
            place = f" (run {where[0]})" if values.numel() > 1 else ""
        else:
            place = f" (entry {where})"
        raise DivergenceError(
            f"{fn}: the run diverged: the {what} became {float(values[where])} at step {step}{place}; {fix}"
        )


def check_data_request(fn: str, sizes: dict[str, object], *, seed: object, dtype: object,
                       numbers_per_sample: int = 2) -> int:
    """Validate the arguments of a data generator: sample counts (integers >= 1), an integer seed,
    a floating dtype, and a total size within :func:`memory_budget`; return the total count.

    (``n_train=-5`` used to slice ``x[:-5]``: 990 training points, silently.)
    """
    total = 0
    for arg, value in sizes.items():
        total += check_int(value, fn=fn, arg=arg, minimum=1)
    check_int(seed, fn=fn, arg="seed")
    dtype = check_float_dtype(dtype, fn=fn)
    check_memory(total * numbers_per_sample, fn=fn, what=f"{total:,} samples (arguments {', '.join(f'`{a}`' for a in sizes)})",
                 fix="ask for fewer samples", itemsize=torch.finfo(dtype).bits // 8)
    return total


@contextlib.contextmanager
def reported_as(fn: str, *inner: str) -> Iterator[None]:
    """Report input errors raised by the public helpers ``inner`` as errors of ``fn``, the function
    the user called (``sample_spiked_tensor(N=0)`` must not blame ``sample_couplings``).

    Only ``TypeError``/``ValueError`` whose message starts with ``"<inner>:"`` are renamed; the
    original stays attached as ``__cause__``.
    """
    try:
        yield
    except (TypeError, ValueError) as err:
        message = str(err)
        for name in inner:
            if message.startswith(f"{name}:"):
                try:
                    renamed = type(err)(f"{fn}:{message[len(name) + 1:]} (raised by {name}, which {fn} calls)")
                except Exception:  # an exception type with another constructor: leave it as it is
                    raise err from None
                raise renamed from err
        raise
