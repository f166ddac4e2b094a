"""What every peer's VGG19 training step shares (numpy only, so that hlocc_vgg19.py needs no torch):
the optimizer's settings, the labels and the float64 loss of the first step.

The step is `hlocc bench vgg19 --backward`'s (tools/hlocc/bench.cc): the model in eval mode (no
dropout), softmax cross-entropy averaged over the batch, torch.optim.SGD(lr=0.01, momentum=0.9,
weight_decay=5e-4).
"""

import numpy as np

LEARNING_RATE = 0.01
MOMENTUM = 0.9
WEIGHT_DECAY = 5e-4
NUM_CLASSES = 1000
# A training step counts as three forward passes (backward is about two), as `hlocc bench` counts.
FLOP_FACTOR = 3


def labels_for(batch):
    """Label i is 389 * (i + 1) mod 1000, the labels `hlocc bench --backward` makes when given
    none; the peers pass them explicitly all the same (hlocc with --labels). s32, hlocc's type."""
    return (389 * np.arange(1, batch + 1, dtype=np.int64) % NUM_CLASSES).astype(np.int32)


def reference_loss(logits, labels):
    """Softmax cross-entropy in float64, mean over the batch, of the expected (float64) logits:
    the loss of every peer's first step from the shared weights. Reported beside each peer's loss
    rather than judged: at this initialization the logits are small and every loss is near
    log(1000), so the logits, not the loss, are what tells a wrong model apart."""
    logits = np.asarray(logits, dtype=np.float64)
    top = logits.max(axis=1, keepdims=True)
    log_sum = np.log(np.exp(logits - top).sum(axis=1)) + top[:, 0]
    return float(np.mean(log_sum - logits[np.arange(len(labels)), labels]))
