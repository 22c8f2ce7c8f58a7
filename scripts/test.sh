#!/usr/bin/env bash
# Installs what is missing, builds, and runs the whole test suite with ctest.
# Exits non-zero if any test fails.
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
ctest --test-dir "$build" -j"${PLAT_JOBS:-2}" --output-on-failure "$@"
