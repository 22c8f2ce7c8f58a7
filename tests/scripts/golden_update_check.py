#!/usr/bin/env python3
"""Runs the golden runner in update mode on a copy of tests/golden and fails if
any file changes: the committed expectations must be exactly what the update
mode would write (canonical layout, deterministic output).

usage: golden_update_check.py --platc PATH GOLDEN_DIR
"""

import argparse
import difflib
import os
import shutil
import subprocess
import sys
import tempfile


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--platc", required=True)
    parser.add_argument("golden_dir")
    args = parser.parse_args()
    src = os.path.abspath(args.golden_dir)
    with tempfile.TemporaryDirectory(prefix="plat-golden-update-") as tmp:
        copy = os.path.join(tmp, "golden")
        shutil.copytree(src, copy, ignore=shutil.ignore_patterns("__pycache__"))
        proc = subprocess.run([sys.executable, os.path.join(src, "run.py"), "--update",
                               "--platc", args.platc, copy], capture_output=True, text=True)
        changed = 0
        for dirpath, _, names in os.walk(copy):
            for name in sorted(names):
                if not name.endswith(".test"):
                    continue
                new = os.path.join(dirpath, name)
                rel = os.path.relpath(new, copy)
                with open(os.path.join(src, rel), encoding="utf-8", newline="") as f:
                    before = f.read()
                with open(new, encoding="utf-8", newline="") as f:
                    after = f.read()
                if before != after:
                    changed += 1
                    sys.stdout.writelines(difflib.unified_diff(
                        before.splitlines(keepends=True), after.splitlines(keepends=True),
                        fromfile=f"committed {rel}", tofile=f"updated {rel}"))
        if proc.returncode != 0:
            print(proc.stdout + proc.stderr)
            print("the update run reported problems (see above)")
            return 1
        if changed:
            print(f"\n{changed} golden test(s) change under PLAT_UPDATE=1: run "
                  "`PLAT_UPDATE=1 ctest -L golden` (tests/golden/README.md) and review the diff")
            return 1
    print("ok: the update mode leaves every golden test unchanged")
    return 0


if __name__ == "__main__":
    sys.exit(main())
