"""From a checked policy to code, once - Python, and polars expressions - and the front of the pipeline.

optimizer rewrites checked expressions; compiler generates the module and loads
it, with emitter writing each expression and bulkloop the loop that evaluates a
whole cohort; the code runs in the namespace of namespace.py (the language's
operations, no builtins); order says what that loop gathers for the ranking;
cache keeps checked policies between runs; pipeline runs load -> check ->
compile for a file (``load_policy``). columnar/ is the second backend: the
same policy as polars expressions over a whole cohort's columns, giving what the
generated Python gives for each applicant.

May import: :mod:`jifen_dsl.lang`, :mod:`jifen_dsl.timeline` and the shared basics.
Never reads applicant data.
"""
