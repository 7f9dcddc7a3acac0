"""Small models for the course, all plain ``torch.nn.Sequential`` stacks (``ModuleLandscape`` sees through them).

* :mod:`~landscape_lib.models.mlp` -- multilayer perceptrons and deep linear networks.
"""

from .mlp import ACTIVATIONS as ACTIVATIONS
from .mlp import deep_linear as deep_linear
from .mlp import mlp as mlp
