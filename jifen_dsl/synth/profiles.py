"""The district-years the generator knows, and who applies there.

A :class:`Profile` holds what the generator needs of one district-year's policy
(its window, its number of choices, local place names) and how its applicants
live and work; the rest of the package draws every value from these.
"""

from __future__ import annotations

from dataclasses import dataclass

from jifen_dsl.messages import M, series

__all__ = [
    "G1_SHARE",
    "GUANGZHOU_DISTRICTS",
    "HUKOU_WEIGHTS",
    "PROFILES",
    "SPECIAL_HUKOU",
    "Profile",
    "profile",
]

GUANGZHOU_DISTRICTS = (
    "越秀区", "荔湾区", "天河区", "海珠区", "白云区", "黄埔区", "番禺区", "花都区", "南沙区", "从化区", "增城区",
)

# Where the children of migrants come from: mostly the neighbouring provinces and
# the other cities of Guangdong (written by city, as the points system records them).
HUKOU_WEIGHTS: tuple[tuple[str, int], ...] = (
    ("湖南", 14), ("广西", 11), ("四川", 8), ("江西", 8), ("湖北", 8), ("河南", 7), ("贵州", 4),
    ("重庆", 3), ("福建", 2), ("安徽", 2), ("湛江", 7), ("茂名", 6), ("梅州", 4), ("揭阳", 4),
    ("汕头", 3), ("清远", 3), ("韶关", 2), ("河源", 2), ("肇庆", 2),
)
# Hukou that the policies reject (Guangzhou itself; Hong Kong, Macau and Taiwan in Haizhu and Conghua).
SPECIAL_HUKOU: tuple[tuple[str, int], ...] = (("广州", 60), ("香港", 25), ("澳门", 10), ("台湾", 5))

# About two in three applicants are for Grade 1; the schools' seats follow the same split.
G1_SHARE = 0.67


@dataclass(frozen=True)
class Profile:
    """What the generator needs to know about one district-year policy."""

    key: str  # the --district value
    code: str  # id prefix
    district: str  # as the policy and the data write it
    year: int
    window: tuple[str, str]  # online application window, 'YYYY-MM-DD HH:MM'
    max_choices: int  # the policy's allocation "choices"
    places: tuple[str, ...]  # local place names for school names
    neighbours: tuple[str, ...]  # other districts people live or work in
    resides: float  # share living in the district
    works_where_lives: float  # share of residents who also work there
    insured: float  # share paying social insurance now


PROFILES: dict[tuple[str, int], Profile] = {
    ("haizhu", 2022): Profile(
        "haizhu", "HZ", "海珠区", 2022,
        ("2022-04-25 09:00", "2022-05-10 17:00"),  # 实施细则 申请流程（二）
        5,
        ("南华", "江南", "昌岗", "赤岗", "新港", "瑞宝", "琶洲", "南洲", "素社", "沙园", "凤阳", "龙凤",
         "滨江", "官洲", "华洲", "江海", "南石头", "晓港", "宝岗", "前进"),
        ("越秀区", "荔湾区", "天河区", "番禺区"),
        0.90, 0.80, 0.90,
    ),
    ("baiyun", 2022): Profile(
        "baiyun", "BY", "白云区", 2022,
        # The measures give no window; a May window like the other districts' (no Baiyun rule reads it).
        ("2022-05-09 09:00", "2022-05-20 17:00"),
        5,
        ("三元里", "京溪", "同和", "永平", "嘉禾", "新市", "石井", "人和", "太和", "钟落潭", "江高", "均禾",
         "龙归", "鹤龙", "松洲", "景泰", "黄石", "棠景", "金沙", "云城"),
        ("越秀区", "天河区", "花都区", "荔湾区"),
        0.88, 0.80, 0.88,
    ),
    ("conghua", 2020): Profile(
        "conghua", "CH", "从化区", 2020,
        # The notice gives no window; a May window after the points deadlines (no Conghua rule reads it).
        ("2020-05-11 09:00", "2020-05-22 17:00"),
        3,
        ("街口", "城郊", "江埔", "太平", "温泉", "良口", "吕田", "鳌头", "流溪", "西和", "明珠", "神岗",
         "龙潭", "棋杆", "城康", "河滨", "荔园", "新开", "民乐", "向阳"),
        ("增城区", "花都区", "白云区"),
        # Conghua lies outside the city centre: people mostly live, work and pay insurance in one place.
        0.95, 0.93, 0.95,
    ),
}


def profile(district: str, year: int) -> Profile:
    """The profile of a supported district-year; ValueError naming the supported ones otherwise."""
    found = PROFILES.get((district, year))
    if found is None:
        known = series([f"{d} {y}" for d, y in PROFILES])
        raise ValueError(M("R0402", "no generator profile for {district} {year} (supported: {known})", district=district, year=year, known=known))
    return found
