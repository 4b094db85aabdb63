"""Bulk work over whole cohorts: pause the cyclic garbage collector while it runs.

Evaluating or allocating a cohort creates one object per applicant and no
reference cycles, but the collector, which runs in proportion to the objects
created, would scan the ever-growing set of live ones again and again, making
the work grow faster than the cohort. Reference counting still frees memory.
"""

from __future__ import annotations

import contextlib
import gc
from typing import Iterator

__all__ = ["collector_paused"]


@contextlib.contextmanager
def collector_paused() -> Iterator[None]:
    """Pause cyclic garbage collection for the block (restoring the previous state)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
