#!/usr/bin/env python3
"""Property: adding an unrelated declaration to a workspace never changes the
findings about the other declarations.

For every workspace in the corpus (examples/acme and the inputs of the golden
tests under tests/golden/{types,cross,governance,cost}), `platc check
--format json` runs before and after adding a file with a new team and a
service it owns (names no other declaration uses, nothing refers to them).
The sets of (code, file, line, column, message) outside the new file must
be equal, and the new declarations must not be reported at all.

usage: property_unrelated_decl_test.py --platc PATH --source-dir DIR [FILTER...]
"""

import argparse
import os
import shutil
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from platc_test import TestFailure, assert_no_crash, run_platc  # noqa: E402

AREAS = ("types", "cross", "governance", "cost")
UNRELATED = """/// A team nothing else refers to.
team zz_unrelated_team {
  lead = "zz@example.com"
  on_call = "pagerduty:zz"
  cost_center = "cc-zz"
  budget = 1_000 usd/month
}

/// A service nothing else calls, owned by the team above.
service zz_unrelated_api {
  owner = zz_unrelated_team
  image = "registry.example.com/zz/api:1.0.0"
  port = 8080
  replicas = 1
  resources = { cpu = 100m, memory = 128Mi }
}
"""
# Where the new declarations go: in a package of their own, and in the
# workspace's root package next to package-less files.
VARIANTS = (("zz_unrelated/extra.plat", "package zz_unrelated\n\n" + UNRELATED),
            ("zz_unrelated.plat", UNRELATED))


def load_golden(source_dir):
    sys.path.insert(0, os.path.join(source_dir, "tests", "golden"))
    import run as golden  # noqa: E402  (tests/golden/run.py)
    corpus = []
    for area in AREAS:
        folder = os.path.join(source_dir, "tests", "golden", area)
        if not os.path.isdir(folder):
            continue
        for name in sorted(os.listdir(folder)):
            if not name.endswith(".test"):
                continue
            test = golden.GoldenTest(os.path.join(folder, name))
            # Only `check` runs: build and cost tests with arguments are
            # about the command line, not about findings.
            if test.args != ["check"]:
                continue
            corpus.append((f"{area}/{name}", dict(test.files)))
    return corpus


def findings(platc, root):
    r = run_platc(platc, root, ["check", "--format", "json"], cpu_seconds=60)
    assert_no_crash(r)
    if r.returncode not in (0, 1):
        raise TestFailure(f"unexpected exit {r.returncode}\n{r.describe()}")
    out = set()
    for d in r.diagnostics():
        span = d.get("span") or {}
        out.add((d["code"], span.get("file"), span.get("line"), span.get("column"),
                 d["message"]))
    return out


def check_one(platc, label, populate):
    with tempfile.TemporaryDirectory(prefix="plat-prop-") as root:
        populate(root)
        before = findings(platc, root)
        for new_file, text in VARIANTS:
            full = os.path.join(root, new_file)
            os.makedirs(os.path.dirname(full), exist_ok=True)
            with open(full, "w", encoding="utf-8") as f:
                f.write(text)
            after = findings(platc, root)
            os.remove(full)
            compare(label + f" (+{new_file})", before, after, new_file)


def compare(label, before, after, new_file):
    new = {f for f in after if f[1] == new_file or "zz_unrelated" in f[4]}
    if new:
        raise TestFailure(f"{label}: the unrelated declarations are reported: {sorted(new)}")
    after = after - new
    if before != after:
        gone = sorted(before - after)
        added = sorted(after - before)
        raise TestFailure(f"{label}: findings changed when an unrelated team and service were "
                          f"added\n  only before: {gone}\n  only after: {added}")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--platc", required=True)
    parser.add_argument("--source-dir", required=True)
    parser.add_argument("filters", nargs="*", help="run only cases whose label contains one")
    args = parser.parse_args()
    platc = os.path.abspath(args.platc)
    source = os.path.abspath(args.source_dir)

    cases = []
    acme = os.path.join(source, "examples", "acme")
    if os.path.isdir(acme):
        cases.append(("examples/acme",
                      lambda root: shutil.copytree(acme, root, dirs_exist_ok=True)))

    def writer(files):
        def populate(root):
            for rel, content in files.items():
                full = os.path.join(root, rel)
                os.makedirs(os.path.dirname(full), exist_ok=True)
                with open(full, "w", encoding="utf-8", newline="") as f:
                    f.write(content)
        return populate

    for label, files in load_golden(source):
        cases.append((label, writer(files)))
    cases = [c for c in cases if not args.filters or any(f in c[0] for f in args.filters)]

    failed = 0
    for label, populate in cases:
        try:
            check_one(platc, label, populate)
        except TestFailure as e:
            failed += 1
            print(f"FAIL {e}")
    print(f"{len(cases) - failed} of {len(cases)} workspaces keep their findings")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
