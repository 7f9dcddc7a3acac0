"""Topology of level sets: sublevel sets and their components on grids (lecture 00)."""

from .sublevel import count_components as count_components
from .sublevel import evaluate_on_grid as evaluate_on_grid
from .sublevel import label_components as label_components
from .sublevel import sublevel_mask as sublevel_mask
