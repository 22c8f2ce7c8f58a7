#!/usr/bin/env bash
# Builds platc, its unit tests and the fuzz targets with clang under
# AddressSanitizer and UndefinedBehaviorSanitizer, runs the unit and golden
# tests (and the other fast robustness tests) against that build, then fuzzes
# each target for a bounded time, seeded with every .plat file and golden
# input in the repository. Exits non-zero on any test failure, sanitizer
# report or fuzzer crash; a crashing input is copied to
# $PLAT_FUZZ_ARTIFACTS (default build-sanitize/fuzz-artifacts).
#
# usage: bash scripts/sanitize.sh            (CI runs it from scripts/test.sh)
#   PLAT_FUZZ_SECONDS  seconds per fuzz target (default 60; 0 skips fuzzing)
#   PLAT_FUZZ_SEED     libFuzzer's seed (default 1, so a CI run explores the
#                      same inputs each time and a red run is reproducible;
#                      0 lets libFuzzer pick one, for exploratory campaigns)
#   PLAT_SANITIZE_DIR  the build folder (default build-sanitize)
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
build=${PLAT_SANITIZE_DIR:-$root/build-sanitize}
jobs=${PLAT_JOBS:-2}
seconds=${PLAT_FUZZ_SECONDS:-60}
seed=${PLAT_FUZZ_SEED:-1}
artifacts=${PLAT_FUZZ_ARTIFACTS:-$build/fuzz-artifacts}

say() { printf '\n==> %s\n' "$*"; }

missing=()
for p in clang-14 libclang-rt-14-dev; do
  dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
if [[ ${#missing[@]} -gt 0 ]]; then
  say "installing Debian packages: ${missing[*]}"
  sudo=""
  [[ $(id -u) -ne 0 ]] && sudo=sudo
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -qq
  $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

say "building with clang-14, ASan+UBSan and fuzzer coverage in ${build#$root/} (-j$jobs)"
CC=clang-14 CXX=clang++-14 cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DPLAT_SANITIZE=ON -DPLAT_FUZZ=ON >/dev/null
ninja -C "$build" -j"$jobs"

# Any report fails the run: UBSan aborts (-fno-sanitize-recover at build
# time), ASan checks for leaks at exit.
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:strict_string_checks=1:detect_stack_use_after_return=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1

say "unit, golden and robustness tests under ASan+UBSan"
# The validators, docs, hostile-strings and property tests run platc
# hundreds of times over large inputs, and the VS Code tests do not run it at
# all; they run in the ordinary build (scripts/test.sh). Everything else,
# the language server's replay included, runs here.
ctest --test-dir "$build" -j"$jobs" --output-on-failure \
  -E '^(property_|sarif_schema|diagnostic_docs_examples|docs_plat_blocks|k8s_validate|iam_validate|sagemaker_botocore|airflow_|hostile_strings|monitoring_validate|vscode_|diff_ci_recipes)'

if [[ $seconds -gt 0 ]]; then
  corpus=$(mktemp -d)
  trap 'rm -rf "$corpus"' EXIT
  mkdir -p "$artifacts"
  for target in parse check build; do
    say "fuzzing $target for ${seconds}s (seed $seed)"
    mkdir -p "$corpus/$target"
    python3 tests/fuzz/seeds.py --out "$corpus/$target" >/dev/null
    # -max_len: inputs up to 16 KiB (the seeds are smaller; the parser's own
    # size and depth limits are tested in bad_input_test.py). -rss_limit_mb
    # and -timeout turn runaway memory or time into a reported failure.
    "$build/tests/fuzz_$target" "$corpus/$target" "tests/fuzz/regressions" \
      -max_total_time="$seconds" -seed="$seed" -max_len=16384 -timeout=10 -rss_limit_mb=2048 \
      -print_final_stats=1 -artifact_prefix="$artifacts/$target-" 2>"$artifacts/$target.log" || {
        tail -n 60 "$artifacts/$target.log"
        echo "fuzz_$target found a crash: its input is in $artifacts; add it to tests/fuzz/regressions/"
        exit 1
      }
    grep -E '^stat::(number_of_executed_units|peak_rss_mb|new_units_added)' "$artifacts/$target.log" || true
  done
fi
say "sanitizers and fuzzing: no reports"
