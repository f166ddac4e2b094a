#!/usr/bin/python3
"""VGG19 in plain PyTorch, the fixtures the side-by-side benchmark shares, and PyTorch's timings.

`export` writes the one set of weights every peer runs (safetensors, torchvision's names), the
ONNX model for ONNX Runtime, a batch of images and PyTorch's logits for the output check. `time`
loads those weights back (so the safetensors file is checked by reproducing the logits) and
prints one JSON line per PyTorch configuration, the schema bench/peers/README.md describes.
Run it with Debian's interpreter, /usr/bin/python3: python3-torch is installed there.
"""

import argparse
import json
import math
import os
import statistics
import struct
import sys
import time

import numpy as np
import torch
from torch import nn

# torchvision's cfg "E": conv output channels, "M" for a 2x2 stride-2 max pool.
VGG19_FEATURES = [64, 64, "M", 128, 128, "M", 256, 256, 256, 256, "M",
                  512, 512, 512, 512, "M", 512, 512, 512, 512, "M"]
IMAGE_SIZE = 224
NUM_CLASSES = 1000


class Vgg19(nn.Module):
    """torchvision's vgg19 in eval mode, without its AdaptiveAvgPool2d((7, 7)): on 224x224 images
    that pool sees a 7x7 map and is the identity (hlocc's vgg_forward leaves it out too), and
    leaving it out keeps it out of the ONNX graph. Module indices, hence the state_dict keys
    (features.0.weight ... classifier.6.bias), are torchvision's."""

    def __init__(self):
        super().__init__()
        layers, channels = [], 3
        for entry in VGG19_FEATURES:
            if entry == "M":
                layers.append(nn.MaxPool2d(kernel_size=2, stride=2))
                continue
            layers += [nn.Conv2d(channels, entry, kernel_size=3, padding=1), nn.ReLU(inplace=True)]
            channels = entry
        self.features = nn.Sequential(*layers)
        self.classifier = nn.Sequential(
            nn.Linear(512 * 7 * 7, 4096), nn.ReLU(inplace=True), nn.Dropout(),
            nn.Linear(4096, 4096), nn.ReLU(inplace=True), nn.Dropout(),
            nn.Linear(4096, NUM_CLASSES))

    def forward(self, images):
        return self.classifier(torch.flatten(self.features(images), 1))


def init_weights(model, seed, bias_std):
    """src/nn/vgg.cc's (torchvision's) init: conv weights kaiming_normal_(fan_out, relu), Linear
    weights normal(0, 0.01). Biases are normal(0, bias_std) rather than torchvision's zeros so
    that the output check also sees a bias loaded wrongly (bias_std 0 gives torchvision's)."""
    generator = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for module in model.modules():
            if isinstance(module, nn.Conv2d):
                fan_out = module.out_channels * module.kernel_size[0] * module.kernel_size[1]
                std = math.sqrt(2.0 / fan_out)
            elif isinstance(module, nn.Linear):
                std = 0.01
            else:
                continue
            module.weight.normal_(0.0, std, generator=generator)
            module.bias.normal_(0.0, bias_std, generator=generator)


def make_model(seed=0, bias_std=0.01):
    model = Vgg19()
    init_weights(model, seed, bias_std)
    return model.eval()


# --- safetensors: 8-byte little-endian header size, a JSON header, then the raw data. ----------

def write_safetensors(path, tensors, metadata=None):
    """Writes name -> float32 tensor in insertion order (torchvision's state_dict order)."""
    header, offset = {}, 0
    for name, tensor in tensors.items():
        size = tensor.numel() * 4
        header[name] = {"dtype": "F32", "shape": list(tensor.shape),
                        "data_offsets": [offset, offset + size]}
        offset += size
    if metadata:
        header["__metadata__"] = {key: str(value) for key, value in metadata.items()}
    text = json.dumps(header, separators=(",", ":")).encode()
    # The format allows trailing spaces; padding to 8 keeps the data 8-byte aligned when mapped.
    text += b" " * (-len(text) % 8)
    with open(path, "wb") as out:
        out.write(struct.pack("<Q", len(text)))
        out.write(text)
        for tensor in tensors.values():
            out.write(tensor.detach().contiguous().float().numpy().astype("<f4").tobytes())


def read_safetensors(path):
    """Returns (name -> float32 tensor, metadata); only F32, the one dtype write_safetensors
    writes."""
    with open(path, "rb") as source:
        (header_size,) = struct.unpack("<Q", source.read(8))
        header = json.loads(source.read(header_size))
        data = source.read()
    metadata = header.pop("__metadata__", {})
    tensors = {}
    for name, entry in header.items():
        if entry["dtype"] != "F32":
            sys.exit(f"{path}: {name} has dtype {entry['dtype']}; this reader takes F32 only")
        begin, end = entry["data_offsets"]
        array = np.frombuffer(data, dtype="<f4", count=(end - begin) // 4, offset=begin)
        tensors[name] = torch.from_numpy(array.reshape(entry["shape"]).copy())
    return tensors, metadata


# --- export -------------------------------------------------------------------------------------

def make_images(batch, seed):
    generator = torch.Generator().manual_seed(seed + 1)
    return torch.randn(batch, 3, IMAGE_SIZE, IMAGE_SIZE, generator=generator)


def export_onnx(model, path, opset):
    import onnx  # Debian's python3-onnx; only `export` needs it.
    example = make_images(1, 0)
    torch.onnx.export(model, (example,), path, input_names=["images"], output_names=["logits"],
                      dynamic_axes={"images": {0: "batch"}, "logits": {0: "batch"}},
                      opset_version=opset, do_constant_folding=True)
    onnx.checker.check_model(path)


def export(args):
    os.makedirs(args.out, exist_ok=True)
    torch.set_num_threads(args.threads)
    model = make_model(args.seed, args.bias_std)
    metadata = {"model": "vgg19", "seed": args.seed, "bias_std": args.bias_std,
                "init": "conv kaiming_normal fan_out relu; linear normal(0, 0.01)"}
    write_safetensors(os.path.join(args.out, "vgg19.safetensors"), model.state_dict(), metadata)
    images = make_images(args.check_batch, args.seed)
    with torch.no_grad():
        # float64 logits: the check measures every peer, PyTorch's float32 included, against them.
        logits = model.double()(images.double()).float()
    model.float()
    np.save(os.path.join(args.out, "images.npy"), images.numpy())
    np.save(os.path.join(args.out, "logits.npy"), logits.numpy())
    export_onnx(model, os.path.join(args.out, "vgg19.onnx"), args.opset)
    print(f"wrote {args.out}/vgg19.safetensors, vgg19.onnx, images.npy "
          f"f32{list(images.shape)}, logits.npy f32{list(logits.shape)}")


# --- timing -------------------------------------------------------------------------------------

def tiled_rows(array, batch):
    """Rows 0..batch-1 of `array` repeated cyclically: the timed input at any batch size, and the
    logits it must give."""
    return array[torch.arange(batch) % array.shape[0]]


def max_rel_error(logits, expected):
    """max |logits - expected| / max |expected|: relative to the logits' scale, because an
    elementwise relative error is meaningless for logits near zero."""
    return float((logits.double() - expected.double()).abs().max() / expected.double().abs().max())


def load_model(data_dir):
    tensors, _ = read_safetensors(os.path.join(data_dir, "vgg19.safetensors"))
    model = Vgg19()
    model.load_state_dict(tensors, strict=True)
    return model.eval()


def prepare_eager(model, images):
    return model, images


def prepare_channels_last(model, images):
    return (model.to(memory_format=torch.channels_last),
            images.contiguous(memory_format=torch.channels_last))


def prepare_jit_frozen(model, images):
    """trace + freeze + optimize_for_inference (which, with MKLDNN built in, moves convolutions
    to oneDNN's blocked layouts and folds constants). Traced at the timed batch size."""
    with torch.no_grad():
        traced = torch.jit.trace(model, images)
    return torch.jit.optimize_for_inference(torch.jit.freeze(traced)), images


CONFIGS = {"eager": prepare_eager, "channels_last": prepare_channels_last,
           "jit_frozen": prepare_jit_frozen}


def run_once(function, images):
    with torch.no_grad():
        start = time.perf_counter()
        logits = function(images)
        return time.perf_counter() - start, logits


def build_configs(args, names, images):
    prepared = {}
    for name in names:
        # Each configuration gets its own copy: channels_last converts the module in place.
        prepared[name] = CONFIGS[name](load_model(args.data), images.clone())
    return prepared


def time_configs(args):
    """Warms each configuration up, then interleaves the timed repeats round-robin so that a noisy
    moment falls on all of them alike; prints one JSON line per configuration."""
    torch.set_num_threads(args.threads)
    names = args.configs.split(",")
    unknown = [name for name in names if name not in CONFIGS]
    if unknown:
        sys.exit(f"--configs: unknown {unknown}; choose from {sorted(CONFIGS)}")
    images = tiled_rows(torch.from_numpy(np.load(os.path.join(args.data, "images.npy"))),
                        args.batch)
    expected = tiled_rows(torch.from_numpy(np.load(os.path.join(args.data, "logits.npy"))),
                          args.batch)
    prepared = build_configs(args, names, images)
    errors, seconds = {}, {name: [] for name in names}
    for name, (function, inputs) in prepared.items():
        for _ in range(args.warmup):
            _, logits = run_once(function, inputs)
        errors[name] = max_rel_error(logits, expected)
    for _ in range(args.repeats):
        for name, (function, inputs) in prepared.items():
            seconds[name].append(run_once(function, inputs)[0])
    for name in names:
        print(json.dumps(result_line(f"pytorch/{name}", args, seconds[name], errors[name])),
              flush=True)


def result_line(peer, args, seconds, error):
    median = statistics.median(seconds)
    return {"peer": peer, "batch": args.batch, "threads": args.threads,
            "median_images_per_s": args.batch / median, "median_s": median,
            "seconds": [round(value, 6) for value in seconds], "max_rel_error": error}


def describe_blas():
    """Which BLAS torch's Linear layers use: Debian's torch calls the system libblas.so.3, which
    is the slow reference BLAS unless libopenblas0-pthread provides it."""
    return os.path.realpath("/usr/lib/x86_64-linux-gnu/libblas.so.3")


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    out = commands.add_parser("export", help="write weights, ONNX model, images and logits")
    out.add_argument("--out", required=True, help="directory for the fixtures")
    out.add_argument("--seed", type=int, default=0)
    out.add_argument("--bias-std", type=float, default=0.01)
    out.add_argument("--check-batch", type=int, default=10, help="images in images.npy")
    out.add_argument("--opset", type=int, default=17)
    out.add_argument("--threads", type=int, default=2)
    timing = commands.add_parser("time", help="time PyTorch's forward pass; JSON lines out")
    timing.add_argument("--data", required=True, help="the directory `export` wrote")
    timing.add_argument("--batch", type=int, required=True)
    timing.add_argument("--repeats", type=int, default=5)
    timing.add_argument("--warmup", type=int, default=2)
    timing.add_argument("--threads", type=int, default=2)
    timing.add_argument("--configs", default=",".join(CONFIGS),
                        help="comma-separated subset of " + ",".join(CONFIGS))
    commands.add_parser("info", help="print torch's version, threads and BLAS")
    return parser.parse_args(argv)


def main(argv):
    args = parse_args(argv)
    if args.command == "export":
        export(args)
    elif args.command == "time":
        if args.batch < 1 or args.repeats < 1 or args.warmup < 1:
            sys.exit("--batch, --repeats and --warmup must be at least 1")
        time_configs(args)
    else:
        print(json.dumps({"torch": torch.__version__,
                          "mkldnn": torch.backends.mkldnn.is_available(),
                          "blas": describe_blas(), "default_threads": torch.get_num_threads()}))


if __name__ == "__main__":
    main(sys.argv[1:])
