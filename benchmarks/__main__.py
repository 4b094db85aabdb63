"""``python -m benchmarks`` runs the whole suite (see suite.py)."""

from .suite import main

main()
