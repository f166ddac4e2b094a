#!/usr/bin/python3
"""Tests of summarize.py on made-up JSON lines: pooling across rounds, the fastest configuration
per family, the hlocc / fastest-peer ratio, the flag on wrong logits, and forward and training
lines kept apart, each with its table. Standard library only.

    python3 bench/peers/summarize_test.py
"""

import contextlib
import io
import json
import os
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import summarize  # noqa: E402


def line(peer, batch, seconds, error=1e-6, **extra):
    return json.dumps({"peer": peer, "batch": batch, "seconds": seconds, "max_rel_error": error,
                       "median_images_per_s": 0.0, **extra})


class SummarizeTest(unittest.TestCase):
    def load_forward(self, lines):
        """The forward runs of `lines` (lines without "workload" are forward ones)."""
        workloads = summarize.load([self.write(lines)])
        self.assertEqual(list(workloads), ["forward"])
        return workloads["forward"]

    def write(self, lines):
        handle = tempfile.NamedTemporaryFile("w", suffix=".jsonl", delete=False)
        handle.write("progress text that is not JSON\n" + "\n".join(lines) + "\n")
        handle.close()
        self.addCleanup(os.unlink, handle.name)
        return handle.name

    def test_pools_rounds_and_takes_each_family_fastest(self):
        runs = self.load_forward([
            line("pytorch/eager", 10, [5.0]), line("pytorch/eager", 10, [5.0, 9.0]),
            line("pytorch/jit_frozen", 10, [4.0, 4.0]),
            line("onnxruntime", 10, [2.0, 3.0, 100.0]),
        ])
        self.assertEqual(runs[(10, "pytorch/eager")]["seconds"], [5.0, 5.0, 9.0])
        peer, rate, _ = summarize.fastest(runs, 10, "pytorch")
        self.assertEqual((peer, rate), ("pytorch/jit_frozen", 2.5))
        # The median of 2, 3 and 100 s: one slow outlier does not move it.
        self.assertEqual(summarize.fastest(runs, 10, "onnxruntime")[1], 10 / 3.0)
        self.assertIsNone(summarize.fastest(runs, 10, "hlocc"))

    def test_ratio_is_hlocc_over_the_fastest_peer(self):
        runs = self.load_forward([
            line("pytorch/eager", 1, [0.5]), line("onnxruntime", 1, [0.25]),
            line("hlocc", 1, [1 / 3.0]),
        ])
        row = summarize.summary_table(runs, 39.26).splitlines()[2]
        self.assertIn("| 0.75 |", row)
        self.assertNotIn("WRONG", row)

    def test_missing_hlocc_gives_no_ratio(self):
        runs = self.load_forward([line("onnxruntime", 1, [0.25])])
        row = summarize.summary_table(runs, 39.26).splitlines()[2]
        self.assertTrue(row.startswith("| 1 | — | 4.00"), row)
        self.assertIn("| — | onnxruntime 1.0e-06 |", row)

    def test_fastest_skips_configurations_with_wrong_logits(self):
        runs = self.load_forward([
            line("hlocc/bf16", 1, [0.1], error=0.02), line("hlocc/autotune", 1, [0.2]),
        ])
        self.assertEqual(summarize.fastest(runs, 1, "hlocc")[0], "hlocc/autotune")

    def test_wrong_logits_are_flagged(self):
        runs = self.load_forward([
            line("onnxruntime", 1, [0.25]), line("hlocc/bf16", 1, [0.1], error=0.3),
            line("hlocc/nan", 1, [0.1], error=None), line("hlocc/nan", 1, [0.1], error=0.0),
        ])
        self.assertIn("hlocc 3.0e-01 WRONG", summarize.summary_table(runs, 39.26))
        # A NaN (null from JavaScript) in any round makes the configuration's error NaN.
        self.assertIn("| nan WRONG", summarize.detail_table(runs, 39.26))


class TrainingStepTest(unittest.TestCase):
    write = SummarizeTest.write

    def test_training_lines_get_their_own_table(self):
        results = self.write([
            line("pytorch/eager", 10, [8.0]), line("onnxruntime", 10, [1.0]),
            line("pytorch/eager", 10, [10.0, 12.0], workload="train", loss=6.87421,
                 expected_loss=6.874196),
            line("pytorch/channels_last", 10, [9.0, 9.0], workload="train", loss=6.87420,
                 expected_loss=6.874196),
            line("hlocc/autotune", 10, [3.0], workload="train", compile_s=12.5, loss=6.8742,
                 expected_loss=6.874196),
        ])
        workloads = summarize.load([results])
        self.assertEqual(sorted(workloads), ["forward", "train"])
        train = workloads["train"]
        # onnxruntime's forward line is no peer of the training step: the fastest pytorch is.
        row = summarize.summary_table(train, 117.78, ["pytorch"]).splitlines()[2]
        self.assertEqual(row.split("|")[4].strip(), f"{(10 / 3.0) / (10 / 9.0):.2f}")
        self.assertIn("channels_last", row)
        detail = summarize.detail_table(train, 117.78)
        self.assertIn("first loss (float64)", detail)
        self.assertIn("| 12.5 | 1.0e-06 | 6.8742 (6.8742) |", detail)
        self.assertIn("| 10 | pytorch/eager | 0.91 | 107 | 11.0000 | 2 | — |", detail)
        printed = io.StringIO()
        with contextlib.redirect_stdout(printed):
            summarize.main([results])
        text = printed.getvalue()
        self.assertLess(text.index("VGG19 forward, 39.26 GFLOP"),
                        text.index("VGG19 training step (forward, loss, backward, SGD update), "
                                   "117.78 GFLOP"))
        # The forward detail table has no loss column.
        self.assertEqual(text.count("first loss (float64)"), 1)

    def test_unknown_workload_is_an_error(self):
        results = self.write([line("pytorch/eager", 1, [1.0], workload="inference")])
        with self.assertRaises(SystemExit) as raised:
            summarize.load([results])
        self.assertIn("unknown workload 'inference'", str(raised.exception))


if __name__ == "__main__":
    unittest.main()
