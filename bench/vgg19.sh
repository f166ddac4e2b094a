#!/usr/bin/env bash
# VGG19, 3x224x224 f32, side by side on the same weights, images (and labels), 2 threads:
#   forward: PyTorch 1.13 (each configuration, eval, no_grad), ONNX Runtime (onnxruntime-node) and
#            hlocc (`hlocc bench vgg19`; its CPU backend's variants: autotune, direct, winograd,
#            bf16). Issue 5 asks hlocc for 1.5x the faster peer at batch 10 and 100.
#   train:   one training step (forward, softmax cross-entropy, backward, SGD lr 0.01 momentum 0.9
#            weight decay 5e-4; no dropout): PyTorch 1.13 (eager, channels_last, jit_trace) and
#            hlocc (`hlocc bench vgg19 --backward`: the whole step as one compiled program).
#            Issue 6 asks hlocc for 2.5x PyTorch's fastest at batch 10 and 100.
# Peers take turns (interleaved rounds, the order rotating each round) so that a noisy moment
# does not fall on one of them; each number is the median of all its timed runs. Prints one
# Markdown table and keeps the raw JSON lines. Setup and the JSON lines: bench/peers/README.md.
#
#   bench/vgg19.sh forward|train [--batches 1,10,100] [--rounds N] [--repeats N] [--warmup N]
#                  [--threads 2] [--torch-configs eager,channels_last,...] [--data DIR]
#                  [--hlocc build/hlocc] [--hlocc-variants autotune]
#                  [--torch-allocators glibc,jemalloc]   (train only)
#
# Defaults: forward: batches 1,10,100, 3 rounds of (2 warm-up + 2 timed) runs, torch configurations
# eager,channels_last,jit_frozen. train: batches 10,100, 1 round of (2 warm-up + 3 timed) steps,
# eager,channels_last,jit_trace.
# Run time of train on the 2-core VM with its defaults: about 30 minutes, 25 of them PyTorch at
# batch 100 (~110 s a step); `--batches 10` alone about 3 minutes; `--torch-configs
# channels_last` cuts PyTorch's share by two thirds. `--torch-allocators glibc,jemalloc` runs
# PyTorch a second time with jemalloc preloaded (apt-get install libjemalloc2), as PyTorch's CPU
# tuning guide recommends.
# Smoke test (batch 2, one step each): bench/vgg19.sh train --batches 2 --repeats 1
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
peers_dir=$root/bench/peers
# Debian's interpreter: python3-torch and python3-onnx are installed for it, not for a pyenv one.
python=/usr/bin/python3
jemalloc=/usr/lib/x86_64-linux-gnu/libjemalloc.so.2

usage() {
  sed -n '14,17p' "$0" | sed 's/^# \{0,1\}//' >&2
  echo "vgg19.sh: $1" >&2
  exit 2
}

workload=${1:-}
case $workload in
  forward)
    batches="1 10 100" rounds=3 repeats=2 warmup=2
    torch_configs=eager,channels_last,jit_frozen
    ;;
  train)
    # Two warm-up steps: hlocc's first step prepares Winograd weights the slow way (they might
    # repeat) and its second is the first on the kernels that transform new weights each step.
    batches="10 100" rounds=1 repeats=3 warmup=2
    torch_configs=eager,channels_last,jit_trace
    ;;
  *) usage "the first argument is the workload: forward or train" ;;
esac
shift
threads=2
torch_allocators=glibc
data=$root/build/bench-data/vgg19
hlocc=$root/build/hlocc
hlocc_variants=autotune

while (($#)); do
  [[ $# -ge 2 ]] || usage "missing value for $1"
  case $1 in
    --batches) batches=${2//,/ } ;;
    --rounds) rounds=$2 ;;
    --repeats) repeats=$2 ;;
    --warmup) warmup=$2 ;;
    --threads) threads=$2 ;;
    --torch-configs) torch_configs=$2 ;;
    --torch-allocators)
      [[ $workload == train ]] || usage "--torch-allocators is for the train workload"
      torch_allocators=$2
      ;;
    --data) data=$2 ;;
    --hlocc) hlocc=$2 ;;
    --hlocc-variants) hlocc_variants=$2 ;;
    *) usage "unknown flag $1" ;;
  esac
  shift 2
done

for number in $batches $rounds $repeats $warmup $threads; do
  [[ $number =~ ^[1-9][0-9]*$ ]] ||
    usage "batches, rounds, repeats, warmup and threads must be positive integers; got '$number'"
done

check_setup() {
  if ! "$python" -c 'import torch, onnx' 2>/dev/null; then
    echo "vgg19.sh: $python cannot import torch and onnx (the fixtures' export needs both)" >&2
    echo "  hint: apt-get install python3-torch python3-onnx libopenblas0-pthread" >&2
    exit 1
  fi
  # Debian's torch calls the system libblas.so.3 for Linear layers: the reference BLAS there ran
  # VGG's first Linear layer 6x slower than OpenBLAS (1.4 s vs 0.22 s at batch 10).
  if [[ $(readlink -f /usr/lib/x86_64-linux-gnu/libblas.so.3) != *openblas* ]]; then
    echo "vgg19.sh: warning: libblas.so.3 is not OpenBLAS; PyTorch's Linear layers" \
         "will be slow (hint: apt-get install libopenblas0-pthread)" >&2
  fi
  if [[ $workload == forward && ! -d $peers_dir/node_modules/onnxruntime-node ]]; then
    echo "vgg19.sh: onnxruntime-node is not installed" >&2
    echo "  hint: (cd bench/peers && npm ci)" >&2
    exit 1
  fi
  local allocator
  for allocator in ${torch_allocators//,/ }; do
    case $allocator in
      glibc) ;;
      jemalloc)
        if [[ ! -f $jemalloc ]]; then
          echo "vgg19.sh: --torch-allocators jemalloc needs $jemalloc" >&2
          echo "  hint: apt-get install libjemalloc2" >&2
          exit 1
        fi
        ;;
      *) usage "--torch-allocators: unknown '$allocator'; choose from glibc, jemalloc" ;;
    esac
  done
  # The training step needs `hlocc bench vgg19 --backward --labels`.
  local wanted=vgg19
  if [[ $workload == train ]]; then wanted=--labels; fi
  if [[ ! -x $hlocc ]] || ! "$hlocc" bench --help 2>/dev/null | grep -q -- "$wanted"; then
    echo "vgg19.sh: '$hlocc bench --help' does not mention $wanted (the $workload workload)" >&2
    echo "  hint: cmake --build build --target hlocc, or point --hlocc at a newer build" >&2
    exit 1
  fi
}

# The fixtures every peer reads: made once, reused while they exist.
export_fixtures() {
  local file
  for file in vgg19.safetensors vgg19.onnx images.npy logits.npy; do
    if [[ ! -f $data/$file ]]; then
      echo "exporting the fixtures to $data (weights, ONNX model, images, float64 logits)"
      "$python" "$peers_dir/vgg19.py" export --out "$data" --threads "$threads"
      return
    fi
  done
}

# Runs one peer at one batch size; its JSON lines go to stdout, its chatter to the log.
run_peer() {
  local peer=$1 batch=$2
  local common=(--data "$data" --batch "$batch" --repeats "$repeats" --warmup "$warmup"
                --threads "$threads")
  case $workload-$peer in
    forward-pytorch-glibc)
      "$python" "$peers_dir/vgg19.py" time "${common[@]}" --configs "$torch_configs" ;;
    forward-onnxruntime) node "$peers_dir/ort_vgg19.js" "${common[@]}" ;;
    forward-hlocc)
      "$python" "$peers_dir/hlocc_vgg19.py" --hlocc "$hlocc" "${common[@]}" \
        --variants "$hlocc_variants"
      ;;
    train-pytorch-glibc)
      "$python" "$peers_dir/vgg19_train.py" "${common[@]}" --configs "$torch_configs" ;;
    train-pytorch-jemalloc)
      LD_PRELOAD=$jemalloc "$python" "$peers_dir/vgg19_train.py" "${common[@]}" \
        --configs "$torch_configs"
      ;;
    train-hlocc)
      "$python" "$peers_dir/hlocc_vgg19.py" --train --hlocc "$hlocc" "${common[@]}" \
        --variants "$hlocc_variants"
      ;;
  esac
}

# The peers in round r's order: the list rotated by r, so each peer runs first as often.
rotated() {
  local r=$1
  shift
  local peers=("$@") i
  for ((i = 0; i < ${#peers[@]}; ++i)); do
    echo "${peers[(i + r) % ${#peers[@]}]}"
  done
}

describe_machine() {
  echo "date: $(date -u '+%Y-%m-%d %H:%M UTC')"
  echo "cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(nproc) cores seen"
  echo "memory: $(free -g | awk '/^Mem:/ { print $2 " GiB, " $7 " GiB available" }')"
  echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "torch: $("$python" "$peers_dir/vgg19.py" info)"
  echo "hlocc: $hlocc ($(git -C "$root" describe --always --dirty 2>/dev/null || echo 'no git'))"
  if [[ $workload == forward ]]; then
    local ort_package=$peers_dir/node_modules/onnxruntime-node/package.json
    echo "onnxruntime-node: $(node -p "require('$ort_package').version")"
    local memcpy_bench
    memcpy_bench=$(dirname "$hlocc")/benchmarks/memcpy_bench
    if [[ -x $memcpy_bench ]]; then
      "$memcpy_bench" --threads "$threads" --repeats 10
    fi
  fi
}

main() {
  check_setup
  export_fixtures
  local peers=() allocator
  for allocator in ${torch_allocators//,/ }; do
    peers+=("pytorch-$allocator")
  done
  if [[ $workload == forward ]]; then
    peers+=(onnxruntime)
  fi
  peers+=(hlocc)
  local stamp results log
  stamp=$(date -u +%Y%m%d-%H%M%S)
  results=$data/$workload-results-$stamp.jsonl
  log=$data/$workload-results-$stamp.log
  describe_machine | tee "$log"
  local batch round peer failed=0
  for batch in $batches; do
    for ((round = 0; round < rounds; ++round)); do
      for peer in $(rotated "$round" "${peers[@]}"); do
        echo "batch $batch, round $((round + 1))/$rounds: $peer ($(date -u +%H:%M:%S))" >&2
        if ! run_peer "$peer" "$batch" >>"$results" 2>>"$log"; then
          echo "  $peer failed at batch $batch; see $log" >&2
          failed=1
        fi
      done
    done
  done
  echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)" | tee -a "$log"
  echo
  "$python" "$peers_dir/summarize.py" "$results"
  echo
  echo "raw results: $results; log: $log"
  echo "to record: copy the table, the machine lines above and the command into" \
       "bench/RESULTS.md; numbers taken with a load average above ~1 are noise"
  return $failed
}

main
