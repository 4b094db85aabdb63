"""The language server (``jifen lsp``): diagnostics as you type, the outline, hover, go to definition and formatting.

``features`` answers from a policy's text, without the protocol; ``server`` speaks
the Language Server Protocol over standard input and output with pygls, which
is imported nowhere else.

May import: every room below :mod:`jifen_dsl.cli`.
"""
