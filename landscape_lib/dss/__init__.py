r"""Dynamic String Sampling (Freeman & Bruna 2017): certify that two models lie in one component.

The folder reads like the algorithm:

* :mod:`~landscape_lib.dss.search` -- :func:`connect` and :func:`connect_many`, the greedy search;
* :mod:`~landscape_lib.dss.options` -- every choice of the algorithm, in one validated object;
* :mod:`~landscape_lib.dss.beads` -- train beads below a level;
* :mod:`~landscape_lib.dss.segments` -- check a segment on a grid, refine its maximum, insert a bead;
* :mod:`~landscape_lib.dss.shorten` -- an optional pass that pulls a certified string taut;
* :mod:`~landscape_lib.dss.result` -- what a search returns, and why it stopped;
* :mod:`~landscape_lib.dss.reference` -- the paper's published numbers and a power-law fit;
* :mod:`~landscape_lib.dss.sweep` -- pairs x thresholds in one call, as a table beside the straight line;
* :mod:`~landscape_lib.dss.growth` -- linear, logarithmic and power laws for length - 1 against the level.
"""

from .beads import train_below as train_below
from .options import DSSOptions as DSSOptions
from .growth import compare_growth as compare_growth
from .growth import fit_growth as fit_growth
from .reference import PAPER_CIFAR as PAPER_CIFAR
from .reference import PAPER_CUBIC as PAPER_CUBIC
from .reference import PAPER_MNIST as PAPER_MNIST
from .reference import PAPER_QUADRATIC as PAPER_QUADRATIC
from .reference import fit_power_law as fit_power_law
from .result import DSSResult as DSSResult
from .result import StopReason as StopReason
from .search import connect as connect
from .search import connect_many as connect_many
from .sweep import LevelSweep as LevelSweep
from .sweep import sweep_levels as sweep_levels
