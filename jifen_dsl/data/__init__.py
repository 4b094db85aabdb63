"""Files in and out: tabular readers, typed applicants, schools and evidence, and writers.

readers detects a file's format and reads CSV itself, jsonread and xlsxread the
others, all into the text cells of cells.Table; csvstream, typedrows,
parallelread and secondpart are the fast path for large CSV files; values types
one cell; applicants, schools and evidence build typed records for one policy;
output writes files atomically; tables, xlsx and template write text tables,
CSV, workbooks and empty applicant files; masking hides personal details for
public lists; formats names the formats.

May import: :mod:`jifen_dsl.lang` (a policy's field declarations),
:mod:`jifen_dsl.timeline` and the shared basics. Never evaluates a policy.
"""
