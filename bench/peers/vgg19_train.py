#!/usr/bin/python3
"""PyTorch's VGG19 training step, timed in each configuration worth trying on CPU; JSON lines out.

One step is what `hlocc bench vgg19 --backward` compiles into one program: forward, softmax
cross-entropy (mean over the batch), backward, and torch.optim.SGD(lr=0.01, momentum=0.9,
weight_decay=5e-4). Every configuration starts from the shared fixtures (vgg19.safetensors,
images.npy; `vgg19.py export` writes them) with train_step.py's labels, the ones hlocc gets.
Run it with Debian's interpreter, /usr/bin/python3 (python3-torch).

Configurations (--configs):
  eager          NCHW, autograd; convolutions already go to oneDNN (torch.backends.mkldnn)
  channels_last  the model and images in NHWC, oneDNN's preferred layout for convolutions
  jit_trace      torch.jit.trace of the model, trained through the traced graph; it gets one
                 warm-up step more than --warmup, since the profiling executor runs the first
                 step to profile and optimizes the graph on the second
Not here, because torch 1.13 cannot train that way: torch.utils.mkldnn.to_mkldnn (its backward
fails: "The MKLDNN backend does not support weight as an MKLDNN tensor during training") and
jit.freeze / optimize_for_inference (they fold the weights into constants).

Dropout is off (the model stays in eval mode; VGG has no batch norm, so eval mode changes nothing
else): hlocc's vgg_forward has no dropout, and the two must do the same work.
"""

import argparse
import json
import os
import statistics
import sys
import time

import numpy as np
import torch
from torch.nn import functional

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import vgg19  # noqa: E402  (bench/peers/vgg19.py: the model, the fixtures' reader)
from train_step import (LEARNING_RATE, MOMENTUM, WEIGHT_DECAY, labels_for,  # noqa: E402
                        reference_loss)


class TrainingStep:
    """One configuration: its own copy of the model and optimizer (each takes its own steps)."""

    def __init__(self, name, data_dir, images, labels):
        self.name = name
        model = vgg19.load_model(data_dir)  # eval mode: no dropout, as hlocc
        if name == "channels_last":
            model = model.to(memory_format=torch.channels_last)
            images = images.contiguous(memory_format=torch.channels_last)
        self.model = model
        self.images = images
        self.labels = labels.long()
        self.forward = model
        if name == "jit_trace":
            # Traced with the timed batch; the traced module shares the model's parameters, so
            # autograd and the optimizer see the same tensors.
            self.forward = torch.jit.trace(model, images, check_trace=False)
        self.optimizer = torch.optim.SGD(model.parameters(), lr=LEARNING_RATE, momentum=MOMENTUM,
                                         weight_decay=WEIGHT_DECAY)

    def step(self):
        """One training step; (seconds, loss, logits). The loss is read inside the timed region
        (as a training loop would) and set_to_none skips zeroing the gradients."""
        start = time.perf_counter()
        self.optimizer.zero_grad(set_to_none=True)
        logits = self.forward(self.images)
        loss = functional.cross_entropy(logits, self.labels)
        loss.backward()
        self.optimizer.step()
        loss_value = loss.item()
        return time.perf_counter() - start, loss_value, logits.detach()


CONFIGS = ["eager", "channels_last", "jit_trace"]


def allocator_suffix():
    """The configuration names' suffix: "+jemalloc" (or "+tcmalloc") when LD_PRELOAD puts that
    allocator under torch, as PyTorch's CPU tuning guide recommends (glibc's malloc hands tensors
    over 32 MiB back to the kernel on free, so every step faults its activations and gradients in
    again), so that such runs stay apart from the plain ones in the table."""
    preload = os.environ.get("LD_PRELOAD", "")
    for allocator in ("jemalloc", "tcmalloc"):
        if allocator in preload:
            return "+" + allocator
    return ""


def time_configs(args):
    """Warms each configuration up, checks its first step (logits and loss from the shared
    weights), then interleaves the timed steps round-robin so that a noisy moment falls on all of
    them alike; prints one JSON line per configuration."""
    torch.set_num_threads(args.threads)
    names = args.configs.split(",")
    unknown = [name for name in names if name not in CONFIGS]
    if unknown:
        sys.exit(f"vgg19_train: --configs: unknown {unknown}; choose from {CONFIGS}")
    images = vgg19.tiled_rows(torch.from_numpy(np.load(os.path.join(args.data, "images.npy"))),
                              args.batch)
    expected = vgg19.tiled_rows(torch.from_numpy(np.load(os.path.join(args.data, "logits.npy"))),
                                args.batch)
    labels = labels_for(args.batch)
    expected_loss = reference_loss(expected.numpy(), labels)
    steps, errors, losses = {}, {}, {}
    seconds = {name: [] for name in names}
    for name in names:
        steps[name] = TrainingStep(name, args.data, images.clone(), torch.from_numpy(labels))
        for warmup in range(args.warmup + (1 if name == "jit_trace" else 0)):
            _, loss, logits = steps[name].step()
            if warmup == 0:
                # The first step's logits come from the shared weights: the forward check. Its
                # loss hardly tells a wrong model apart (near log(1000) at this init), so it
                # is reported, not judged.
                errors[name] = vgg19.max_rel_error(logits, expected)
                losses[name] = loss
        print(f"vgg19_train: {name} warmed up, first loss {losses[name]:.6f} "
              f"(float64 {expected_loss:.6f})", file=sys.stderr)
    for _ in range(args.repeats):
        for name in names:
            seconds[name].append(steps[name].step()[0])
    for name in names:
        median = statistics.median(seconds[name])
        print(json.dumps({
            "peer": f"pytorch/{name}{allocator_suffix()}", "workload": "train", "batch": args.batch,
            "threads": args.threads, "median_images_per_s": args.batch / median,
            "median_s": median, "seconds": [round(value, 6) for value in seconds[name]],
            "max_rel_error": errors[name], "loss": losses[name], "expected_loss": expected_loss,
        }), flush=True)


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", required=True, help="the directory `vgg19.py export` wrote")
    parser.add_argument("--batch", type=int, required=True)
    parser.add_argument("--repeats", type=int, default=3, help="timed steps per configuration")
    parser.add_argument("--warmup", type=int, default=1,
                        help="untimed steps first (at least 1; jit_trace takes one more)")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--configs", default=",".join(CONFIGS),
                        help="comma-separated subset of " + ",".join(CONFIGS))
    args = parser.parse_args(argv)
    if min(args.batch, args.repeats, args.warmup, args.threads) < 1:
        parser.error("--batch, --repeats, --warmup and --threads must be at least 1")
    return args


if __name__ == "__main__":
    time_configs(parse_args(sys.argv[1:]))
