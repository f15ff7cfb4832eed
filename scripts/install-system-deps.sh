#!/usr/bin/env bash
# Installs the Debian packages wardwatch needs. Usage: install-system-deps.sh demo|test
#   demo: the system ping the agent's ICMP probe runs.
#   test: also iproute2 (network namespaces), iptables (random loss), Chromium (dashboard tests) and prometheus
#         (only for promtool, which checks /metrics; its server is stopped and disabled, never run).
set -euo pipefail
mode=${1:-test}
packages=(iputils-ping)
if [ "$mode" = test ]; then
  packages+=(iproute2 iptables chromium dnsmasq-base fping openssl prometheus)
fi
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
if [ "$(id -u)" != 0 ]; then
  echo "wardwatch: these Debian packages are missing and installing them needs root: ${missing[*]}" >&2
  echo "  run: sudo apt-get install -y --no-install-recommends ${missing[*]}" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}"
if [[ " ${missing[*]} " == *" prometheus "* ]] && command -v systemctl >/dev/null; then
  # Debian's package enables and starts the Prometheus server; the tests only need promtool.
  systemctl disable --now prometheus >/dev/null 2>&1 || true
fi
