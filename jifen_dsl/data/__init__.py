"""Files in and out: tabular readers, typed applicants, schools and evidence, and writers.

readers detects a file's format and reads CSV itself, jsonread and xlsxread the
others (xlsxbook opens a workbook and chooses its sheet, xlsxmerge finds merged
cells), all into the text cells of cells.Table; csvstream, typedrows,
parallelread and secondpart are the fast path for large CSV files; values types
one cell; identity holds the rule for ids and names; applicants, schools and
evidence build typed records for one policy; output writes files atomically (or
in place, for a device or a pipe) and clobber refuses an output that is one of
the command's inputs; tables, xlsx and template write text tables,
CSV, workbooks and empty applicant files, spreadsheet holding the rule for a
cell a spreadsheet would read as a formula; masking hides personal details for
public lists; formats names the formats.

May import: :mod:`jifen_dsl.lang` (a policy's field declarations),
:mod:`jifen_dsl.timeline` and the shared basics. Never evaluates a policy.
"""
