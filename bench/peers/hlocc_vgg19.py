#!/usr/bin/python3
"""hlocc as a peer: runs `hlocc bench vgg19` on the shared fixtures and prints the same JSON
lines as the other peers (bench/peers/README.md), one per variant of the CPU backend.

`hlocc bench` takes the images at exactly its batch size and writes its logits with --out, so
this script tiles images.npy to the batch (as the peers do), runs it once per variant with that
variant's environment and HLOCC_NUM_THREADS, reads the median time from its report and measures
the logits against the float64 ones. With --train it times `hlocc bench vgg19 --backward`, the
whole training step (forward, loss, backward, SGD update; train_step.py), given train_step.py's
labels; the logits it writes are those of the step's forward pass, from the shared weights, and
are checked the same way. Needs numpy only.
"""

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from train_step import labels_for, reference_loss  # noqa: E402

# Variant name -> the environment that selects it in the CPU backend
# (src/backends/cpu/cpu_backend.cc, cpu_options_from_environment).
VARIANTS = {
    "autotune": {},
    "direct": {"HLOCC_CONV_ALGORITHM": "direct"},
    "winograd": {"HLOCC_CONV_ALGORITHM": "winograd"},
    "bf16": {"HLOCC_MATMUL_PRECISION": "bf16"},
}

# `hlocc bench` prints "time per batch: median 1.2345 s (min ..., max ..., 5 runs)" and
# "compile: 0.123 s"; with --backward also "loss: 6.87".
MEDIAN_LINE = re.compile(r"time per batch: median ([0-9.eE+-]+) s")
COMPILE_LINE = re.compile(r"compile: ([0-9.eE+-]+) s")
LOSS_LINE = re.compile(r"^loss: ([0-9.eE+-]+|nan|-?inf)$", re.MULTILINE)


def tiled_rows(array, batch):
    """Rows 0..batch-1 of `array` repeated cyclically, as vgg19.py's tiled_rows does."""
    return array[np.arange(batch) % array.shape[0]]


def max_rel_error(logits, expected):
    """max |logits - expected| / max |expected|, as vgg19.py's max_rel_error."""
    if logits.shape != expected.shape:
        sys.exit(f"hlocc_vgg19: logits have shape {logits.shape}; expected {expected.shape}")
    difference = np.abs(logits.astype(np.float64) - expected.astype(np.float64)).max()
    return float(difference / np.abs(expected.astype(np.float64)).max())


def parse_report(text):
    """(median seconds, compile seconds, loss) from hlocc bench's report; the loss (printed for
    the training step only) and the compile time are None when absent."""
    median = MEDIAN_LINE.search(text)
    if median is None:
        sys.exit("hlocc_vgg19: no 'time per batch: median ... s' line in hlocc's output:\n" + text)
    compile_time = COMPILE_LINE.search(text)
    loss = LOSS_LINE.search(text)
    return (float(median.group(1)), float(compile_time.group(1)) if compile_time else None,
            float(loss.group(1)) if loss else None)


def run_variant(args, variant, inputs, work):
    logits_path = os.path.join(work, f"logits_{variant}.npy")
    command = [args.hlocc, "bench", "vgg19", "--batch", str(args.batch), "--repeats",
               str(args.repeats), "--warmup", str(args.warmup), "--weights",
               os.path.join(args.data, "vgg19.safetensors"), "--input", inputs["images"],
               "--out", logits_path]
    if args.train:
        command += ["--backward", "--labels", inputs["labels"]]
    environment = dict(os.environ, HLOCC_NUM_THREADS=str(args.threads), **VARIANTS[variant])
    finished = subprocess.run(command, env=environment, capture_output=True, text=True)
    sys.stderr.write(finished.stderr)
    if finished.returncode != 0:
        sys.exit(f"hlocc_vgg19: {' '.join(command)} exited {finished.returncode}:\n"
                 f"{finished.stdout}{finished.stderr}")
    sys.stderr.write(finished.stdout)
    median, compile_seconds, loss = parse_report(finished.stdout)
    return median, compile_seconds, loss, np.load(logits_path)


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--hlocc", required=True, help="the hlocc command")
    parser.add_argument("--data", required=True, help="the directory `vgg19.py export` wrote")
    parser.add_argument("--batch", type=int, required=True)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--warmup", type=int, default=2)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--variants", default="autotune",
                        help="comma-separated subset of " + ",".join(VARIANTS))
    parser.add_argument("--train", action="store_true",
                        help="time the training step (hlocc bench --backward), not the forward")
    args = parser.parse_args(argv)
    unknown = [name for name in args.variants.split(",") if name not in VARIANTS]
    if unknown:
        parser.error(f"--variants: unknown {unknown}; choose from {sorted(VARIANTS)}")
    if min(args.batch, args.repeats, args.warmup, args.threads) < 1:
        parser.error("--batch, --repeats, --warmup and --threads must be at least 1")
    return args


def main(argv):
    args = parse_args(argv)
    images = tiled_rows(np.load(os.path.join(args.data, "images.npy")), args.batch)
    expected = tiled_rows(np.load(os.path.join(args.data, "logits.npy")), args.batch)
    labels = labels_for(args.batch)
    with tempfile.TemporaryDirectory(prefix="hlocc_vgg19_") as work:
        inputs = {"images": os.path.join(work, "images.npy"),
                  "labels": os.path.join(work, "labels.npy")}
        np.save(inputs["images"], np.ascontiguousarray(images, dtype=np.float32))
        np.save(inputs["labels"], labels)
        for variant in args.variants.split(","):
            median, compile_seconds, loss, logits = run_variant(args, variant, inputs, work)
            # hlocc reports the median of its runs, not each run: one sample per call.
            record = {"peer": f"hlocc/{variant}", "workload": "train" if args.train else "forward",
                      "batch": args.batch, "threads": args.threads,
                      "median_images_per_s": args.batch / median, "median_s": median,
                      "seconds": [median], "compile_s": compile_seconds,
                      "max_rel_error": max_rel_error(logits, expected)}
            if args.train:
                if loss is None:
                    sys.exit("hlocc_vgg19: hlocc bench --backward printed no 'loss: X' line; "
                             "hint: rebuild hlocc (its --backward must time the training step)")
                record.update(loss=loss, expected_loss=reference_loss(expected, labels))
            print(json.dumps(record), flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
