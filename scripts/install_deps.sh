#!/usr/bin/env bash
# Installs the Debian 12 packages that hlocc builds and tests with (DESIGN.md, "Dependencies").
# Idempotent, and quick when nothing is missing: apt runs only for packages not yet installed.
set -euo pipefail

PACKAGES=(
  cmake ninja-build g++ ccache     # build
  libgtest-dev                     # unit tests
  libcli11-dev nlohmann-json3-dev  # the hlocc command line; JSON
  llvm-19-tools                    # FileCheck-19 for HLO-text pass tests
  llvm-19-dev                      # the CPU backend's JIT (ORC) for fused loops
  libdnnl-dev ocl-icd-opencl-dev   # oneDNN kernels (its CMake config needs OpenCL headers)
  clang libclang-rt-14-dev         # libFuzzer targets (fuzz/) and sanitizer runtimes
  zlib1g-dev                       # nn data loader: reads the gzip-compressed IDX files
  dataset-fashion-mnist            # the training demo's data and the loader's full-data tests
)

missing=()
for package in "${PACKAGES[@]}"; do
  status=$(dpkg-query -W -f='${db:Status-Status}' "$package" 2>/dev/null || true)
  [[ $status == installed ]] || missing+=("$package")
done
if (( ${#missing[@]} == 0 )); then
  echo "install_deps: all ${#PACKAGES[@]} packages already installed"
  exit 0
fi

sudo=()
if (( EUID != 0 )); then sudo=(sudo); fi
echo "install_deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -q
"${sudo[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}"
