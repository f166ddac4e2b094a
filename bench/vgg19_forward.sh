#!/usr/bin/env bash
# VGG19 forward, 3x224x224 f32, side by side: PyTorch 1.13 (each configuration), ONNX Runtime
# and, once `hlocc bench vgg19` exists, hlocc (its CPU backend's variants: autotune, direct,
# winograd, bf16); all on the same weights and images, 2 threads.
# Peers take turns (interleaved rounds, the order rotating each round) so that a noisy moment
# does not fall on one of them; each number is the median of all its timed runs. Prints one
# Markdown table and keeps the raw JSON lines. Setup and the JSON lines: bench/peers/README.md.
#
#   bench/vgg19_forward.sh [--batches "1 10 100"] [--rounds 3] [--repeats 2] [--warmup 2]
#                          [--threads 2] [--torch-configs eager,channels_last,jit_frozen]
#                          [--data DIR] [--hlocc build/hlocc] [--hlocc-variants autotune]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
peers_dir=$root/bench/peers
# Debian's interpreter: python3-torch and python3-onnx are installed for it, not for a pyenv one.
python=/usr/bin/python3

batches="1 10 100"
rounds=3
repeats=2
warmup=2
threads=2
torch_configs=eager,channels_last,jit_frozen
data=$root/build/bench-data/vgg19
hlocc=$root/build/hlocc
hlocc_variants=autotune

usage() {
  sed -n '2,11p' "$0" | sed 's/^# \{0,1\}//' >&2
  echo "vgg19_forward.sh: $1" >&2
  exit 2
}

while (($#)); do
  [[ $# -ge 2 ]] || usage "missing value for $1"
  case $1 in
    --batches) batches=$2 ;;
    --rounds) rounds=$2 ;;
    --repeats) repeats=$2 ;;
    --warmup) warmup=$2 ;;
    --threads) threads=$2 ;;
    --torch-configs) torch_configs=$2 ;;
    --data) data=$2 ;;
    --hlocc) hlocc=$2 ;;
    --hlocc-variants) hlocc_variants=$2 ;;
    *) usage "unknown flag $1" ;;
  esac
  shift 2
done

check_setup() {
  if ! "$python" -c 'import torch, onnx' 2>/dev/null; then
    echo "vgg19_forward.sh: $python cannot import torch and onnx" >&2
    echo "  hint: apt-get install python3-torch python3-onnx libopenblas0-pthread" >&2
    exit 1
  fi
  # Debian's torch calls the system libblas.so.3 for Linear layers: the reference BLAS there ran
  # VGG's first Linear layer 6x slower than OpenBLAS (1.4 s vs 0.22 s at batch 10).
  if [[ $(readlink -f /usr/lib/x86_64-linux-gnu/libblas.so.3) != *openblas* ]]; then
    echo "vgg19_forward.sh: warning: libblas.so.3 is not OpenBLAS; PyTorch's Linear layers" \
         "will be slow (hint: apt-get install libopenblas0-pthread)" >&2
  fi
  if [[ ! -d $peers_dir/node_modules/onnxruntime-node ]]; then
    echo "vgg19_forward.sh: onnxruntime-node is not installed" >&2
    echo "  hint: (cd bench/peers && npm ci)" >&2
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

# hlocc takes part once its command has `bench vgg19` (bench/peers/hlocc_vgg19.py drives it);
# until then it is skipped, with a note.
hlocc_ready() {
  [[ -x $hlocc ]] && "$hlocc" bench --help 2>/dev/null | grep -q vgg19
}

# Runs one peer at one batch size; its JSON lines go to stdout, its chatter to the log.
run_peer() {
  local peer=$1 batch=$2
  local common=(--data "$data" --batch "$batch" --repeats "$repeats" --warmup "$warmup"
                --threads "$threads")
  case $peer in
    pytorch) "$python" "$peers_dir/vgg19.py" time "${common[@]}" --configs "$torch_configs" ;;
    onnxruntime) node "$peers_dir/ort_vgg19.js" "${common[@]}" ;;
    hlocc)
      "$python" "$peers_dir/hlocc_vgg19.py" --hlocc "$hlocc" "${common[@]}" \
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
  echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "torch: $("$python" "$peers_dir/vgg19.py" info)"
  local ort_package=$peers_dir/node_modules/onnxruntime-node/package.json
  echo "onnxruntime-node: $(node -p "require('$ort_package').version")"
  if [[ -x $root/build/benchmarks/memcpy_bench ]]; then
    "$root/build/benchmarks/memcpy_bench" --threads "$threads" --repeats 10
  fi
}

main() {
  check_setup
  export_fixtures
  local peers=(pytorch onnxruntime)
  if hlocc_ready; then
    peers+=(hlocc)
  else
    echo "hlocc: skipped ($hlocc has no 'bench vgg19' yet)"
  fi
  local stamp results log
  stamp=$(date -u +%Y%m%d-%H%M%S)
  results=$data/results-$stamp.jsonl
  log=$data/results-$stamp.log
  describe_machine | tee "$log"
  local batch round peer failed=0
  for batch in $batches; do
    for ((round = 0; round < rounds; ++round)); do
      for peer in $(rotated "$round" "${peers[@]}"); do
        echo "batch $batch, round $((round + 1))/$rounds: $peer" >&2
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
  return $failed
}

main
