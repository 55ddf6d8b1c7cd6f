#!/usr/bin/env bash
# Installs chainerx into .venv and runs the main job (until MNIST training lands: the demo).
set -euo pipefail
cd "$(dirname "$0")/.."
[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip
.venv/bin/python -m pip install -q scikit-build-core nanobind scipy-openblas32 numpy
.venv/bin/python -m pip install -q --no-build-isolation . -Cbuild-dir=build/wheel
.venv/bin/python examples/python/demo.py
