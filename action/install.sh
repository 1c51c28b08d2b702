#!/usr/bin/env bash
# The action's install step: which Plumbline CLI to run. Either the one named by "plumbline-path"
# (a self-hosted runner with Plumbline installed, or a CLI built earlier in the job), or the
# action's own checkout, built from its lockfile. Writes `cli` (a JavaScript file for node) to
# the step's outputs.
set -euo pipefail

action_root="${GITHUB_ACTION_PATH:?GITHUB_ACTION_PATH is not set: this script runs as a step of the Plumbline action}"
given="${PLUMBLINE_INPUT_PLUMBLINE_PATH:-}"

if [[ -n "$given" ]]; then
  cli="$given"
  if [[ "$cli" != */* ]]; then
    # A command name: the `plumbline` on PATH, followed to the JavaScript file it links to.
    cli="$(command -v -- "$cli" || true)"
    [[ -n "$cli" ]] || { echo "::error::plumbline-path names \"$given\", which is not on PATH."; exit 1; }
  fi
  cli="$(readlink -f -- "$cli")"
  [[ -f "$cli" ]] || { echo "::error::plumbline-path \"$given\" is not a file; give the path of Plumbline's dist/cli.js or of an installed plumbline command."; exit 1; }
else
  cd "$action_root"
  # Exactly the lockfile's packages, then the bundles; nothing is fetched at run time after this.
  npm ci --no-audit --no-fund --loglevel=error
  npm run --silent build
  cli="$action_root/dist/cli.js"
  [[ -f "$cli" ]] || { echo "::error::The build finished but $cli is missing."; exit 1; }
fi

node "$cli" --version
echo "cli=$cli" >> "$GITHUB_OUTPUT"
