"""Haizhu 2022 admission in plain polars, as a data analyst would write it: the peer ``jifen allocate`` is timed against.

    python benchmarks/polars_peer.py APPLICANTS SCHOOLS OUT

It does the same job on the same files - eligibility, points, ranking, the cut at
each grade's seats, choices in rank order, coordinated placement - and writes
one CSV row per applicant. It is a floor for speed, not a reference for
behaviour: it trusts its input, checks nothing, ignores sibling groups and
reads only the plain spellings of values ("true", "verified").
"""

import sys
from datetime import date, datetime

import polars as pl

applicants_file, schools_file, out_file = sys.argv[1:4]
INDICATORS = ["ind_permit", "ind_housing", "ind_employment", "ind_age", "ind_education", "ind_skills", "ind_other"]
MONEY = pl.Decimal(12, 2)

df = pl.read_csv(applicants_file, infer_schema_length=0)
schools = pl.read_csv(schools_file, infer_schema_length=0).with_columns(pl.col("seats").cast(pl.Int64))

applied = pl.col("applied_at").str.to_datetime("%Y-%m-%d %H:%M")
grade_ok = (
    pl.when(pl.col("grade") == "G1")
    .then(pl.col("child_birth_date").str.to_date().is_between(date(2015, 9, 1), date(2016, 8, 31)) & (pl.col("child_enrolled") != "true"))
    .when(pl.col("grade") == "G7")
    .then(pl.col("primary_graduation_year") == "2022")
    .otherwise(True)
)
eligible = (
    (pl.col("applicant_hukou") != "广州")
    & (pl.col("permit_start").str.to_date().dt.offset_by("1y") <= date(2022, 8, 31))
    & ((pl.col("residence_district") == "海珠区") | ((pl.col("work_district") == "海珠区") & (pl.col("insurance_active") == "true"))).fill_null(False)
    & (pl.col("points_status") == "verified")
    & (pl.col("applied_at").is_null() | applied.is_between(datetime(2022, 4, 25, 9), datetime(2022, 5, 10, 17)))
    & ~pl.col("child_hukou").is_in(["广州", "香港", "澳门", "台湾"])
    & grade_ok.fill_null(False)
)
df = df.with_columns(pl.col(["points", *INDICATORS]).cast(MONEY), eligible=eligible)

ranked = (
    df.filter("eligible")
    .select("id", "grade", "points", *INDICATORS, "choices", "accepts_coordination")
    .sort(["grade", "points", *INDICATORS, "id"], descending=[False] + [True] * 8 + [False])
    .with_columns(rank=pl.int_range(1, pl.len() + 1).over("grade"))
    .join(schools.group_by("grade").agg(total=pl.col("seats").sum()), on="grade", how="left")
    .with_columns(qualified=pl.col("rank") <= pl.col("total").fill_null(0))
)

free = dict(zip(schools["id"], schools["seats"]))
by_grade = {g: list(ids) for g, ids in schools.group_by("grade", maintain_order=True).agg("id").iter_rows()}
placed = {}  # id -> (school, round)
waiting = []
qualified = ranked.filter("qualified").select("id", "grade", "choices", "accepts_coordination")
for app_id, grade, choices, accepts in qualified.iter_rows():
    for k, school in enumerate((choices or "").split(";")[:5], 1):
        if free.get(school, 0) > 0:
            free[school] -= 1
            placed[app_id] = (school, f"choice:{k}")
            break
    else:
        if accepts == "true":
            waiting.append((app_id, grade))
cursor = {}
for app_id, grade in waiting:  # coordinated placement: the first school in file order with a seat left
    ids, at = by_grade.get(grade, []), cursor.get(grade, 0)
    while at < len(ids) and free[ids[at]] == 0:
        at += 1
    cursor[grade] = at
    if at < len(ids):
        free[ids[at]] -= 1
        placed[app_id] = (ids[at], "coordinated")

seats = pl.DataFrame({"id": list(placed), "school": [s for s, _ in placed.values()], "round": [r for _, r in placed.values()]}, schema={"id": pl.String, "school": pl.String, "round": pl.String})
out = (
    df.select("id", "grade", "eligible")
    .join(ranked.select("id", "rank", "qualified"), on="id", how="left", maintain_order="left")
    .join(seats, on="id", how="left", maintain_order="left")
)
out.write_csv(out_file)
