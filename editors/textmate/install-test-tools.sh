#!/usr/bin/env bash
# Install the TextMate engine of VS Code (vscode-textmate and vscode-oniguruma, the
# versions pinned in package-lock.json) into editors/textmate/node_modules, for
# tests/editors/test_textmate.py and tokenize.js. Needs node and npm; without them
# (or without this install) that test is skipped and says why.
set -euo pipefail
cd "$(dirname "$0")"

if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  echo "install-test-tools.sh: node and npm are needed to install the TextMate test tools" >&2
  exit 1
fi
npm ci --ignore-scripts --no-audit --no-fund
