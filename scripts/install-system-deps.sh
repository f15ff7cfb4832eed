#!/usr/bin/env bash
# Installs the Debian packages wardwatch needs. Usage: install-system-deps.sh demo|test
#   demo: the system ping the agent's ICMP probe runs.
#   test: also iproute2 (network namespaces), iptables (random loss), Chromium (dashboard tests) and InfluxDB 1.x
#         (the sample store tests start their own influxd; the package's system service is never used).
set -euo pipefail
mode=${1:-test}
packages=(iputils-ping)
if [ "$mode" = test ]; then
  packages+=(iproute2 iptables chromium dnsmasq-base fping openssl influxdb)
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
# The influxdb package may enable and start a system influxd (port 8086); the tests start their own on free ports.
if printf '%s\n' "${missing[@]}" | grep -qx influxdb; then
  systemctl disable --now influxdb >/dev/null 2>&1 || service influxdb stop >/dev/null 2>&1 || true
fi
