#!/usr/bin/env bash
# Installs what is missing, builds axle (release preset) and runs its end-to-end demo.
# Extra arguments go to `axle demo` (e.g. --json, --state-dir DIR).
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/setup.sh
cmake --preset release >/dev/null
cmake --build --preset release --target axle -j "$(nproc)"
exec build/release/src/cli/axle demo "$@"
