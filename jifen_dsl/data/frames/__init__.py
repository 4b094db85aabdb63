"""Applicant and evidence files read into typed polars columns: the applicants, the rows set aside, and every problem.

reader holds the entry point, :func:`read_cohort_frame`, and what it gives,
:class:`CohortFrame`; csvframe reads a CSV file's cells with polars when polars
reads it exactly as the csv module does (utf8 decides the encoding and turns
other encodings into UTF-8, csvscan takes the file's digest and looks for what
polars could read otherwise), and text turns any other file's table into
columns; header matches the header to the policy's fields and collects the
problems; casting reads the common spellings of each type in bulk, fields
types one field's column (asking the scalar parser of
:mod:`jifen_dsl.data.values` for whatever the cast leaves), and checks decides
which records become applicants. evidence reads an evidence file into the
cohort's ``v_N`` columns.

Imports polars: only commands that read a cohort import this package.
"""

from jifen_dsl.data.frames.reader import CohortFrame, read_cohort_frame

__all__ = ["CohortFrame", "read_cohort_frame"]
