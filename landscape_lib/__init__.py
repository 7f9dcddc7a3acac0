"""landscape_lib: the support library of the course *High-dimensional Energy Landscapes*."""
