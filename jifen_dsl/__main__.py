"""``python -m jifen_dsl`` runs the ``jifen`` command line."""

from .cli import main

main()
