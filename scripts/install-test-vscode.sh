#!/usr/bin/env bash
# Installs what the real-VS-Code tests need: code-server (VS Code 1.100.3 with
# its real Node extension host) into .vscode-test/code-server/, and Debian's
# Chromium plus the headers code-server's native modules build against.
# Idempotent: a working install is left alone. See
# docs in the shared note "Running the extension in a real VS Code".
#
#   bash scripts/install-test-vscode.sh      # prints the code-server path last
set -euo pipefail

CODE_SERVER_VERSION="4.100.3"
# @vscode/ripgrep (a dependency of VS Code 1.100) downloads rg from GitHub in
# its postinstall; it first looks in $TMPDIR/vscode-ripgrep-cache-<pkg version>.
RIPGREP_PKG_VERSION="1.15.11"
RIPGREP_BIN_VERSION="v13.0.0-10"
# prometheus and prometheus-pushgateway: the team export's tests (test/unit/node/team-export.test.ts) run their own instances on free ports.
APT_PACKAGES=(libkrb5-dev libx11-dev libxkbfile-dev libsecret-1-dev pkg-config ripgrep chromium prometheus prometheus-pushgateway tmux openssl)

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CACHE_DIR="$REPO_ROOT/.vscode-test"
CS_DIR="$CACHE_DIR/code-server"
CS_BIN="$CS_DIR/node_modules/.bin/code-server"

log() { printf '[install-test-vscode] %s\n' "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

# --- (a) system packages ---------------------------------------------------
missing=()
for pkg in "${APT_PACKAGES[@]}"; do
  status="$(dpkg-query -W -f='${db:Status-Status}' "$pkg" 2>/dev/null || true)"
  if [ "$status" != "installed" ]; then
    missing+=("$pkg")
  fi
done
if [ "${#missing[@]}" -gt 0 ]; then
  if [ "$(id -u)" != "0" ]; then
    die "missing system packages: ${missing[*]}. Run as root, or: sudo apt-get update && sudo apt-get install -y ${missing[*]}"
  fi
  log "installing system packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update
  apt-get install -y "${missing[@]}"
  # Installing prometheus and prometheus-pushgateway starts system services on the fixed ports 9090/9091
  # (where an init system runs them); the tests start their own, so those are stopped and disabled.
  if command -v systemctl >/dev/null 2>&1 && [ -d /run/systemd/system ]; then
    systemctl disable --now prometheus prometheus-pushgateway >/dev/null 2>&1 || true
  elif command -v service >/dev/null 2>&1; then
    service prometheus stop >/dev/null 2>&1 || true
    service prometheus-pushgateway stop >/dev/null 2>&1 || true
  fi
else
  log "system packages present"
fi

# --- (c) already installed? --------------------------------------------------
# `--config /dev/null` and XDG_DATA_HOME keep code-server from writing a default
# config and log files into the user's home.
installed_version() {
  [ -x "$CS_BIN" ] || return 1
  XDG_DATA_HOME="$CACHE_DIR/xdg-data" "$CS_BIN" --config /dev/null --version 2>/dev/null |
    grep -Eo '^[0-9]+\.[0-9]+\.[0-9]+ ' | head -n 1 | tr -d ' '
}
if [ "$(installed_version || true)" = "$CODE_SERVER_VERSION" ]; then
  log "code-server $CODE_SERVER_VERSION already installed"
  printf '%s\n' "$CS_BIN"
  exit 0
fi

# --- (b) code-server in its own package -------------------------------------
command -v node >/dev/null || die "node not found"
command -v npm >/dev/null || die "npm not found"
node_major="$(node -p 'process.versions.node.split(".")[0]')"
[ "$node_major" = "20" ] || die "code-server $CODE_SERVER_VERSION needs Node 20 (found $(node --version))"

log "installing code-server $CODE_SERVER_VERSION into $CS_DIR"
rm -rf "$CS_DIR" "$CACHE_DIR/tmp"
mkdir -p "$CS_DIR" "$CACHE_DIR/tmp"

# npm 11 runs a dependency's install scripts only when the installing
# package.json lists it under allowScripts. At the top level only code-server
# (postinstall: npm install in lib/vscode and lib/vscode/extensions, which
# builds node-pty, kerberos, native-keymap, spdlog, ... and fetches ripgrep)
# and argon2 (node-gyp) have install scripts.
cat >"$CS_DIR/package.json" <<EOF
{
  "name": "ccm-test-code-server",
  "private": true,
  "description": "code-server for the real-VS-Code tests; installed by scripts/install-test-vscode.sh",
  "dependencies": {
    "code-server": "$CODE_SERVER_VERSION"
  },
  "allowScripts": {
    "code-server": true,
    "argon2": true
  }
}
EOF

# Ripgrep: hand @vscode/ripgrep's postinstall Debian's rg from its cache path.
rg_bin="$(command -v rg || true)"
[ -n "$rg_bin" ] || die "ripgrep (rg) not found; it comes from the apt package 'ripgrep'"
case "$(uname -m)" in
  x86_64) rg_target="x86_64-unknown-linux-musl" ;;
  aarch64 | arm64) rg_target="aarch64-unknown-linux-musl" ;;
  *) die "unsupported architecture $(uname -m)" ;;
esac
rg_cache="$CACHE_DIR/tmp/vscode-ripgrep-cache-$RIPGREP_PKG_VERSION"
rg_stage="$CACHE_DIR/tmp/rg-stage"
mkdir -p "$rg_cache" "$rg_stage"
cp "$rg_bin" "$rg_stage/rg"
tar -czf "$rg_cache/ripgrep-$RIPGREP_BIN_VERSION-$rg_target.tar.gz" -C "$rg_stage" rg
rm -rf "$rg_stage"

# Native modules build against the running Node's own headers when they are
# installed next to it (no header download from nodejs.org).
node_prefix="$(dirname "$(dirname "$(command -v node)")")"
if [ -z "${npm_config_nodedir:-}" ] && [ -f "$node_prefix/include/node/node.h" ]; then
  export npm_config_nodedir="$node_prefix"
fi

(
  cd "$CS_DIR"
  export TMPDIR="$CACHE_DIR/tmp"
  export npm_config_unsafe_perm=true # code-server's postinstall refuses root otherwise
  export npm_config_yes=true         # node-pty's build runs `npx node-gyp`
  npm install --no-audit --no-fund --loglevel=error
)

got="$(installed_version || true)"
[ "$got" = "$CODE_SERVER_VERSION" ] || die "code-server --version printed '${got:-nothing}', expected $CODE_SERVER_VERSION"

vscode_dir="$CS_DIR/node_modules/code-server/lib/vscode"
for f in node_modules/@vscode/ripgrep/bin/rg node_modules/node-pty/build/Release/pty.node; do
  [ -e "$vscode_dir/$f" ] || die "code-server installed without $f (an install script did not run)"
done
rm -rf "$CACHE_DIR/tmp"

log "code-server $CODE_SERVER_VERSION installed"
printf '%s\n' "$CS_BIN"
