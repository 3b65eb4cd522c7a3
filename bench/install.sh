#!/usr/bin/env bash
# Installs the benchmark-only peer (ccusage) into bench/node_modules.
# Uses the lockfile when present (npm ci), else resolves it once (npm install).
# Neither package has install scripts; --ignore-scripts keeps it that way.
set -euo pipefail
cd "$(dirname "$0")"
# `npm install` (not `npm ci`): ccusage's lockfile omits its other-platform
# optional packages, which `npm ci` then reports as out of sync. It still
# follows the lockfile for what it installs. Run outside any parent `npm run`
# environment (its npm_* variables describe the root package).
env -i PATH="$PATH" HOME="$HOME" npm install --ignore-scripts --no-audit --no-fund
bin=node_modules/.bin/ccusage
if [[ ! -x "$bin" ]]; then
  echo "install.sh: $bin is missing" >&2
  exit 1
fi
echo "ccusage $("$bin" --version 2>/dev/null || echo '?') installed in $(pwd)/node_modules"
