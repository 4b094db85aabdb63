"""Intermediate results as columns, computed in stages: each stage reads the input and earlier stages only.

An expression of expressions referring to their arguments several times (a
decimal sum reads each coefficient four times) would grow exponentially with
nesting if built as one polars expression. So each result is made a column of
its own, and a value refers to it by name. A column's stage is one more than
the highest stage it reads; all the columns of a stage are computed by one
``with_columns``, in parallel.
"""

from __future__ import annotations

import polars as pl

from jifen_dsl.compile.columnar.values import Value

__all__ = ["Stages", "level_of"]


def level_of(*values) -> int:
    """The stage a combination of values is computed in (0: it reads input columns only)."""
    return max((v.level for v in values if v is not None and hasattr(v, "level")), default=0)


class Stages:
    """The columns to compute before the result is selected, stage by stage."""

    def __init__(self) -> None:
        self._stages: list[dict[str, pl.Expr]] = []
        self._count = 0

    def column(self, expr: pl.Expr, level: int, prefix: str = "t") -> tuple[pl.Expr, int]:
        """A column holding ``expr`` (which reads stages up to ``level``); its reference and its stage."""
        name = f"{prefix}{self._count}"
        self._count += 1
        stage = level + 1
        while len(self._stages) < stage:
            self._stages.append({})
        self._stages[stage - 1][name] = expr.alias(name)
        return pl.col(name), stage

    def materialise(self, value: Value, prefix: str = "t") -> Value:
        """The same value, its parts computed once, as columns."""
        level = value.level
        names: dict[str, pl.Expr] = {}
        stage = level + 1
        for part, expr in value.parts().items():
            names[part], stage = self.column(expr, level, prefix)
        return value.rebuild(names.__getitem__, stage)

    def apply(self, frame: pl.LazyFrame) -> pl.LazyFrame:
        """The frame with every stage's columns added."""
        for columns in self._stages:
            if columns:
                frame = frame.with_columns(list(columns.values()))
        return frame

    def definition(self, expr: pl.Expr) -> pl.Expr:
        """What ``expr`` computes, when it names a column of a stage (followed back to the first that is not such a name); else ``expr``."""
        while True:
            names = expr.meta.root_names()
            if len(names) != 1 or not expr.meta.is_column():
                return expr
            found = next((stage[names[0]] for stage in self._stages if names[0] in stage), None)
            if found is None:
                return expr
            expr = found.meta.undo_aliases()

    def roots(self) -> set[str]:
        """The names every stage's columns read (inputs and earlier stages' columns alike)."""
        return {name for stage in self._stages for expr in stage.values() for name in expr.meta.root_names()}

    @property
    def count(self) -> int:
        return self._count
