"""Exercise self-checks, one module per lecture (``lecture00``, ``lecture01``, ...)."""
