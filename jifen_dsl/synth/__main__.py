"""``python -m jifen_dsl.synth`` writes synthetic applicants or schools."""

from jifen_dsl.synth.command import main

main()
