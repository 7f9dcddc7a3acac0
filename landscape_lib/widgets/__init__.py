"""Interactive demos: ipywidgets around the pure plotting functions of ``landscape_lib.plots``."""
