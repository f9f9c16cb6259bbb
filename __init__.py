# The repository root is the umbrella addon "logistics_suite" (see README.rst):
# it only declares dependencies and holds no code.
