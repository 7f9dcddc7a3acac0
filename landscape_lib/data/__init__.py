"""Data sets, all generated locally or shipped with a package (nothing is downloaded at run time).

* :mod:`~landscape_lib.data.regression` -- Freeman & Bruna's 1-D regression tasks, :class:`Split`;
* :mod:`~landscape_lib.data.digits` -- scikit-learn's 8x8 handwritten digits;
* :mod:`~landscape_lib.data.mnist1d` -- MNIST-1D, generated locally by the ``mnist1d`` package;
* :mod:`~landscape_lib.data.counterexamples` -- Freeman & Bruna's two-Gaussian and cyclic-map
  counterexamples, and Yun, Sra & Jadbabaie's bad local minimum (lecture 02);
* :mod:`~landscape_lib.data.teacher` -- teacher-student regression: smooth and rough targets (lecture 04).
"""

from .digits import digits as digits
from .mnist1d import mnist1d as mnist1d
from .regression import POLYNOMIAL_TARGETS as POLYNOMIAL_TARGETS
from .regression import Split as Split
from .regression import polynomial_regression as polynomial_regression
from .teacher import circle_regression as circle_regression
