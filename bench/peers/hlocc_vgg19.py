#!/usr/bin/python3
"""hlocc as a peer: runs `hlocc bench vgg19` on the shared fixtures and prints the same JSON
lines as the other peers (bench/peers/README.md), one per variant of the CPU backend.

`hlocc bench` takes the images at exactly its batch size and writes its logits with --out, so
this script tiles images.npy to the batch (as the peers do), runs it once per variant with that
variant's environment and HLOCC_NUM_THREADS, reads the median time from its report and measures
the logits against the float64 ones. Needs numpy only.
"""

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile

import numpy as np

# Variant name -> the environment that selects it in the CPU backend
# (src/backends/cpu/cpu_backend.cc, cpu_options_from_environment).
VARIANTS = {
    "autotune": {},
    "direct": {"HLOCC_CONV_ALGORITHM": "direct"},
    "winograd": {"HLOCC_CONV_ALGORITHM": "winograd"},
    "bf16": {"HLOCC_MATMUL_PRECISION": "bf16"},
}

# `hlocc bench` prints "time per batch: median 1.2345 s (min ..., max ..., 5 runs)" and
# "compile: 0.123 s".
MEDIAN_LINE = re.compile(r"time per batch: median ([0-9.eE+-]+) s")
COMPILE_LINE = re.compile(r"compile: ([0-9.eE+-]+) s")


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
    """(median seconds, compile seconds) from hlocc bench's report."""
    median = MEDIAN_LINE.search(text)
    if median is None:
        sys.exit("hlocc_vgg19: no 'time per batch: median ... s' line in hlocc's output:\n" + text)
    compile_time = COMPILE_LINE.search(text)
    return float(median.group(1)), float(compile_time.group(1)) if compile_time else None


def run_variant(args, variant, images_path, work):
    logits_path = os.path.join(work, f"logits_{variant}.npy")
    command = [args.hlocc, "bench", "vgg19", "--batch", str(args.batch), "--repeats",
               str(args.repeats), "--warmup", str(args.warmup), "--weights",
               os.path.join(args.data, "vgg19.safetensors"), "--input", images_path,
               "--out", logits_path]
    environment = dict(os.environ, HLOCC_NUM_THREADS=str(args.threads), **VARIANTS[variant])
    finished = subprocess.run(command, env=environment, capture_output=True, text=True)
    sys.stderr.write(finished.stderr)
    if finished.returncode != 0:
        sys.exit(f"hlocc_vgg19: {' '.join(command)} exited {finished.returncode}:\n"
                 f"{finished.stdout}{finished.stderr}")
    sys.stderr.write(finished.stdout)
    median, compile_seconds = parse_report(finished.stdout)
    return median, compile_seconds, np.load(logits_path)


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
    with tempfile.TemporaryDirectory(prefix="hlocc_vgg19_") as work:
        images_path = os.path.join(work, "images.npy")
        np.save(images_path, np.ascontiguousarray(images, dtype=np.float32))
        for variant in args.variants.split(","):
            median, compile_seconds, logits = run_variant(args, variant, images_path, work)
            # hlocc reports the median of its runs, not each run: one sample per call.
            print(json.dumps({"peer": f"hlocc/{variant}", "batch": args.batch,
                              "threads": args.threads, "median_images_per_s": args.batch / median,
                              "median_s": median, "seconds": [median],
                              "compile_s": compile_seconds,
                              "max_rel_error": max_rel_error(logits, expected)}), flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
