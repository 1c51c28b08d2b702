#!/usr/bin/env bash
# Makes docs/images/run.gif, the README's animation of a first start and a run, from the
# screenshots the real-VS-Code tier takes (15-firstStart). Needs ImageMagick and gifsicle, both
# Debian packages (apt-get install imagemagick gifsicle); not part of any test tier.
#   PLUMBLINE_TEST_GREP='first start' npm run test:vscode && scripts/make-run-gif.sh
set -euo pipefail
shots="${1:-test-artifacts/vscode}"
out="docs/images/run.gif"
# Each frame and how long it stays, in hundredths of a second.
frames=(
  "first-start-setup 200"
  "configure-base-url 160"
  "configure-test-failed 300"
  "configure-models-list 160"
  "configure-test-passed 220"
  "first-start-plan 300"
  "first-start-review 320"
  "first-start-done 300"
)
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
args=()
for frame in "${frames[@]}"; do
  read -r name delay <<<"$frame"
  [ -f "$shots/$name.png" ] || { echo "missing $shots/$name.png: run the first-start suite first" >&2; exit 1; }
  convert "$shots/$name.png" -resize 960x -colors 128 "$work/$name.gif"
  args+=(--delay "$delay" "$work/$name.gif")
done
gifsicle --loopcount=forever -O3 --lossy=40 "${args[@]}" -o "$out"
ls -l "$out"
