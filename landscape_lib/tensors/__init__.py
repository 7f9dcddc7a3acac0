r"""Tensor landscapes on the sphere (lecture 07): the spiked tensor and orthogonal decomposition.

* :mod:`~landscape_lib.tensors.spiked` -- $Y = \lambda v^{\otimes 3} + W/\sqrt N$ (lecture 01's
  3-spin couplings plus a signal), power iteration and gradient ascent batched over starts;
* :mod:`~landscape_lib.tensors.orthogonal` -- $T(u) = \sum_i\langle a_i,u\rangle^4$, its Riemannian
  gradient and Hessian, the subset-sum saddles and their index.
"""

from .orthogonal import all_subsets as all_subsets
from .orthogonal import ascent_index as ascent_index
from .orthogonal import decomposition_ascent as decomposition_ascent
from .orthogonal import decomposition_gradient as decomposition_gradient
from .orthogonal import decomposition_hessian as decomposition_hessian
from .orthogonal import decomposition_objective as decomposition_objective
from .orthogonal import distance_to_components as distance_to_components
from .orthogonal import random_orthonormal_components as random_orthonormal_components
from .orthogonal import subset_sum_point as subset_sum_point
from .orthogonal import tangent_eigenvalues as tangent_eigenvalues
from .spiked import AscentResult as AscentResult
from .spiked import SpikedTensor as SpikedTensor
from .spiked import power_iteration as power_iteration
from .spiked import projected_gradient_ascent as projected_gradient_ascent
from .spiked import sample_spiked_tensor as sample_spiked_tensor
from .spiked import spiked_field as spiked_field
from .spiked import spiked_objective as spiked_objective
from .spiked import spiked_riemannian_gradient as spiked_riemannian_gradient
from .spiked import spiked_riemannian_hessian as spiked_riemannian_hessian
from .spiked import success_rate as success_rate
