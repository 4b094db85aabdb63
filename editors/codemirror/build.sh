#!/usr/bin/env bash
# Build the workbench's policy editor: CodeMirror 6 and the jifen language, bundled
# by esbuild into one minified script, jifen_dsl/workbench/static/editor/editor.js.
#
#     editors/codemirror/build.sh                 # install the pinned packages, then build
#     editors/codemirror/build.sh --no-install    # build with the packages already installed
#     editors/codemirror/build.sh --out DIR       # write editor.js into DIR instead
#
# The packages are the versions in package-lock.json (npm ci). The keyword lists are
# written first, from editors/textmate/jifen.tmLanguage.json (scripts/keywords.mjs).
# The build is deterministic: building twice gives the same bytes.
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
OUT="$ROOT/jifen_dsl/workbench/static/editor"
INSTALL=1
while [ $# -gt 0 ]; do
  case "$1" in
    --no-install) INSTALL=0 ;;
    --out) shift; OUT="$1" ;;
    -h|--help) sed -n '2,11p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "build.sh: unknown argument $1" >&2; exit 2 ;;
  esac
  shift
done

for tool in node npm; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    echo "build.sh: $tool is needed to build the editor" >&2
    exit 1
  fi
done
cd "$HERE"

if [ "$INSTALL" = 1 ]; then
  # No install scripts run; esbuild finds its platform binary in its optional
  # dependency (@esbuild/<platform>). Where that fails, let esbuild's own script run.
  npm ci --ignore-scripts --no-audit --no-fund
fi
ESBUILD="$HERE/node_modules/esbuild/bin/esbuild"
if [ ! -f "$ESBUILD" ]; then
  echo "build.sh: esbuild is not installed: run editors/codemirror/build.sh without --no-install" >&2
  exit 1
fi
if ! node "$ESBUILD" --version >/dev/null 2>&1; then
  npm rebuild esbuild
fi

node scripts/keywords.mjs "$ROOT/editors/textmate/jifen.tmLanguage.json" "$HERE/generated/keywords.js"

mkdir -p "$OUT"
node "$ESBUILD" src/editor.js \
  --bundle --format=iife --minify --target=es2020 \
  --legal-comments=none --log-level=warning \
  --banner:js="/* jifen policy editor, built by editors/codemirror/build.sh from editors/codemirror/src. Includes CodeMirror 6 (MIT License, Copyright (C) 2018-2021 by Marijn Haverbeke <marijn@haverbeke.berlin> and others) and Lezer (MIT License, same authors). */" \
  --outfile="$OUT/editor.js"
echo "build.sh: wrote $(wc -c < "$OUT/editor.js") bytes to editor.js"
