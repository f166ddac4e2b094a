#!/usr/bin/python3
"""Checks `hlocc bench vgg19 --backward` (one compiled training step) against PyTorch: logits,
loss and every weight after one torch.optim.SGD step, VGG19 at batch 2.

It builds torchvision-style VGG19 from a seed (vgg19.py's model and init), writes its weights to
safetensors with torchvision's names, seeded images f32[2,3,224,224] and labels (int64) as .npy,
and computes the step in PyTorch twice: in float32 (the comparison) and in float64 (a reference
that shows how far float32 itself is from exact). Then it runs

    HLOCC bench vgg19 --batch 2 --backward --repeats 1 --warmup 0 --weights ... --input ...
        --labels ... --lr LR --out logits.npy --out-weights updated.safetensors

and prints, for hlocc against torch float32, hlocc against torch float64 and torch float32 against
torch float64, the relative errors of the logits and the loss and of the updated weights:

  max_rel     max |a - b| / max |b| over a tensor (as the forward benchmark's check: an
              elementwise relative error means nothing for values near zero)
  norm_rel    ||a - b|| / ||b||
  update_rel  ||(a - w) - (b - w)|| / ||b - w||, w the weights before the step: the error of the
              update lr (g + weight_decay w + ...) itself, i.e. of the gradient, which the weights'
              own scale would hide (reported, not checked: the float32 gradient of a 19-layer net
              is itself only this close to the float64 one)

Exits 1 when hlocc's logits, loss or any updated weight is further than --tolerance (1e-4) from
torch float32's by max_rel. The model is in eval mode (no dropout), as hlocc's training step.
Needs torch and numpy; Debian's /usr/bin/python3 has both.

    /usr/bin/python3 bench/peers/vgg19_check.py build/hlocc
"""

import argparse
import copy
import gc
import os
import subprocess
import sys
import tempfile

import numpy as np
import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from vgg19 import make_images, make_model, read_safetensors, write_safetensors  # noqa: E402

BATCH = 2
NUM_CLASSES = 1000
# hlocc bench's optimizer (tools/hlocc/bench.cc): torch.optim.SGD(lr, momentum=0.9,
# weight_decay=5e-4), the VGG paper's momentum and weight decay.
MOMENTUM = 0.9
WEIGHT_DECAY = 5e-4


def torch_step(model, images, labels, lr, dtype):
    """Logits, loss and the state_dict after one SGD step, as float64 numpy arrays."""
    model = copy.deepcopy(model).to(dtype)
    optimizer = torch.optim.SGD(model.parameters(), lr=lr, momentum=MOMENTUM,
                                weight_decay=WEIGHT_DECAY)
    logits = model(images.to(dtype))
    loss = F.cross_entropy(logits, labels)
    loss.backward()
    optimizer.step()
    weights = {name: p.detach().double().numpy() for name, p in model.state_dict().items()}
    return logits.detach().double().numpy(), loss.item(), weights


def max_rel(a, b):
    return float(np.abs(a - b).max() / np.abs(b).max())


def norm_rel(a, b):
    return float(np.linalg.norm((a - b).ravel()) / np.linalg.norm(b.ravel()))


def compare(name, ours, reference, before, per_tensor=False):
    """The errors of `ours` against `reference` (each: logits, loss, weights); prints them and
    returns the largest of those checked."""
    errors = {"logits max_rel": max_rel(ours[0], reference[0]),
              "logits norm_rel": norm_rel(ours[0], reference[0]),
              "loss rel": abs(ours[1] - reference[1]) / abs(reference[1])}
    worst = {"max_rel": ("", 0.0), "norm_rel": ("", 0.0), "update_rel": ("", 0.0)}
    for key, expected in reference[2].items():
        actual = ours[2][key]
        update = expected - before[key]
        for kind, value in (("max_rel", max_rel(actual, expected)),
                            ("norm_rel", norm_rel(actual, expected)),
                            ("update_rel", norm_rel(actual - before[key], update))):
            if value >= worst[kind][1]:
                worst[kind] = (key, value)
            if per_tensor:
                print(f"  {name}: {key:20s} {kind:10s} {value:.3e}")
    print(f"{name}:")
    for kind, value in errors.items():
        print(f"  {kind:24s} {value:.3e}")
    for kind, (key, value) in worst.items():
        print(f"  weights {kind:16s} {value:.3e}  (worst: {key})")
    return max(errors["logits max_rel"], errors["loss rel"], worst["max_rel"][1])


def run_hlocc(args, work, paths):
    logits_path = os.path.join(work, "hlocc_logits.npy")
    weights_path = os.path.join(work, "hlocc_updated.safetensors")
    command = [args.hlocc, "bench", "vgg19", "--batch", str(BATCH), "--backward", "--repeats", "1",
               "--warmup", "0", "--weights", paths["weights"], "--input", paths["images"],
               "--labels", paths["labels"], "--lr", repr(args.lr), "--out", logits_path,
               "--out-weights", weights_path]
    environment = dict(os.environ, HLOCC_NUM_THREADS=str(args.threads))
    finished = subprocess.run(command, env=environment, capture_output=True, text=True)
    sys.stderr.write(finished.stdout + finished.stderr)
    if finished.returncode != 0:
        sys.exit(f"vgg19_check: {' '.join(command)} exited {finished.returncode}")
    loss = [line for line in finished.stdout.splitlines() if line.startswith("loss: ")]
    if not loss:
        sys.exit("vgg19_check: no 'loss: ...' line in hlocc's output")
    tensors, _ = read_safetensors(weights_path)
    weights = {name: tensor.double().numpy() for name, tensor in tensors.items()}
    return np.load(logits_path).astype(np.float64), float(loss[0].split()[1]), weights


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("hlocc", help="the hlocc command, e.g. build/hlocc")
    parser.add_argument("--lr", type=float, default=0.01)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--tolerance", type=float, default=1e-4)
    parser.add_argument("--work", help="keep the fixtures here (default: a temporary folder)")
    parser.add_argument("--per-tensor", action="store_true",
                        help="print each updated weight's errors too")
    args = parser.parse_args(argv)
    torch.set_num_threads(args.threads)

    with tempfile.TemporaryDirectory(prefix="vgg19_check_") as temporary:
        work = args.work or temporary
        os.makedirs(work, exist_ok=True)
        paths = {name: os.path.join(work, file) for name, file in
                 (("weights", "vgg19.safetensors"), ("images", "images.npy"),
                  ("labels", "labels.npy"))}
        model = make_model(args.seed)
        write_safetensors(paths["weights"], model.state_dict(), {"model": "vgg19"})
        images = make_images(BATCH, args.seed)
        generator = torch.Generator().manual_seed(args.seed + 2)
        labels = torch.randint(0, NUM_CLASSES, (BATCH,), generator=generator)
        np.save(paths["images"], images.numpy())
        np.save(paths["labels"], labels.numpy())
        before = {name: p.detach().double().numpy() for name, p in model.state_dict().items()}

        print(f"vgg19, batch {BATCH}, SGD lr {args.lr} momentum {MOMENTUM} weight decay "
              f"{WEIGHT_DECAY}, labels {labels.tolist()}", flush=True)
        float32 = torch_step(model, images, labels, args.lr, torch.float32)
        float64 = torch_step(model, images, labels, args.lr, torch.float64)
        del model
        gc.collect()
        print(f"loss: torch float64 {float64[1]:.9g}, float32 {float32[1]:.9g}", flush=True)
        ours = run_hlocc(args, work, paths)
        print(f"loss: hlocc {ours[1]:.9g}")

    worst = compare("hlocc vs torch float32", ours, float32, before, args.per_tensor)
    compare("hlocc vs torch float64", ours, float64, before, args.per_tensor)
    compare("torch float32 vs torch float64 (reference)", float32, float64, before,
            args.per_tensor)
    if worst > args.tolerance:
        print(f"FAIL: hlocc is {worst:.3e} from torch float32 (max_rel); tolerance "
              f"{args.tolerance:g}")
        return 1
    print(f"ok: hlocc within {args.tolerance:g} of torch float32 (max_rel {worst:.3e})")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
