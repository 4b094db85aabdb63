"""Seats: qualification, choices, twins, coordination and clearing, then a check of the result.

allocator assigns seats from the ranked evaluations; verify refuses an allocation
that breaks one of its promises; report writes placements, the per-school summary
and the subsidy budget; explain tells how one applicant's seat, or none, came about.

May import: :mod:`jifen_dsl.evaluation` and everything below it.
"""
