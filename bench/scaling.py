#!/usr/bin/env python3
"""Holds the rule "no pass grows faster than n·log n" (docs/ARCHITECTURE.md):
times `platc check` on inputs of growing size and prints CPU seconds, peak RSS
and the cost per unit (declaration, service, byte), whose growth is what to
watch: flat per-unit figures mean linear work.

    bench/scaling.py                      # everything, with build-bench/platc
    bench/scaling.py --platc PATH         # another binary
    bench/scaling.py --before OLD_PLATC   # also time OLD_PLATC on the stress cases
    bench/scaling.py --only sweep         # or: stress
    bench/scaling.py --sizes 1000,10000 --runs 3

Two parts:

* sweep: N from 1,000 to 100,000 on both generators, the project's
  bench/gen_workspace.py (`--decls N`: services, models, datasets, pipelines,
  agents in three environments, acyclic calls) and the peers' workload
  (bench/peers/gen.py: N services with 0-4 random dependencies each, so the
  call graph is full of cycles, one environment).
* stress: inputs that once took superlinear time, each with its generator
  below and the size the issue measured it at:
    cycles  the peers' workload at 10,000 and 50,000 services (call cycles)
    typos   N services in one package, each calling an unknown name (half
            typos of a declared name, half unlike anything): N "did you mean"s
    policy  a chain of N services and a policy with three nested `all` over
            `reach`
    junk    a file of N bytes of `@ `
  With --before, each is also timed with the older binary (under a CPU limit,
  so a quadratic case cannot run for ever).

CPU = user + sys of the platc process (both parser threads), from wait4, not
wall time: the machine is shared. Peak RSS from the same rusage. Every figure
is the median of --runs runs (RSS: the largest). Inputs are generated into
bench/work/scaling/ (git-ignored) and reused while the generators are
unchanged. platc must exit 0 on the sweep (clean workspaces, warnings
allowed) and 0 or 1 on the stress cases; anything else fails the script.
"""

import argparse
import hashlib
import importlib.util
import os
import resource
import shutil
import statistics
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
WORK = os.path.join(HERE, "work", "scaling")

SWEEP_SIZES = [1000, 3000, 10000, 30000, 100000]


# ---------------------------------------------------------------- measuring

def run_once(platc, args, cpu_limit):
    """Runs platc; returns (exit code, CPU seconds, of which system, peak RSS in MB)."""
    def limit():
        resource.setrlimit(resource.RLIMIT_CPU, (cpu_limit, cpu_limit + 5))
    with open(os.devnull, "wb") as null:
        proc = subprocess.Popen([platc] + args, stdout=null, stderr=null, preexec_fn=limit)
        _, status, usage = os.wait4(proc.pid, 0)
    code = os.waitstatus_to_exitcode(status)
    return code, usage.ru_utime + usage.ru_stime, usage.ru_stime, usage.ru_maxrss / 1024.0


def measure(platc, args, runs, cpu_limit, ok_codes):
    """Median CPU s, median system CPU s and largest peak RSS MB over `runs`
    runs, or None when a run was killed at the CPU limit."""
    cpus, syss, rss = [], [], 0.0
    for _ in range(runs):
        code, cpu, sys_cpu, mb = run_once(platc, args, cpu_limit)
        if code in (-9, -24) or cpu >= cpu_limit:  # SIGKILL / SIGXCPU
            return None
        if code not in ok_codes:
            sys.exit(f"platc exited {code}: {platc} {' '.join(args)}")
        cpus.append(cpu)
        syss.append(sys_cpu)
        rss = max(rss, mb)
    return statistics.median(cpus), statistics.median(syss), rss


# ---------------------------------------------------------------- generators

def stamp_ok(folder, stamp):
    path = os.path.join(folder, ".stamp")
    return os.path.isfile(path) and open(path).read() == stamp


def write_stamp(folder, stamp):
    with open(os.path.join(folder, ".stamp"), "w") as f:
        f.write(stamp)


def file_hash(path):
    return hashlib.sha256(open(path, "rb").read()).hexdigest()[:16]


def source_bytes(folder):
    total = 0
    for base, _, files in os.walk(folder):
        total += sum(os.path.getsize(os.path.join(base, f)) for f in files if f.endswith(".plat"))
    return total


def project_workspace(n):
    gen = os.path.join(HERE, "gen_workspace.py")
    folder = os.path.join(WORK, f"project-{n}")
    stamp = f"{file_hash(gen)} {n}"
    if not stamp_ok(folder, stamp):
        subprocess.run([sys.executable, gen, folder, "--decls", str(n), "--seed", "1"],
                       check=True, stdout=subprocess.DEVNULL)
        write_stamp(folder, stamp)
    return folder


def peers_module():
    spec = importlib.util.spec_from_file_location("peers_gen", os.path.join(HERE, "peers", "gen.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def peers_workspace(n):
    gen = os.path.join(HERE, "peers", "gen.py")
    folder = os.path.join(WORK, f"peers-{n}")
    stamp = f"{file_hash(gen)} {n}"
    if not stamp_ok(folder, stamp):
        peers = peers_module()
        peers.write_plat_workspace(folder, peers.services(n))
        write_stamp(folder, stamp)
    return folder


WORKSPACE = """workspace stress {
  account = "123456789012"
  region = "eu-west-1"
}

environment prod {
  tier = production
}
"""

TEAM = """team web {
  lead = "ana@example.com"
  on_call = "pagerduty:web"
  cost_center = "cc-1"
}
"""


def fresh(folder):
    if os.path.isdir(folder):
        shutil.rmtree(folder)
    os.makedirs(folder)
    with open(os.path.join(folder, "workspace.plat"), "w") as f:
        f.write(WORKSPACE)


def service(name, port, calls):
    body = f"  calls = [{', '.join(calls)}]\n" if calls else ""
    return (f"service {name} {{\n  owner = web\n  image = \"registry.example.com/web/s:1.0.0\"\n"
            f"  port = {port}\n{body}}}\n")


GEN_VERSION = "1"  # bump when a generator below changes


def typos_workspace(n):
    """n services in one package, 50 per file; service i calls either a typo
    of a declared name (`svc_01234x`) or a name unlike any (`unknown_i`)."""
    folder = os.path.join(WORK, f"typos-{n}")
    if stamp_ok(folder, GEN_VERSION):
        return folder
    fresh(folder)
    with open(os.path.join(folder, "teams.plat"), "w") as f:
        f.write(TEAM)
    for start in range(0, n, 50):
        parts = []
        for i in range(start, min(n, start + 50)):
            j = (i * 7919) % n
            bad = f"svc_{j:05d}x" if i % 2 == 0 else f"unknown_{i}"
            parts.append(service(f"svc_{i:05d}", 8000 + i % 1000, [bad]))
        with open(os.path.join(folder, f"s{start // 50:04d}.plat"), "w") as f:
            f.write("\n".join(parts))
    write_stamp(folder, GEN_VERSION)
    return folder


def policy_workspace(n):
    """s0 calls s1 ... calls s(n-1); a policy with three nested `all` over
    `reach` (it holds: ports grow along the chain)."""
    folder = os.path.join(WORK, f"policy-{n}")
    if stamp_ok(folder, GEN_VERSION):
        return folder
    fresh(folder)
    parts = [TEAM] + [service(f"s{i}", 8000 + i, [f"s{i + 1}"] if i + 1 < n else [])
                      for i in range(n)]
    parts.append("""policy ports_grow_along_calls {
  for service s
    require all a in s.reach: all b in a.reach: all c in b.reach: c.port > a.port
    else "`${s.name}` reaches a service whose port does not grow"
}
""")
    with open(os.path.join(folder, "app.plat"), "w") as f:
        f.write("\n".join(parts))
    write_stamp(folder, GEN_VERSION)
    return folder


def junk_workspace(n):
    """A file of n bytes of `@ ` beside the workspace file."""
    folder = os.path.join(WORK, f"junk-{n}")
    if stamp_ok(folder, GEN_VERSION):
        return folder
    fresh(folder)
    with open(os.path.join(folder, "junk.plat"), "w") as f:
        f.write("@ " * (n // 2))
    write_stamp(folder, GEN_VERSION)
    return folder


# ---------------------------------------------------------------- reports

def sweep(platc, sizes, runs, cpu_limit):
    for title, make, unit in (("bench/gen_workspace.py --decls N (3 environments)", project_workspace, "decl"),
                              ("bench/peers/gen.py N (services with random calls, 1 environment)",
                               peers_workspace, "service")):
        print(f"\n### {title}\n")
        print(f"| N | source MB | CPU s | of which sys | peak RSS MB | µs CPU per {unit} | "
              f"KB RSS per {unit} |")
        print("|---|---|---|---|---|---|---|")
        for n in sizes:
            folder = make(n)
            m = measure(platc, ["check", folder], runs, cpu_limit, (0,))
            mb = source_bytes(folder) / 1e6
            if m is None:
                print(f"| {n:,} | {mb:.1f} | > {cpu_limit} (stopped) | | | | |", flush=True)
                continue
            cpu, sys_cpu, rss = m
            print(f"| {n:,} | {mb:.1f} | {cpu:.2f} | {sys_cpu:.2f} | {rss:.0f} | {cpu / n * 1e6:.0f} | "
                  f"{rss * 1024 / n:.1f} |", flush=True)


STRESS = [
    # name, generator, sizes, unit
    ("cycles", peers_workspace, [10000, 50000], "service"),
    ("typos", typos_workspace, [2000, 4000, 16000], "unknown name"),
    ("policy", policy_workspace, [50, 100, 200], "service"),
    ("junk", junk_workspace, [200_000, 400_000, 2_000_000], "byte"),
]


def stress(platc, before, runs, cpu_limit, before_cpu_limit):
    print("\n### Stress cases\n")
    head = "| case | N | CPU s | peak RSS MB | µs CPU per unit |"
    rule = "|---|---|---|---|---|"
    if before:
        head += " before: CPU s | before: peak RSS MB |"
        rule += "---|---|"
    print(head)
    print(rule)
    for name, make, sizes, unit in STRESS:
        for n in sizes:
            folder = make(n)
            m = measure(platc, ["check", folder], runs, cpu_limit, (0, 1))
            row = f"| {name} | {n:,} | "
            if m is None:
                row += f"> {cpu_limit} (stopped) | | |"
            else:
                row += f"{m[0]:.2f} | {m[2]:.0f} | {m[0] / n * 1e6:.1f} per {unit} |"
            if before:
                b = measure(before, ["check", folder], 1, before_cpu_limit, (0, 1))
                row += (f" > {before_cpu_limit} (stopped) | |" if b is None
                        else f" {b[0]:.2f} | {b[2]:.0f} |")
            print(row, flush=True)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--platc", default=os.path.join(ROOT, "build-bench", "platc"))
    ap.add_argument("--before", help="an older platc to time on the stress cases too")
    ap.add_argument("--only", choices=("sweep", "stress"))
    ap.add_argument("--sizes", help="sweep sizes, comma-separated (default: %s)" %
                    ",".join(map(str, SWEEP_SIZES)))
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--cpu-limit", type=int, default=120, help="CPU seconds per run")
    ap.add_argument("--before-cpu-limit", type=int, default=90,
                    help="CPU seconds per run of --before (one run each)")
    args = ap.parse_args()
    if not os.access(args.platc, os.X_OK):
        sys.exit(f"no platc at {args.platc}: build it (bench/run.sh does) or pass --platc")
    os.makedirs(WORK, exist_ok=True)
    sizes = [int(s) for s in args.sizes.split(",")] if args.sizes else SWEEP_SIZES
    print(f"platc: {args.platc}" + (f"; before: {args.before}" if args.before else ""))
    print(f"CPU = user + sys, median of {args.runs} runs; RSS = largest peak")
    if args.only != "stress":
        sweep(args.platc, sizes, args.runs, args.cpu_limit)
    if args.only != "sweep":
        stress(args.platc, args.before, args.runs, args.cpu_limit, args.before_cpu_limit)


if __name__ == "__main__":
    main()
