#!/usr/bin/env bash
# Copy Chart.js, the charting library of the workbench's allocation page, into the package:
# jifen_dsl/workbench/static/vendor/chart.umd.js and its licence, chart.js.LICENSE.md.
#
#     editors/chartjs/fetch.sh                 # install the pinned package (npm ci), then copy
#     editors/chartjs/fetch.sh --no-install    # copy from the package already installed
#
# The version is the one in package-lock.json; the copied file is committed (an installed
# jifen has no node), and tests/workbench/test_allocate.py checks it equals the package's.
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
OUT="$ROOT/jifen_dsl/workbench/static/vendor"
INSTALL=1
case "${1:-}" in
  --no-install) INSTALL=0 ;;
  "") ;;
  -h|--help) sed -n '2,9p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
  *) echo "fetch.sh: unknown argument $1" >&2; exit 2 ;;
esac
if [ "$INSTALL" = 1 ]; then
  command -v npm >/dev/null 2>&1 || { echo "fetch.sh: npm is needed to fetch Chart.js" >&2; exit 1; }
  (cd "$HERE" && npm ci --ignore-scripts --no-audit --no-fund)
fi
PACKAGE="$HERE/node_modules/chart.js"
mkdir -p "$OUT"
cp "$PACKAGE/dist/chart.umd.min.js" "$OUT/chart.umd.js"
cp "$PACKAGE/LICENSE.md" "$OUT/chart.js.LICENSE.md"
echo "copied Chart.js $(node -p "require('$PACKAGE/package.json').version" 2>/dev/null || echo '') into $OUT"
