"""One year against the next: clause diff, cohort impact, and next year's policy.

sides loads the two policies of a comparison; diff compares them clause by clause
(parameters reads the values that changed); impact runs a cohort under both and
traces each change of outcome to its clauses; diff_report writes both; yearshift
moves a policy's dates by whole years, which newyear uses to start next year's file.

May import: :mod:`jifen_dsl.allocation` and everything below it; never :mod:`jifen_dsl.runs`.
"""
