"""What each stage of a season does to its state: pure functions, no database.

The state (:class:`State`) is the policy and schools stored at ``init``, the
cohort imported, the corrections taken, and ``table``: one row per applicant
with its ``status`` (words.STATUSES), ``rank``, ``points``, ``school``,
``round``, and the ``choices``, ``accepts`` and ``clearing`` lists filed. A stage
takes the state and its input and returns the next state, or raises
:class:`StageError` and changes nothing; replaying the log's stages in order
from an empty state gives the recorded outcome of each (``season verify``).

The policy decides what the seeds leave to each district (its allocation
section): what filing no choices means (``missing_choices``), what silence in
the confirmation window means (``unconfirmed``), whether clearing is held
(``clearing``) and for whom (``clearing_for``). Confirmed admissions never move:
clearing places only over the seats no one holds.
"""

from __future__ import annotations

from typing import Any, Sequence

import attrs
import polars as pl

from jifen_dsl.allocation.allocator import ADMITTED, INELIGIBLE, NOT_QUALIFIED, UNPLACED
from jifen_dsl.allocation.arrays import allocate_arrays
from jifen_dsl.allocation.columns_verify import verify_frame
from jifen_dsl.compile.columnar import compile_columnar
from jifen_dsl.compile.compiler import CompiledPolicy
from jifen_dsl.data.frames import CohortFrame
from jifen_dsl.data.schools import School
from jifen_dsl.errors import DataError
from jifen_dsl.evaluation.columnar_ranking import rank_column
from jifen_dsl.evaluation.columnar_report import points_text
from jifen_dsl.evaluation.engine import evaluate_frame
from jifen_dsl.lang import columns, model
from jifen_dsl.messages import M, Message, T
from jifen_dsl.runs.engine import placement_columns
from jifen_dsl.season.words import semicolons, stage_name, status_word

__all__ = ["State", "StageError", "STAGES", "comes_first", "Correction", "qualify", "correct", "file_choices", "allocate", "confirm", "clearing", "register"]

STAGES = ("init", "import", "qualify", "correct", "choices", "allocate", "confirm", "clearing", "register")
_LIST = pl.List(pl.String)
# Statuses that hold a seat: clearing never takes one of these.
HOLDING = ("admitted", "confirmed", "registered")


class StageError(DataError):
    """A stage refused: out of order, or its input does not fit the season; nothing is recorded."""


@attrs.frozen
class Correction:
    """One change of an applicant's data (a field's value) or a human verdict on one requirement."""

    id: str
    field: str  # the field's or the requirement's name
    value: Any  # the typed value, or True/False for a verdict
    verdict: bool  # a verdict on a requirement, not a field's value
    old: str
    new: str
    reason: str
    officer: str
    source: str = ""  # the corrections file's name and row


@attrs.define
class State:
    """A season as it stands after the stages so far."""

    compiled: CompiledPolicy | None = None
    schools: tuple[School, ...] = ()
    cohort: CohortFrame | None = None
    cohort_loader: Any = None  # for a state restored from a snapshot: reads the imported file again when first needed
    cohort_file: tuple[str, str] | None = None  # the imported file's name and digest
    corrections: list[Correction] = attrs.Factory(list)
    table: pl.DataFrame | None = None
    done: list[str] = attrs.Factory(list)
    confirm_closed: int = 0  # confirmation windows closed (one after allocation, one after clearing)
    register_closed: bool = False

    def cohort_data(self) -> CohortFrame:
        """The imported cohort (read again from the season's record the first time a restored state needs it)."""
        if self.cohort is None and self.cohort_loader is not None:
            self.cohort = self.cohort_loader()
        assert self.cohort is not None
        return self.cohort

    @property
    def policy(self) -> model.Policy:
        assert self.compiled is not None
        return self.compiled.policy

    @property
    def language(self) -> str:
        return self.compiled.policy.language if self.compiled is not None else "en"

    def counts(self) -> dict[str, int]:
        if self.table is None:
            return {}
        return dict(sorted(self.table.get_column("status").value_counts().iter_rows()))

    def outcome_frame(self) -> pl.DataFrame:
        """The outcome recorded after a stage (store.OUTCOME_COLUMNS), one row per applicant, in id order."""
        return self.table.sort("id").select(
            "id", pl.col("grade").cast(pl.String), "status", "school", "round", pl.col("rank").cast(pl.Int64), "points",
            pl.col("choices").list.join(";").alias("choices"),
        )


def require(state: State, stage: str) -> None:
    """Refuse a stage out of its order, naming the stage that comes first."""
    done = state.done
    policy_first = [s for s in ("init", "import") if s not in done]
    if stage not in ("init",) and "init" not in done:
        raise StageError([comes_first("init")])
    first = {
        "import": [],
        "qualify": ["import"],
        "correct": ["qualify"],
        "choices": ["qualify"],
        "allocate": ["choices"],
        "confirm": ["allocate"],
        "clearing": ["allocate"],
        "register": ["allocate"],
        "publish": ["qualify"],
    }.get(stage, [])
    for needed in policy_first + first:
        if needed not in done and needed != stage:
            raise StageError([comes_first(needed)])
    if stage in ("import", "qualify") and stage in done:
        raise StageError([_done_already(stage)])
    if stage == "choices" and "allocate" in done:
        raise StageError([_closed(stage, "allocate")])
    if stage == "correct" and state.register_closed:
        raise StageError([_closed(stage, "register")])
    if stage == "allocate" and "allocate" in done:
        raise StageError([_done_already("allocate")])
    if stage == "clearing":
        if "clearing" in done:
            raise StageError([_done_already("clearing")])
        _no_open_confirmations(state)
    if stage == "register":
        if state.register_closed:
            raise StageError([_done_already("register")])
        _no_open_confirmations(state)
        if state.policy.allocation.clearing and "clearing" not in done:
            raise StageError([comes_first("clearing")])


def comes_first(needed: str) -> Message:
    """The refusal of a stage that needs ``needed`` done before it."""
    return M("S0001", "{stage} comes first: run `jifen season {command}` before this", stage=stage_name(needed), command=needed)


def _done_already(stage: str) -> Message:
    return M("S0002", "{stage} is done already; the season has moved on", stage=stage_name(stage))


def _closed(stage: str, past: str) -> Message:
    return M("S0003", "{stage} is closed: the season is past {now}", stage=stage_name(stage), now=stage_name(past))


def _no_open_confirmations(state: State) -> None:
    waiting = state.counts().get("admitted", 0)
    if waiting or not state.confirm_closed:
        raise StageError([
            M(
                "S0004",
                "{count} admitted applicants have not yet confirmed or declined: close the confirmation window first (jifen season confirm DIR FILE --close)",
                count=waiting,
            )
        ])


# ------------------------------------------------------------------ evaluation and qualification


def evaluated(state: State) -> pl.DataFrame:
    """The cohort, with the corrections so far, evaluated and ranked: ``eligible``, ``failed`` (names), ``points`` (text), ``rank``."""
    compiled, policy = state.compiled, state.policy
    frame = state.cohort_data().frame
    verdicts: dict[tuple[str, int], bool] = {}
    names = [r.name for r in policy.requirements]
    for change in state.corrections:
        index = _index_of(frame, change.id)
        if change.verdict:
            verdicts[(change.id, names.index(change.field))] = change.value
        else:
            field = policy.field(change.field)
            name = columns.field_column(policy.read_fields.index(field.index))
            frame = frame.with_columns(_replaced(frame.get_column(name), index, columns.series(name, [change.value], field.type)))
    outcome = evaluate_frame(compiled, compile_columnar(policy), frame)
    if verdicts:
        failed = outcome.get_column("failed").to_list()
        ids = outcome.get_column("id").to_list()
        at = {i: k for k, i in enumerate(ids)}
        for (applicant, requirement), passes in verdicts.items():
            mine = [r for r in failed[at[applicant]] if r != requirement]
            failed[at[applicant]] = sorted(mine if passes else mine + [requirement])
        outcome = outcome.with_columns(pl.Series("failed", failed, dtype=outcome.get_column("failed").dtype))
        outcome = outcome.with_columns(eligible=pl.col("failed").list.len() == 0)
        outcome = outcome.with_columns(rank_column(policy, outcome.drop("rank")).alias("rank"))
    failed_names = pl.col("failed").list.eval(pl.element().cast(pl.Int64).replace_strict(list(range(len(names))), names, return_dtype=pl.String))
    return outcome.with_columns(points_text(outcome).alias("points_text"), failed_names.alias("failed_names"))


def _index_of(frame: pl.DataFrame, applicant: str) -> int:
    found = frame.get_column("id").eq(applicant).arg_true()
    return int(found[0])


def _replaced(column: pl.Series, index: int, value: pl.Series) -> pl.Series:
    """``column`` with ``value[0]`` at ``index`` (for any dtype, structs and lists among them)."""
    before, after = column.slice(0, index), column.slice(index + 1)
    return pl.concat([before, value.cast(column.dtype), after]).alias(column.name)


def qualify(state: State) -> State:
    """Evaluate, rank and cut at the grade's seats: the qualification list (资格名单)."""
    outcome = evaluated(state)
    policy = state.policy
    frame = placement_columns(policy, outcome).with_columns(
        choices=pl.lit([], dtype=_LIST), clearing=pl.lit([], dtype=_LIST), accepts=pl.lit(False)
    )
    placed = allocate_arrays(policy, frame, state.schools)
    status = placed.get_column("status").replace_strict(
        {INELIGIBLE: "ineligible", NOT_QUALIFIED: "not_qualified", UNPLACED: "qualified", ADMITTED: "qualified"}, return_dtype=pl.String
    )
    sibling = frame.get_column("sibling").cast(pl.String)
    table = pl.DataFrame(
        {
            "id": outcome.get_column("id"), "row": outcome.get_column("row"), "grade": outcome.get_column("grade").cast(pl.String),
            "eligible": outcome.get_column("eligible"), "failed": outcome.get_column("failed_names"),
            "points": outcome.get_column("points_text"), "rank": outcome.get_column("rank").cast(pl.Int64),
            "batch": outcome.get_column("batch").cast(pl.Int32),
            "status": status, "sibling": sibling,
        }
    ).with_columns(
        school=pl.lit(None, dtype=pl.String), round=pl.lit(None, dtype=pl.String), choices=pl.lit([], dtype=_LIST),
        accepts=pl.lit(False), filed=pl.lit(False), clearing=pl.lit([], dtype=_LIST),
    )
    return attrs.evolve(state, table=table, done=_with(state.done, "qualify"))


def _with(done: list[str], stage: str) -> list[str]:
    return done if stage in done else [*done, stage]


def correct(state: State, changes: Sequence[Correction]) -> tuple[State, list[Message]]:
    """Record the corrections; what changed for whom, and which clause decided.

    Before choices are filed, the qualification list is made again. Once they
    are, only the corrected applicants' results change (:func:`_correct_late`).
    """
    before = state.table
    corrected = attrs.evolve(state, corrections=[*state.corrections, *changes])
    if "choices" in state.done:
        after = _correct_late(corrected, list(dict.fromkeys(c.id for c in changes)))
    else:
        after = qualify(corrected)
    return attrs.evolve(after, done=_with(after.done, "correct")), changes_between(state, before, after.table)


def _correct_late(state: State, corrected: list[str]) -> State:
    """Corrections once choices are filed: no one else's result moves, and no seat is taken from anyone.

    A corrected applicant takes the rank and points the corrected data give.
    One who now qualifies - eligible, and ranked above the last qualified of
    the grade - and holds no seat is qualified again before allocation, and
    after it placed over the seats no one holds, by the choices on file and
    coordination where accepted, as a stage of its own (else unplaced, which
    clearing may take up). One who holds a seat keeps it; a correction that
    would take it away (the applicant no longer eligible) is refused: that is
    a human decision, not the tool's.
    """
    new = evaluated(state).select(
        "id", pl.col("eligible").alias("n_eligible"), pl.col("failed_names").alias("n_failed"), pl.col("points_text").alias("n_points"),
        pl.col("rank").cast(pl.Int64).alias("n_rank"), pl.col("batch").cast(pl.Int32).alias("n_batch"),
    )
    table = state.table.join(new, on="id", how="left", maintain_order="left")
    placed_before = "allocate" in state.done
    rows = {r["id"]: r for r in table.filter(pl.col("id").is_in(corrected)).iter_rows(named=True)}
    # The last qualified rank of each grade, in the corrected ranking, among the others.
    standing = table.filter(~pl.col("id").is_in(corrected) & ~pl.col("status").is_in(["ineligible", "not_qualified"]))
    cut = dict(standing.group_by("grade").agg(pl.col("n_rank").max()).iter_rows())
    updates: dict[str, dict[str, Any]] = {}
    for applicant in corrected:
        row = rows[applicant]
        change: dict[str, Any] = {"eligible": row["n_eligible"], "failed": row["n_failed"], "points": row["n_points"], "rank": row["n_rank"], "batch": row["n_batch"]}
        status = row["status"]
        if status in HOLDING:
            if not row["n_eligible"]:
                raise StageError([
                    M("S0007", "a correction of {id} after allocation would move a seat it may not: {why}", id=repr(applicant), why=T("now ineligible"))
                ])
        elif not row["n_eligible"]:
            change["status"] = "ineligible"
        elif cut.get(row["grade"]) is not None and row["n_rank"] <= cut[row["grade"]]:
            if status in ("ineligible", "not_qualified"):
                change["status"] = "qualified"
        elif status == "ineligible":
            change["status"] = "not_qualified"
        updates[applicant] = change
    table = _updated(state.table, updates)
    if placed_before:
        late = [a for a, c in updates.items() if c.get("status") == "qualified"]
        table = _place_late(attrs.evolve(state, table=table), late)
    return attrs.evolve(state, table=table)


def _updated(table: pl.DataFrame, updates: dict[str, dict[str, Any]]) -> pl.DataFrame:
    """``table`` with the given columns of the given applicants replaced."""
    if not updates:
        return table
    ids = table.get_column("id").to_list()
    at = {i: k for k, i in enumerate(ids)}
    out = table
    for name in sorted({n for change in updates.values() for n in change}):
        values = out.get_column(name).to_list()
        for applicant, change in updates.items():
            if name in change:
                values[at[applicant]] = change[name]
        out = out.with_columns(pl.Series(name, values, dtype=out.get_column(name).dtype))
    return out


def _place_late(state: State, late: list[str]) -> pl.DataFrame:
    """The late qualified, each alone and in rank order, placed over the seats no one holds: admitted, or unplaced."""
    table = state.table
    if not late:
        return table
    left = seats_left(state)
    offer = tuple(attrs.evolve(s, seats=max(0, left[k])) for k, s in enumerate(state.schools))
    frame = _placement(state, pl.col("id").is_in(late), "choices").with_columns(sibling=pl.lit(None, dtype=pl.String))
    policy = _allocation_policy(state)
    placed = allocate_arrays(policy, frame, offer).select("status", "school", "round", "group")
    return _taking(state, table, placed, late_round=None)


def _taking(state: State, table: pl.DataFrame, placed: pl.DataFrame, late_round: str | None) -> pl.DataFrame:
    """The table with the allocator's placements: ADMITTED -> admitted at its school; UNPLACED -> unplaced; others unchanged."""
    ids = [s.id for s in state.schools]
    school = placed.get_column("school").map_elements(lambda i: ids[i], return_dtype=pl.String)
    admitted = placed.get_column("status") == ADMITTED
    unplaced = placed.get_column("status") == UNPLACED
    round_ = placed.get_column("round") if late_round is None else pl.Series([late_round] * len(placed), dtype=pl.String)
    return table.with_columns(
        status=pl.when(admitted).then(pl.lit("admitted")).when(unplaced).then(pl.lit("unplaced")).otherwise(pl.col("status")),
        school=pl.when(admitted).then(school).otherwise(pl.col("school")),
        round=pl.when(admitted).then(round_).otherwise(pl.col("round")),
    )


def changes_between(state: State, before: pl.DataFrame, after: pl.DataFrame) -> list[Message]:
    """One line per applicant whose eligibility, status or rank changed: what changed and the requirements that decided."""
    joined = before.join(after, on="id", suffix="_new", maintain_order="left")
    moved = joined.filter(
        (pl.col("eligible") != pl.col("eligible_new")) | (pl.col("status") != pl.col("status_new"))
        | pl.col("rank").eq_missing(pl.col("rank_new")).not_() | pl.col("points").eq_missing(pl.col("points_new")).not_()
        | (pl.col("failed").list.sort() != pl.col("failed_new").list.sort())
    )
    lines = []
    for row in moved.iter_rows(named=True):
        what: list[Message] = []
        if row["eligible"] != row["eligible_new"]:
            what.append(T("now eligible") if row["eligible_new"] else T("now ineligible"))
        if row["status"] != row["status_new"]:
            what.append(T("{old} -> {new}", old=status_word(row["status"]), new=status_word(row["status_new"])))
        if row["rank"] != row["rank_new"]:
            what.append(T("rank {old} -> {new}", old=row["rank"] if row["rank"] is not None else "-", new=row["rank_new"] if row["rank_new"] is not None else "-"))
        if row["points"] != row["points_new"]:
            what.append(T("points {old} -> {new}", old=row["points"], new=row["points_new"]))
        clauses = sorted(set(row["failed"]) ^ set(row["failed_new"]))
        if clauses:
            cites = {r.name: r.cite for r in state.policy.requirements}
            what.append(T("decided by {clauses}", clauses=", ".join(f"{c} ({cites[c]})" if cites.get(c) else c for c in clauses)))
        lines.append(T("{id}: {what}", id=row["id"], what=semicolons(what)))
    return lines


# ------------------------------------------------------------------ choices and allocation


def file_choices(state: State, filed: dict[str, tuple[tuple[str, ...], bool, str | None]]) -> tuple[State, int]:
    """Each listed qualified applicant's choices; the qualified who filed none, as the policy says (gave_up, or left to coordination)."""
    given = pl.DataFrame(
        {
            "id": list(filed), "_choices": [";".join(c) for c, _, _ in filed.values()], "_accepts": [a for _, a, _ in filed.values()],
            "_group": [g for _, _, g in filed.values()], "_grouped": [g is not None for _, _, g in filed.values()],
        },
        schema={"id": pl.String, "_choices": pl.String, "_accepts": pl.Boolean, "_group": pl.String, "_grouped": pl.Boolean},
    ).with_columns(_choices=pl.when(pl.col("_choices") == "").then(pl.lit([], dtype=_LIST)).otherwise(pl.col("_choices").str.split(";")))
    now = pl.col("_accepts").is_not_null()
    table = state.table.join(given, on="id", how="left", maintain_order="left").with_columns(
        choices=pl.when(now).then(pl.col("_choices")).otherwise(pl.col("choices")),
        accepts=pl.when(now).then(pl.col("_accepts")).otherwise(pl.col("accepts")),
        sibling=pl.when(pl.col("_grouped").fill_null(False)).then(pl.when(pl.col("_group") != "").then(pl.col("_group"))).otherwise(pl.col("sibling")),
        status=pl.when(now & (pl.col("status") == "gave_up")).then(pl.lit("qualified")).otherwise(pl.col("status")),
        filed=pl.col("filed") | now,
    ).drop("_choices", "_accepts", "_group", "_grouped")
    silent = (pl.col("status") == "qualified") & ~pl.col("filed")
    gave_up = int(table.select(silent.sum()).item())
    if state.policy.allocation.missing_choices == "gives_up":
        table = table.with_columns(status=pl.when(silent).then(pl.lit("gave_up")).otherwise(pl.col("status")))
    else:
        table = table.with_columns(accepts=pl.when(silent).then(pl.lit(True)).otherwise(pl.col("accepts")))  # left to coordination
        gave_up = 0
    return attrs.evolve(state, table=table, done=_with(state.done, "choices")), gave_up


def _placement(state: State, eligible: pl.Expr, lists: str) -> pl.DataFrame:
    """The placement frame of the applicants ``eligible`` picks, placing by their lists ``lists``, in the policy's rank order."""
    table = state.table
    return table.select(
        "id", "grade", eligible.alias("eligible"), pl.col("rank").cast(pl.Int64), pl.col("batch"),
        pl.col(lists).alias("choices"), pl.lit([], dtype=_LIST).alias("clearing"), pl.col("accepts") if lists == "choices" else pl.lit(False).alias("accepts"),
        pl.col("sibling"),
    )


def _allocation_policy(state: State) -> model.Policy:
    """The policy as the season allocates with it: the qualified are chosen already, and clearing is a stage of its own."""
    policy = state.policy
    return attrs.evolve(policy, allocation=attrs.evolve(policy.allocation, qualification="all_eligible", clearing=False))


def allocate(state: State) -> State:
    """The policy's rounds (batches, choices, coordination) for the qualified with choices; verified; then frozen."""
    policy = _allocation_policy(state)
    frame = _placement(state, pl.col("status") == "qualified", "choices")
    placed = allocate_arrays(policy, frame, state.schools).select("status", "school", "round", "group")
    verify_frame(policy, pl.concat([frame, placed], how="horizontal"), state.schools, frame.get_column("id"))
    return attrs.evolve(state, table=_taking(state, state.table, placed, late_round=None), done=_with(state.done, "allocate"))


# ------------------------------------------------------------------ confirmation, clearing, registration


def _answered(state: State, answers: dict[str, bool], yes: str, no: str, waiting: str, silence: str | None) -> tuple[pl.DataFrame, int]:
    """The table with each answer taken (``yes`` or ``no``) and - when a window closes, ``silence`` given - those still
    ``waiting`` given it; and how many were silent. A declined seat is free (seats_left)."""
    status = state.table.get_column("status").to_list()
    for k, applicant in enumerate(state.table.get_column("id").to_list()):
        if applicant in answers:
            status[k] = yes if answers[applicant] else no
    silent = 0
    if silence is not None:
        for k, s in enumerate(status):
            if s == waiting:
                status[k], silent = silence, silent + 1
    return state.table.with_columns(pl.Series("status", status, dtype=pl.String)), silent


def confirm(state: State, decisions: dict[str, bool], close: bool) -> tuple[State, int]:
    """Confirmations and declines of the admitted; ``close`` ends the window: silence means what the policy says."""
    silence = ("confirmed" if state.policy.allocation.unconfirmed == "confirms" else "declined") if close else None
    table, silent = _answered(state, decisions, "confirmed", "declined", "admitted", silence)
    return attrs.evolve(state, table=table, done=_with(state.done, "confirm"), confirm_closed=state.confirm_closed + int(close)), silent


def seats_left(state: State) -> dict[int, int]:
    """School index -> seats no one holds (admitted, confirmed or registered)."""
    held = dict(state.table.filter(pl.col("status").is_in(HOLDING)).group_by("school").len().iter_rows())
    return {k: s.seats - held.get(s.id, 0) for k, s in enumerate(state.schools)}


_CLEARING_STATUS = {"unplaced": "unplaced", "gave_up": "gave_up", "declined": "declined"}


def clearing_groups(state: State) -> tuple[str, ...]:
    return tuple(_CLEARING_STATUS[g] for g in state.policy.allocation.clearing_for)


def clearing(state: State, filed: dict[str, tuple[str, ...]]) -> tuple[State, int, int]:
    """补录: the applicants the policy lets in, placed by their clearing choices over the seats no one holds, in rank order.

    Whoever holds a seat keeps it: the seats offered are each school's seats less
    those admitted, confirmed or registered there. Where the policy lets one who
    holds a seat wait for a better school (``admitted_waits on``), such an
    applicant may file clearing choices too, and seeks only the schools listed
    before the one it holds; when it moves, the seat it leaves is offered in a
    further round, and rounds go on until no one moves. An applicant that moves
    is admitted anew, to confirm in the next window.
    """
    left = seats_left(state)
    given = pl.DataFrame({"id": list(filed), "_lists": [";".join(c) for c in filed.values()]}, schema={"id": pl.String, "_lists": pl.String})
    table = (
        state.table.join(given, on="id", how="left", maintain_order="left")
        .with_columns(clearing=pl.when(pl.col("_lists").fill_null("") == "").then(pl.lit([], dtype=_LIST)).otherwise(pl.col("_lists").str.split(";")))
        .drop("_lists")
    )
    policy = _allocation_policy(state)
    waits = state.policy.allocation.admitted_waits
    filed_now = pl.col("id").is_in(list(filed))
    placed_count = 0
    while True:
        offer = tuple(attrs.evolve(s, seats=max(0, n)) for s, n in zip(state.schools, seats_left(attrs.evolve(state, table=table)).values()))
        seeking = filed_now & pl.col("status").is_in(clearing_groups(state))
        seeks = table.get_column("clearing")
        if waits:  # a holder seeks only the schools it listed before the one it holds
            seeks = _listed_before(table, filed)
            seeking = seeking | (filed_now & pl.col("status").is_in(HOLDING) & (pl.col("_seeks").list.len() > 0))
        frame = _placement(attrs.evolve(state, table=table.with_columns(seeks.alias("_seeks"))), seeking, "_seeks")
        placed = allocate_arrays(policy, frame, offer).select("status", "school", "round", "group")
        verify_frame(policy, pl.concat([frame, placed], how="horizontal"), offer, frame.get_column("id"))
        admitted = placed.get_column("status") == ADMITTED
        if not admitted.any():
            break
        placed_count += int(admitted.sum())
        # Those clearing does not place keep what they entered with; a holder that moves is admitted at its new school.
        table = _taking(state, table, placed.with_columns(status=pl.when(admitted).then(pl.col("status")).otherwise(pl.lit(None))), late_round="clearing")
        if not waits:
            break  # no one left a seat: another round would place no one
    return attrs.evolve(state, table=table, done=_with(state.done, "clearing")), placed_count, sum(max(0, v) for v in left.values())


def _listed_before(table: pl.DataFrame, filed: dict[str, tuple[str, ...]]) -> pl.Series:
    """Each row's clearing choices, cut for one holding a seat to those listed before the school it holds."""
    lists = table.get_column("clearing").to_list()
    for k, (applicant, school, status) in enumerate(table.select("id", "school", "status").iter_rows()):
        if applicant in filed and status in HOLDING and school in lists[k]:
            lists[k] = lists[k][: lists[k].index(school)]
    return pl.Series("_seeks", lists, dtype=_LIST)


def register(state: State, answers: dict[str, bool], close: bool) -> tuple[State, int]:
    """Registrations (报到) of the confirmed; a "no", or silence once ``close``d, gives up the seat (declined)."""
    table, silent = _answered(state, answers, "registered", "declined", "confirmed", "declined" if close else None)
    return attrs.evolve(state, table=table, done=_with(state.done, "register"), register_closed=close), silent
