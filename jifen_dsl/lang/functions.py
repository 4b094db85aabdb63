"""The built-in functions of the policy language and their spellings."""

from __future__ import annotations

__all__ = ["FUNCTIONS", "SPELLING"]

# Built-in functions: canonical name -> every spelling.
FUNCTIONS: dict[str, tuple[str, ...]] = {
    "full_years": ("full_years", "整年数"),
    "full_months": ("full_months", "整月数"),
    "age_on": ("age_on", "周岁"),
    "days_between": ("days_between", "间隔天数"),
    "min": ("min", "最小值"),
    "max": ("max", "最大值"),
    "round": ("round", "四舍五入"),
    "count": ("count", "个数"),
    "year_of": ("year_of", "年份"),
    "month_of": ("month_of", "月份"),
    "day_of": ("day_of", "日份"),
    "present": ("present", "已填写"),
    "date_of": ("date_of", "日期部分"),
    "workdays_between": ("workdays_between", "间隔工作日"),
    "start_of": ("start_of", "开始时间"),
    "end_of": ("end_of", "截止时间"),
}
SPELLING = {spelling: canonical for canonical, spellings in FUNCTIONS.items() for spelling in spellings}

