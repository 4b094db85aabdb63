"""Files in and out: tabular readers, typed applicants, schools and evidence, and writers.

readers turn CSV, XLSX, JSON and JSON Lines into text cells (csvstream, typedrows
and parallelread are the fast path for large CSV files); values types one cell;
applicants, schools and evidence build typed records for one policy; output
writes files atomically; tables, xlsx and template write text tables, CSV,
workbooks and empty applicant files; masking hides personal details for public lists.

May import: :mod:`jifen_dsl.lang` (a policy's field declarations),
:mod:`jifen_dsl.timeline` and the shared basics. Never evaluates a policy.
"""
