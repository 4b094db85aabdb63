#!/bin/sh
# 2022年海珠区积分制入学招生季：逐个阶段运行，全部记录在 DIR/season.db（默认 haizhu-2022-season）。
# --as-of 写明每项操作的实际日期，程序据政策日程核对是否在相应阶段之内。
set -e
HERE=$(dirname "$0")
DIR=${1:-haizhu-2022-season}
jifen season init "$DIR" --policy "$HERE/../../../policies/haizhu/2022.jifen" --schools "$HERE/../schools.csv" --reason "2022年积分制入学" --officer 招生办
jifen season import "$DIR" "$HERE/../applicants.csv" --officer 招生办
jifen season qualify "$DIR" --as-of 2022-05-20 --officer 招生办
jifen season correct "$DIR" "$HERE/更正.csv" --reason "公示期异议复核" --officer 招生办
jifen season choices "$DIR" "$HERE/志愿.csv" --as-of "2022-06-14 15:00" --officer 招生办
jifen season allocate "$DIR" --as-of 2022-06-14 --officer 招生办
jifen season confirm "$DIR" "$HERE/确认.csv" --close --as-of "2022-06-17 18:00" --officer 招生办
# 海珠区2022年细则不设补录（补录 关闭）：下一条命令按政策条款拒绝，什么也不记录。
if jifen season clearing "$DIR" "$HERE/补录.csv" --officer 招生办; then exit 1; fi
jifen season register "$DIR" "$HERE/报到.csv" --close --as-of 2022-08-31 --officer 招生办
jifen season status "$DIR"
jifen season verify "$DIR"
