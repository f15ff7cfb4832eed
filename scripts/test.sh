#!/usr/bin/env bash
# Sets up everything the tests need on a fresh Debian machine (as root: Debian packages for ping, network
# namespaces, iptables and Chromium) and runs the whole test suite. CI runs exactly this.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-system-deps.sh test
npm ci --no-audit --no-fund
npm test
