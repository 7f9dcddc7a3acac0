r"""Reading outliers off the top of a spectrum: the largest gap, and the outliers' share of the trace.

Sagun et al. (2017) and Papyan (2019) see the Hessian of a C-class classifier as a bulk near zero
plus about C (or C - 1) outliers.  The count used here is the position of the largest *ratio*
$\lambda_i/\lambda_{i+1}$ between consecutive top eigenvalues (a scale-free gap), and the
outliers' weight is $\sum_{i\le c}\lambda_i/\operatorname{tr}H$.  (``theory_anchors`` §4: the
Gauss-Newton matrix of a 64-32-10 ReLU net on digits has its largest gap after the 9th eigenvalue,
ratio 2.6, and its top 10 hold 80 % of the trace; with centred inputs no gap and 45 %.)
"""

from __future__ import annotations

from torch import Tensor

from ..validation import check_finite, check_tensor


def largest_gap(eigenvalues: Tensor) -> tuple[int, float]:
    r"""``(c, ratio)``: the largest $\lambda_c/\lambda_{c+1}$ among the positive top eigenvalues.

    Args:
        eigenvalues: the top eigenvalues, shape (k,) with k >= 2, largest first.

    Returns:
        c, the number of eigenvalues above the gap, and the ratio across it.
    """
    fn = "largest_gap"
    ev = check_finite(check_tensor(eigenvalues, fn=fn, arg="eigenvalues"), fn=fn, arg="eigenvalues")
    if ev.ndim != 1 or len(ev) < 2 or bool((ev[1:] > ev[:-1]).any()):
        raise ValueError(f"{fn}: argument `eigenvalues` must be a 1-D tensor of >= 2 values, largest first, got {ev.tolist()[:6]}")
    pos = ev[ev > 0]
    if len(pos) < 2:
        raise ValueError(f"{fn}: argument `eigenvalues` needs at least two positive values, got {ev.tolist()[:6]}")
    ratios = pos[:-1] / pos[1:]
    c = int(ratios.argmax())
    return c + 1, float(ratios[c])
