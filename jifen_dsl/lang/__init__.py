"""The policy language: from text to a checked model.

grammar -> parser (Lark, LALR; Lark stays inside parser.py) -> syntax (attrs nodes
with source spans) -> loader (imports, ``extends`` through inherit and body) ->
checker (with typecheck and timecheck; every error collected) -> model (the
checked policy, its expressions as ir). unparse writes a tree back as text;
operations defines what each operator does, once, for constant folding here and
for generated code in :mod:`jifen_dsl.compile`.

May import: :mod:`jifen_dsl.timeline` and the shared basics (errors, cachedir).
Never reads applicant data, generates code or writes files.
"""
