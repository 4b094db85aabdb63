"""A compiled policy applied to a cohort: eligibility, points, batch, rank, and why.

evaluator runs the generated code over every applicant and ranks the eligible by
grade (ranking holds the policy's order); report writes the results as a table,
CSV or JSON; explain tells one applicant's outcome in the policy's language
(or the one asked for: language); schedule_report tells what the schedule says
on a given day.

May import: :mod:`jifen_dsl.compile`, :mod:`jifen_dsl.data`, :mod:`jifen_dsl.lang`,
:mod:`jifen_dsl.timeline`, :mod:`jifen_dsl.messages` and the shared basics. Knows nothing of seats.
"""
