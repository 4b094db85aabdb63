"""The admission season: each step of a district's year a recorded stage in one SQLite database.

- ``store``: the database - the append-only log, each entry chained to the one
  before by its digest; every input file, kept whole; each stage's outcome,
  one row per applicant;
- ``stages``: what each stage does to the season's state (pure: no database),
  from the qualification list to registration;
- ``inputs``: the officers' files a stage takes (corrections, choices,
  decisions, registrations), read and checked row by row;
- ``commands``: a stage run as one transaction - the state replayed from the
  log, the stage applied, its inputs, outcome and log entry recorded at once;
- ``audit``: ``season verify``, which checks the record, replays every stage and
  checks its promises; ``explain``, ``public``, ``report``: one applicant's story,
  a stage's public list, the year-end report; ``snapshot``: the state kept after
  each stage; ``windows``: the schedule's window of each stage;
- ``words``: the stage names, statuses and rounds people read; every message
  the commands say is in the gettext catalogs (:mod:`jifen_dsl.messages`), in the
  season's policy language unless ``jifen --lang`` asks for another.

May import: :mod:`jifen_dsl.runs` and everything below it.
"""
