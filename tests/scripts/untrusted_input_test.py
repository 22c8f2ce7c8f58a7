#!/usr/bin/env python3
"""Untrusted input: what a pull request can put in a workspace must not make
platc read outside it, block, read without end, rewrite the CI log, or be
misread; and the command line must not accept what it ignores.

Each case is a regression test for a defect found against an earlier main
(issue 14): the number in each test's comment is the defect's.

usage: untrusted_input_test.py --platc PATH [CASE...]
"""

import argparse
import os
import re
import shutil
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from platc_test import (TestFailure, assert_diag, assert_no_crash, make_workspace,  # noqa: E402
                        run_cases, run_platc)

PLATC = None
SECRET = "s3cr3t-marker-0d1f"
# Bytes that must never reach a terminal from user-controlled text.
UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f\u0080-\u009f\u202a-\u202e\u2066-\u2069]")

SERVICE = """package shop

team payments {
  lead = "ana@acme.example"
  cost_center = "CC-1"
  on_call = "pagerduty:payments"
}
"""


def expect_exit(result, code):
    assert_no_crash(result)
    if result.returncode != code:
        raise TestFailure(f"expected exit {code}\n{result.describe()}")


def with_secret_outside(fn):
    """Runs fn(root, secret_path) with a workspace in `root` and a file outside
    it holding SECRET."""
    with tempfile.TemporaryDirectory(prefix="plat-untrusted-") as top:
        root = os.path.join(top, "ws")
        os.makedirs(root)
        secret = os.path.join(top, "secret.plat")
        with open(secret, "w") as f:
            f.write(f'team t {{\n  lead = "{SECRET}"\n  oops\n}}\n')
        make_workspace(root, {"shop/teams.plat": SERVICE})
        return fn(root, secret)


def assert_secret_not_shown(result):
    for stream in (result.stdout, result.stderr):
        if SECRET in stream:
            raise TestFailure(f"a file outside the workspace was quoted\n{result.describe()}")


# ------------------------------------------------ 2, 3: what check reads

def test_link_to_dev_zero_is_not_read():
    # 2: `ln -s /dev/zero z.plat` used to allocate without bound.
    with tempfile.TemporaryDirectory(prefix="plat-untrusted-") as root:
        make_workspace(root, {"shop/teams.plat": SERVICE})
        os.symlink("/dev/zero", os.path.join(root, "z.plat"))
        r = run_platc(PLATC, root, ["check", "--format", "json"], cpu_seconds=20,
                      memory_bytes=2 << 30, wall_seconds=30)
    expect_exit(r, 1)
    assert_diag(r, "P0007", "z.plat", message_contains="outside the workspace")


def test_fifo_does_not_hang():
    # 2: `mkfifo f.plat` used to hang forever.
    with tempfile.TemporaryDirectory(prefix="plat-untrusted-") as root:
        make_workspace(root, {"shop/teams.plat": SERVICE})
        os.mkfifo(os.path.join(root, "f.plat"))
        r = run_platc(PLATC, root, ["check", "--format", "json"], cpu_seconds=20, wall_seconds=20)
    expect_exit(r, 1)
    assert_diag(r, "P0007", "f.plat", message_contains="not a regular file")


def test_link_outside_is_not_quoted():
    # 3: `ln -s /etc/passwd p.plat` printed the target's lines in diagnostics.
    def run(root, secret):
        os.symlink(secret, os.path.join(root, "p.plat"))
        results = [run_platc(PLATC, root, ["check", "--format", fmt, "--color", "never"])
                   for fmt in ("text", "json", "sarif")]
        results.append(run_platc(PLATC, root, ["build", "-o", os.path.join(root, "..", "out")]))
        return results
    text, json_result, sarif, build = with_secret_outside(run)
    for r in (text, json_result, sarif, build):
        expect_exit(r, 1)
        assert_secret_not_shown(r)
    assert_diag(json_result, "P0007", "p.plat", message_contains="outside the workspace")


def test_relative_link_escaping_the_root():
    # 3: a relative link through `..` is outside too, whatever its spelling.
    def run(root, secret):
        os.makedirs(os.path.join(root, "a"))
        os.symlink("../../secret.plat", os.path.join(root, "a", "x.plat"))
        return run_platc(PLATC, root, ["check", "--format", "json"])
    r = with_secret_outside(run)
    expect_exit(r, 1)
    assert_secret_not_shown(r)
    assert_diag(r, "P0007", "a/x.plat")


def test_link_inside_the_root_is_followed():
    # The rule is "inside the root", not "no links": a link to a file inside
    # the workspace (here in a hidden folder, which is not searched itself)
    # is checked like any other file.
    with tempfile.TemporaryDirectory(prefix="plat-untrusted-") as root:
        make_workspace(root, {".shared/teams.plat": SERVICE + "\nteam other {\n  bogus = 1\n}\n"})
        os.makedirs(os.path.join(root, "shop"))
        os.symlink("../.shared/teams.plat", os.path.join(root, "shop", "teams.plat"))
        r = run_platc(PLATC, root, ["check", "--format", "json"])
    expect_exit(r, 1)
    # The error inside the linked file is reported at the link's path.
    assert_diag(r, "P0303", "shop/teams.plat", line=10)


def test_linked_folder_leading_outside_is_not_searched():
    def run(root, secret):
        os.symlink(os.path.dirname(secret), os.path.join(root, "linked"))
        return run_platc(PLATC, root, ["check", "--format", "json"])
    r = with_secret_outside(run)
    expect_exit(r, 0)
    assert_secret_not_shown(r)


def test_unreadable_folder_is_reported():
    # 13: a folder that cannot be listed was skipped without a word.
    with tempfile.TemporaryDirectory(prefix="plat-untrusted-") as root:
        make_workspace(root, {"shop/teams.plat": SERVICE, "locked/more.plat": "team x {}\n"})
        os.chmod(root, 0o755)
        os.chmod(os.path.join(root, "locked"), 0)
        try:
            r = run_as_unprivileged(root, ["check", "--format", "json"])
        finally:
            os.chmod(os.path.join(root, "locked"), 0o755)
    expect_exit(r, 2)
    assert_diag(r, "P0002", message_contains="cannot list the folder `locked`")


def test_unreadable_file_exits_2():
    # 13: an unreadable file exited 1; docs/cli.md promises 2 for I/O errors.
    with tempfile.TemporaryDirectory(prefix="plat-untrusted-") as root:
        make_workspace(root, {"shop/teams.plat": SERVICE, "secret.plat": "team x {}\n"})
        os.chmod(root, 0o755)
        os.chmod(os.path.join(root, "shop"), 0o755)
        os.chmod(os.path.join(root, "secret.plat"), 0)
        r = run_as_unprivileged(root, ["check", "--format", "json"])
    expect_exit(r, 2)
    assert_diag(r, "P0002", "secret.plat")


def run_as_unprivileged(root, args):
    """Runs platc so that file modes apply: as `nobody` when this test runs as
    root (CI does), else as the current user. `root` must be world-readable;
    platc is copied next to it so that `nobody` can run it wherever the build
    folder is."""
    if os.geteuid() != 0:
        return run_platc(PLATC, root, args)
    with tempfile.TemporaryDirectory(prefix="plat-untrusted-bin-") as bin_dir:
        os.chmod(bin_dir, 0o755)
        platc = os.path.join(bin_dir, "platc")
        shutil.copy(PLATC, platc)
        os.chmod(platc, 0o755)
        return run_platc("/usr/bin/setpriv", root,
                         ["--reuid=65534", "--regid=65534", "--clear-groups", "--", platc, *args])


def test_missing_folder_exits_2():
    # 13: P0001 exited 1.
    with tempfile.TemporaryDirectory(prefix="plat-untrusted-") as root:
        r = run_platc(PLATC, root, ["check", os.path.join(root, "nope"), "--format", "json"])
    expect_exit(r, 2)
    assert_diag(r, "P0001")


# ------------------------------------------------ 11: terminal escapes

def test_control_characters_are_escaped_in_text():
    # 11: policy messages and other user strings were printed raw, so a policy
    # author could recolour or rewrite a CI log.
    policy = ('package shop\n\npolicy loud {\n  for team t\n    where t.name == "payments"\n'
              '    require t.name == "nobody"\n'
              '    else "bad \\u{1b}[31mred\\u{1b}[0m\\r\\nerror: fake \\u{7f}\\u{9b}2J \\u{202e}txt"\n}\n')
    with tempfile.TemporaryDirectory(prefix="plat-untrusted-") as root:
        make_workspace(root, {"shop/teams.plat": SERVICE, "shop/policy.plat": policy,
                              # A raw ESC and a bidi override in a comment on the
                              # line of an error: the source snippet shows them.
                              "shop/bad.plat": "package shop\n\nteam t { // \x1b[2J \u202e\n  lead = 1\n}\n"})
        for color in ("never", "always"):
            r = run_platc(PLATC, root, ["check", "--color", color])
            expect_exit(r, 1)
            shown = r.stderr.replace("\n", "")
            if color == "always":
                # platc's own colours are the only escapes: ESC [ digits ; m
                shown = re.sub("\x1b\\[[0-9;]*m", "", shown)
            bad = UNSAFE.search(shown)
            if bad:
                raise TestFailure(f"raw control character {bad.group()!r} in text output "
                                  f"(--color {color})\n{r.describe()}")
            for visible in ("\\u{1b}[31mred", "\\r\\nerror: fake", "\\u{202e}txt", "\\u{1b}[2J"):
                if visible not in r.stderr:
                    raise TestFailure(f"expected the escaped form {visible!r}\n{r.describe()}")
        # The caret still lines up under the offending value after escaping.
        lines = r.stderr.replace("\x1b", "").splitlines()
        r = run_platc(PLATC, root, ["check", "--color", "never"])
        lines = r.stderr.splitlines()
        for i, line in enumerate(lines):
            if line.rstrip().endswith("lead = 1") and i + 1 < len(lines):
                caret = lines[i + 1].index("^")
                if line.index("lead") != caret and line.index("1") != caret:
                    raise TestFailure(f"caret misplaced:\n{line}\n{lines[i + 1]}")


# ------------------------------------------------ 12: byte-order mark

def test_byte_order_mark_is_accepted():
    # 12: a UTF-8 BOM shifted every token of the file by three bytes.
    bom = b"\xef\xbb\xbf"
    with tempfile.TemporaryDirectory(prefix="plat-untrusted-") as root:
        make_workspace(root, {"shop/teams.plat": bom + SERVICE.encode(),
                              "workspace.plat": bom + b'workspace t {\n  account = "123456789012"\n'
                                                      b'  region = "eu-west-1"\n}\n'})
        r = run_platc(PLATC, root, ["check", "--format", "json"])
        expect_exit(r, 0)
        # Positions count from after the mark, as an editor shows them.
        with open(os.path.join(root, "shop/bad.plat"), "wb") as f:
            f.write(bom + b"package shop\nteam x { lead = 7 }\n")
        r = run_platc(PLATC, root, ["check", "--format", "json"])
        expect_exit(r, 1)
        d = r.diagnostics()[0]
        if d["span"]["file"] != "shop/bad.plat" or d["span"]["line"] != 2:
            raise TestFailure(f"diagnostic misplaced: {d}")
        os.remove(os.path.join(root, "shop/bad.plat"))
        # fmt keeps the mark and does not call the file unformatted because of it.
        r = run_platc(PLATC, root, ["fmt", "--check", root])
        expect_exit(r, 0)
        with open(os.path.join(root, "shop/teams.plat"), "ab") as f:
            f.write(b"\n\n\n")
        r = run_platc(PLATC, root, ["fmt", root])
        expect_exit(r, 0)
        with open(os.path.join(root, "shop/teams.plat"), "rb") as f:
            data = f.read()
        if not data.startswith(bom) or data.endswith(b"\n\n"):
            raise TestFailure(f"fmt lost the mark or did not format: {data[:20]!r}...{data[-10:]!r}")


# ------------------------------------------------ 13: command line

def test_misplaced_and_unknown_flags_are_usage_errors():
    # 13: `build --dump-ir` and `fmt --time-phases` were accepted with exit 0.
    with tempfile.TemporaryDirectory(prefix="plat-untrusted-") as root:
        make_workspace(root, {"shop/teams.plat": SERVICE})
        out = os.path.join(root, "..", os.path.basename(root) + "-out")
        cases = [
            (["build", root, "-o", out, "--dump-ir"], "`--dump-ir` is not an option of `platc build`"),
            (["fmt", "--time-phases", root], "`--time-phases` is not an option of `platc fmt`"),
            (["check", root, "--target", "k8s"], "`--target` is not an option of `platc check`"),
            (["check", root, "--format", "dot"], "`platc check` takes --format text, json or sarif"),
            (["cost", root, "--format", "sarif"], "`platc cost` takes --format text, json or csv"),
            (["explain", "P0001", "--env", "prod"], "`--env` is not an option of `platc explain`"),
            (["check", root, "--frobnicate"], "unknown option `--frobnicate`"),
        ]
        for args, message in cases:
            r = run_platc(PLATC, root, args)
            expect_exit(r, 2)
            if message not in r.stderr:
                raise TestFailure(f"{args}: expected {message!r}\n{r.describe()}")
        if os.path.exists(out):
            raise TestFailure("a build with a usage error wrote output")


def test_fmt_keeps_a_link_a_link():
    # 13: `platc fmt` replaced a symlinked .plat file with a regular file.
    with tempfile.TemporaryDirectory(prefix="plat-untrusted-") as root:
        make_workspace(root, {".shared/teams.plat": SERVICE + "\n\n\n"})
        link = os.path.join(root, "teams.plat")
        os.symlink(".shared/teams.plat", link)
        r = run_platc(PLATC, root, ["fmt", link])
        expect_exit(r, 0)
        if not os.path.islink(link):
            raise TestFailure("fmt replaced the link with a file")
        with open(os.path.join(root, ".shared/teams.plat")) as f:
            if f.read().endswith("\n\n"):
                raise TestFailure("fmt did not format the link's target")


def test_fmt_does_not_follow_links_out_of_the_folder():
    def run(root, secret):
        os.symlink(secret, os.path.join(root, "p.plat"))
        before = open(secret).read()
        r = run_platc(PLATC, root, ["fmt", root])
        if open(secret).read() != before:
            raise TestFailure("fmt rewrote a file outside the folder it was given")
        return r
    r = with_secret_outside(run)
    expect_exit(r, 2)
    assert_secret_not_shown(r)
    if "p.plat` is a link that leads outside the folder" not in r.stderr:
        raise TestFailure(f"expected the link to be named\n{r.describe()}")


def test_policy_over_iam_limit_fails_the_build_and_leaves_nothing():
    # 10: a generated policy over IAM's size limit was written anyway; the
    # backend now reports it (P0320), and the failed build removes the
    # output folder it had created.
    datasets = "".join(f'dataset e{i:02d} {{\n  owner = payments\n  location = s3("acme-lake", '
                       f'"raw/clickstream/region-{i:02d}/events/")\n}}\n' for i in range(60))
    reads = ", ".join(f"e{i:02d}" for i in range(60))
    app = (SERVICE + datasets + 'service reader {\n  owner = payments\n  image = '
           '"registry.example.com/r:1.0.0"\n  port = 8080\n  reads = [' + reads + ']\n}\n')
    with tempfile.TemporaryDirectory(prefix="plat-untrusted-") as root:
        make_workspace(root, {"shop/app.plat": app})
        out = os.path.join(root, "out")
        r = run_platc(PLATC, root, ["build", "-o", out, "--target", "iam", "--format", "json"])
        expect_exit(r, 1)
        assert_diag(r, "P0320", "shop/app.plat", message_contains="over IAM's limit")
        if os.path.exists(out):
            raise TestFailure(f"a failed build left {os.listdir(out)} in a folder it created")


CASES = [v for k, v in sorted(globals().items()) if k.startswith("test_")]


def main():
    global PLATC
    parser = argparse.ArgumentParser()
    parser.add_argument("--platc", required=True)
    parser.add_argument("cases", nargs="*")
    args = parser.parse_args()
    PLATC = os.path.abspath(args.platc)
    return run_cases(CASES, args.cases)


if __name__ == "__main__":
    sys.exit(main())
