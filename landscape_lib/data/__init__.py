"""Data sets, all generated locally or shipped with a package (nothing is downloaded at run time).

* :mod:`~landscape_lib.data.regression` -- Freeman & Bruna's 1-D regression tasks, :class:`Split`;
* :mod:`~landscape_lib.data.digits` -- scikit-learn's 8x8 handwritten digits.
"""

from .digits import digits as digits
from .regression import POLYNOMIAL_TARGETS as POLYNOMIAL_TARGETS
from .regression import Split as Split
from .regression import polynomial_regression as polynomial_regression
