"""``python -m jifen_dsl.synth`` writes synthetic applicants or schools."""

from jifen_dsl.synth.generate import main

main()
