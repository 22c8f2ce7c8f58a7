#!/usr/bin/env bash
# Benchmark platc: check time / memory at 1k, 10k, 18.2k (the issue's
# workspace) and 50k declarations, build time on the issue's workspace, and
# output byte-identity. Prints a Markdown table.
#
#   bench/run.sh                 # everything (the 50k case runs 3 times)
#   SIZES="1000 10000" bench/run.sh
#   NO_BUILD=1 bench/run.sh      # reuse build-bench/platc as it is
#   PLATC=/path/to/platc bench/run.sh
#
# Build of the issue workspace, per target set (k8s,iam; sagemaker,airflow;
# all) and output place (fresh into tmpfs, fresh on disk, rebuild on disk):
# RUNS_BUILD runs each (default 5), and byte-identity on two fresh builds of
# IDENT_N declarations (default: the issue workspace). Check: medians of
# RUNS_SMALL (default 5) runs for N <= 10000 and RUNS_LARGE
# (default 3) above; peak RSS is the largest over the runs. Workspaces are
# generated into bench/work/ (git-ignored) and reused when the generator and
# its arguments have not changed.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
BENCH=$ROOT/bench
WORK=$BENCH/work
BUILD=$ROOT/build-bench
SIZES=${SIZES:-"1000 10000 18200 50000"}
ISSUE_N=18200
RUNS_SMALL=${RUNS_SMALL:-5}
RUNS_LARGE=${RUNS_LARGE:-3}
SEED=${SEED:-1}
mkdir -p "$WORK"

# ---- tools
if [ ! -x /usr/bin/time ] || ! command -v hyperfine >/dev/null; then
  echo "installing GNU time and hyperfine" >&2
  apt-get install -y time hyperfine >/dev/null 2>&1 || {
    apt-get update >/dev/null && apt-get install -y time hyperfine >/dev/null
  }
fi
GTIME=/usr/bin/time

# ---- platc, Release -O2, in its own build folder
if [ -z "${PLATC:-}" ]; then
  PLATC=$BUILD/platc
  if [ -z "${NO_BUILD:-}" ]; then
    if [ ! -f "$BUILD/build.ninja" ]; then
      cmake -S "$ROOT" -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=Release \
        -DCMAKE_CXX_FLAGS_RELEASE="-O2 -DNDEBUG" >"$WORK/cmake.log" 2>&1 ||
        { cat "$WORK/cmake.log" >&2; exit 2; }
    fi
    nice ninja -C "$BUILD" -j2 platc >"$WORK/ninja.log" 2>&1 ||
      { tail -40 "$WORK/ninja.log" >&2; exit 2; }
  fi
fi
[ -x "$PLATC" ] || { echo "no platc at $PLATC" >&2; exit 2; }

# ---- workspaces
GEN_HASH=$(sha256sum "$BENCH/gen_workspace.py" | cut -c1-16)
workspace() { # N -> prints the folder, generating it when missing or stale
  local n=$1 dir=$WORK/ws-$1
  local stamp="gen=$GEN_HASH n=$n seed=$SEED"
  if [ ! -f "$dir/.stamp" ] || [ "$(cat "$dir/.stamp")" != "$stamp" ]; then
    python3 "$BENCH/gen_workspace.py" "$dir" --decls "$n" --seed "$SEED" >&2
    echo "$stamp" >"$dir/.stamp"
  fi
  echo "$dir"
}

# ---- measurement: runs CMD RUNS times under GNU time, fails on a non-zero
# exit; sets WALL (median s), CPU (median user+sys s), RSS (max KB).
median() { sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
measure() {
  local runs=$1; shift
  local tf walls="" cpus="" rss=0 parses="" semas=""
  tf=$(mktemp)
  for ((i = 0; i < runs; i++)); do
    [ -n "${PRE_RUN:-}" ] && eval "$PRE_RUN"
    if ! "$GTIME" -f "%e %U %S %M" -o "$tf" "$@" >"$WORK/last.out" 2>&1; then
      echo "FAILED: $*" >&2; tail -20 "$WORK/last.out" >&2; rm -f "$tf"; return 1
    fi
    read -r e u s m <"$tf"
    walls+="$e"$'\n'
    cpus+="$(awk -v u="$u" -v s="$s" 'BEGIN{print u+s}')"$'\n'
    ((m > rss)) && rss=$m
    # `check --time-phases`: CPU of load+parse (both threads) and of the rest.
    if grep -q '^phases (CPU s)' "$WORK/last.out"; then
      parses+="$(sed -n 's/^phases (CPU s): load+parse \([0-9.]*\).*/\1/p' "$WORK/last.out")"$'\n'
      semas+="$(sed -n 's/.*resolve+types \([0-9.]*\), cross \([0-9.]*\), governance \([0-9.]*\).*/\1 \2 \3/p' "$WORK/last.out" |
        awk '{print $1+$2+$3}')"$'\n'
    fi
  done
  rm -f "$tf"
  WALL=$(printf '%s' "$walls" | median)
  CPU=$(printf '%s' "$cpus" | median)
  RSS=$rss
  PARSE=$(printf '%s' "$parses" | median)
  SEMA=$(printf '%s' "$semas" | median)
}
runs_for() { if (($1 <= 10000)); then echo "$RUNS_SMALL"; else echo "$RUNS_LARGE"; fi; }

# ---- run
echo "platc: $PLATC ($("$PLATC" --version 2>/dev/null || echo '?'))" >&2
echo "commit: $(git -C "$ROOT" rev-parse --short HEAD) (working tree may hold uncommitted changes of others)" >&2
LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)

echo
echo "### platc check"
echo
echo "$(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores, load average before: $LOAD_BEFORE. CPU = user+sys; MB/s and µs/decl per CPU second (less noisy than wall on a shared machine)."
echo
echo "| decls | files | source MB | wall median s | CPU median s | load+parse CPU s | sema CPU s | MB/s (CPU) | µs/decl (CPU) | peak RSS MB | RSS KB/decl | runs |"
echo "|---|---|---|---|---|---|---|---|---|---|---|---|"
ISSUE_CHECK_WALL=""
for n in $SIZES; do
  dir=$(workspace "$n")
  files=$(find "$dir" -name '*.plat' | wc -l)
  bytes=$(find "$dir" -name '*.plat' -print0 | xargs -0 cat | wc -c)
  r=$(runs_for "$n")
  echo "check N=$n ($r runs)..." >&2
  measure "$r" "$PLATC" check "$dir" --time-phases
  [ "$n" = "$ISSUE_N" ] && { ISSUE_CHECK_WALL=$WALL; ISSUE_CHECK_CPU=$CPU; ISSUE_CHECK_RSS=$RSS; }
  awk -v n="$n" -v f="$files" -v b="$bytes" -v w="$WALL" -v c="$CPU" -v m="$RSS" -v r="$r" \
      -v p="$PARSE" -v s="$SEMA" 'BEGIN{
    mb=b/1e6;
    printf "| %d | %d | %.2f | %.3f | %.3f | %.3f | %.3f | %.1f | %.1f | %.0f | %.1f | %d |\n",
      n, f, mb, w, c, p, s, (c>0? mb/c : 0), c/n*1e6, m/1024, m/n, r }'
done

# ---- the editor's loop: one file edited, then sema::recheck
if [ -z "${NO_RECHECK:-}" ]; then
  if [ -z "${NO_BUILD:-}" ] || [ ! -x "$BUILD/plat_recheck_bench" ]; then
    nice ninja -C "$BUILD" -j2 plat_recheck_bench >"$WORK/ninja-recheck.log" 2>&1 ||
      { tail -40 "$WORK/ninja-recheck.log" >&2; exit 2; }
  fi
  echo
  echo "### one file edited: updateFile + sema::recheck against a full sema::check (CPU s, median)"
  echo
  for n in $SIZES; do
    echo "recheck N=$n..." >&2
    echo "N = $n: $("$BUILD/plat_recheck_bench" "$(workspace "$n")" "$(runs_for "$n")" | tr '\n' ' ')"
    echo
  done
fi

BUILD_ROWS=""
if [[ " $SIZES " == *" $ISSUE_N "* ]] && [ -z "${NO_EMIT:-}" ]; then
  dir=$WORK/ws-$ISSUE_N
  r=${RUNS_BUILD:-5}
  idir=$(workspace "${IDENT_N:-$ISSUE_N}")
  SHM=${SHM:-/dev/shm/platc-bench-$$}
  # One row per target set (the issue's two budgets, then everything) and
  # place: fresh builds into tmpfs (nothing on disk: the compiler's own
  # cost), fresh builds on the disk, and rebuilds on the disk (the previous
  # output in place, so unchanged files are hard-linked). Medians of
  # RUNS_BUILD runs; byte-identity of two fresh builds of IDENT_N
  # declarations (default: the issue workspace itself).
  for targets in k8s,iam sagemaker,airflow all; do
    # `check` again just before, as this group's baseline: on a shared
    # machine the load drifts between the check table and the builds.
    echo "check N=$ISSUE_N again (3 runs), baseline for --target $targets..." >&2
    measure 3 "$PLATC" check "$dir"
    ISSUE_CHECK_WALL=$WALL
    ISSUE_CHECK_CPU=$CPU
    targs=()
    [ "$targets" != all ] && targs+=(--target "$targets")
    for place in tmpfs disk-fresh disk-rebuild; do
      case $place in
        tmpfs) outdir=$SHM/out; PRE_RUN="rm -rf '$SHM'" ;;
        disk-fresh) outdir=$WORK/out-a; PRE_RUN="rm -rf '$WORK/out-a'" ;;
        disk-rebuild) outdir=$WORK/out-a; PRE_RUN="" ;;
      esac
      echo "build N=$ISSUE_N --target $targets, $place ($r runs)..." >&2
      measure "$r" "$PLATC" build "$dir" -o "$outdir" "${targs[@]}"
      PRE_RUN=""
      outfiles=$(find "$outdir" -type f ! -name '.platc-*' | wc -l)
      outbytes=$(find "$outdir" -type f ! -name '.platc-*' -print0 | xargs -0 -r cat | wc -c)
      if [ "$place" = tmpfs ]; then
        rm -rf "$SHM"
        rm -rf "$WORK/id-a" "$WORK/id-b"
        "$PLATC" build "$idir" "${targs[@]}" -o "$WORK/id-a" >/dev/null 2>&1
        "$PLATC" build "$idir" "${targs[@]}" -o "$WORK/id-b" >/dev/null 2>&1
        if diff -r "$WORK/id-a" "$WORK/id-b" >/dev/null; then ident="yes (N=${IDENT_N:-$ISSUE_N})"; else ident="**NO** (N=${IDENT_N:-$ISSUE_N})"; fi
        rm -rf "$WORK/id-a" "$WORK/id-b"
      else
        ident="(as above)"
      fi
      BUILD_ROWS+=$(awk -v n="$ISSUE_N" -v t="$targets" -v pl="$place" -v w="$WALL" -v c="$CPU" -v m="$RSS" -v cw="$ISSUE_CHECK_WALL" \
        -v cc="$ISSUE_CHECK_CPU" -v f="$outfiles" -v ob="$outbytes" -v id="$ident" -v r="$r" 'BEGIN{
        printf "| %d | %s | %s | %.3f / %.3f | %.3f | %.3f | %+.3f | %+.3f | %.0f | %d | %.2f | %s | %d |\n",
          n, t, pl, cw, cc, w, c, w-cw, c-cc, m/1024, f, ob/1e6, id, r }')$'\n'
    done
    rm -rf "$WORK/out-a"
  done
fi
# ---- the disk itself: what creating the same number of files costs with
# nothing but open/write/close (last, because deleting them slows creating
# files on this disk for a while afterwards).
DISK_PROBE=""
if [ -n "$BUILD_ROWS" ]; then
  echo "disk probe..." >&2
  DISK_PROBE=$(python3 - "$WORK/probe" <<'PY'
import os, shutil, sys, time
root = sys.argv[1]
shutil.rmtree(root, ignore_errors=True)
os.makedirs(root)
data = b"x" * 2000
n = 40474
t0 = time.perf_counter(); c0 = os.times()
for i in range(n):
    fd = os.open(f"{root}/f{i:06d}.json", os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
    os.write(fd, data)
    os.close(fd)
t1 = time.perf_counter(); c1 = os.times()
shutil.rmtree(root)
print(f"{n} files of 2 kB created in one folder by a Python loop: {t1 - t0:.2f} s wall, "
      f"{c1.system - c0.system:.2f} s system ({(t1 - t0) / n * 1e6:.0f} µs per file)")
PY
)
fi
LOAD_AFTER=$(cut -d' ' -f1-3 /proc/loadavg)

# ---- report
echo
echo "Load average after: $LOAD_AFTER."
echo
if [ -n "$BUILD_ROWS" ]; then
  cat <<EOF
### platc build -o (all environments; per target set)

Budgets (issue): k8s,iam under 2 s over check; sagemaker,airflow under 1 s over check.

| decls | targets | output to | check wall / CPU s (baseline) | wall median s | CPU median s | wall over check s | CPU over check s | peak RSS MB | output files | output MB | byte-identical across 2 fresh builds | runs |
|---|---|---|---|---|---|---|---|---|---|---|---|---|
${BUILD_ROWS}

Disk probe (same disk, right after): ${DISK_PROBE}

EOF
fi
echo "load+parse is the CPU of reading and parsing every file into the AST (both threads), from \`check --time-phases\`; sema is resolve+types, cross and governance."
