"""Topology of level sets: components on grids (lecture 00), symmetries and linear networks
(lecture 02), and the energy gap -- the lowest level at which two models connect (lecture 04).

* :mod:`~landscape_lib.topology.sublevel` -- sublevel masks on grids and their components;
* :mod:`~landscape_lib.topology.symmetries` -- hidden-unit permutations and ReLU rescalings of any MLP;
* :mod:`~landscape_lib.topology.linear_networks` -- deep linear networks: end-to-end maps, det signs, GL paths;
* :mod:`~landscape_lib.topology.slices` -- the loss on the plane through three points;
* :mod:`~landscape_lib.topology.energy_gap` -- bisection on the threshold with DSS as the oracle.
"""

from .energy_gap import energy_gap as energy_gap
from .energy_gap import energy_gap_many as energy_gap_many
from .sublevel import count_components as count_components
from .sublevel import evaluate_on_grid as evaluate_on_grid
from .sublevel import label_components as label_components
from .sublevel import sublevel_mask as sublevel_mask
from .symmetries import permute_hidden as permute_hidden
from .symmetries import rescale_hidden as rescale_hidden
