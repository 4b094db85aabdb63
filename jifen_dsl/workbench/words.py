"""The words of the workbench's pages, as messages of the catalogs: each page and the script get them in the page's language."""

from __future__ import annotations

from jifen_dsl.messages import Message, T, render

__all__ = ["WORDS", "SCRIPT_WORDS", "words"]

WORDS: dict[str, Message] = {
    "title": T("Policy workbench"),
    "policies": T("Policies"),
    "policies_heading": T("Policies in this folder"),
    "district": T("District"),
    "year": T("Year"),
    "extends": T("Extends"),
    "status": T("Check"),
    "file": T("File"),
    "library": T("shared declarations"),
    "none_found": T("No policy files (.jifen) were found in this folder."),
    "ok": T("passes"),
    "errors": T("errors"),
    "warnings": T("warnings"),
    "problems": T("Problems"),
    "save": T("Save"),
    "format": T("Format"),
    "compare": T("Compare with the policy before"),
    "impact_link": T("What this edit changes for a cohort"),
    "changes": T("Changes"),
    "shortcut": T("Ctrl-S saves; the text is checked as you type."),
    "back": T("All policies"),
    "language": T("Language"),
    # The pages' bar.
    "nav_compare": T("Compare"),
    "nav_try": T("Try"),
    "nav_allocate": T("Allocate"),
    "nav_seasons": T("Seasons"),
    "nav_preview": T("Public list"),
}

# What the script shows, handed to it in the page.
SCRIPT_WORDS: dict[str, Message] = {
    "checking": T("Checking…"),
    "no_problems": T("No problems."),
    "error": T("error"),
    "warning": T("warning"),
    "hint": T("hint"),
    "saving": T("Saving…"),
    "saved": T("Saved."),
    "not_saved": T("Not saved: the policy does not check."),
    "unsaved": T("Unsaved changes"),
    "failed": T("The server did not answer: {reason}"),
    "no_change": T("No clause changed."),
    "added": T("added"),
    "removed": T("removed"),
    "changed": T("changed"),
    "moved_with_year": T("dates moved with the year"),
    "wording_only": T("wording only"),
    "compared_with": T("Compared with {path}"),
    "formatted": T("Formatted."),
    "unchanged_layout": T("Already in the canonical layout."),
}


def words(lang: str, table: dict[str, Message] | None = None) -> dict[str, str]:
    """The page's words in ``lang``."""
    return {key: render(message, lang) for key, message in (WORDS if table is None else table).items()}
