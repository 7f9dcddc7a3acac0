"""Small models for the course (``ModuleLandscape`` sees through every ``nn.Sequential`` here).

* :mod:`~landscape_lib.models.mlp` -- multilayer perceptrons and deep linear networks;
* :mod:`~landscape_lib.models.cnn` -- small convolutional networks for 8x8 digits and MNIST-1D;
* :mod:`~landscape_lib.models.one_hidden_relu` -- the one-hidden-layer networks of Freeman & Bruna's
  Thm 2.4 (unit-norm first-layer rows, l1-penalised second layer) and of Venturi-Bandeira-Bruna
  (quadratic activation), many widths in one landscape.
"""

from .cnn import cnn as cnn
from .mlp import ACTIVATIONS as ACTIVATIONS
from .mlp import deep_linear as deep_linear
from .mlp import mlp as mlp
from .one_hidden_relu import TwoLayerLandscape as TwoLayerLandscape
