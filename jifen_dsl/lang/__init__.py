"""The policy language: from text to a checked model.

parsing/ (the grammar and Lark's LALR parser; Lark is seen there only) -> syntax
(attrs nodes with source spans) -> loader (imports, and ``extends`` through
inherit and body, confined to the policy library of library.py) -> checking/ (one
checker made of mixins; every error collected) -> model (the checked policy, its
expressions as ir). unparsing/ writes a tree back as text; operations defines
what each operator does, once, for constant folding here and for generated code
in :mod:`jifen_dsl.compile`; numberlimits bounds the numbers a policy may write;
typesys holds the types, functions the built-in functions, walk the generic
tree walks.

May import: :mod:`jifen_dsl.timeline` and the shared basics (errors, cachedir).
Never reads applicant data, generates code or writes files; reads no file outside
the policy library but the policy it is given.
"""
