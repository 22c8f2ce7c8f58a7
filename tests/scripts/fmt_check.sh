#!/usr/bin/env bash
# Every committed .plat file outside tests/ (stdlib/, examples/) must already
# be formatted: `platc fmt --check` lists files it would change and exits 1.
#
# usage: tests/scripts/fmt_check.sh PLATC SOURCE_DIR
set -euo pipefail
platc=$1
root=$2
cd "$root"
dirs=()
for d in stdlib examples; do
  [[ -d $d ]] && [[ -n $(find "$d" -name '*.plat' -print -quit) ]] && dirs+=("$d")
done
if [[ ${#dirs[@]} -eq 0 ]]; then
  echo "no .plat files in stdlib/ or examples/: nothing to check"
  exit 0
fi
count=$(find "${dirs[@]}" -name '*.plat' | wc -l)
if ! "$platc" fmt --check --color never "${dirs[@]}"; then
  echo "these files are not formatted: run \`platc fmt ${dirs[*]}\` and commit the result"
  exit 1
fi
echo "ok: $count .plat files in ${dirs[*]} are formatted"
