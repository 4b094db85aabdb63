"""The policy language: from text to a checked model.

grammar -> parser (Lark, LALR, with the parser_* builders; Lark is seen by these
modules only; numberlimits bounds the literals) -> syntax (attrs nodes with source
spans) -> loader (imports, and ``extends`` through inherit and body, confined to
the policy library of library.py) -> checker (one class made of the mixins
declarationcheck, typecheck with typecalls, sectioncheck and timecheck; every
error collected) -> model (the checked policy, its expressions as ir). unparse
(with unparse_words and unparse_expressions) writes a tree back as text;
operations defines what each operator does, once, for constant folding here and
for generated code in :mod:`jifen_dsl.compile`.

May import: :mod:`jifen_dsl.timeline` and the shared basics (errors, cachedir).
Never reads applicant data, generates code or writes files; reads no file outside
the policy library but the policy it is given.
"""
