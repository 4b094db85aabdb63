"""The checker: one class made of mixins, each a concept, that resolves, types and checks a loaded policy.

checker runs the steps in order and builds the :mod:`jifen_dsl.lang.model`;
declarations holds the names (fields, labels, definitions); expressions types
expressions and folds constants, with calls for the built-in functions; sections
checks points, batches, tie-break, allocation, subsidies and publication;
schedule checks the phases and the working-day calendars. Every problem is
collected, never raised at the first.
"""
