#!/usr/bin/env bash
# Sets up and runs the demo on a fresh machine: the system ping (Debian's iputils-ping, installed when missing and
# running as root), the npm packages, the build, then `wardwatch demo` (dashboard on http://127.0.0.1:8080).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-system-deps.sh demo
npm ci --no-audit --no-fund
npm run build
exec node bin/wardwatch.js demo "$@"
