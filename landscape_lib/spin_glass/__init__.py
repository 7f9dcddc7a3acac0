r"""The spherical p-spin model (lecture 01): the model, descent on the sphere, Kac-Rice complexity.

* :mod:`~landscape_lib.spin_glass.model` -- couplings, energy, Riemannian gradient and Hessian;
* :mod:`~landscape_lib.spin_glass.descent` -- batched gradient descent on the sphere, finite-N fits;
* :mod:`~landscape_lib.spin_glass.complexity` -- complexity of critical points by index,
  $E_\infty$ and $E_0$ (Auffinger, Ben Arous & Černý 2013).
"""

from .complexity import critical_energy as critical_energy
from .complexity import ground_state_energy as ground_state_energy
from .complexity import threshold_energy as threshold_energy
from .complexity import total_complexity as total_complexity
from .descent import FiniteSizeFit as FiniteSizeFit
from .descent import SphereDescentResult as SphereDescentResult
from .descent import fit_finite_size as fit_finite_size
from .descent import sphere_gradient_descent as sphere_gradient_descent
from .model import euclidean_gradient as euclidean_gradient
from .model import great_circle as great_circle
from .model import is_symmetric as is_symmetric
from .model import project_to_sphere as project_to_sphere
from .model import pspin_energy as pspin_energy
from .model import pspin_energy_unchecked as pspin_energy_unchecked
from .model import pspin_hamiltonian as pspin_hamiltonian
from .model import random_sphere_points as random_sphere_points
from .model import riemannian_gradient as riemannian_gradient
from .model import riemannian_hessian as riemannian_hessian
from .model import sample_couplings as sample_couplings
from .model import semicircle_mass_below as semicircle_mass_below
from .model import semicircle_radius as semicircle_radius
from .model import symmetrize as symmetrize
from .model import tangent_basis as tangent_basis
from .model import tangent_hessian_eigenvalues as tangent_hessian_eigenvalues
