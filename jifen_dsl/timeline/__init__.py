"""Time: the one date rule, working days, and a policy's schedule of phases.

dates adds years and months under one rule for month ends and 29 February;
workdays counts working days by the State Council's calendar; schedule holds
phases, their windows and the points-verification deadline.

May import: the shared basics (errors, and messages for what it says) only: the language and everything above it build on this.
"""
