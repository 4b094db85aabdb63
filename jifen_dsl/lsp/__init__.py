"""The language server (``jifen lsp``): diagnostics as you type, the outline, hover, definitions, references, rename, the samples lens, formatting.

``features`` answers from one policy's text, without the protocol; ``workspace``
resolves the names of every file of the policy library (imports and
``extends``), for references, definitions and ``rename``; ``lens`` evaluates a
policy on the sample applicants kept beside it; ``hovers`` says where an
inherited clause comes from and counts a phase's working days. ``server`` speaks
the Language Server Protocol over standard input and output with pygls, which
is imported nowhere else.

May import: every room below :mod:`jifen_dsl.cli`.
"""
