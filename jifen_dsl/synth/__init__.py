"""Synthetic applicants and schools for the bundled policies: ``python -m jifen_dsl.synth``.

Every file is a pure function of its arguments: one ``random.Random`` per file,
seeded from the district, year and seed, so the same command always writes the
same bytes.

profiles holds the district-years the generator knows and who applies there;
points the city points tables; dates the day arithmetic; columns the files'
layout; schools generates schools, reads them back and draws choices among them;
edges places the boundary rows beside each cut-off of a policy; randomrows draws
random applicants; applicants puts both into one file's rows; writer writes CSV;
command is the click command line.

May import: :mod:`jifen_dsl.data` (output writers), :mod:`jifen_dsl.messages` (what
its errors say) and the shared basics; never the language or the evaluator, so
generated files do not depend on the code they test.
"""

from jifen_dsl.synth.applicants import generate_applicants, iter_applicants
from jifen_dsl.synth.columns import FIELDS, SCHOOL_FIELDS
from jifen_dsl.synth.command import cli, main
from jifen_dsl.synth.edges import EDGE_CASES, EdgeCase
from jifen_dsl.synth.profiles import PROFILES, Profile, profile
from jifen_dsl.synth.schools import generate_schools, read_schools
from jifen_dsl.synth.writer import write_csv

__all__ = [
    "EDGE_CASES",
    "FIELDS",
    "PROFILES",
    "SCHOOL_FIELDS",
    "EdgeCase",
    "Profile",
    "cli",
    "generate_applicants",
    "generate_schools",
    "iter_applicants",
    "main",
    "profile",
    "read_schools",
    "write_csv",
]
