r"""Paper-scale sweeps: DSS and energy-gap sweeps as resumable tasks on Ray or in this process.

Freeman & Bruna (2017, "Topology and Geometry of Half-Rectified Network Optimization", ICLR, §3)
measured level-set geometry -- normalized length $|\gamma|/\lVert\theta_B-\theta_A\rVert$ and bead
counts against the threshold $L_0$ -- with one cluster job per task and threshold.  This
subpackage does the same with an existing engine (Ray) instead of a home-made launcher:

* :mod:`~landscape_lib.scale.config` -- :class:`SweepConfig`, a declarative sweep read from TOML/JSON;
* :mod:`~landscape_lib.scale.tasks` -- the task builders and :func:`execute_task` (one ``connect_many``
  or one energy-gap bisection, plain results);
* :mod:`~landscape_lib.scale.runner` -- :func:`run_sweep` on Ray (optional extra ``[scale]``) or in-process;
* :mod:`~landscape_lib.scale.results` -- the self-describing, resumable results folder and
  :func:`load_level_sweep` for lecture 05's plots.

Command line: ``python -m landscape_lib.scale run CONFIG --out DIR [--address ray://...] [--workers N]``
and ``python -m landscape_lib.scale status DIR``.  Importing this package does not import Ray.
"""

from .config import SweepConfig as SweepConfig
from .config import load_config as load_config
from .results import load_level_sweep as load_level_sweep
from .results import load_tensors as load_tensors
from .results import sweep_status as sweep_status
from .runner import SweepReport as SweepReport
from .runner import ray_available as ray_available
from .runner import run_sweep as run_sweep
from .tasks import BUILDERS as BUILDERS
from .tasks import split_tasks as split_tasks
