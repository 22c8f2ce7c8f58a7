#!/usr/bin/env python3
# Copied unchanged (apart from this comment) on 2026-12-02 from the peer harness,
# /work/shared/bench-peers/gen.py on the project's benchmark machine (see its
# README.md and RESULTS.md there: the same workload in Pkl, jsonnet, CUE and
# Dhall). A clone of this repository has no ../shared, so bench/scaling.py uses
# this copy; it writes into bench/peers/inputs/ (git-ignored).
"""Generate the peer-benchmark input: N services, written in each peer's native form.

Usage: python3 gen.py [--plat-envs K] N [N ...]
  writes inputs/services-N.{json,pkl,cue,dhall,main.dhall,plat} and the Plat workspace folder
  inputs/services-N-plat/ (real Plat, checked by `platc check`; see write_plat_workspace).
  `services-N.plat` is the single-file, illustrative syntax the C++ anchors in ../limits read
  (written before the language existed; platc does not accept it).

The service list is deterministic for a given N (seeded PRNG), so every peer
sees exactly the same data.  Fields per service:
  name, image, port, minReplicas, maxReplicas, cpu, memory, team, deps (names of
  other services; 0..4 of them).
"""
import json
import os
import random
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "inputs")

CPUS = ["100m", "250m", "500m", "1", "2"]
MEMS = ["128Mi", "256Mi", "512Mi", "1Gi", "2Gi"]


def services(n):
    rnd = random.Random(1234 + n)
    out = []
    for i in range(n):
        name = "svc-%05d" % i
        team = "team-%02d" % (i % 37)
        lo = 1 + rnd.randrange(3)
        hi = lo + rnd.randrange(1, 10)
        k = rnd.randrange(5) if n > 1 else 0
        deps = sorted({"svc-%05d" % rnd.randrange(n) for _ in range(k)} - {name})
        out.append({
            "name": name,
            "image": "registry.example.com/%s/%s:1.%d.%d" % (team, name, i % 7, i % 13),
            "port": 8000 + (i % 1000),
            "minReplicas": lo,
            "maxReplicas": hi,
            "cpu": CPUS[i % len(CPUS)],
            "memory": MEMS[(i // 5) % len(MEMS)],
            "team": team,
            "deps": deps,
        })
    return out


def q(s):
    # all generated strings are [A-Za-z0-9./:-], so plain quoting is valid in every language here
    return '"' + s + '"'


def write_json(path, svcs):
    with open(path, "w") as f:
        json.dump(svcs, f, indent=1)
        f.write("\n")


def write_pkl(path, svcs):
    with open(path, "w") as f:
        f.write('amends "../pkl/k8s.pkl"\n\nservices {\n')
        for s in svcs:
            f.write("  new {\n")
            f.write("    name = %s\n    image = %s\n    port = %d\n" % (q(s["name"]), q(s["image"]), s["port"]))
            f.write("    minReplicas = %d\n    maxReplicas = %d\n" % (s["minReplicas"], s["maxReplicas"]))
            f.write("    cpu = %s\n    memory = %s\n    team = %s\n" % (q(s["cpu"]), q(s["memory"]), q(s["team"])))
            f.write("    deps { %s }\n" % " ".join(q(d) for d in s["deps"]))
            f.write("  }\n")
        f.write("}\n")


def write_cue(path, svcs):
    with open(path, "w") as f:
        f.write("services: [\n")
        for s in svcs:
            f.write("\t{name: %s, image: %s, port: %d, minReplicas: %d, maxReplicas: %d, "
                    "cpu: %s, memory: %s, team: %s, deps: [%s]},\n" % (
                        q(s["name"]), q(s["image"]), s["port"], s["minReplicas"], s["maxReplicas"],
                        q(s["cpu"]), q(s["memory"]), q(s["team"]), ", ".join(q(d) for d in s["deps"])))
        f.write("]\n")


def write_dhall(path, svcs):
    with open(path, "w") as f:
        f.write("let Service = ../dhall/Service.dhall\n\nin  [ ")
        first = True
        for s in svcs:
            if not first:
                f.write("    , ")
            first = False
            deps = "[ %s ]" % ", ".join(q(d) for d in s["deps"]) if s["deps"] else "([] : List Text)"
            f.write("{ name = %s, image = %s, port = %d, minReplicas = %d, maxReplicas = %d, "
                    "cpu = %s, memory = %s, team = %s, deps = %s }\n" % (
                        q(s["name"]), q(s["image"]), s["port"], s["minReplicas"], s["maxReplicas"],
                        q(s["cpu"]), q(s["memory"]), q(s["team"]), deps))
        if first:
            f.write("] : List Service\n")
        else:
            f.write("    ] : List Service\n")


def write_plat(path, svcs):
    # Illustrative pre-language syntax, used only by the C++ sketches in ../limits (not real Plat).
    with open(path, "w") as f:
        for s in svcs:
            f.write("service %s {\n" % s["name"].replace("-", "_"))
            f.write("  image = %s\n  port = %d\n" % (q(s["image"]), s["port"]))
            f.write("  replicas { min = %d max = %d }\n" % (s["minReplicas"], s["maxReplicas"]))
            f.write("  resources { cpu = %s memory = %s }\n" % (s["cpu"], s["memory"]))
            f.write("  team = %s\n" % q(s["team"]))
            f.write("  depends_on = [%s]\n" % ", ".join(d.replace("-", "_") for d in s["deps"]))
            f.write("}\n\n")


PLAT_PER_FILE = 50  # declarations per file, as in the project's own bench/gen_workspace.py


def plat_ident(s):
    return s.replace("-", "_")


def write_plat_workspace(root, svcs, envs=1):
    """The same services as a Plat workspace, laid out the way a team would write it:

      workspace.plat        workspace `peers` + the environment(s): `prod` (tier production);
                            with envs=3 also `dev` and `staging` (namespace suffixes -dev, -staging)
      teams/teams.plat      package peers.teams: one team per distinct `team` (team-00 -> team_00)
      team_XX/services_NNNN.plat
                            package peers.team_XX: that team's services, PLAT_PER_FILE per file,
                            in input order; `calls` = deps (same package: bare name; other team:
                            `import peers.team_YY`, then `team_YY.svc_NNNNN`)

    Plat names are identifiers, so `-` becomes `_`; platc writes them back with `-`
    (svc_00012 -> svc-00012, namespace team_12 -> team-12), the names the peers use.
    """
    import shutil
    if os.path.isdir(root):
        shutil.rmtree(root)
    os.makedirs(root)
    ws = "peers"
    lines = ["// Generated by gen.py: the peer workload as a Plat workspace.", "",
             "package %s" % ws, "",
             "workspace %s {" % ws,
             '  account = "123456789012"',
             '  region = "eu-west-1"',
             '  cluster = "peers"',
             "}", ""]
    if envs == 3:
        lines += ['environment dev {', '  tier = development', '  namespace_suffix = "-dev"', '}', '',
                  'environment staging {', '  tier = staging', '  namespace_suffix = "-staging"', '}', '']
    elif envs != 1:
        raise SystemExit("--plat-envs must be 1 or 3")
    lines += ["environment prod {", "  tier = production", "}", ""]
    with open(os.path.join(root, "workspace.plat"), "w") as f:
        f.write("\n".join(lines))
    team_of = {s["name"]: plat_ident(s["team"]) for s in svcs}
    teams = sorted(set(team_of.values()))
    os.makedirs(os.path.join(root, "teams"))
    with open(os.path.join(root, "teams", "teams.plat"), "w") as f:
        f.write("package %s.teams\n" % ws)
        for i, t in enumerate(teams):
            f.write('\nteam %s {\n  lead = "lead@%s.example"\n  on_call = "pagerduty:%s"\n'
                    '  cost_center = "CC-%d"\n}\n' % (t, t.replace("_", "-"), t.replace("_", "-"), 1000 + i))
    by_team = {t: [] for t in teams}
    for s in svcs:
        by_team[team_of[s["name"]]].append(s)
    for t in teams:
        os.makedirs(os.path.join(root, t))
        items = by_team[t]
        for fi in range(0, len(items), PLAT_PER_FILE):
            imports = {"import %s.teams" % ws}
            body = []
            for s in items[fi:fi + PLAT_PER_FILE]:
                calls = []
                for d in s["deps"]:
                    dt = team_of[d]
                    if dt == t:
                        calls.append(plat_ident(d))
                    else:
                        imports.add("import %s.%s" % (ws, dt))
                        calls.append("%s.%s" % (dt, plat_ident(d)))
                b = ["service %s {" % plat_ident(s["name"]),
                     "  owner = teams.%s" % t,
                     "  image = %s" % q(s["image"]),
                     "  port = %d" % s["port"],
                     "  replicas = %d..%d" % (s["minReplicas"], s["maxReplicas"]),
                     "  resources = { cpu = %s, memory = %s }" % (s["cpu"], s["memory"])]
                if calls:
                    b.append("  calls = [%s]" % ", ".join(calls))
                b.append("}")
                body.append("\n".join(b))
            with open(os.path.join(root, t, "services_%04d.plat" % (fi // PLAT_PER_FILE)), "w") as f:
                f.write("package %s.%s\n\n%s\n\n%s\n" % (ws, t, "\n".join(sorted(imports)), "\n\n".join(body)))


def main():
    args = sys.argv[1:]
    envs = 1
    if args[:1] == ["--plat-envs"] and len(args) >= 2:
        envs = int(args[1])
        args = args[2:]
    if not args:
        sys.exit(__doc__)
    os.makedirs(OUT, exist_ok=True)
    for arg in args:
        n = int(arg)
        svcs = services(n)
        base = os.path.join(OUT, "services-%d" % n)
        write_json(base + ".json", svcs)
        write_pkl(base + ".pkl", svcs)
        write_cue(base + ".cue", svcs)
        write_dhall(base + ".dhall", svcs)
        with open(base + ".main.dhall", "w") as f:  # entry point: program applied to this input
            f.write("../dhall/k8s.dhall ./services-%d.dhall\n" % n)
        write_plat(base + ".plat", svcs)
        write_plat_workspace(base + "-plat" + ("" if envs == 1 else "-%denvs" % envs), svcs, envs)
        print("wrote %s.{json,pkl,cue,dhall,plat} and %s-plat%s/ (%d services)" % (
            os.path.relpath(base, HERE), os.path.relpath(base, HERE), "" if envs == 1 else "-%denvs" % envs, n))


if __name__ == "__main__":
    main()
