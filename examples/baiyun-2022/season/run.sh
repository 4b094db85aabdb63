#!/bin/sh
# The Baiyun 2022 admission season, stage by stage, in the folder given (default: baiyun-2022-season).
# Every stage is recorded in DIR/season.db; `jifen season verify DIR` replays them all.
set -e
HERE=$(dirname "$0")
DIR=${1:-baiyun-2022-season}
jifen season init "$DIR" --policy "$HERE/../../../policies/baiyun/2022.jifen" --schools "$HERE/../schools.csv" --reason "2022 season"
jifen season import "$DIR" "$HERE/../applicants.csv"
jifen season qualify "$DIR"
jifen season correct "$DIR" "$HERE/corrections.csv" --reason "objections heard"
jifen season choices "$DIR" "$HERE/choices.csv"
jifen season allocate "$DIR"
jifen season confirm "$DIR" "$HERE/decisions.csv" --close
jifen season clearing "$DIR" "$HERE/clearing.csv"
jifen season confirm "$DIR" "$HERE/clearing-decisions.csv" --close
jifen season register "$DIR" "$HERE/registrations.csv" --close
jifen season status "$DIR"
jifen season verify "$DIR"
