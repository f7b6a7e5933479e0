#!/usr/bin/env bash
# Installs what is missing, builds, and runs every test (unit, e2e, peer, slow) under the release
# preset and under the asan preset (AddressSanitizer + UndefinedBehaviorSanitizer, clang 14), then
# the bus's concurrency tests under the tsan preset (ThreadSanitizer, clang 14).
# Ends with "N passed, M failed" and exits non-zero when anything failed.
# Usage: scripts/test.sh [preset...]      (default: release asan tsan)
set -uo pipefail
cd "$(dirname "$0")/.."

scripts/setup.sh || exit 1

presets=("$@")
[ "${#presets[@]}" -eq 0 ] && presets=(release asan tsan)
# ThreadSanitizer covers the concurrent code, the bus (docs/bus.md, "Tests"): only its test
# programs are built under tsan, and only their tests run (the suites they list themselves).
tsan_targets=(bus_test bus_process_test bus_wait_test)
jobs=$(nproc)
passed=0
failed=0
broken=()

for preset in "${presets[@]}"; do
  echo "=== ${preset}: configure and build"
  start=$(date +%s)
  build_args=()
  test_args=()
  [ "$preset" = tsan ] && build_args=(--target "${tsan_targets[@]}")
  if ! cmake --preset "$preset" >/dev/null ||
    ! cmake --build --preset "$preset" -j "$jobs" "${build_args[@]}"; then
    echo "=== ${preset}: BUILD FAILED"
    broken+=("$preset (build)")
    failed=$((failed + 1))
    continue
  fi
  echo "=== ${preset}: built in $(( $(date +%s) - start )) s; running tests"
  if [ "$preset" = tsan ]; then
    suites=$(for t in "${tsan_targets[@]}"; do "build/tsan/tests/bus/$t" --gtest_list_tests; done |
      sed -n 's/^\([A-Za-z0-9_]*\)\.$/\1/p' | sort -u | paste -sd '|')
    test_args=(-R "^(${suites})\\.")
  fi
  log=$(mktemp)
  ctest --preset "$preset" -j "$jobs" "${test_args[@]}" 2>&1 | tee "$log"
  status=${PIPESTATUS[0]}
  # ctest's summary line: "100% tests passed, 0 tests failed out of 42"
  summary=$(grep -E 'tests passed, [0-9]+ tests? failed out of [0-9]+' "$log" | tail -n 1)
  rm -f "$log"
  if [ -z "$summary" ]; then
    echo "=== ${preset}: ctest printed no summary (exit ${status})"
    broken+=("$preset (ctest)")
    failed=$((failed + 1))
    continue
  fi
  n_failed=$(sed -E 's/.* ([0-9]+) tests? failed out of ([0-9]+).*/\1/' <<<"$summary")
  n_total=$(sed -E 's/.* ([0-9]+) tests? failed out of ([0-9]+).*/\2/' <<<"$summary")
  passed=$((passed + n_total - n_failed))
  failed=$((failed + n_failed))
  [ "$status" -ne 0 ] && [ "$n_failed" -eq 0 ] && { failed=$((failed + 1)); broken+=("$preset (ctest exit $status)"); }
  [ "$n_failed" -gt 0 ] && broken+=("$preset ($n_failed failed)")
done

echo
[ "${#broken[@]}" -gt 0 ] && echo "failures: ${broken[*]}"
echo "${passed} passed, ${failed} failed"
[ "$failed" -eq 0 ]
