"""Files in and out: tabular readers, typed applicants, schools and evidence, and writers.

readers detects a file's format and reads CSV itself, jsonread and xlsxread the
others (xlsxbook opens a workbook and chooses its sheet, xlsxmerge finds merged
cells), all into the text cells of cells.Table; frames reads an applicant or
evidence file into typed polars columns (a plain CSV file is read by polars
itself), and applicants and evidence turn those columns into typed records for
one policy (records holds the Applicant and Reject they give); values types one
cell; identity holds the rule for ids and names; schools reads the seats on
offer; output writes files atomically (or
in place, for a device or a pipe) and clobber refuses an output that is one of
the command's inputs; tables, xlsx and template write text tables,
CSV, workbooks and empty applicant files, spreadsheet holding the rule for a
cell a spreadsheet would read as a formula; masking hides personal details for
public lists; formats names the formats.

Every problem with a file is a lazy message with its code (D0100-D0899,
docs/messages.md), made where it is found and put into words when shown, in
the policy's language or the one asked for; cells holds the words of a place
(``h.csv:3:2``, ``h.xlsx, sheet 名单, B3``) and of a problem at one.

May import: :mod:`jifen_dsl.lang` (a policy's field declarations),
:mod:`jifen_dsl.timeline` and the shared basics. Never evaluates a policy.
"""
