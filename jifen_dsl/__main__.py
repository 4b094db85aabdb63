"""``python -m jifen_dsl`` runs the ``jifen`` command line."""

from jifen_dsl.cli import main

main()
