"""A one-line progress bar for long runs, written to a terminal and nowhere else.

The library reports progress through plain callables (``advance(n)``); this
module draws them. The command line turns the bar on only when stderr is a
terminal and --quiet is not given, so redirected output and logs never carry it,
and stdout is never touched.
"""

from __future__ import annotations

from typing import Callable, TextIO

__all__ = ["Progress", "NO_PROGRESS"]

_BAR = 30


class Progress:
    """Phases of a run (reading, evaluating ...), each drawn as a bar that redraws in place."""

    def __init__(self, stream: TextIO | None, *, min_total: int = 10_000):
        self.stream = stream
        self.min_total = min_total  # shorter phases finish too fast to need a bar
        self._drawn = False

    def phase(self, label: str, total: int) -> Callable[[int], None] | None:
        """An ``advance(n)`` callable for a phase of ``total`` steps, or None when no bar is drawn."""
        if self.stream is None or total < self.min_total:
            return None
        done = 0
        shown = -1

        def advance(n: int) -> None:
            nonlocal done, shown
            done = min(total, done + n)
            percent = done * 100 // total
            if percent == shown:
                return  # redraw only when the figure changes
            shown = percent
            filled = _BAR * done // total
            self.stream.write(f"\r{label:<10} [{'#' * filled}{'.' * (_BAR - filled)}] {percent:3d}% {done}/{total}")
            self.stream.flush()
            self._drawn = True
            if done == total:
                self.clear()

        return advance

    def clear(self) -> None:
        """Erase the bar, so whatever is written next starts on a clean line."""
        if self.stream is not None and self._drawn:
            self.stream.write("\r\x1b[K")
            self.stream.flush()
            self._drawn = False


NO_PROGRESS = Progress(None)
