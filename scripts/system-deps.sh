#!/usr/bin/env bash
# Install the Debian packages Muling needs, only when they are missing.
#   runtime: gettext (compilemessages)
#   dev:     + chromium and a CJK font for the Playwright browser tests
#   bench:   + wrk, the load generator of bench/harness.py (pgbench comes with the PostgreSQL server)
set -euo pipefail
want=(gettext)
[[ "${1:-runtime}" == dev || "${1:-runtime}" == bench ]] && want+=(chromium fonts-wqy-microhei)
[[ "${1:-runtime}" == bench ]] && want+=(wrk)
missing=()
for pkg in "${want[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
((${#missing[@]})) || exit 0
if [[ $(id -u) -ne 0 ]]; then
  echo "Missing system packages: ${missing[*]} — install them with: sudo apt-get install ${missing[*]}" >&2
  exit 1
fi
echo "Installing system packages: ${missing[*]}"
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
