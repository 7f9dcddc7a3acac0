"""Plotting functions (matplotlib); each takes data or a result object and returns the figure."""
