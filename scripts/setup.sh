#!/usr/bin/env bash
# Installs the dependencies and configures a Ninja build in $BUILD_DIR (default: build, Release).
# Extra CMake arguments come from $CMAKE_ARGS, e.g. CMAKE_ARGS="-DHLOCC_SANITIZE=ON".
set -euo pipefail
cd "$(dirname "$0")/.."

./scripts/install_deps.sh

build_dir=${BUILD_DIR:-build}
# A cache written by another checkout (another source path) cannot be reused: start afresh.
cache="$build_dir/CMakeCache.txt"
if [[ -f $cache ]] && ! grep -qx "CMAKE_HOME_DIRECTORY:INTERNAL=$PWD" "$cache"; then
  echo "setup: $cache belongs to another checkout; reconfiguring from scratch"
  rm -rf "$build_dir/CMakeCache.txt" "$build_dir/CMakeFiles"
fi
read -r -a extra_args <<< "${CMAKE_ARGS:-}"
cmake -S . -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=Release "${extra_args[@]}" > /dev/null
echo "setup: configured $build_dir (build it with: cmake --build $build_dir)"
