#!/usr/bin/env python3
"""`platc build` keeps its output folder safe (issue 14, output side).

Drives the platc binary through the reproductions of the issue, on a copy of
examples/acme (`ws/`), each in a fresh temporary folder:

1. a folder inside OUT replaced by a link to a folder outside: refused, and
   nothing outside is linked into the output;
4. OUT itself a link: refused, the link's target untouched;
5. files a user put in OUT survive a rebuild, `--env` and `--target`;
6. a second build into an OUT another build holds (its lock) fails at once;
7. the state an older platc left when killed between its two renames (no
   OUT, `OUT.old-*` and `OUT.tmp-*`) is cleaned up by the next build.

    output_safety_test.py --platc build/platc --workspace examples/acme
"""

import argparse
import fcntl
import os
import shutil
import subprocess
import sys
import tempfile
import time

FAILURES = []


def check(cond, what):
    if not cond:
        FAILURES.append(what)
        print("FAIL: " + what)


def build(platc, cwd, *args):
    return subprocess.run([platc, "build", "ws", *args, "--color", "never"], cwd=cwd,
                          capture_output=True, text=True, timeout=300)


def ok(proc, what):
    check(proc.returncode == 0, f"{what}: exit {proc.returncode}\n{proc.stderr}")


def files(root):
    out = {}
    for d, _, names in os.walk(root):
        for n in names:
            p = os.path.join(d, n)
            with open(p, "rb") as f:
                out[os.path.relpath(p, root)] = f.read()
    return out


def read(path):
    with open(path, encoding="utf-8") as f:
        return f.read()


def write(path, text):
    os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)


def defect1(platc, t):
    ok(build(platc, t, "-o", "out0"), "defect 1: first build")
    size = os.path.getsize(os.path.join(t, "out0/prod/iam/roles/payments.json"))
    write(os.path.join(t, "victim/payments.json"), "x" * size)
    time.sleep(1.1)
    ok(build(platc, t, "-o", "out"), "defect 1: build into out")
    shutil.rmtree(os.path.join(t, "out/prod/iam/roles"))
    os.symlink("../../../victim", os.path.join(t, "out/prod/iam/roles"))
    p = build(platc, t, "-o", "out")
    check(p.returncode == 2, f"defect 1: a link inside OUT must be refused (exit {p.returncode})")
    check("error: `out/prod/iam/roles` is a symbolic link; platc never writes through links"
          in p.stderr, "defect 1: message:\n" + p.stderr)
    victim = os.path.join(t, "victim/payments.json")
    check(os.stat(victim).st_nlink == 1, "defect 1: the victim was linked into the output")
    check(read(victim) == "x" * size, "defect 1: the victim changed")
    check(os.path.islink(os.path.join(t, "out/prod/iam/roles")), "defect 1: the link was removed")


def defect4(platc, t):
    ok(build(platc, t, "-o", "rel1"), "defect 4: build into rel1")
    write(os.path.join(t, "rel1/prod/k8s/mine.txt"), "mine\n")
    before = files(os.path.join(t, "rel1"))
    os.symlink("rel1", os.path.join(t, "current"))
    p = build(platc, t, "-o", "current")
    check(p.returncode == 2, f"defect 4: OUT as a link must be refused (exit {p.returncode})")
    check("error: the output folder `current` is a symbolic link (to `rel1`)" in p.stderr and
          "\nhelp: build into the link's target instead: `-o rel1`" in p.stderr,
          "defect 4: message:\n" + p.stderr)
    check(os.path.islink(os.path.join(t, "current")), "defect 4: the link was replaced")
    check(files(os.path.join(t, "rel1")) == before, "defect 4: rel1 changed")


def defect5(platc, t):
    ok(build(platc, t, "-o", "out"), "defect 5: first build")
    mine = {"README.md": "readme\n", "docs/guide.md": "guide\n", "prod/NOTES": "notes\n",
            "prod/k8s/extra.yaml": "extra: 1\n"}
    for rel, text in mine.items():
        write(os.path.join(t, "out", rel), text)
    generated = {k: v for k, v in files(os.path.join(t, "out")).items()
                 if not k.startswith(".platc") and k not in mine}
    # Something the previous build listed and this one no longer produces.
    stale = "prod/k8s/stale.yaml"
    write(os.path.join(t, "out", stale), "stale\n")
    with open(os.path.join(t, "out/.platc-index"), "a", encoding="utf-8") as f:
        f.write("0000000000000000 6 %s\n" % stale)
    ok(build(platc, t, "-o", "out"), "defect 5: rebuild")
    ok(build(platc, t, "-o", "out", "--env", "dev"), "defect 5: --env dev")
    ok(build(platc, t, "-o", "out", "--target", "k8s"), "defect 5: --target k8s")
    after = files(os.path.join(t, "out"))
    for rel, text in mine.items():
        check(after.get(rel) == text.encode(), f"defect 5: user file `{rel}` lost or changed")
    # Each environment's evidence.json describes the build that wrote it:
    # after `--target k8s`, the k8s files only (docs/cli.md).
    for rel in [r for r in generated if r.endswith("/evidence.json")]:
        check(b'"targets": [\n    "k8s"\n  ]' in after.get(rel, b""),
              f"defect 5: `{rel}` does not describe the --target k8s build")
        del generated[rel]
    lost = sorted(rel for rel, data in generated.items() if after.get(rel) != data)
    check(not lost, "defect 5: %d generated files lost or changed by narrowing, e.g. %s"
          % (len(lost), lost[:3]))
    check(stale not in after, "defect 5: a listed file no longer produced was kept")
    # A non-empty folder without a manifest is refused.
    write(os.path.join(t, "foreign/keep.txt"), "keep\n")
    p = build(platc, t, "-o", "foreign")
    check(p.returncode == 2 and "is not empty and has no `.platc-index` manifest" in p.stderr,
          "defect 5: foreign folder:\n" + p.stderr)
    check(files(os.path.join(t, "foreign")) == {"keep.txt": b"keep\n"},
          "defect 5: the foreign folder changed")


def defect6(platc, t):
    ok(build(platc, t, "-o", "out"), "defect 6: first build")
    before = files(os.path.join(t, "out"))
    # Another build holds the lock: platc's lock is an flock on this file.
    with open(os.path.join(t, "out/.platc-lock"), "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        p = build(platc, t, "-o", "out")
        check(p.returncode == 2, f"defect 6: a second build must fail (exit {p.returncode})")
        check("error: another `platc build` is writing to `out`" in p.stderr,
              "defect 6: message:\n" + p.stderr)
    check(files(os.path.join(t, "out")) == before, "defect 6: the output changed")
    ok(build(platc, t, "-o", "out"), "defect 6: build once the lock is free")


def defect7(platc, t):
    # What an older platc left when killed between its two renames.
    for name in ("out.old-0123abcd", "out.tmp-89abcdef"):
        write(os.path.join(t, name, ".platc-output"), "marker\n")
        write(os.path.join(t, name, "prod/k8s/big.yaml"), "x" * 1000)
    write(os.path.join(t, "out.old-notours1/data"), "mine\n")  # not platc's naming
    write(os.path.join(t, "out.old-0000aaaa/data"), "mine\n")  # no marker
    ok(build(platc, t, "-o", "out"), "defect 7: build")
    left = sorted(n for n in os.listdir(t) if n.startswith("out"))
    check(left == ["out", "out.old-0000aaaa", "out.old-notours1"],
          "defect 7: left beside OUT: %s" % left)
    check(not any(n.startswith(".platc-tmp-") for n in os.listdir(os.path.join(t, "out"))),
          "defect 7: a staging folder was left")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--platc", required=True)
    ap.add_argument("--workspace", required=True)
    args = ap.parse_args()
    platc = os.path.abspath(args.platc)
    for test in (defect1, defect4, defect5, defect6, defect7):
        with tempfile.TemporaryDirectory(prefix="plat-outsafe-") as t:
            shutil.copytree(args.workspace, os.path.join(t, "ws"))
            test(platc, t)
    if FAILURES:
        print("%d failure(s)" % len(FAILURES))
        return 1
    print("ok")
    return 0


if __name__ == "__main__":
    sys.exit(main())
