#!/usr/bin/env bash
# One compile-fail test: compiles a file with -fsyntax-only. A file with `// EXPECT: <regex>`
# lines must fail to compile, and each regex (grep -E) must match a line of the compiler's
# output; a file without them (ok.cc) must compile, so that a broken include path or a typo
# cannot make every case "fail" for the wrong reason.
# Usage: run.sh <c++ compiler> <include dir> <file.cc>
set -u
compiler=$1
include_dir=$2
file=$3

output=$("$compiler" -fsyntax-only -std=c++20 -I "$include_dir" "$file" 2>&1)
status=$?
mapfile -t expects < <(sed -n 's|^// EXPECT: ||p' "$file")

if ((${#expects[@]} == 0)); then
  if ((status != 0)); then
    printf 'FAIL: %s must compile, but:\n%s\n' "$file" "$output"
    exit 1
  fi
  exit 0
fi
if ((status == 0)); then
  printf 'FAIL: %s compiled, but must be rejected\n' "$file"
  exit 1
fi
for regex in "${expects[@]}"; do
  if ! grep -qE -- "$regex" <<<"$output"; then
    printf 'FAIL: %s: nothing matches /%s/ in:\n%s\n' "$file" "$regex" "$output"
    exit 1
  fi
done
