"""The seasons of the served folder (``jifen season``), read-only: each one's stages done, counts and next window.

A season is a folder holding ``season.db``. Its database is opened read-only
(SQLite's ``mode=ro``): the workbench never writes to a season. What is shown is
what ``jifen season status`` prints, from the same functions
(:func:`jifen_dsl.season.commands.current_state`, :func:`jifen_dsl.season.windows.next_stage`).
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path
from typing import Any

from jifen_dsl.errors import JifenError
from jifen_dsl.messages import T, render
from jifen_dsl.workbench.api import MAX_DEPTH, _SKIPPED, _own_context, _relative
from jifen_dsl.workbench.safety import confine, ApiError

__all__ = ["list_seasons", "MAX_SEASONS"]

MAX_SEASONS = 200


def _season_folders(root: str) -> list[str]:
    """The folders under ``root`` (relative, with '/') holding a ``season.db``, links out of the folder left out."""
    from jifen_dsl.season.store import DB_NAME

    found: list[str] = []
    for directory, folders, names in os.walk(root):
        depth = os.path.relpath(directory, root).count(os.sep)
        folders[:] = sorted(f for f in folders if not f.startswith(".") and f not in _SKIPPED) if depth < MAX_DEPTH else []
        if DB_NAME in names:
            relative = os.path.relpath(directory, root).replace(os.sep, "/")
            try:
                confine(root, relative + "/" + DB_NAME, policy=False)
            except ApiError:
                continue
            found.append(relative)
            if len(found) >= MAX_SEASONS:
                break
    return found


def _read_only_store(folder: str) -> Any:
    """The season's store over a read-only connection: nothing done through it can change the database."""
    from jifen_dsl.season.store import DB_NAME, Store

    store = Store.__new__(Store)
    store.folder = folder
    store.path = os.path.join(folder, DB_NAME)
    store.db = sqlite3.connect(Path(store.path).resolve().as_uri() + "?mode=ro", uri=True, isolation_level=None)
    return store


def _season(root: str, relative: str) -> dict[str, Any]:
    from jifen_dsl.season.commands import current_state
    from jifen_dsl.season.windows import next_stage, window_text
    from jifen_dsl.season.words import stage_name, status_word

    folder = os.path.join(root, *relative.split("/")) if relative != "." else root
    entry: dict[str, Any] = {"folder": relative}
    try:
        store = _read_only_store(folder)
        try:
            entries = store.entries()
            if not entries:
                raise ApiError(422, "empty_season", T("the season's log holds no entry"))
            state = current_state(store)
        finally:
            store.close()
    except ApiError as exc:
        return {**entry, "problem": render(exc.message)}
    except (JifenError, sqlite3.Error, OSError, ValueError) as exc:
        problem = exc.render() if isinstance(exc, JifenError) else str(exc)
        return {**entry, "problem": _relative(root, problem)}
    policy = state.policy
    following = next_stage(state)
    entry.update(
        title=policy.header.title, district=policy.header.district, year=policy.header.year, language=policy.language,
        stages=[{"stage": s, "name": str(stage_name(s))} for s in state.done],
        counts=[{"status": s, "name": str(status_word(s)), "count": n} for s, n in state.counts().items()],
        next=None if following is None else {"stage": following, "name": str(stage_name(following)), "window": window_text(state, following)},
        entries=len(entries), last=entries[-1].at, head=entries[-1].digest,
    )
    return entry


@_own_context
def list_seasons(root: str) -> dict[str, Any]:
    """Every season under the served folder, as ``jifen season status`` tells it (a season that cannot be read: its problem)."""
    return {"seasons": [_season(root, relative) for relative in _season_folders(root)]}
