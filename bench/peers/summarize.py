#!/usr/bin/python3
"""Turns the benchmark's JSON lines into one Markdown table per workload: images/s per peer
family (pytorch, onnxruntime, hlocc; the fastest configuration of each), hlocc / fastest peer,
and the max relative error of the logits against PyTorch's float64 logits.

Lines are pooled across rounds: a configuration's number is batch / median of all its timed runs.
Only the standard library: it runs without torch.
"""

import argparse
import json
import statistics
import sys
from collections import defaultdict

PEER_FAMILIES = ["pytorch", "onnxruntime"]
OURS = "hlocc"
# float32 peers land near 1e-6 of the logits' scale; a wrong weight or layout lands near 1.
ERROR_LIMIT = 1e-4


def load(paths):
    """(batch, peer) -> {"seconds": [...], "errors": [...]} from JSON lines; other lines are
    ignored (tools may print progress)."""
    runs = defaultdict(lambda: {"seconds": [], "errors": []})
    for path in paths:
        with open(path) as lines:
            for line in lines:
                line = line.strip()
                if not line.startswith("{"):
                    continue
                record = json.loads(line)
                run = runs[(record["batch"], record["peer"])]
                run["seconds"] += record["seconds"]
                # JavaScript's JSON.stringify writes a NaN error as null.
                error = record["max_rel_error"]
                run["errors"].append(float("nan") if error is None else error)
    return runs


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


def summary_table(runs, gflop_per_image):
    families = PEER_FAMILIES + [OURS]
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


def detail_table(runs, gflop_per_image):
    lines = ["| batch | configuration | images/s | GFLOP/s | median s | runs | max rel. error |",
             "| ---: | --- | ---: | ---: | ---: | ---: | ---: |"]
    for (batch, peer), run in sorted(runs.items()):
        rate = images_per_s(batch, run)
        lines.append(f"| {batch} | {peer} | {rate:.2f} | {rate * gflop_per_image:.0f} | "
                     f"{statistics.median(run['seconds']):.4f} | {len(run['seconds'])} | "
                     f"{error_text(worst(run['errors']))} |")
    return "\n".join(lines)


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("results", nargs="+", help="files of JSON lines")
    parser.add_argument("--gflop-per-image", type=float, default=39.26,
                        help="work of one image (VGG19 forward at 224x224: 39.26)")
    args = parser.parse_args(argv)
    runs = load(args.results)
    if not runs:
        sys.exit(f"summarize: no results in {', '.join(args.results)}")
    print(summary_table(runs, args.gflop_per_image))
    print()
    print(detail_table(runs, args.gflop_per_image))


if __name__ == "__main__":
    main(sys.argv[1:])
