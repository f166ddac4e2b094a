#!/usr/bin/python3
"""Turns the benchmark's JSON lines into one Markdown table per workload (VGG19 forward, VGG19
training step): images/s per peer family (pytorch, onnxruntime, hlocc; the fastest configuration
of each), hlocc / fastest peer, and the max relative error of the logits against PyTorch's
float64 logits (for the training step: the logits of its first step, from the shared weights).

Lines are pooled across rounds: a configuration's number is batch / median of all its timed runs.
A line without "workload" is a forward one. Only the standard library: it runs without torch.
"""

import argparse
import json
import statistics
import sys
from collections import defaultdict

OURS = "hlocc"
# workload -> its title, the peer families it is compared with, and the work of one image in
# GFLOP (VGG19 at 224x224: 39.26 forward; a training step counts as 3 forward passes, as
# `hlocc bench` counts it).
WORKLOADS = {
    "forward": {"title": "VGG19 forward", "peers": ["pytorch", "onnxruntime"],
                "gflop_per_image": 39.26},
    "train": {"title": "VGG19 training step (forward, loss, backward, SGD update)",
              "peers": ["pytorch"], "gflop_per_image": 3 * 39.26},
}
# float32 peers land near 1e-6 of the logits' scale; a wrong weight or layout lands near 1.
ERROR_LIMIT = 1e-4


def load(paths):
    """workload -> (batch, peer) -> {"seconds": [...], "errors": [...], "compile_s": [...],
    "losses": [(loss, float64 loss)...]} from JSON lines; other lines are ignored (tools may print
    progress)."""
    workloads = defaultdict(lambda: defaultdict(
        lambda: {"seconds": [], "errors": [], "compile_s": [], "losses": []}))
    for path in paths:
        with open(path) as lines:
            for number, line in enumerate(lines, 1):
                line = line.strip()
                if not line.startswith("{"):
                    continue
                record = json.loads(line)
                workload = record.get("workload", "forward")
                if workload not in WORKLOADS:
                    sys.exit(f"summarize: {path}:{number}: unknown workload {workload!r}; "
                             f"known: {', '.join(WORKLOADS)}")
                run = workloads[workload][(record["batch"], record["peer"])]
                run["seconds"] += record["seconds"]
                # JavaScript's JSON.stringify writes a NaN error as null.
                error = record["max_rel_error"]
                run["errors"].append(float("nan") if error is None else error)
                if record.get("compile_s") is not None:
                    run["compile_s"].append(record["compile_s"])
                if record.get("loss") is not None:
                    run["losses"].append((record["loss"], record.get("expected_loss")))
    return workloads


def worst(errors):
    """The largest error, NaN if any is NaN (max() would depend on the order)."""
    return float("nan") if any(error != error for error in errors) else max(errors)


def images_per_s(batch, run):
    return batch / statistics.median(run["seconds"])


def fastest(runs, batch, family):
    """The (peer, images/s, max error) of family's fastest configuration at batch whose logits
    pass the check (a fast wrong answer is no result), else of its fastest one, or None."""
    candidates = []
    for (run_batch, peer), run in runs.items():
        if run_batch == batch and peer.split("/")[0] == family:
            candidates.append((peer, images_per_s(batch, run), worst(run["errors"])))
    if not candidates:
        return None
    return max(candidates, key=lambda best: (best[2] <= ERROR_LIMIT, best[1]))


def cell(best, gflop_per_image):
    if best is None:
        return "—"
    peer, rate, _ = best
    variant = peer.split("/", 1)[1] if "/" in peer else ""
    text = f"{rate:.2f} ({rate * gflop_per_image:.0f} GFLOP/s)"
    return f"{text} {variant}".rstrip()


def error_text(error):
    return f"{error:.1e}" + (f" WRONG (> {ERROR_LIMIT:.0e})" if not error <= ERROR_LIMIT else "")


def error_cell(bests):
    parts = [f"{best[0].split('/')[0]} {error_text(best[2])}"
             for best in bests if best is not None]
    return ", ".join(parts) if parts else "—"


def summary_table(runs, gflop_per_image, peer_families=("pytorch", "onnxruntime")):
    families = list(peer_families) + [OURS]
    lines = ["| batch | " + " | ".join(f"{family} images/s" for family in families) +
             " | hlocc / fastest peer | max rel. error vs float64 |",
             "| ---: |" + " ---: |" * len(families) + " ---: | --- |"]
    for batch in sorted({batch for batch, _ in runs}):
        bests = [fastest(runs, batch, family) for family in families]
        peers = [best for best in bests[:-1] if best is not None]
        ours = bests[-1]
        ratio = "—"
        if ours is not None and peers:
            ratio = f"{ours[1] / max(best[1] for best in peers):.2f}"
        lines.append(f"| {batch} | " + " | ".join(cell(best, gflop_per_image) for best in bests) +
                     f" | {ratio} | {error_cell(bests)} |")
    return "\n".join(lines)


def loss_text(losses):
    """The first steps' losses beside the float64 one ("6.8742 (6.87420)"), or a dash."""
    if not losses:
        return "—"
    values = "/".join(f"{loss:.5g}" for loss in sorted({loss for loss, _ in losses}))
    expected = losses[0][1]
    return values + (f" ({expected:.6g})" if expected is not None else "")


def detail_table(runs, gflop_per_image):
    """Every configuration; the compile column is hlocc's, the loss column (the first step's
    loss, then the float64 one) appears when some line reports a loss."""
    with_loss = any(run["losses"] for run in runs.values())
    lines = ["| batch | configuration | images/s | GFLOP/s | median s | runs | compile s | "
             "max rel. error |" + (" first loss (float64) |" if with_loss else ""),
             "| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: |" +
             (" ---: |" if with_loss else "")]
    for (batch, peer), run in sorted(runs.items()):
        rate = images_per_s(batch, run)
        compile_s = (f"{statistics.median(run['compile_s']):.3g}" if run["compile_s"] else "—")
        lines.append(f"| {batch} | {peer} | {rate:.2f} | {rate * gflop_per_image:.0f} | "
                     f"{statistics.median(run['seconds']):.4f} | {len(run['seconds'])} | "
                     f"{compile_s} | {error_text(worst(run['errors']))} |" +
                     (f" {loss_text(run['losses'])} |" if with_loss else ""))
    return "\n".join(lines)


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("results", nargs="+", help="files of JSON lines")
    parser.add_argument("--gflop-per-image", type=float,
                        help="work of one image, for every workload (default: VGG19's at "
                             "224x224, 39.26 forward and 3x that for the training step)")
    args = parser.parse_args(argv)
    workloads = load(args.results)
    if not workloads:
        sys.exit(f"summarize: no results in {', '.join(args.results)}")
    for index, name in enumerate(name for name in WORKLOADS if name in workloads):
        workload = WORKLOADS[name]
        gflop = args.gflop_per_image or workload["gflop_per_image"]
        if index:
            print()
        # A heading for each table, so that a file holding both workloads stays readable.
        print(f"{workload['title']}, {gflop:.2f} GFLOP per image:")
        print()
        print(summary_table(workloads[name], gflop, workload["peers"]))
        print()
        print(detail_table(workloads[name], gflop))


if __name__ == "__main__":
    main(sys.argv[1:])
