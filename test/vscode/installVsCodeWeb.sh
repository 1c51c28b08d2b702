#!/usr/bin/env bash
# Installs a real VS Code for the integration tier: the server and web workbench that the
# code-server package carries on the npm registry, driven by Debian's Chromium. Nothing is
# downloaded from anywhere but the npm registry and Debian. Safe to run again: it returns at once
# when the pinned version is already in place.
#   usage: installVsCodeWeb.sh [DIR]    (default: $PLUMBLINE_VSCODE_WEB_DIR or ~/.cache/plumbline/vscode-web)
set -euo pipefail

version="${PLUMBLINE_CODE_SERVER_VERSION:-4.100.3}"   # carries VS Code 1.100.3
dir="${1:-${PLUMBLINE_VSCODE_WEB_DIR:-$HOME/.cache/plumbline/vscode-web}}"
marker="$dir/.installed-$version"
if [ -f "$marker" ] && [ -x "$dir/node_modules/.bin/code-server" ]; then
  echo "$dir"
  exit 0
fi

log() { echo "[vscode-web] $*" >&2; }

# Debian packages: headers for code-server's native modules, ripgrep for search, Chromium to drive it.
missing=()
for pkg in libkrb5-dev libx11-dev libxkbfile-dev libsecret-1-dev ripgrep chromium; do
  dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
done
if [ "${#missing[@]}" -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    log "missing Debian packages: ${missing[*]}; install them (sudo apt-get install ${missing[*]}) and run again"
    exit 1
  fi
  log "installing Debian packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq "${missing[@]}" >/dev/null
fi

mkdir -p "$dir"
cd "$dir"
[ -f package.json ] || printf '{ "name": "plumbline-vscode-web", "private": true }\n' > package.json
log "installing code-server $version from the npm registry (a few minutes the first time)"
# code-server's own postinstall refuses to run as root and fetches ripgrep from the internet,
# so scripts are skipped and the few native modules are rebuilt by hand below.
npm install --no-audit --no-fund --ignore-scripts --loglevel=error "code-server@$version" >/dev/null

vscode="$dir/node_modules/code-server/lib/vscode"
(
  cd "$vscode"
  npm install --no-audit --no-fund --ignore-scripts --omit=dev --loglevel=error >/dev/null
  # node-pty's build calls `npx node-gyp`, which must not stop to ask.
  npm_config_yes=true npm rebuild --loglevel=error kerberos @parcel/watcher @vscode/spdlog native-watchdog node-pty @vscode/deviceid >/dev/null
  mkdir -p node_modules/@vscode/ripgrep/bin
  cp "$(command -v rg)" node_modules/@vscode/ripgrep/bin/rg
  # The server resolves modules through node_modules.asar, as in a packaged desktop build.
  ln -sfn node_modules node_modules.asar
  ln -sf code-linux.sh bin/remote-cli/code-server
  ln -sf browser-linux.sh bin/helpers/browser.sh
  cd extensions
  npm install --no-audit --no-fund --ignore-scripts --omit=dev --loglevel=error >/dev/null
)
npm_config_yes=true npm rebuild --loglevel=error argon2 >/dev/null || log "argon2 did not build; not needed with --auth none"

touch "$marker"
log "ready"
echo "$dir"
