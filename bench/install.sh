#!/usr/bin/env bash
# Installs the benchmark-only peer (ccusage) into bench/node_modules.
# Uses the lockfile when present (npm ci), else resolves it once (npm install).
# Neither package has install scripts; --ignore-scripts keeps it that way.
set -euo pipefail
cd "$(dirname "$0")"
if [[ -f package-lock.json ]]; then
  npm ci --ignore-scripts --no-audit --no-fund
else
  npm install --ignore-scripts --no-audit --no-fund
fi
bin=node_modules/.bin/ccusage
if [[ ! -x "$bin" ]]; then
  echo "install.sh: $bin is missing" >&2
  exit 1
fi
echo "ccusage $("$bin" --version 2>/dev/null || echo '?') installed in $(pwd)/node_modules"
