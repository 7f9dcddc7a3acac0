r"""Mean-field two-layer networks (lecture 07): $f(x) = \frac1m\sum_i a_i\,\mathrm{relu}(w_i\cdot x)$.

* :mod:`~landscape_lib.mean_field.network` -- the network, the teacher, the closed-form population
  loss for Gaussian inputs and its gradient, one empirical mean-field step;
* :mod:`~landscape_lib.mean_field.training` -- full-batch descent with the mean-field step scaling,
  many seeds at once.
"""

from .network import empirical_loss as empirical_loss
from .network import init_particles as init_particles
from .network import mean_field_gd_step as mean_field_gd_step
from .network import network_output as network_output
from .network import population_gradients as population_gradients
from .network import population_loss as population_loss
from .network import relu_kernel as relu_kernel
from .network import teacher_output as teacher_output
from .network import teacher_weights as teacher_weights
from .training import MeanFieldRun as MeanFieldRun
from .training import mean_field_descent as mean_field_descent
from .training import train_mean_field as train_mean_field
