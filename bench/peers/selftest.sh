#!/usr/bin/env bash
# End-to-end check of `bench/vgg19.sh forward` at batch 1 (about a minute on 2 cores once the
# fixtures exist): export, every peer, and the hlocc slot, filled by a stand-in with the
# interface of `hlocc bench vgg19` (tools/hlocc/bench.cc: --batch --repeats --warmup --weights
# --input --out, a "time per batch: median ... s" line) that computes with PyTorch. It checks
# that bench/peers/hlocc_vgg19.py drives that interface, that all three columns and the ratio
# appear, and that no peer's logits are flagged wrong. Needs the setup of README.md.
#
#   bench/peers/selftest.sh [DATA_DIR]   (fixtures are reused from DATA_DIR when present)
set -euo pipefail
peers_dir=$(cd "$(dirname "$0")" && pwd)
data=${1:-$peers_dir/../../build/bench-data/vgg19}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

cat >"$work/hlocc" <<STANDIN
#!/usr/bin/python3
# Stand-in for build/hlocc's bench command, computing with PyTorch (bench/peers/vgg19.py).
import argparse, sys
sys.path.insert(0, "$peers_dir")
if sys.argv[1:] == ["bench", "--help"]:
    sys.exit(print("Compile a model and time it (vgg11 ... vgg19)"))
import numpy as np, torch, vgg19
parser = argparse.ArgumentParser()
parser.add_argument("command")
parser.add_argument("model")
for flag in ["--weights", "--input", "--out"]:
    parser.add_argument(flag, required=True)
for flag in ["--batch", "--repeats", "--warmup"]:
    parser.add_argument(flag, type=int, required=True)
args = parser.parse_args()
assert (args.command, args.model) == ("bench", "vgg19"), sys.argv
model = vgg19.Vgg19().eval()
model.load_state_dict(vgg19.read_safetensors(args.weights)[0])
images = torch.from_numpy(np.load(args.input))
assert images.shape[0] == args.batch, images.shape
times = [vgg19.run_once(model, images)[0] for _ in range(args.warmup + args.repeats)]
print("compile: 0.001 s")
print(f"time per batch: median {sorted(times[args.warmup:])[args.repeats // 2]:.4f} s")
np.save(args.out, vgg19.run_once(model, images)[1].numpy())
STANDIN
chmod +x "$work/hlocc"

"$peers_dir/../vgg19.sh" forward --batches 1 --rounds 1 --repeats 1 --warmup 1 \
  --torch-configs eager --data "$data" --hlocc "$work/hlocc" | tee "$work/out"

fail() {
  echo "selftest: FAIL: $1" >&2
  exit 1
}
row=$(grep '^| 1 |' "$work/out" | head -1)
[[ -n $row ]] || fail "no summary row for batch 1"
grep -q 'hlocc/autotune' "$work/out" || fail "the stand-in hlocc's result is missing"
# The ratio column holds a number once hlocc ran (a dash means it did not).
ratio=$(awk -F'|' '{ gsub(/ /, "", $6); print $6 }' <<<"$row")
[[ $ratio =~ ^[0-9]+\.[0-9]+$ ]] || fail "no hlocc / fastest peer ratio in: $row"
if grep -q WRONG "$work/out"; then fail "a peer's logits are flagged wrong"; fi
echo "selftest: PASS (ratio $ratio)"
