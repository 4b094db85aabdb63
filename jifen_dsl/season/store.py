"""The season database: one SQLite file (``season.db``), the system of record of a season.

Tables:

- ``meta``: the format version;
- ``files``: every input file a command took, whole, by the SHA-256 of its bytes
  (the policy's texts, the schools, applicants, corrections, choices, decisions);
- ``log``: one entry per command that changed the season, append-only. Each
  entry carries the digest of the entry before it (``previous``) and its own
  (``digest``, over every other column), so an edited, removed or reordered
  entry breaks the chain. Triggers refuse an UPDATE or DELETE of the log;
- ``outcomes``: after each stage, a row for each applicant whose outcome it
  changed (status, school, round, rank, points, choices; every applicant the
  first time); the whole outcome after a stage - each applicant's latest row -
  has the digest the entry records as ``result``; and in ``files``, a
  snapshot of the season's state after the stage (its digest the entry's
  ``state``), from which the next command starts.

A command is one transaction (``BEGIN IMMEDIATE``): it takes the database's write
lock before it reads the season, so two officers' commands run one after the
other, and a command killed at any moment leaves all of its records or none.
The journal is a write-ahead log (WAL) with full synchronisation.
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import hashlib
import json
import os
import sqlite3
from pathlib import Path
from typing import Any, Iterator, Sequence

import attrs
import polars as pl

from jifen_dsl.errors import DataError
from jifen_dsl.messages import M, Message, T

__all__ = ["DB_NAME", "Store", "LogEntry", "SeasonBusy", "digest_of", "GENESIS"]

DB_NAME = "season.db"
FORMAT = "2"
GENESIS = "0" * 64  # the "previous" of the first entry
_WAIT_SECONDS = 5.0  # how long a command waits for another officer's to finish before it says busy

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS files(digest TEXT PRIMARY KEY, name TEXT NOT NULL, content BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS log(
    seq INTEGER PRIMARY KEY, at TEXT NOT NULL, officer TEXT NOT NULL, action TEXT NOT NULL, reason TEXT NOT NULL,
    inputs TEXT NOT NULL, options TEXT NOT NULL, result TEXT NOT NULL, state TEXT NOT NULL, previous TEXT NOT NULL, digest TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS outcomes(
    seq INTEGER NOT NULL, id TEXT NOT NULL, grade TEXT, status TEXT NOT NULL, school TEXT, round TEXT,
    rank INTEGER, points TEXT, choices TEXT, PRIMARY KEY (seq, id)
);
CREATE INDEX IF NOT EXISTS outcomes_by_applicant ON outcomes(id, seq);
CREATE TRIGGER IF NOT EXISTS log_append_only_update BEFORE UPDATE ON log
    BEGIN SELECT RAISE(ABORT, 'the season log is append-only'); END;
CREATE TRIGGER IF NOT EXISTS log_append_only_delete BEFORE DELETE ON log
    BEGIN SELECT RAISE(ABORT, 'the season log is append-only'); END;
"""

OUTCOME_COLUMNS = ("id", "grade", "status", "school", "round", "rank", "points", "choices")


class SeasonBusy(DataError):
    """Another command holds the season's write lock."""


def _busy(folder: str) -> Message:
    return M("S0019", "{dir}: another season command is running; try again when it has finished", dir=folder)


def digest_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _canonical(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")


@attrs.frozen
class LogEntry:
    """One recorded command: when, by whom, why, what it took and what it made, chained to the entry before."""

    seq: int
    at: str
    officer: str
    action: str
    reason: str
    inputs: tuple[tuple[str, str, str], ...]  # (role, file name, digest of its bytes)
    options: dict[str, Any]
    result: str  # digest of the outcome rows the stage left ("" when it changed none)
    state: str  # digest of the snapshot of the season's state after the stage (in files)
    previous: str
    digest: str

    def expected_digest(self) -> str:
        """The digest this entry should carry, from every other column."""
        return digest_of(_canonical([self.seq, self.at, self.officer, self.action, self.reason, [list(i) for i in self.inputs], self.options, self.result, self.state, self.previous]))


OUTCOME_SCHEMA = {
    "id": pl.String, "grade": pl.String, "status": pl.String, "school": pl.String, "round": pl.String,
    "rank": pl.Int64, "points": pl.String, "choices": pl.String,
}
_NULL, _UNIT, _RECORD = "\x00", "\x1f", "\x1e"  # characters no cell of an outcome holds


def outcome_digest(frame: pl.DataFrame) -> str:
    """The digest of a stage's whole outcome (OUTCOME_COLUMNS, one row per applicant), in id order.

    The text digested is defined here, not by a CSV writer: each cell as text (a
    null as NUL), cells separated by US, rows by RS.
    """
    cells = frame.sort("id").select(pl.col(c).cast(pl.String).fill_null(_NULL) for c in OUTCOME_COLUMNS)
    text = cells.select(pl.concat_str(pl.all(), separator=_UNIT).str.join(_RECORD)).item() if cells.height else ""
    return digest_of(text.encode("utf-8"))


class Store:
    """An open season database (see the module's docstring)."""

    def __init__(self, folder: str, *, create: bool = False):
        self.folder = folder
        self.path = os.path.join(folder, DB_NAME)
        if create:
            Path(folder).mkdir(parents=True, exist_ok=True)
        self.db = sqlite3.connect(self.path, timeout=_WAIT_SECONDS, isolation_level=None)
        try:
            self.db.execute("PRAGMA journal_mode=WAL")
            self.db.execute("PRAGMA synchronous=FULL")
            if create:
                self.db.executescript(_SCHEMA)
                self.db.execute("INSERT OR IGNORE INTO meta VALUES ('format', ?)", (FORMAT,))
            found = self.db.execute("SELECT value FROM meta WHERE key = 'format'").fetchone()
        except sqlite3.DatabaseError as exc:
            self.db.close()
            if "locked" in str(exc) or "busy" in str(exc):
                raise SeasonBusy([_busy(folder)]) from None
            raise DataError([M("S0020", "{path}: not a season database this tool can read ({reason})", path=self.path, reason=exc)]) from None
        if found is None or found[0] != FORMAT:
            self.db.close()
            raise DataError([
                M("S0021", "{path}: a season database of format {found}; this version of jifen reads format {format}", path=self.path, found=found[0] if found else T("unknown"), format=FORMAT)
            ])

    def close(self) -> None:
        self.db.close()

    @contextlib.contextmanager
    def transaction(self) -> Iterator[None]:
        """The write lock and one transaction: committed whole at the end, or rolled back on any error."""
        try:
            self.db.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as exc:
            if "locked" in str(exc) or "busy" in str(exc):
                raise SeasonBusy([_busy(self.folder)]) from None
            raise
        try:
            yield
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        self.db.execute("COMMIT")

    # ---------------------------------------------------------------- files
    def put_file(self, name: str, content: bytes) -> str:
        digest = digest_of(content)
        self.db.execute("INSERT OR IGNORE INTO files VALUES (?, ?, ?)", (digest, name, content))
        return digest

    def file(self, digest: str) -> bytes | None:
        found = self.db.execute("SELECT content FROM files WHERE digest = ?", (digest,)).fetchone()
        return None if found is None else bytes(found[0])

    # ---------------------------------------------------------------- log
    def entries(self) -> list[LogEntry]:
        rows = self.db.execute("SELECT seq, at, officer, action, reason, inputs, options, result, state, previous, digest FROM log ORDER BY seq").fetchall()
        return [
            LogEntry(seq, at, officer, action, reason, tuple(tuple(i) for i in json.loads(inputs)), json.loads(options), result, state, previous, digest)
            for seq, at, officer, action, reason, inputs, options, result, state, previous, digest in rows
        ]

    def append(self, action: str, officer: str, reason: str, inputs: Sequence[tuple[str, str, str]], options: dict[str, Any], result: str, state: str = "", at: str | None = None) -> LogEntry:
        last = self.db.execute("SELECT seq, digest FROM log ORDER BY seq DESC LIMIT 1").fetchone()
        seq, previous = (last[0] + 1, last[1]) if last else (1, GENESIS)
        when = at or _dt.datetime.now(_dt.timezone.utc).astimezone().isoformat(timespec="seconds")
        entry = LogEntry(seq, when, officer, action, reason, tuple(tuple(i) for i in inputs), dict(options), result, state, previous, "")
        entry = attrs.evolve(entry, digest=entry.expected_digest())
        self.db.execute(
            "INSERT INTO log VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (entry.seq, entry.at, entry.officer, entry.action, entry.reason, json.dumps([list(i) for i in entry.inputs], ensure_ascii=False),
             json.dumps(entry.options, ensure_ascii=False, sort_keys=True), entry.result, entry.state, entry.previous, entry.digest),
        )
        return entry

    # ---------------------------------------------------------------- outcomes
    def put_outcomes(self, seq: int, changed: pl.DataFrame) -> None:
        """The rows of the applicants whose outcome the stage changed (all of them, the first time)."""
        rows = ((seq, *row) for row in changed.select(OUTCOME_COLUMNS).iter_rows())
        self.db.executemany(f"INSERT INTO outcomes VALUES (?, {', '.join('?' * len(OUTCOME_COLUMNS))})", rows)

    def outcome_frame(self, seq: int) -> pl.DataFrame:
        """The whole outcome after entry ``seq``: each applicant's latest row at or before it."""
        rows = self.db.execute(
            f"SELECT {', '.join('o.' + c for c in OUTCOME_COLUMNS)} FROM outcomes o JOIN "
            "(SELECT id, MAX(seq) AS last FROM outcomes WHERE seq <= ? GROUP BY id) l ON o.id = l.id AND o.seq = l.last",
            (seq,),
        ).fetchall()
        return pl.DataFrame(rows, schema=OUTCOME_SCHEMA, orient="row").sort("id")

    def history(self, applicant: str) -> list[tuple]:
        """(seq, *OUTCOME_COLUMNS) of one applicant after each stage, in order."""
        return self.db.execute(f"SELECT seq, {', '.join(OUTCOME_COLUMNS)} FROM outcomes WHERE id = ? ORDER BY seq", (applicant,)).fetchall()

    def admitted_at(self, seq: int, schools: Sequence[str]) -> list[tuple]:
        """The rows of entry ``seq`` of those admitted at these schools (OUTCOME_COLUMNS)."""
        marks = ", ".join("?" * len(schools))
        return self.db.execute(
            f"SELECT {', '.join(OUTCOME_COLUMNS)} FROM outcomes WHERE seq = ? AND status = 'admitted' AND school IN ({marks})", (seq, *schools)
        ).fetchall()

    def outcomes(self, seq: int) -> list[tuple]:
        return self.db.execute(f"SELECT {', '.join(OUTCOME_COLUMNS)} FROM outcomes WHERE seq = ? ORDER BY id", (seq,)).fetchall()
