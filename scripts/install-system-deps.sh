#!/usr/bin/env bash
# Installs the Debian packages wardwatch needs. Usage: install-system-deps.sh demo|test
#   demo: the system ping the agent's ICMP probe runs.
#   test: also iproute2 (network namespaces), iptables (random loss), Chromium (dashboard tests), InfluxDB 1.x (the
#         sample store tests start their own influxd) and prometheus (only for promtool, which checks /metrics); the
#         packages' system services are stopped and disabled, never used.
set -euo pipefail
mode=${1:-test}
packages=(iputils-ping)
if [ "$mode" = test ]; then
  packages+=(iproute2 iptables chromium dnsmasq-base fping openssl influxdb prometheus)
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
# Debian's influxdb and prometheus packages may enable and start their servers; the tests start their own influxd on
# free ports and only need promtool.
for service in influxdb prometheus; do
  if printf '%s\n' "${missing[@]}" | grep -qx "$service"; then
    systemctl disable --now "$service" >/dev/null 2>&1 || service "$service" stop >/dev/null 2>&1 || true
  fi
done
