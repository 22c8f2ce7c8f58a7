#!/usr/bin/env python3
"""Generate a synthetic, valid Plat workspace for benchmarking platc.

    bench/gen_workspace.py OUT_DIR --decls 18200 [--seed 1]
    bench/gen_workspace.py OUT_DIR --services 100 --models 20 --datasets 50 \
        --pipelines 10 --agents 2 [--seed 1]

`--decls N` splits N in the proportions 10,000 services : 2,000 models :
5,000 datasets : 1,000 pipelines : 200 agents, so `--decls 18200` is the
issue's workspace. Explicit per-kind counts override the split.

The workspace has a root `workspace.plat` (workspace + environments dev,
staging, prod), a `teams` package (one team per domain plus a platform team),
a `platform` package with the golden-path service template, and one package
per domain (`<ws>.<domain>`, folder `<domain>/`) holding that domain's
declarations, at most `--per-file` (default 50) per file, one kind per file.

References are realistic but always valid:
- services call services with a lower index (same or previous domain, so the
  call graph is acyclic) that have a port, and served models;
- models are trained on 1-2 datasets and name 2-4 numeric feature columns of
  them plus a numeric label; `retrain_on` names a trained-on dataset that some
  pipeline writes;
- pipelines have 2-4 tasks in a DAG, read raw datasets or datasets written by
  an earlier pipeline, and write 1-2 datasets; every dataset has at most one
  writer;
- agents have `may` lists over their own domain, `human_approval` for writes
  and quotas;
- services extend domain templates, which extend the platform template; some
  have `env` overrides, a few are limited to dev+staging (and nothing depends
  on those).

Output is deterministic for a given seed and set of counts (files are written
in sorted order with fixed content; no timestamps).
"""
import argparse
import os
import random
import shutil
import sys

RATIO = {"services": 10000, "models": 2000, "datasets": 5000, "pipelines": 1000, "agents": 200}
DOMAIN_WORDS = [
    "payments", "fraud", "search", "catalog", "checkout", "ads", "growth", "identity",
    "logistics", "pricing", "inventory", "support", "billing", "risk", "messaging",
    "recommend", "media", "maps", "security", "finance", "hr", "sales", "marketing", "infra",
]
NUMERIC = ["int", "long", "float", "double", "decimal"]
TRAIN_INSTANCES = ["ml.m5.large", "ml.m5.xlarge", "ml.c5.xlarge"]
SERVE_INSTANCES = ["ml.c5.large", "ml.c5.xlarge", "ml.m5.large"]
FRAMEWORKS = ['xgboost("1.7-1")', 'xgboost("1.5-1")', 'sklearn("1.2-1")']


def split_decls(n):
    total = sum(RATIO.values())
    counts = {k: n * v // total for k, v in RATIO.items()}
    # Hand the rounding remainder to services, the largest share.
    counts["services"] += n - sum(counts.values())
    return counts


class Decl:

    def __init__(self, kind, name, domain, index):
        self.kind, self.name, self.domain, self.index = kind, name, domain, index
        self.text = ""
        self.imports = set()


class Gen:
    def __init__(self, args):
        self.a = args
        self.ws = args.name
        self.rng = random.Random(args.seed)
        total = args.services + args.models + args.datasets + args.pipelines + args.agents
        self.ndomains = max(3, min(200, -(-total // 1000)))
        self.domains = []
        for i in range(self.ndomains):
            w = DOMAIN_WORDS[i % len(DOMAIN_WORDS)]
            self.domains.append(w if i < len(DOMAIN_WORDS) else f"{w}{i // len(DOMAIN_WORDS)}")
        self.decls = []  # every generated declaration (not teams/templates)
        self.by_domain = {d: {k: [] for k in RATIO} for d in self.domains}

    # ------------------------------------------------------------ helpers
    def pkg(self, domain):
        return f"{self.ws}.{domain}"

    def ref(self, frm_domain, target, imports):
        """A reference to `target` from a file in package `frm_domain`."""
        if target.domain == frm_domain:
            return target.name
        imports.add(f"import {self.pkg(target.domain)}")
        return f"{target.domain}.{target.name}"

    def item_ref(self, frm_domain, target, imports):
        """A reference through a single-declaration import (`import ws.dom.name`)."""
        if target.domain == frm_domain:
            return target.name
        imports.add(f"import {self.pkg(target.domain)}.{target.name}")
        return target.name

    def team(self, domain, imports):
        imports.add(f"import {self.ws}.teams")
        return f"teams.{domain}_team"

    def assign(self, kind, count, prefix):
        out = []
        for i in range(count):
            d = self.domains[i % self.ndomains]
            decl = Decl(kind, f"{prefix}_{d}_{i:05d}", d, i)
            self.by_domain[d][kind].append(decl)
            out.append(decl)
        return out

    # ------------------------------------------------------------ kinds
    def gen(self):
        rng = self.rng
        a = self.a
        datasets = self.assign("datasets", a.datasets, "ds")
        pipelines = self.assign("pipelines", a.pipelines, "pl")
        models = self.assign("models", a.models, "ml")
        services = self.assign("services", a.services, "svc")
        agents = self.assign("agents", a.agents, "agent")

        # ---- datasets: schemas with numeric columns; a few carry pii.
        self.columns = {}
        self.pii = set()
        for ds in datasets:
            cols = [("id", "string"), ("ts", "timestamp")]
            for c in range(rng.randint(3, 6)):
                cols.append((f"f{c}", rng.choice(NUMERIC)))
            cols.append(("category", "string"))
            is_pii = rng.random() < 0.05
            if is_pii:
                self.pii.add(ds.name)
            self.columns[ds.name] = cols
            ds._cls = "pii" if is_pii else rng.choice(["internal", "internal", "confidential"])

        # ---- pipelines: each writes 1-2 datasets of its domain that no one
        # else writes; reads raw datasets or ones written by earlier pipelines.
        self.writer = {}
        for d in self.domains:
            pool = [x for x in self.by_domain[d]["datasets"] if x.name not in self.pii]
            rng.shuffle(pool)
            self.by_domain[d]["_unwritten"] = pool
        written_before = {d: [] for d in self.domains}
        for p in pipelines:
            d = p.domain
            pool = self.by_domain[d]["_unwritten"]
            writes = [pool.pop() for _ in range(min(len(pool), rng.randint(1, 2)))]
            raw = [x for x in self.by_domain[d]["datasets"]
                   if x.name not in self.writer and x not in writes and x.name not in self.pii]
            candidates = written_before[d][-20:] + raw[:40]
            reads = rng.sample(candidates, min(len(candidates), rng.randint(1, 2)))
            # One pipeline in five also reads a raw dataset of the previous
            # domain, through a single-declaration import.
            di = self.domains.index(d)
            if di > 0 and rng.random() < 0.2:
                other = [x for x in self.by_domain[self.domains[di - 1]]["datasets"]
                         if x.name not in self.pii][:40]
                if other:
                    reads.append(rng.choice(other))
            for w in writes:
                self.writer[w.name] = p
            p._reads, p._writes, p._pii = reads, writes, []
            written_before[d].extend(writes)

        # Half of the pii datasets are read by a pipeline of their domain
        # that de-identifies the pii column (and is in gdpr scope).
        for ds in datasets:
            pls = self.by_domain[ds.domain]["pipelines"]
            if ds.name in self.pii and pls and rng.random() < 0.5:
                rng.choice(pls)._pii.append(ds)
        for p in pipelines:
            p.text = self.pipeline(p)

        # ---- models
        for m in models:
            m.text = self.model(m)
        # ---- services (after models: calls need to know which are served)
        for s in services:
            s.text = self.service(s)
        for ag in agents:
            ag.text = self.agent(ag)
        # Classification flows from what is read to what is written (by
        # pipelines and agents): declare written datasets at least as
        # sensitive as their inputs (de-identified pii inputs do not count).
        # Models inherit from what they are trained on, services from what
        # they read and call, agents from what they read and invoke.
        order = ["public", "internal", "confidential", "pii"]
        for x in models + services + pipelines + agents:
            x._cls = "public"
        inputs = {}
        for m in models:
            inputs[m.name] = m._inputs
        for sv in services:
            inputs[sv.name] = sv._inputs
        for p in pipelines:
            inputs[p.name] = p._reads
            for w in p._writes:
                inputs.setdefault(w.name, []).append(p)
        for ag in agents:
            inputs[ag.name] = ag._inputs
            for w in ag._writes:
                inputs.setdefault(w.name, []).append(ag)
        nodes = [x for x in datasets + models + services + pipelines + agents if x.name in inputs]
        changed = True
        while changed:
            changed = False
            for x in nodes:
                for i in inputs[x.name]:
                    if order.index(i._cls) > order.index(x._cls):
                        x._cls, changed = i._cls, True
        for ds in datasets:
            ds.text = self.dataset(ds)
        return datasets + pipelines + models + services + agents

    def dataset(self, ds):
        imp = ds.imports
        lines = [f"/// Synthetic dataset {ds.index} of {ds.domain}.", f"dataset {ds.name} {{",
                 f"  owner          = {self.team(ds.domain, imp)}",
                 f'  location       = s3("{self.ws}-lake", "{ds.domain}/{ds.name}/")',
                 f"  format         = {self.rng.choice(['parquet', 'parquet', 'delta', 'avro'])}",
                 f"  classification = {ds._cls}"]
        if ds.name in self.pii:
            lines.append("  compliance     = [gdpr]")
        lines.append("  schema {")
        for c, t in self.columns[ds.name]:
            lines.append(f"    {c} : {t}")
        if ds.name in self.pii:
            lines.append("    email : string @pii")
        lines.append("  }")
        lines.append(f"  retention = {self.rng.choice([30, 90, 400])}d")
        lines.append("}")
        return "\n".join(lines)

    def pipeline(self, p):
        rng = self.rng
        imp = p.imports
        ntasks = rng.randint(2, 4)
        names = ["extract", "clean", "transform", "load"][:ntasks]
        lines = [f"pipeline {p.name} {{", f"  owner    = {self.team(p.domain, imp)}",
                 f'  schedule = "{rng.choice(["@hourly", "@daily", "0 3 * * *", "*/15 * * * *"])}"',
                 f'  image    = "registry.{self.ws}.example/{p.domain}/etl:{rng.randint(1, 9)}.{rng.randint(0, 20)}.0"',
                 f"  retries  = {rng.randint(0, 5)}"]
        if p._pii:
            lines.append("  compliance = [gdpr]")
        for i, t in enumerate(names):
            body = []
            if i == 1:
                body.append("after = [extract]")
            elif i == 2:
                body.append(f"after = [{rng.choice(['extract, clean', 'clean'])}]")
            elif i == 3:
                body.append("after = [transform]")
            if i == 0 and (p._reads or p._pii):
                body.append("reads = [" + ", ".join(self.item_ref(p.domain, r, imp) for r in p._reads + p._pii) + "]")
                if p._pii:
                    body.append("deidentifies = [" + ", ".join(f"{r.name}.email" for r in p._pii) + "]")
            if i == ntasks - 1 and p._writes:
                body.append("writes = [" + ", ".join(self.ref(p.domain, w, imp) for w in p._writes) + "]")
            if i > 0:
                body.append(f"resources = {{ cpu = {rng.choice(['250m', '500m', '1', '2'])}, memory = {rng.choice(['512Mi', '1Gi', '4Gi'])} }}")
            lines.append(f"  task {t} {{")
            for b in body:
                lines.append(f"    {b}")
            lines.append(f'    command = ["run", "{t}", "--pipeline", "{p.name}"]')
            lines.append("  }")
        lines.append("}")
        return "\n".join(lines)

    def model(self, m):
        rng = self.rng
        imp = m.imports
        d = m.domain
        dsets = [x for x in self.by_domain[d]["datasets"] if x.name not in self.pii]
        if not dsets:  # tiny workspaces: borrow from any domain
            dsets = [x for dd in self.domains for x in self.by_domain[dd]["datasets"]
                     if x.name not in self.pii]
        written = [x for x in dsets if x.name in self.writer]
        trained = [rng.choice(written)] if written else []
        want = rng.randint(1, 2)
        for x in rng.sample(dsets, min(len(dsets), 3)):
            if len(trained) >= want:
                break
            if x not in trained:
                trained.append(x)
        feats = []
        for t in trained:
            for c, ty in self.columns[t.name]:
                if ty in NUMERIC:
                    feats.append((t, c))
        rng.shuffle(feats)
        label = feats.pop()
        feats = feats[: rng.randint(2, 4)]
        r = lambda x: self.ref(d, x, imp)
        m._served = rng.random() < 0.7
        lines = [f"model {m.name} {{", f"  owner      = {self.team(d, imp)}",
                 f"  framework  = {rng.choice(FRAMEWORKS)}",
                 "  trained_on = [" + ", ".join(r(t) for t in trained) + "]",
                 "  features   = [" + ", ".join(f"{r(t)}.{c}" for t, c in feats) + "]",
                 f"  label      = {r(label[0])}.{label[1]}",
                 f"  hyperparameters = {{ max_depth = {rng.randint(3, 10)}, eta = 0.{rng.randint(1, 5)} }}"]
        m._inputs = list(trained)
        retrain = [t for t in trained if t.name in self.writer]
        train = f'  train {{ instance = "{rng.choice(TRAIN_INSTANCES)}"  count = {rng.randint(1, 4)}  max_runtime = {rng.randint(1, 12)}h'
        if retrain:
            train += f"  retrain_on = [{r(retrain[0])}]"
        lines.append(train + " }")
        if m._served:
            lo = rng.randint(1, 3)
            lines.append(f'  serve {{ instance = "{rng.choice(SERVE_INSTANCES)}"  replicas = {lo}..{lo + rng.randint(0, 8)} }}')
            if rng.random() < 0.3:
                lines.append("  env dev { serve { replicas = 1..1 } }")
        lines.append("}")
        return "\n".join(lines)

    def service(self, s):
        rng = self.rng
        imp = s.imports
        d = s.domain
        di = self.domains.index(d)
        prev = self.domains[di - 1] if di > 0 else None
        s._sandbox = rng.random() < 0.05
        s._port = s._sandbox or rng.random() < 0.95
        # Candidates: lower-index services with a port (same/previous domain),
        # served models; never sandbox services (they exist only in dev+staging).
        callees = []
        pools = [self.by_domain[d]["services"]] + ([self.by_domain[prev]["services"]] if prev else [])
        for pool in pools:
            cands = [x for x in pool if x.index < s.index and getattr(x, "_port", False)
                     and not getattr(x, "_sandbox", True)]
            cands = cands[-30:]
            callees += rng.sample(cands, min(len(cands), rng.randint(0, 2)))
        served = [x for x in self.by_domain[d]["models"] if getattr(x, "_served", False)]
        if served and rng.random() < 0.4:
            callees.append(rng.choice(served))
        s._inputs = list(callees)
        lines = []
        tmpl = rng.random()
        ext = ""
        if tmpl < 0.4:
            ext = f" extends {d}_web"
        elif tmpl < 0.6:
            ext = f" extends {d}_api"
        lines.append(f"service {s.name}{ext} {{")
        lines.append(f"  owner    = {self.team(d, imp)}")
        lines.append(f'  image    = "registry.{self.ws}.example/{d}/{s.name.replace("_", "-")}:{rng.randint(1, 9)}.{rng.randint(0, 30)}.{rng.randint(0, 9)}"')
        if not ext:
            if s._port:
                lines.append(f"  port     = {rng.choice([8080, 8443, 9000, 3000])}")
            lo = rng.randint(1, 4)
            lines.append(f"  replicas = {lo}..{lo + rng.randint(0, 16)}")
            lines.append(f"  resources = {{ cpu = {rng.choice(['100m', '250m', '500m', '1', '2'])}, memory = {rng.choice(['128Mi', '256Mi', '512Mi', '1Gi', '2Gi'])} }}")
        if callees:
            lines.append("  calls    = [" + ", ".join(self.ref(d, c, imp) for c in callees) + "]")
        dsets = self.by_domain[d]["datasets"]
        if dsets and rng.random() < 0.3:
            x = rng.choice(dsets)
            if x.name not in self.pii:
                lines.append(f"  reads    = [{self.ref(d, x, imp)}]")
                s._inputs.append(x)
        if rng.random() < 0.5:
            lines.append(f'  config   = {{ LOG_LEVEL = "{rng.choice(["info", "debug", "warn"])}", REGION = "eu-west-1" }}')
        if rng.random() < 0.1:
            lines.append("  expose   = public")
            lines.append("  tls      = true")
        if s._sandbox:
            lines.append(f"  environments = [{self.ws}.dev, {self.ws}.staging]")
        else:
            r = rng.random()
            if r < 0.3:
                lo = rng.randint(3, 6)
                lines.append(f"  env prod {{ replicas = {lo}..{lo * 8} }}")
            elif r < 0.4:
                lines.append("  env dev { replicas = 1..1  resources = { cpu = 100m, memory = 128Mi } }")
                lines.append('  env staging { config = { LOG_LEVEL = "debug" } }')
        lines.append("}")
        return "\n".join(lines)

    def agent(self, ag):
        rng = self.rng
        imp = ag.imports
        d = ag.domain
        bd = self.by_domain[d]
        inv = [x for x in bd["services"] if not x._sandbox and x._port][:50]
        inv = rng.sample(inv, min(len(inv), rng.randint(1, 3)))
        inv += rng.sample([m for m in bd["models"] if m._served][:20], min(1, len([m for m in bd["models"] if m._served])))
        safe = [x for x in bd["datasets"] if x.name not in self.pii]
        reads = rng.sample(safe, min(len(safe), rng.randint(1, 3)))
        writes = rng.sample(safe, 1) if safe and rng.random() < 0.3 else []
        ag._reads, ag._writes, ag._inputs = reads, writes, reads + inv
        trig = rng.sample(bd["pipelines"], min(len(bd["pipelines"]), rng.randint(0, 1)))
        r = lambda x: self.ref(d, x, imp)
        lines = [f"agent {ag.name} {{", f"  owner = {self.team(d, imp)}",
                 '  foundation_model = "anthropic.claude-3-5-sonnet"', "  may {"]
        lines.append("    invoke  = [" + ", ".join(r(x) for x in inv) + "]")
        lines.append("    read    = [" + ", ".join(r(x) for x in reads) + "]")
        if writes:
            lines.append("    write   = [" + ", ".join(r(x) for x in writes) + "]")
        if trig:
            lines.append("    trigger = [" + ", ".join(r(x) for x in trig) + "]")
        lines.append("  }")
        if writes:
            lines.append("  human_approval = [write]")
        lines.append(f"  quota {{ requests = {rng.choice(['1_000', '10_000', '50_000'])}/day  "
                     f"tokens = {rng.choice(['1_000_000', '5_000_000'])}/day  spend = {rng.choice([50, 200, 1000])} usd/month }}")
        lines.append("}")
        return "\n".join(lines)

    # ------------------------------------------------------------ files
    def write(self, out):
        files = {}
        files["workspace.plat"] = "\n".join([
            f"package {self.ws}", "",
            f"workspace {self.ws} {{",
            '  account = "123456789012"',
            '  region  = "eu-west-1"',
            f'  cluster = "{self.ws}-eks"',
            f'  artifact_bucket = "{self.ws}-artifacts"',
            "}", "",
            "environment dev {}",
            "environment staging { tier = staging }",
            "environment prod { tier = production }", ""])
        t = [f"package {self.ws}.teams", ""]
        for i, d in enumerate(["platform"] + self.domains):
            t += [f"team {d}_team {{", f'  lead        = "lead-{d}@{self.ws}.example"',
                  f'  members     = ["a-{d}@{self.ws}.example", "b-{d}@{self.ws}.example"]',
                  f'  cost_center = "CC-{1000 + i}"', f'  on_call     = "pagerduty:{d}"',
                  "  budget      = 50_000_000 usd/month",
                  f'  channel     = "#{d}"', "}", ""]
        files["teams/teams.plat"] = "\n".join(t)
        files["platform/templates.plat"] = "\n".join([
            f"package {self.ws}.platform", "",
            "/// The golden path for HTTP services.",
            "template service golden_web {",
            "  port      = 8080",
            "  replicas  = 2..10",
            "  resources = { cpu = 250m, memory = 256Mi }",
            '  health    = "/healthz"',
            "  env prod { replicas = 3..30 }",
            "}", ""])
        for d in self.domains:
            files[f"{d}/templates.plat"] = "\n".join([
                f"package {self.pkg(d)}", "", f"import {self.ws}.platform", "",
                f"template service {d}_web extends platform.golden_web {{",
                "  resources = { cpu = 500m, memory = 512Mi }",
                "}", "",
                f"template service {d}_api extends {d}_web {{",
                '  health = "/ready"', "  audit_logging = true",
                "}", ""])
            for kind in RATIO:
                items = self.by_domain[d][kind]
                for fi in range(0, len(items), self.a.per_file):
                    chunk = items[fi:fi + self.a.per_file]
                    imports = sorted(set().union(*(c.imports for c in chunk)))
                    body = "\n\n".join(c.text for c in chunk)
                    files[f"{d}/{kind}_{fi // self.a.per_file:04d}.plat"] = (
                        f"package {self.pkg(d)}\n\n" + "\n".join(imports) + "\n\n" + body + "\n")
        if os.path.exists(out):
            shutil.rmtree(out)
        total = 0
        for path in sorted(files):
            full = os.path.join(out, path)
            os.makedirs(os.path.dirname(full), exist_ok=True)
            with open(full, "w", newline="\n") as f:
                f.write(files[path])
            total += len(files[path].encode())
        return len(files), total


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("out")
    ap.add_argument("--decls", type=int, help="total declarations, split 10000:2000:5000:1000:200")
    for k in RATIO:
        ap.add_argument(f"--{k}", type=int)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--per-file", type=int, default=50)
    ap.add_argument("--name", default="bench", help="workspace / root package name")
    a = ap.parse_args()
    counts = split_decls(a.decls) if a.decls is not None else {k: 0 for k in RATIO}
    for k in RATIO:
        if getattr(a, k) is not None:
            counts[k] = getattr(a, k)
        setattr(a, k, counts[k])
    if sum(counts.values()) == 0:
        ap.error("give --decls N or per-kind counts")
    if counts["models"] and not counts["datasets"]:
        ap.error("models need datasets")
    g = Gen(a)
    decls = g.gen()
    nfiles, nbytes = g.write(a.out)
    print(f"{a.out}: {len(decls)} declarations ({', '.join(f'{k}={v}' for k, v in counts.items())}), "
          f"{len(g.domains)} domains, {nfiles} files, {nbytes / 1e6:.2f} MB", file=sys.stderr)


if __name__ == "__main__":
    main()
