"""From a checked policy to Python code, once, and the front of the pipeline.

optimizer rewrites checked expressions; compiler generates and loads the code,
which runs in the namespace of :mod:`jifen_dsl.compile.namespace` (the language's
operations, no builtins); order says what the generated loop gathers for the
ranking; cache keeps checked policies between runs; pipeline runs
load -> check -> compile for a file (``load_policy``).

May import: :mod:`jifen_dsl.lang`, :mod:`jifen_dsl.timeline` and the shared basics.
Never reads applicant data.
"""
