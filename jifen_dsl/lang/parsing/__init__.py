"""Policy text to syntax tree: the grammar, Lark's LALR parser, and the builders of attrs nodes.

parser builds (and caches) the Lark parser, parses, and turns Lark's errors into
diagnostics; the tree builder is made of nodes (the shared base: spans, names,
whole numbers), expressions, declarations, sections and edits (override and
remove items); grammar finds the grammar file. Lark is imported here and
nowhere else: the rest of the code sees :mod:`jifen_dsl.lang.syntax` nodes.
"""
