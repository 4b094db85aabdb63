"""A run as one reproducible unit, and what is published from it.

run executes evaluate or allocate for the command line and writes a run directory
with its manifest, and verifies one later (``verify-run``); outdir decides what
``--out DIR`` may write into and writes it there; runfiles is what verify-run may
open of a run it cannot trust; publish builds the public lists (公示) from a
run's results, public_html renders one as a page.

May import: :mod:`jifen_dsl.allocation` and everything below it; never :mod:`jifen_dsl.years`.
"""
