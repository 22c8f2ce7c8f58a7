#!/usr/bin/env python3
"""Generated output compared with a reviewed copy.

Builds WORKSPACE for one environment into a temporary folder and compares
every file platc wrote (its own `.platc-index` and `.platc-lock` aside)
with the tree under EXPECTED: same set of paths, same bytes. The expected
trees are read by people in review, like any golden file: a change to a
backend shows up there as a diff of Kubernetes objects, IAM policies,
SageMaker requests and DAGs.

    output_golden_test.py --platc P --workspace W --env prod --expected DIR
    output_golden_test.py ... --update     (or PLAT_UPDATE=1): rewrite DIR

WORKSPACE is copied to a temporary folder outside git first, so that the
audit evidence (evidence.json) records no commit.
"""

import argparse
import difflib
import os
import shutil
import subprocess
import sys
import tempfile

OWN_FILES = {".platc-output", ".platc-index", ".platc-lock"}


def tree(root):
    files = {}
    for dirpath, _, names in os.walk(root):
        for name in names:
            path = os.path.join(dirpath, name)
            rel = os.path.relpath(path, root)
            if rel in OWN_FILES:
                continue
            with open(path, "rb") as f:
                files[rel] = f.read()
    return files


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--platc", required=True)
    ap.add_argument("--workspace", required=True)
    ap.add_argument("--env", required=True)
    ap.add_argument("--expected", required=True)
    ap.add_argument("--update", action="store_true")
    args = ap.parse_args()
    update = args.update or os.environ.get("PLAT_UPDATE") == "1"

    with tempfile.TemporaryDirectory(prefix="plat-outgold-") as tmp:
        # Built from a copy outside any git repository: evidence.json would
        # otherwise record the repository's commit, which every commit changes.
        workspace = os.path.join(tmp, "ws")
        shutil.copytree(args.workspace, workspace)
        out = os.path.join(tmp, "out")
        proc = subprocess.run([args.platc, "build", workspace, "-o", out, "--env", args.env,
                               "--color", "never"], capture_output=True, timeout=300)
        if proc.returncode != 0:
            sys.stderr.write(proc.stderr.decode("utf-8", "replace"))
            print("FAIL: platc build exited %d" % proc.returncode)
            return 1
        actual = tree(out)
        if not actual:
            print("FAIL: platc build wrote no files")
            return 1

        if update:
            if os.path.isdir(args.expected):
                shutil.rmtree(args.expected)
            for rel, data in actual.items():
                path = os.path.join(args.expected, rel)
                os.makedirs(os.path.dirname(path), exist_ok=True)
                with open(path, "wb") as f:
                    f.write(data)
            print("updated %s (%d files)" % (args.expected, len(actual)))
            return 0

        expected = tree(args.expected) if os.path.isdir(args.expected) else {}
        failures = 0
        for rel in sorted(set(expected) - set(actual)):
            print("FAIL: %s is no longer written" % rel)
            failures += 1
        for rel in sorted(set(actual) - set(expected)):
            print("FAIL: %s is written but not expected" % rel)
            failures += 1
        for rel in sorted(set(actual) & set(expected)):
            if actual[rel] == expected[rel]:
                continue
            failures += 1
            print("FAIL: %s differs:" % rel)
            diff = difflib.unified_diff(
                expected[rel].decode("utf-8", "replace").splitlines(keepends=True),
                actual[rel].decode("utf-8", "replace").splitlines(keepends=True),
                "expected/" + rel, "actual/" + rel, n=2)
            sys.stdout.writelines(list(diff)[:60])
        if failures:
            print("\n%d of %d files differ; if the new output is right, rerun with PLAT_UPDATE=1 "
                  "and review the diff" % (failures, len(set(actual) | set(expected))))
            return 1
        print("ok: %d files as expected" % len(actual))
        return 0


if __name__ == "__main__":
    sys.exit(main())
