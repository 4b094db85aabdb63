"""The release of jifen_dsl: kept apart so that reading it loads nothing else."""

__version__ = "0.1.0"
