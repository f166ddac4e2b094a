#!/usr/bin/env node
// ONNX Runtime (CPU) as a peer in the VGG19 forward benchmark: runs the model that
// `vgg19.py export` wrote, at its fastest settings (DESIGN.md, "Benchmark facts"): intra-op
// threads 2, all graph optimizations, two warm-up runs. Checks its logits against PyTorch's
// float64 logits.npy and prints one JSON line, the schema bench/peers/README.md describes.
//
//   node ort_vgg19.js --data DIR --batch N [--repeats R] [--warmup W] [--threads T]
'use strict';

const fs = require('fs');
const path = require('path');
const { performance } = require('perf_hooks');
const ort = require('onnxruntime-node');

function usage(message) {
  console.error(`ort_vgg19: ${message}\n` +
                'usage: node ort_vgg19.js --data DIR --batch N [--repeats R] [--warmup W] ' +
                '[--threads T] [--model FILE]');
  process.exit(2);
}

function parseArgs(argv) {
  const args = { repeats: 5, warmup: 2, threads: 2 };
  const integers = new Set(['batch', 'repeats', 'warmup', 'threads']);
  for (let i = 0; i < argv.length; i += 2) {
    const flag = argv[i];
    const value = argv[i + 1];
    const name = flag.replace(/^--/, '');
    if (!flag.startsWith('--') || value === undefined) {
      usage(`unknown flag or missing value: ${flag}`);
    }
    if (integers.has(name)) {
      if (!/^[0-9]+$/.test(value) || Number(value) < 1) {
        usage(`${flag} takes a positive integer; got '${value}'`);
      }
      args[name] = Number(value);
    } else if (name === 'data' || name === 'model') {
      args[name] = value;
    } else {
      usage(`unknown flag ${flag}`);
    }
  }
  if (args.data === undefined || args.batch === undefined) usage('--data and --batch are required');
  args.model = args.model ?? path.join(args.data, 'vgg19.onnx');
  return args;
}

// Reads a C-order little-endian float32 .npy file (format versions 1 to 3): { shape, data }.
function readNpy(file) {
  const bytes = fs.readFileSync(file);
  if (bytes.length < 10 || bytes.toString('latin1', 0, 6) !== '\x93NUMPY') {
    throw new Error(`${file}: not a .npy file (bad magic)`);
  }
  const major = bytes[6];
  const headerLength = major === 1 ? bytes.readUInt16LE(8) : bytes.readUInt32LE(8);
  const headerStart = major === 1 ? 10 : 12;
  const header = bytes.toString('latin1', headerStart, headerStart + headerLength);
  const descr = /'descr':\s*'([^']*)'/.exec(header);
  const fortran = /'fortran_order':\s*(True|False)/.exec(header);
  const shape = /'shape':\s*\(([^)]*)\)/.exec(header);
  if (!descr || !fortran || !shape) throw new Error(`${file}: malformed header ${header}`);
  if (descr[1] !== '<f4' || fortran[1] !== 'False') {
    throw new Error(`${file}: expected C-order '<f4'; got descr ${descr[1]}, ` +
                    `fortran_order ${fortran[1]}`);
  }
  const dims = shape[1].split(',').map((s) => s.trim()).filter((s) => s !== '').map(Number);
  const count = dims.reduce((a, b) => a * b, 1);
  const dataStart = headerStart + headerLength;
  if (bytes.length !== dataStart + 4 * count) {
    throw new Error(`${file}: shape (${dims}) needs ${4 * count} data bytes; ` +
                    `the file has ${bytes.length - dataStart}`);
  }
  // Copied: Float32Array needs 4-byte alignment, which a Buffer's offset does not promise.
  const data = new Float32Array(count);
  for (let i = 0; i < count; ++i) data[i] = bytes.readFloatLE(dataStart + 4 * i);
  return { shape: dims, data };
}

// Rows 0..batch-1 of `array` repeated cyclically, as vgg19.py's tiled_rows does.
function tiledRows(array, batch) {
  const rowSize = array.data.length / array.shape[0];
  const data = new Float32Array(batch * rowSize);
  for (let row = 0; row < batch; ++row) {
    const source = (row % array.shape[0]) * rowSize;
    data.set(array.data.subarray(source, source + rowSize), row * rowSize);
  }
  return { shape: [batch, ...array.shape.slice(1)], data };
}

// max |logits - expected| / max |expected|, as vgg19.py's max_rel_error.
function maxRelError(logits, expected) {
  if (logits.length !== expected.length) {
    throw new Error(`logits have ${logits.length} values; expected ${expected.length}`);
  }
  let difference = 0;
  let scale = 0;
  for (let i = 0; i < logits.length; ++i) {
    difference = Math.max(difference, Math.abs(logits[i] - expected[i]));
    scale = Math.max(scale, Math.abs(expected[i]));
  }
  return difference / scale;
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  const images = tiledRows(readNpy(path.join(args.data, 'images.npy')), args.batch);
  const expected = tiledRows(readNpy(path.join(args.data, 'logits.npy')), args.batch);
  const session = await ort.InferenceSession.create(args.model, {
    executionProviders: ['cpu'],
    graphOptimizationLevel: 'all',
    executionMode: 'sequential',
    intraOpNumThreads: args.threads,
    interOpNumThreads: 1,
  });
  const feeds = { [session.inputNames[0]]: new ort.Tensor('float32', images.data, images.shape) };
  const output = session.outputNames[0];
  let error;
  for (let i = 0; i < args.warmup; ++i) {
    const results = await session.run(feeds);
    error = maxRelError(results[output].data, expected.data);
  }
  const seconds = [];
  for (let i = 0; i < args.repeats; ++i) {
    const start = performance.now();
    await session.run(feeds);
    seconds.push((performance.now() - start) / 1e3);
  }
  const middle = median(seconds);
  console.log(JSON.stringify({
    peer: 'onnxruntime', batch: args.batch, threads: args.threads,
    median_images_per_s: args.batch / middle, median_s: middle,
    seconds: seconds.map((s) => Number(s.toFixed(6))), max_rel_error: error,
  }));
}

main().catch((error) => {
  console.error(`ort_vgg19: ${error.message}`);
  process.exit(1);
});
