#!/usr/bin/env bash
# Installs, configures, builds and runs every test: the one command for "does it work".
# Same variables as setup.sh ($BUILD_DIR, $CMAKE_ARGS); $CTEST_JOBS (default 2) tests in parallel.
set -euo pipefail
cd "$(dirname "$0")/.."

./scripts/setup.sh
build_dir=${BUILD_DIR:-build}
cmake --build "$build_dir"
ctest --test-dir "$build_dir" --output-on-failure -j "${CTEST_JOBS:-2}"
