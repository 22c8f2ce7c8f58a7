#!/usr/bin/env bash
# The Plat checks of a pull request, as every recipe in this folder runs them:
#
#   plat-ci.sh WORKSPACE BASE_REF OUT
#
#   1. platc fmt --check WORKSPACE        unformatted .plat files fail the job
#   2. platc check WORKSPACE --format sarif > OUT/plat.sarif
#                                          (uploaded to code scanning even when
#                                          it finds errors; errors fail the job)
#   3. platc build WORKSPACE -o OUT/build  the artefacts, for the job's artifacts
#   4. platc diff WORKSPACE --base BASE_REF --format markdown > OUT/diff.md
#                                          the pull-request comment; OUT/risk holds
#                                          `true` when a risk flag was raised
#                                          (platc diff exited 3), else `false`
#
# Exits 0 when every step passed (a raised risk flag is not a failure: the
# recipes ask for a second approval instead), 1 when a step found problems,
# 2 when platc could not run (a usage error, an unreadable revision). BASE_REF
# must be fetched (`fetch-depth: 0` on GitHub, `git fetch` on GitLab). Set
# PLATC to the platc binary when it is not on PATH.
set -uo pipefail

if [ $# -ne 3 ]; then
  echo "usage: plat-ci.sh WORKSPACE BASE_REF OUT" >&2
  exit 2
fi
workspace=$1
base=$2
out=$3
platc=${PLATC:-platc}
mkdir -p "$out"
status=0


echo "== platc fmt --check" >&2
"$platc" fmt --check "$workspace" || { rc=$?; [ $rc -ge 2 ] && exit $rc; status=1; }

echo "== platc check --format sarif" >&2
"$platc" check "$workspace" --format sarif > "$out/plat.sarif"
rc=$?
if [ $rc -ge 2 ]; then exit $rc; fi
if [ $rc -ne 0 ]; then status=1; fi

echo "== platc build" >&2
if [ $status -eq 0 ]; then
  "$platc" build "$workspace" -o "$out/build" || { rc=$?; [ $rc -ge 2 ] && exit $rc; status=1; }
fi

echo "== platc diff --base $base" >&2
"$platc" diff "$workspace" --base "$base" --format markdown > "$out/diff.md"
rc=$?
case $rc in
  0) echo false > "$out/risk" ;;
  3) echo true > "$out/risk" ;;
  1) status=1; echo false > "$out/risk" ;;
  *) exit $rc ;;
esac
exit $status
