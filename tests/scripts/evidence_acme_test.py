#!/usr/bin/env python3
"""`platc evidence --profile pci examples/acme` lists every PCI rule with its evidence.

    evidence_acme_test.py --platc BIN --workspace examples/acme --stdlib stdlib \
        --expected tests/golden/evidence/acme_pci.md      [--update or PLAT_UPDATE=1]

Checks the JSON report: every policy of stdlib/compliance with `profile = pci`
is listed, each with at least one declaration in scope, every result passed,
and every control that lists no generated object says why. Then compares the
markdown report with the reviewed copy EXPECTED (rewritten in update mode:
read the diff like any golden file). The workspace is copied outside git first.
"""

import argparse
import difflib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile


def run(platc, ws, fmt):
    proc = subprocess.run([platc, "evidence", ws, "--profile", "pci", "--format", fmt, "--color", "never"],
                          capture_output=True, text=True, timeout=300)
    if proc.returncode != 0:
        sys.stderr.write(proc.stderr)
        sys.exit("FAIL: platc evidence exited %d" % proc.returncode)
    return proc.stdout


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--platc", required=True)
    ap.add_argument("--workspace", required=True)
    ap.add_argument("--stdlib", required=True)
    ap.add_argument("--expected", required=True)
    ap.add_argument("--update", action="store_true")
    args = ap.parse_args()
    update = args.update or os.environ.get("PLAT_UPDATE") == "1"

    rules = set()
    folder = os.path.join(args.stdlib, "compliance")
    for name in os.listdir(folder):
        with open(os.path.join(folder, name), encoding="utf-8") as f:
            text = f.read()
        for m in re.finditer(r"^policy (\w+) \{\n  profile = pci\n", text, re.M):
            rules.add(m.group(1))
    if not rules:
        sys.exit("FAIL: no PCI rule found in %s" % folder)

    failures = []
    with tempfile.TemporaryDirectory(prefix="plat-evidence-") as tmp:
        ws = os.path.join(tmp, "ws")
        shutil.copytree(args.workspace, ws)
        report = json.loads(run(args.platc, ws, "json"))
        markdown = run(args.platc, ws, "markdown")
    listed = {r["policy"]: r for r in report["rules"]}
    for rule in sorted(rules - set(listed)):
        failures.append("PCI rule %s is not in the report" % rule)
    for name in sorted(rules & set(listed)):
        r = listed[name]
        if not r["declarations"]:
            failures.append("PCI rule %s has no declaration in scope in the example" % name)
        for d in r["declarations"]:
            if d["result"] != "passed":
                failures.append("%s: %s %s" % (name, d["declaration"], d["result"]))
            if not d["controls"]:
                failures.append("%s: %s shows no control" % (name, d["declaration"]))
            for c in d["controls"]:
                if not c["objects"] and not c.get("note"):
                    failures.append("%s: %s: control %s has no object and no note" %
                                    (name, d["declaration"], c["control"]))

    if update:
        with open(args.expected, "w", encoding="utf-8") as f:
            f.write(markdown)
        print("updated %s" % args.expected)
    else:
        with open(args.expected, encoding="utf-8") as f:
            expected = f.read()
        if expected != markdown:
            sys.stdout.writelines(difflib.unified_diff(expected.splitlines(True), markdown.splitlines(True),
                                                       "expected", "actual"))
            failures.append("the markdown report differs from %s (PLAT_UPDATE=1 rewrites it)" % args.expected)
    for f in failures:
        print("FAIL: " + f)
    if failures:
        return 1
    print("ok: %d PCI rules with their evidence" % len(rules))
    return 0


if __name__ == "__main__":
    sys.exit(main())
