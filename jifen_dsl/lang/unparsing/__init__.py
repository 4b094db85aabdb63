"""Syntax tree back to policy text, in English or Chinese spelling.

unparse writes files, declarations and sections; expressions writes expressions
with parentheses only where precedence needs them; words writes one keyword,
name or literal. ``parse(unparse(tree)) == tree`` for every shipped policy.
"""
