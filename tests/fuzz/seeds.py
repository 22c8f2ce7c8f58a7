#!/usr/bin/env python3
"""Seeds for the fuzz targets, made from the repository itself.

- every `.plat` file in the repository (stdlib, examples, docs' workspaces),
  each as a one-file input;
- every example workspace and every golden test's input files, each as one
  multi-file input in the layout tests/fuzz/FuzzInput.h reads
  (`-- path.plat --` before each file);
- every input in tests/fuzz/regressions/ (inputs that once crashed).

usage:
  seeds.py --out DIR [--source-dir REPO]          write the seeds into DIR
  seeds.py --replay BINARY [--source-dir REPO]    run BINARY on every seed
      (a replay build takes files; a libFuzzer build gets -runs=0, which
      runs each input once and fuzzes nothing)
"""

import argparse
import hashlib
import os
import re
import subprocess
import sys
import tempfile

SECTION = re.compile(r"^-- (.+) --$")


def repo_plat_files(root):
    skip = {".git", "build", "node_modules", "out"}
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames
                             if d not in skip and not d.startswith(".") and not d.startswith("build"))
        for name in sorted(filenames):
            if name.endswith(".plat"):
                yield os.path.join(dirpath, name)


def golden_inputs(root):
    """Each golden test's `-- path.plat --` sections, as one multi-file input."""
    golden = os.path.join(root, "tests", "golden")
    for dirpath, _, filenames in sorted(os.walk(golden)):
        for name in sorted(filenames):
            if not name.endswith(".test"):
                continue
            parts, keep = [], False
            with open(os.path.join(dirpath, name), encoding="utf-8", errors="replace") as f:
                for line in f:
                    m = SECTION.match(line.rstrip("\n"))
                    if m:
                        keep = m.group(1).endswith(".plat")
                    if keep:
                        parts.append(line)
            if parts:
                yield "".join(parts).encode("utf-8")


def workspace_input(ws_root):
    parts = []
    for path in repo_plat_files(ws_root):
        rel = os.path.relpath(path, ws_root)
        with open(path, "rb") as f:
            parts.append(f"-- {rel} --\n".encode() + f.read())
    return b"".join(parts)


def seeds(root):
    for path in repo_plat_files(root):
        with open(path, "rb") as f:
            yield f.read()
    examples = os.path.join(root, "examples")
    for name in sorted(os.listdir(examples)):
        if os.path.exists(os.path.join(examples, name, "workspace.plat")):
            yield workspace_input(os.path.join(examples, name))
    yield from golden_inputs(root)


def write_seeds(root, out):
    os.makedirs(out, exist_ok=True)
    count = 0
    for data in seeds(root):
        name = hashlib.sha1(data).hexdigest()
        with open(os.path.join(out, name), "wb") as f:
            f.write(data)
        count += 1
    return count


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out")
    ap.add_argument("--replay")
    ap.add_argument("--source-dir", default=os.path.dirname(os.path.dirname(os.path.dirname(
        os.path.abspath(__file__)))))
    args = ap.parse_args()
    if args.out:
        print(f"wrote {write_seeds(args.source_dir, args.out)} seeds to {args.out}")
        return 0
    if not args.replay:
        ap.error("give --out DIR or --replay BINARY")
    regressions = os.path.join(args.source_dir, "tests", "fuzz", "regressions")
    with tempfile.TemporaryDirectory(prefix="plat-seeds-") as out:
        n = write_seeds(args.source_dir, out)
        dirs = [out] + ([regressions] if os.path.isdir(regressions) else [])
        probe = subprocess.run([args.replay, "-help=1"], capture_output=True, text=True)
        libfuzzer = "libFuzzer" in probe.stdout + probe.stderr
        cmd = [args.replay] + (["-runs=0"] if libfuzzer else []) + dirs
        r = subprocess.run(cmd, capture_output=True, text=True)
        tail = (r.stdout + r.stderr)[-4000:]
        if r.returncode != 0:
            print(f"FAIL: {os.path.basename(args.replay)} on {n} seeds and the regressions "
                  f"exited {r.returncode}\n{tail}")
            return 1
        print(f"ok: {os.path.basename(args.replay)} ran {n} seeds and the regressions\n{tail[-300:]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
