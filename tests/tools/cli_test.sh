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

# grad of the hand-written small CNN (its values against torch: tests/autodiff/small_cnn_test.cc):
# the printed module verifies and runs on the fixture inputs; the loss is torch's to 11 digits
cnn=$root/tests/autodiff/fixtures/small_cnn
"$hlocc" grad "$cnn/cnn.hlo" --wrt 0,2,3,4,5,6,7 > "$work/cnn_grad.hlo"
check grad-cnn-prints test -s "$work/cnn_grad.hlo"
expect grad-cnn-verifies 0 "ok" -- "$hlocc" check "$work/cnn_grad.hlo"
cnn_args=()
for arg in 0=x 1=labels 2=conv1_w 3=conv1_b 4=conv2_w 5=conv2_b 6=dense_w 7=dense_b; do
  cnn_args+=(--arg "${arg%%=*}=$cnn/${arg#*=}.npy")
done
"$hlocc" run "$work/cnn_grad.hlo" "${cnn_args[@]}" --out "$work/cnn_out" > "$work/cnn_run.txt" 2>&1
check grad-cnn-runs test $? = 0
expect grad-cnn-loss 0 "4.6756188508" -- cat "$work/cnn_run.txt"
expect grad-cnn-last-gradient 0 "result_7: f64[5]" -- cat "$work/cnn_run.txt"
check grad-cnn-files test -f "$work/cnn_out/result_0.npy" -a -f "$work/cnn_out/result_7.npy"

# opt and stats: compiler passes (default inline,simplify,fold,cse,dce)
calls=$root/tests/golden/control/call_chain.hlo
"$hlocc" opt "$calls" > "$work/opt.hlo"
expect opt-verifies 0 "ok" -- "$hlocc" check "$work/opt.hlo"
check opt-inlines-calls bash -c "! grep -q 'call(' '$work/opt.hlo'"
check opt-keeps-values bash -c "'$hlocc' run '$calls' --random 3 > '$work/calls_run.txt' &&
  '$hlocc' run '$work/opt.hlo' --random 3 | cmp -s - '$work/calls_run.txt'"
expect opt-pass-list 0 "to_apply=%sum_and_product" -- "$hlocc" opt "$calls" --passes=cse,dce
expect opt-unknown-pass 2 \
  "hlocc: error: passes: unknown pass 'nosuch'; known passes: inline, cse, dce" -- \
  "$hlocc" opt "$calls" --passes inline,nosuch
expect opt-verifies-input 2 "hlocc: error: add:" -- "$hlocc" opt "$work/mismatch.hlo"
"$hlocc" stats "$calls" > "$work/stats.txt"
check stats-table cmp -s "$work/stats.txt" - <<'TABLE'
opcode              before    after
add                      2        2
call                     3        0
get-tuple-element        2        0
multiply                 1        1
opt-barrier              1        1
parameter                8        2
subtract                 1        1
tuple                    1        0
total                   19        7
TABLE
expect stats-passes 0 "call                     3        3" -- "$hlocc" stats "$calls" --passes dce
# stats of a model's traced programs (nn/vgg; built, never run). The table's counts move as the
# passes improve; the conv and dot counts are the architecture's (VGG19: 16 convs, 3 Linear; the
# backward needs no input gradient of the first conv: 16 + 15 + 16).
"$hlocc" stats vgg11 --batch 1 > "$work/vgg11.txt" 2>&1
check stats-vgg11 grep -Eq '^convolution +8 +8$' "$work/vgg11.txt"
# buffer assignment's line: arena + parameters within 1.25x of the bound (largest layer + weights)
check stats-vgg11-peak awk '/^peak bytes: / { found = 1; ok = ($NF <= 1.25) }
  END { exit !(found && ok) }' "$work/vgg11.txt"
"$hlocc" stats vgg19 --backward > "$work/vgg19.txt" 2>&1
check stats-vgg19-runs test $? = 0
expect stats-vgg19-header 0 "opcode             fwd-before fwd-after bwd-before bwd-after" -- \
  cat "$work/vgg19.txt"
check stats-vgg19-convolutions grep -Eq '^convolution +16 +16 +64 +47$' "$work/vgg19.txt"
check stats-vgg19-dots grep -Eq '^dot +3 +3 +[0-9]+ +9$' "$work/vgg19.txt"
# the autodiff issue's acceptance: the gradient has at most 3x the forward's instructions
check stats-vgg19-ratio awk '/^backward \/ forward after passes: / {
    found = 1; ok = ($(NF - 4) <= 3 * $(NF - 2)) }
  END { exit !(found && ok) }' "$work/vgg19.txt"
expect stats-model-flags-need-a-model 2 \
  "hlocc: error: stats: --backward and --batch need a model (vgg11, vgg13, vgg16, vgg19); got" -- \
  "$hlocc" stats "$calls" --backward
expect stats-model-batch 2 "hlocc: error: stats: --batch must be at least 1; got 0" -- \
  "$hlocc" stats vgg16 --batch 0
expect bench-train-flags-need-backward 2 \
  "hlocc: error: bench: --labels and --out-weights need --backward (the training step)" -- \
  "$hlocc" bench vgg19 --out-weights "$work/w.safetensors"
expect bench-lr 2 "hlocc: error: bench: --lr must be a positive number; got 0" -- \
  "$hlocc" bench vgg19 --backward --lr 0
HLOCC_DUMP=$work/dump "$hlocc" opt "$calls" --passes inline,dce > /dev/null
dump=$work/dump/call_chain
check dump-files test -f "$dump.0.input.hlo" -a -f "$dump.1.inline.hlo" -a -f "$dump.2.dce.hlo"

# the pass tests (tests/passes/**/*.hlo) under LLVM's FileCheck, as their RUN lines say
if command -v FileCheck-19 > /dev/null; then
  for file in "$root"/tests/passes/*/*.hlo; do
    run_line=$(sed -n 's|^// RUN: hlocc |"$hlocc" |p' "$file")
    check "filecheck-${file#"$root"/tests/passes/}" bash -c "hlocc='$hlocc'; ${run_line//%s/$file}"
  done
fi

# train and eval (Fashion-MNIST from Debian's dataset-fashion-mnist package): a quick run on the
# first 2048 training images, then eval of its checkpoint, which must print the same accuracy
data=${HLOCC_FASHION_MNIST_DIR:-/usr/share/datasets/fashion-mnist}
if [[ -f $data/train-images-idx3-ubyte.gz ]]; then
  "$hlocc" train fashion-mnist --model mlp --epochs 1 --batch 256 --limit 2048 --seed 3 \
    --out "$work/mlp.safetensors" > "$work/train.txt" 2>&1
  check train-runs grep -q '^wrote ' "$work/train.txt"
  accuracy=$(sed -n 's/.*test accuracy \([0-9.]*%\).*/\1/p' "$work/train.txt")
  # 8 Adam steps lift the MLP well above chance (10%); measured 68%
  check train-learns awk -v a="${accuracy%\%}" 'BEGIN { exit !(a > 40) }'
  expect eval-same-accuracy 0 "mlp: test accuracy $accuracy on 10000 images" -- \
    "$hlocc" eval "$work/mlp.safetensors"
  "$hlocc" train fashion-mnist --model mlp --epochs 1 --batch 256 --limit 2048 --seed 3 \
    --out "$work/again.safetensors" > /dev/null 2>&1
  check train-is-reproducible cmp -s "$work/mlp.safetensors" "$work/again.safetensors"
  # the small CNN's convolutions too: bit for bit the same weights from the same seed (autotuning
  # Winograd against direct by timing once made two runs differ; training pins direct)
  for run in 1 2; do
    "$hlocc" train fashion-mnist --limit 256 --batch 64 --epochs 1 --test-limit 500 --seed 5 \
      --out "$work/cnn$run.safetensors" > "$work/cnn$run.txt" 2>&1
  done
  check train-cnn-header grep -q 'adam, lr 0.002 cosine$' "$work/cnn1.txt"
  check train-cnn-is-reproducible cmp -s "$work/cnn1.safetensors" "$work/cnn2.safetensors"
  # VGG11 (CIFAR size, batch norm) on images padded to 32x32: two steps, then its checkpoint's
  # torchvision names load back in eval
  "$hlocc" train fashion-mnist --model vgg11-cifar --limit 64 --batch 32 --epochs 1 \
    --test-limit 50 --schedule constant --warmup 1 --out "$work/vgg.safetensors" \
    > "$work/vgg.txt" 2>&1
  check train-vgg-runs grep -q '^wrote ' "$work/vgg.txt"
  check train-vgg-header grep -q 'vgg11-cifar on 64 images (2 steps of 32 per epoch), adam, lr 0.002 constant after 1 warmup steps' "$work/vgg.txt"
  accuracy=$(sed -n 's/.*test accuracy \([0-9.]*%\).*/\1/p' "$work/vgg.txt")
  expect eval-vgg-same-accuracy 0 "vgg11-cifar: test accuracy $accuracy on 50 images" -- \
    "$hlocc" eval "$work/vgg.safetensors" --limit 50
  head -c 1000 "$work/mlp.safetensors" > "$work/truncated.safetensors"
  expect eval-truncated 2 "hlocc: error: eval: $work/truncated.safetensors" -- \
    "$hlocc" eval "$work/truncated.safetensors"
else
  echo "skipping train/eval runs: no Fashion-MNIST in $data (apt install dataset-fashion-mnist)"
fi
expect train-missing-data 2 "dataset-fashion-mnist" -- \
  "$hlocc" train fashion-mnist --model mlp --data "$work/no-such-dir"
expect train-unknown-schedule 2 "--schedule: linear not in {constant,cosine}" -- \
  "$hlocc" train fashion-mnist --schedule linear
expect train-bad-lr 2 "hlocc: error: train: --lr must be positive; got -0.1" -- \
  "$hlocc" train fashion-mnist --lr -0.1
expect train-unknown-dataset 2 "hlocc: error: dataset: cifar10 not in {fashion-mnist}" -- \
  "$hlocc" train cifar10
printf 'not a checkpoint' > "$work/corrupt.safetensors"
expect eval-corrupt 2 "hlocc: error: eval: $work/corrupt.safetensors" -- \
  "$hlocc" eval "$work/corrupt.safetensors"
# safetensors FILE MODEL NAME DIMS: a file holding "hlocc.model" (MODEL's bytes, none when empty)
# and an f32 tensor NAME of zeros with DIMS ("3" or "2,5")
safetensors() {
  python3 - "$@" << 'PY'
import json, math, struct, sys
path, model, name, dims = sys.argv[1:]
shape = [int(d) for d in dims.split(",")]
tensors = {name: ("F32", shape, bytes(4 * math.prod(shape)))}
if model:
    tensors["hlocc.model"] = ("U8", [len(model)], model.encode())
header, data = {}, b""
for key in sorted(tensors):
    dtype, shape, raw = tensors[key]
    header[key] = {"dtype": dtype, "shape": shape, "data_offsets": [len(data), len(data) + len(raw)]}
    data += raw
text = json.dumps(header).encode()
open(path, "wb").write(struct.pack("<Q", len(text)) + text + data)
PY
}
if command -v python3 > /dev/null; then
  safetensors "$work/nameless.safetensors" "" 1.bias 256
  expect eval-no-model-name 2 'no tensor "hlocc.model" naming the model' -- \
    "$hlocc" eval "$work/nameless.safetensors"
  safetensors "$work/unknown.safetensors" resnet 1.bias 256
  expect eval-unknown-model 2 "hlocc: error: eval: unknown model 'resnet'" -- \
    "$hlocc" eval "$work/unknown.safetensors"
  safetensors "$work/shape.safetensors" mlp 1.bias 3
  expect eval-wrong-shape 2 'shape.safetensors: tensor "1.bias" must be f32[256]; found f32[3]' -- \
    "$hlocc" eval "$work/shape.safetensors"
  safetensors "$work/missing.safetensors" mlp 1.bias 256
  expect eval-missing-tensor 2 'missing.safetensors: no tensor "1.weight" (expected f32[256,784])' \
    -- "$hlocc" eval "$work/missing.safetensors"
fi

# every error is one "hlocc: error:" line (continuation lines start with two spaces)
"$hlocc" check "$work/bad.hlo" > /dev/null 2> "$work/err.txt"
check error-format bash -c "head -1 '$work/err.txt' | grep -q '^hlocc: error: ' &&
  ! tail -n +2 '$work/err.txt' | grep -qv '^  '"

echo "$passed passed, $failed failed"
(( failed == 0 ))
