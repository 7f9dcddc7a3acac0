"""landscape_lib: the support library of the course *High-dimensional Energy Landscapes*.

The computational core is re-exported here; plots (``landscape_lib.plots``), widgets
(``landscape_lib.widgets``) and exercise self-checks (``landscape_lib.checks``) are imported from
their own subpackages, so that ``import landscape_lib`` needs neither matplotlib nor ipywidgets.
"""

from .spin_glass import ground_state_energy as ground_state_energy
from .spin_glass import threshold_energy as threshold_energy
from .spin_glass import total_complexity as total_complexity
from .dss import connect as connect
from .dss import connect_many as connect_many
from .dss import DSSResult as DSSResult
from .dss import StopReason as StopReason
from .landscape import AnalyticLandscape as AnalyticLandscape
from .landscape import Landscape as Landscape
from .landscape import ModuleLandscape as ModuleLandscape
from .paths import barrier as barrier
from .paths import loss_along_segment as loss_along_segment
from .paths import loss_along_string as loss_along_string
from .paths import normalized_geodesic_length as normalized_geodesic_length
from .paths import path_length as path_length
from .seeding import set_seed as set_seed
from .spin_glass import pspin_energy as pspin_energy
from .spin_glass import riemannian_gradient as riemannian_gradient
from .spin_glass import riemannian_hessian as riemannian_hessian
from .spin_glass import sample_couplings as sample_couplings
from .spin_glass import sphere_gradient_descent as sphere_gradient_descent
from .strings import minimum_energy_path as minimum_energy_path
from .strings import taut_string as taut_string
from .topology import count_components as count_components
from .topology import evaluate_on_grid as evaluate_on_grid
from .topology import sublevel_mask as sublevel_mask
from .training import descend as descend

__version__ = "0.1.0"
