r"""Curvature of a landscape: Hessian spectra from Hessian-vector products (lecture 06).

* :mod:`~landscape_lib.curvature.operators` -- $v\mapsto Hv$ (double backward, summed over
  minibatches), the Gauss-Newton product, dense and callable operators;
* :mod:`~landscape_lib.curvature.power` -- top-k eigenvalues by power iteration with deflation;
* :mod:`~landscape_lib.curvature.lanczos` -- extreme eigenvalues by Lanczos with full reorthogonalisation;
* :mod:`~landscape_lib.curvature.density` -- the spectral density by stochastic Lanczos quadrature;
* :mod:`~landscape_lib.curvature.trace` -- Hutchinson's trace with Rademacher probes and its standard error;
* :mod:`~landscape_lib.curvature.outliers` -- counting outliers at the largest gap;
* :mod:`~landscape_lib.curvature.results` -- the result records (residuals, iterations, spreads).
"""

from .density import slq_density as slq_density
from .lanczos import lanczos as lanczos
from .operators import CurvatureOperator as CurvatureOperator
from .operators import FunctionOperator as FunctionOperator
from .operators import GaussNewtonOperator as GaussNewtonOperator
from .operators import HessianOperator as HessianOperator
from .operators import MatrixOperator as MatrixOperator
from .operators import dense as dense
from .outliers import largest_gap as largest_gap
from .power import power_iteration as power_iteration
from .results import DensityResult as DensityResult
from .results import EigenResult as EigenResult
from .results import TraceResult as TraceResult
from .trace import hutchinson as hutchinson
