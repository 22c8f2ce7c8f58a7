#!/usr/bin/env bash
# Installs what is missing, builds, and runs the whole test suite with ctest.
# Exits non-zero if any test fails.
#
# Then (unless PLAT_QUICK=1, or ctest arguments narrow the run) builds again
# with clang under ASan+UBSan, runs the unit, golden and robustness tests
# there and fuzzes each target for a bounded time (scripts/sanitize.sh).
#
# usage: bash scripts/test.sh [extra ctest arguments, e.g. -L golden]
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
build=${PLAT_BUILD_DIR:-$(pwd)/build}
printf '\n==> running the tests (ctest -j%s)\n' "${PLAT_JOBS:-2}"
# In CI the SARIF schema test must not be skipped for want of its tool.
export PLAT_REQUIRE_SARIF_TOOL=1
# Nor the language server's end-to-end tests for want of their client library.
export PLAT_REQUIRE_LSP_CLIENT=1
export PLAT_REQUIRE_MCP_CLIENT=1
ctest --test-dir "$build" -j"${PLAT_JOBS:-2}" --output-on-failure "$@"
if [[ $# -eq 0 && ${PLAT_QUICK:-0} != 1 ]]; then
  bash scripts/sanitize.sh
fi
