#!/usr/bin/env bash
# The action's sandbox step (Linux runners): Plumbline runs every test of unreviewed code inside
# bubblewrap, and a run in CI without it stops (fails closed). GitHub's Ubuntu images do not ship
# bubblewrap, and Ubuntu 24.04 lets only programs with an AppArmor profile that allows it create
# unprivileged user namespaces. This installs bubblewrap when it is missing and, when AppArmor's
# restriction is what stops it, loads a profile for bwrap alone: the restriction stays in force
# for every other program (rather than the blunt sysctl that lifts it for all).
set -euo pipefail

probe() {
  # The namespaces a sandboxed command gets, around /bin/true.
  bwrap --unshare-user --unshare-pid --unshare-ipc --ro-bind / / --proc /proc --dev /dev -- /bin/true 2>&1
}

as_root() {
  if [[ "$(id -u)" == 0 ]]; then "$@"; else sudo -n "$@"; fi
}

if command -v bwrap >/dev/null 2>&1 && probe >/dev/null; then
  echo "The sandbox is ready: $(bwrap --version)."
  exit 0
fi

if ! command -v bwrap >/dev/null 2>&1; then
  echo "Installing bubblewrap (Plumbline's sandbox on Linux)…"
  as_root apt-get install -y --no-install-recommends bubblewrap >/dev/null 2>&1 \
    || { as_root apt-get update -qq && as_root apt-get install -y --no-install-recommends bubblewrap >/dev/null; } \
    || { echo "::error::bubblewrap could not be installed (apt-get as root). Install it on the runner image, or set the action's input sandbox: as-is and decide how the run treats a missing sandbox."; exit 1; }
fi

restriction=/proc/sys/kernel/apparmor_restrict_unprivileged_userns
if ! probe >/dev/null && [[ -r "$restriction" && "$(cat "$restriction")" == 1 ]]; then
  bwrap_path="$(readlink -f -- "$(command -v bwrap)")"
  echo "AppArmor restricts unprivileged user namespaces here; loading a profile that lets $bwrap_path (only) create them…"
  profile="$(mktemp)"
  cat > "$profile" <<PROFILE
abi <abi/4.0>,
include <tunables/global>
profile plumbline-bwrap $bwrap_path flags=(unconfined) {
  userns,
}
PROFILE
  as_root install -m 0644 "$profile" /etc/apparmor.d/plumbline-bwrap
  as_root apparmor_parser -r /etc/apparmor.d/plumbline-bwrap
  rm -f "$profile"
fi

if ! output="$(probe)"; then
  echo "::error::bubblewrap is installed but cannot create its namespaces on this runner (${output%%$'\n'*}). On a self-hosted runner, allow unprivileged user namespaces for bwrap (see docs/github-actions.md, \"The sandbox on runners\")."
  exit 1
fi
echo "The sandbox is ready: $(bwrap --version)."
