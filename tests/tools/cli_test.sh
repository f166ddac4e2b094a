#!/usr/bin/env bash
# End-to-end test of the hlocc command: outputs, exit codes (0 ok, 2 bad input) and error messages.
# Usage: cli_test.sh PATH/TO/hlocc SOURCE_DIR (registered with CTest as hlocc_cli).
set -uo pipefail

hlocc=$1
root=$2
fixtures=$root/tests/runtime/fixtures
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
passed=0
failed=0

# expect NAME WANT_RC WANT_TEXT -- COMMAND...: runs COMMAND, checks its exit code and that its
# stdout+stderr contains WANT_TEXT (a fixed string; empty to skip).
expect() {
  local name=$1 want_rc=$2 want_text=$3
  shift 4
  local output rc
  output=$("$@" 2>&1)
  rc=$?
  if [[ $rc != "$want_rc" ]] || [[ -n $want_text && $output != *"$want_text"* ]]; then
    echo "FAIL $name: exit $rc (want $want_rc), output:"
    echo "$output" | sed 's/^/    /'
    [[ -n $want_text ]] && echo "  wanted text: $want_text"
    failed=$((failed + 1))
  else
    passed=$((passed + 1))
  fi
}

# check NAME COMMAND...: a plain assertion.
check() {
  local name=$1
  shift
  if "$@"; then passed=$((passed + 1)); else echo "FAIL $name"; failed=$((failed + 1)); fi
}

mlp=$root/examples/mlp_layer.hlo
newton=$root/examples/newton_sqrt.hlo

# check and fmt
expect check-ok 0 "ok" -- "$hlocc" check "$mlp"
"$hlocc" fmt "$newton" > "$work/once.hlo"
"$hlocc" fmt "$work/once.hlo" > "$work/twice.hlo"
check fmt-is-canonical cmp -s "$work/once.hlo" "$work/twice.hlo"
"$hlocc" fmt - < "$newton" > "$work/stdin.hlo"
check fmt-reads-stdin cmp -s "$work/once.hlo" "$work/stdin.hlo"
expect fmt-output-checks 0 "ok" -- "$hlocc" check "$work/once.hlo"

# run with an .npy argument; the result must equal numpy's (scripts/fixtures/make_npy_fixtures.py)
expect run-npy 0 "result: f32[2,3]  min 0  max 2.8625" -- \
  "$hlocc" run "$mlp" --arg "0=$fixtures/mlp_x_2x4.npy" --out "$work/out"
check run-out-equals-numpy cmp -s "$work/out/result.npy" "$fixtures/mlp_expected_2x3.npy"
expect run-backend 0 "result: f32[2,3]" -- \
  "$hlocc" run "$mlp" --backend reference --arg "0=$fixtures/mlp_x_2x4.npy"

# seeded random inputs are deterministic
"$hlocc" run "$mlp" --random 7 > "$work/random1.txt" 2>&1
"$hlocc" run "$mlp" --random 7 > "$work/random2.txt" 2>&1
check random-is-deterministic cmp -s "$work/random1.txt" "$work/random2.txt"
expect random-prints 0 "result: f32[2,3]" -- cat "$work/random1.txt"

# a while loop returning a tuple: one summary and one file per element
expect run-tuple 0 "result_0: s32[]" -- "$hlocc" run "$newton" --out "$work/tuple"
expect run-tuple-values 0 "{1.41421354, 3, 3.1622777}" -- "$hlocc" run "$newton"
check run-tuple-files test -f "$work/tuple/result_0.npy" -a -f "$work/tuple/result_1.npy"
expect while-trip-bound 2 "hlocc: error: " -- "$hlocc" run "$newton" --max-while-trips 3

# bad input: exit 2 and one "hlocc: error:" message
expect missing-file 2 "hlocc: error: $work/nope.hlo: cannot open file" -- \
  "$hlocc" check "$work/nope.hlo"
cat > "$work/bad.hlo" <<'HLO'
HloModule broken
ENTRY main {
  x = f32[2] parameter(0)
  ROOT y = f32[2] frobnicate(x)
}
HLO
expect syntax-error 2 "hlocc: error: $work/bad.hlo:4:" -- "$hlocc" check "$work/bad.hlo"
cat > "$work/mismatch.hlo" <<'HLO'
HloModule mismatch
ENTRY main {
  x = f32[2] parameter(0)
  y = f32[3] parameter(1)
  ROOT z = f32[2] add(x, y)
}
HLO
expect verify-error 2 "hlocc: error: add:" -- "$hlocc" check "$work/mismatch.hlo"
expect fmt-skips-verify 0 "add(" -- "$hlocc" fmt "$work/mismatch.hlo"
expect missing-parameter 2 "hlocc: error: parameter 0 (x: f32[2,4]) has no value" -- \
  "$hlocc" run "$mlp"
expect wrong-arg-shape 2 "holds f32[2,3] but parameter 0 (x: f32[2,4])" -- \
  "$hlocc" run "$mlp" --arg "0=$fixtures/mlp_expected_2x3.npy"
expect arg-out-of-range 2 "the entry computation has 1 parameters" -- \
  "$hlocc" run "$mlp" --arg "3=$fixtures/mlp_x_2x4.npy"
expect arg-malformed 2 "expected PARAMETER_NUMBER=FILE.npy" -- "$hlocc" run "$mlp" --arg x.npy
expect arg-big-endian 2 "big-endian data is not supported" -- \
  "$hlocc" run "$mlp" --arg "0=$fixtures/big_endian_s32_3.npy"
expect unknown-backend 2 "hlocc: error: " -- "$hlocc" run "$mlp" --backend tpu
expect unknown-option 2 "hlocc: error: " -- "$hlocc" run "$mlp" --frobnicate
expect no-subcommand 2 "hlocc: error: " -- "$hlocc"
expect help 0 "run" -- "$hlocc" --help
expect directory 2 "is a directory" -- "$hlocc" check "$work"

# grad: d/dw of sum(x * w) is x; the printed module verifies and runs
cat > "$work/dot.hlo" <<'HLO'
HloModule dot_loss
ENTRY main {
  x = f32[3] parameter(0)
  w = f32[3] parameter(1)
  ROOT d = f32[] dot(x, w), lhs_contracting_dims={0}, rhs_contracting_dims={0}
}
HLO
"$hlocc" grad "$work/dot.hlo" --wrt 1 > "$work/dot_grad.hlo"
expect grad-verifies 0 "ok" -- "$hlocc" check "$work/dot_grad.hlo"
expect grad-runs 0 "{1, 2, 3}" -- "$hlocc" run "$work/dot_grad.hlo" --arg "0=$fixtures/grad_x_123.npy" --random 1
expect grad-needs-scalar 2 "grad: the function must return an f32 or f64 scalar" -- "$hlocc" grad "$mlp"
expect grad-bad-wrt 2 "grad: no parameter 7" -- "$hlocc" grad "$work/dot.hlo" --wrt 7

# every error is one "hlocc: error:" line (continuation lines start with two spaces)
"$hlocc" check "$work/bad.hlo" > /dev/null 2> "$work/err.txt"
check error-format bash -c "head -1 '$work/err.txt' | grep -q '^hlocc: error: ' &&
  ! tail -n +2 '$work/err.txt' | grep -qv '^  '"

echo "$passed passed, $failed failed"
(( failed == 0 ))
