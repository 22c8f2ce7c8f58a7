#!/usr/bin/env bash
# Installs what is missing, builds platc, and checks (and, once `platc build`
# exists, builds) the bundled example workspace, saying what it does.
#
# usage: bash scripts/run-example.sh [WORKSPACE_DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
build=${PLAT_BUILD_DIR:-$(pwd)/build}
platc=$build/platc

example=${1:-}
if [[ -z $example ]]; then
  # examples/acme is the full example; examples/minimal the smallest one.
  for candidate in examples/acme examples/minimal; do
    if [[ -f $candidate/workspace.plat ]]; then example=$candidate; break; fi
  done
fi
[[ -n $example ]] || { echo "no example workspace found under examples/" >&2; exit 2; }

printf '\n==> platc check %s\n' "$example"
"$platc" check "$example"

if "$platc" --help 2>&1 | grep -q '^  build '; then
  out=$build/example-out/$(basename "$example")
  printf '\n==> platc build %s -o %s\n' "$example" "${out#$(pwd)/}"
  "$platc" build "$example" -o "$out"
  printf '\n==> generated files:\n'
  (cd "$out" && find . -type f | sort | sed 's|^\./|  |')
fi
printf '\n==> done\n'
