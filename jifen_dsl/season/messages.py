"""What the season commands say, in English and Chinese: one catalog, chosen by the policy's language.

Every message a season command prints or refuses with is a key here with both
spellings, filled in with :meth:`str.format`; :func:`say` picks the policy's
language (``zh`` for a policy written with Chinese keywords).
"""

from __future__ import annotations

__all__ = ["say", "STATUS_WORDS"]

_CATALOG: dict[str, tuple[str, str]] = {
    # stages and their order
    "stage.init": ("init", "建立"),
    "stage.import": ("import", "导入申请"),
    "stage.qualify": ("qualify", "资格名单"),
    "stage.correct": ("correct", "更正"),
    "stage.choices": ("choices", "填报志愿"),
    "stage.allocate": ("allocate", "电脑派位"),
    "stage.confirm": ("confirm", "确认录取"),
    "stage.clearing": ("clearing", "补录"),
    "stage.register": ("register", "报到"),
    "order.first": ("{stage} comes first: run `jifen season {command}` before this", "须先完成“{stage}”：请先运行 `jifen season {command}`"),
    "order.done": ("{stage} is done already; the season has moved on", "“{stage}”已完成，不能再次进行"),
    "order.after": ("{stage} is closed: the season is past {now}", "已过“{now}”，不能再进行“{stage}”"),
    "order.open_confirmations": (
        "{count} admitted applicants have not yet confirmed or declined: close the confirmation window first (jifen season confirm DIR FILE --close)",
        "仍有 {count} 名已录取者未确认或放弃：请先关闭确认期（jifen season confirm DIR FILE --close）",
    ),
    "order.nothing_to_confirm": ("no admitted applicant is waiting to confirm", "没有待确认的录取者"),
    "order.nothing_to_register": ("no confirmed applicant is waiting to register", "没有待报到的已确认者"),
    "clearing.closed": (
        "the policy holds no clearing: {where} says `{text}` (cite: {cite})",
        "本政策不设补录：{where} 规定 `{text}`（依据：{cite}）",
    ),
    # outcomes
    "done.init": ("season created in {dir}: policy {policy} ({digest}), {schools} school offers", "已在 {dir} 建立招生季：政策 {policy}（{digest}），学校学位 {schools} 项"),
    "done.import": ("{count} applications imported from {file}", "已从 {file} 导入 {count} 份申请"),
    "note.choice_columns": ("note: the columns {columns} are ignored here; choices are taken by `jifen season choices`", "说明：此处不读取 {columns} 列；志愿由 `jifen season choices` 填报"),
    "done.qualify": ("qualification list: {qualified} qualified, {not_qualified} not qualified, {ineligible} ineligible", "资格名单：获得资格 {qualified} 人，未获资格 {not_qualified} 人，不符合条件 {ineligible} 人"),
    "done.correct": ("{count} corrections recorded; {changed} applicants changed", "已记录 {count} 项更正；{changed} 名申请人结果有变化"),
    "changed.line": ("{id}: {what}", "{id}：{what}"),
    "changed.eligible": ("now eligible", "改为符合条件"),
    "changed.ineligible": ("now ineligible", "改为不符合条件"),
    "changed.status": ("{old} -> {new}", "{old} -> {new}"),
    "changed.rank": ("rank {old} -> {new}", "排名 {old} -> {new}"),
    "changed.clause": ("decided by {clauses}", "决定于：{clauses}"),
    "changed.points": ("points {old} -> {new}", "积分 {old} -> {new}"),
    "done.choices": ("choices of {count} qualified applicants recorded; {gave_up} gave up by filing none", "已记录 {count} 名获资格者的志愿；{gave_up} 人未填志愿，视为放弃"),
    "done.allocate": ("allocation: {admitted} admitted, {unplaced} unplaced", "派位结果：录取 {admitted} 人，未录取 {unplaced} 人"),
    "done.confirm": ("{confirmed} confirmed, {declined} declined, {waiting} still to answer", "确认 {confirmed} 人，放弃 {declined} 人，尚待答复 {waiting} 人"),
    "done.confirm_closed": ("confirmation window closed: {silent} who did not answer {meaning}", "确认期已结束：{silent} 名逾期未确认者{meaning}"),
    "meaning.declines": ("declined", "视为放弃"),
    "meaning.confirms": ("confirmed", "视为确认"),
    "done.clearing": ("clearing: {admitted} admitted over {left} seats left, {unplaced} not placed", "补录：在剩余 {left} 个学位中录取 {admitted} 人，{unplaced} 人未录取"),
    "done.register": ("{registered} registered, {declined} gave up the seat, {waiting} still to register", "报到 {registered} 人，放弃学位 {declined} 人，尚待报到 {waiting} 人"),
    "done.register_closed": ("registration closed: {silent} who did not register gave up the seat", "报到期已结束：{silent} 名逾期未报到者视为放弃学位"),
    "head": ("log head: {digest}", "日志摘要：{digest}"),
    # refusals of an officer's file
    "bad.nothing": ("{file}: nothing was recorded", "{file}：未记录任何内容"),
    "bad.columns": ("{file}: the header must name the columns {columns}", "{file}：表头须包含列 {columns}"),
    "bad.unknown_id": ("{at}: no application has the id {id!r}", "{at}：没有编号为 {id!r} 的申请"),
    "bad.twice": ("{at}: {id!r} is given again (first on row {first})", "{at}：{id!r} 重复出现（首次在第 {first} 行）"),
    "bad.not_qualified": ("{at}: {id!r} is {status}: only qualified applicants file choices", "{at}：{id!r} 的状态为“{status}”：只有获得资格者可以填报志愿"),
    "bad.school": ("{at}: {id!r} chose {school!r}, which is no school of grade {grade}", "{at}：{id!r} 填报的 {school!r} 不是{grade}招生学校"),
    "bad.too_many": ("{at}: {id!r} lists {count} schools; the policy allows {limit}", "{at}：{id!r} 填报了 {count} 所学校，政策规定最多 {limit} 所"),
    "bad.value": ("{at}: {column} {value!r}: {reason}", "{at}：{column} {value!r}：{reason}"),
    "bad.decision": ("{at}: {value!r} is no decision: write confirmed or declined (确认 / 放弃)", "{at}：{value!r} 不是有效答复：请填写 确认 或 放弃（confirmed / declined）"),
    "bad.registered": ("{at}: {value!r} is no answer: write yes or no (是 / 否)", "{at}：{value!r} 不是有效答复：请填写 是 或 否（yes / no）"),
    "bad.not_admitted": ("{at}: {id!r} is {status}: only an admitted applicant confirms or declines", "{at}：{id!r} 的状态为“{status}”：只有已录取者可以确认或放弃"),
    "bad.not_confirmed": ("{at}: {id!r} is {status}: only a confirmed admission registers", "{at}：{id!r} 的状态为“{status}”：只有已确认录取者可以报到"),
    "bad.not_in_clearing": ("{at}: {id!r} is {status}; the policy's clearing is for {groups}", "{at}：{id!r} 的状态为“{status}”；补录对象为：{groups}"),
    "bad.field": ("{at}: {field!r} is neither a field the policy reads nor one of its requirements", "{at}：{field!r} 既不是政策读取的字段，也不是政策的要求"),
    "bad.verdict": ("{at}: a verdict on the requirement {field!r} is pass or fail (通过 / 不通过), not {value!r}", "{at}：对要求 {field!r} 的人工认定须为 通过 或 不通过（pass / fail），而不是 {value!r}"),
    "bad.reason": ("{at}: a correction needs its reason", "{at}：更正须注明理由"),
    "bad.after_allocation": ("{at}: a correction of {id!r} after allocation would move a seat it may not: {why}", "{at}：派位后对 {id!r} 的更正不得变动他人学位：{why}"),
    # season explain
    "x.title": ("The season of applicant {id} ({title})", "申请人 {id} 的招生经过（{title}）"),
    "x.unknown": ("{dir}: no application has the id {id!r}", "{dir}：没有编号为 {id!r} 的申请"),
    "x.data": ("Data used, and where each value came from:", "所用数据及每项数据的来源："),
    "x.value": ("  {name} = {value}   ({source})", "  {name} = {value}（{source}）"),
    "x.from_file": ("{file} row {row}", "{file} 第 {row} 行"),
    "x.corrected": ("corrected from {old} by {officer} ({where}): {reason}", "由 {officer} 更正，原为 {old}（{where}）：{reason}"),
    "x.verdicts": ("Human decisions:", "人工认定："),
    "x.verdict": ("  requirement {name}: {value} - {reason} ({officer}, {where})", "  要求 {name}：{value} - {reason}（{officer}，{where}）"),
    "x.pass": ("pass", "通过"),
    "x.fail": ("fail", "不通过"),
    "x.qualification": ("Qualification: {status}; rank {rank} in {grade}, where {seats} seats are offered", "资格：{status}；{grade}排名第 {rank}，共提供 {seats} 个学位"),
    "x.no_rank": ("Now {status}", "当前状态：{status}"),
    "x.gap_batch": ("; it was of an earlier batch, which no points could overtake", "；其批次在前，积分再高也不能排在其前"),
    "x.choices": ("Choices filed: {choices}; accepts coordinated placement: {accepts}", "所填志愿：{choices}；服从统筹：{accepts}"),
    "x.no_choices": ("No choices filed", "未填报志愿"),
    "x.yes": ("yes", "是"),
    "x.no": ("no", "否"),
    "x.placed": ("Allocation: admitted at {school} by {round}", "派位：由{round}录取到 {school}"),
    "x.not_placed": ("Allocation: no seat ({status})", "派位：未获学位（{status}）"),
    "x.better": ("  {school} (choice {n}) was full at rank {rank}: the last admitted there had rank {cut} with {points} points{gap}",
                 "  {school}（第{n}志愿）录满时未轮到排名第 {rank} 名：该校最后录取者排名第 {cut} 名，积分 {points}{gap}"),
    "x.gap": ("; {more} more points would have placed {id} above it", "；多 {more} 分即可排在其前"),
    "x.gap_tie": ("; equal points: the tie-break chain decided", "；积分相同，由同分排序决定"),
    "x.steps": ("What the season did, stage by stage:", "招生季各阶段经过："),
    "x.step": ("  {seq:>3} {at} {stage}: {status}{school}", "  {seq:>3} {at} {stage}：{status}{school}"),
    "x.inputs": ("The officers' rows about {id}:", "各经办文件中关于 {id} 的记录："),
    "x.input": ("  {seq:>3} {stage} ({officer}, {at}) {file} row {row}: {cells}", "  {seq:>3} {stage}（{officer}，{at}）{file} 第 {row} 行：{cells}"),
    "x.automated": (
        "How far the tool decided: eligibility, points, rank, qualification and the allocation were computed by the policy's rules from the data above; corrections, human verdicts, confirmations and registrations were decisions of people, recorded with their reasons.",
        "自动化决定的范围：资格条件、积分、排名、资格名单和派位由政策规则根据上述数据计算；更正、人工认定、确认录取和报到为人工决定，均连同理由记录在案。",
    ),
    # season report
    "r.title": ("{title}: the season's report", "{title} 招生工作统计报告"),
    "r.head": ("Made from the season log up to entry {seq} (log head {digest}).", "依据招生季日志第 {seq} 条及以前的记录生成（日志摘要 {digest}）。"),
    "r.status": ("Applicants by status", "各状态人数"),
    "r.by_grade": ("By grade", "分年级"),
    "r.grade": ("Grade", "年级"),
    "r.total": ("Total", "合计"),
    "r.points": ("Points of the eligible, by grade, with the qualification cut", "各年级符合条件者的积分分布及资格线"),
    "r.cut": ("qualification cut: {points} points", "资格线：{points} 分"),
    "r.no_cut": ("no qualification cut: every eligible applicant qualified", "未划资格线：符合条件者均获资格"),
    "r.schools": ("Schools: seats, fill and cut-off", "各校学位、录取及最低录取排名"),
    "r.school": ("School", "学校"),
    "r.type": ("Type", "类型"),
    "r.seats": ("Seats", "学位"),
    "r.held": ("Holding a seat", "占用学位"),
    "r.registered": ("Registered", "已报到"),
    "r.fill": ("Fill", "录取率"),
    "r.cutoff": ("Cut-off rank (points)", "最低录取排名（积分）"),
    "r.rounds": ("Admissions by round and batch", "按录取方式和批次统计"),
    "r.round": ("Round", "录取方式"),
    "r.batch": ("Batch", "批次"),
    "r.count": ("Applicants", "人数"),
    "r.subsidies": ("Subsidies for registered pupils at private schools", "民办学校已报到学生补助"),
    "r.rate": ("Yuan per pupil per semester", "每生每学期（元）"),
    "r.per_semester": ("Per semester", "每学期"),
    "r.per_year": ("Per year ({n} semesters)", "每年（{n} 个学期）"),
    "r.no_subsidies": ("The policy sets no subsidies.", "政策未规定补助。"),
    "type.private": ("private", "民办"),
    "type.public": ("public", "公办"),
    "busy": ("{dir}: another season command is running; try again when it has finished", "{dir}：另一个招生季命令正在运行，请稍后再试"),
    "not_a_season": ("{dir}: no season here (no season.db): create one with `jifen season init`", "{dir}：此处没有招生季（没有 season.db）：请先用 `jifen season init` 建立"),
    "exists": ("{dir}: a season is here already", "{dir}：此处已有招生季"),
    "window.outside": ("warning: {stage} on {date} is outside the phase {phase} ({start} to {end})", "警告：{date} 进行“{stage}”，不在“{phase}”阶段（{start} 至 {end}）之内"),
}

# The statuses, as export and status write them (the words stay English in files), and as people read them.
STATUS_WORDS: dict[str, tuple[str, str]] = {
    "ineligible": ("ineligible", "不符合条件"),
    "not_qualified": ("not qualified", "未获资格"),
    "qualified": ("qualified", "获得资格"),
    "gave_up": ("gave up", "放弃资格"),
    "admitted": ("admitted", "已录取"),
    "confirmed": ("confirmed", "已确认"),
    "declined": ("declined", "已放弃"),
    "registered": ("registered", "已报到"),
    "unplaced": ("unplaced", "未录取"),
}


def say(language: str, key: str, **values: object) -> str:
    """The message ``key`` in ``language`` ("zh" or anything else for English), filled in."""
    english, chinese = _CATALOG[key]
    return (chinese if language == "zh" else english).format(**values)


def status_word(language: str, status: str) -> str:
    english, chinese = STATUS_WORDS[status]
    return chinese if language == "zh" else english
