#!/usr/bin/env python3
"""Runs file-based golden tests against a platc binary.

A test is one `.test` file (see tests/golden/README.md):

    optional comment lines
    -- workspace.plat --
    ...input file...
    -- [args] --
    check --format json
    -- [exit] --
    1
    -- [stdout] --
    ...
    -- [stderr] --
    ...

Input sections are written into a fresh temporary folder, platc runs there
with the given arguments (default `check`) plus `--color never`, and its exit
code, stdout and stderr are compared with the expectation sections. An absent
[stdout] or [stderr] section means "empty". The temporary folder's absolute
path is shown as `{tmp}` so that outputs are stable.

With --update (or PLAT_UPDATE=1) mismatching tests are rewritten in place
with what platc printed. Only the standard library is used.
"""

import argparse
import difflib
import os
import re
import shlex
import subprocess
import sys
import tempfile

HEADER = re.compile(r"^-- (.+) --\n?$")
EXPECTATIONS = ("[exit]", "[stdout]", "[stderr]")
KNOWN = ("[args]",) + EXPECTATIONS
TIMEOUT_SECONDS = 60


class TestFormatError(Exception):
    pass


class GoldenTest:
    def __init__(self, path):
        self.path = path
        self.name = os.path.splitext(os.path.basename(path))[0]
        with open(path, "r", encoding="utf-8", newline="") as f:
            text = f.read()
        self.comment = []          # lines before the first section
        self.files = []            # (relative path, content)
        self.sections = {}         # "[exit]" etc. -> content
        current = None
        body = []

        def close():
            if current is None:
                self.comment = body
                return
            content = "".join(body)
            if current.startswith("["):
                if current not in KNOWN:
                    raise TestFormatError(f"unknown section `-- {current} --`; "
                                          f"known: {', '.join(KNOWN)}")
                if current in self.sections:
                    raise TestFormatError(f"section `-- {current} --` appears twice")
                self.sections[current] = content
            else:
                if os.path.isabs(current) or ".." in current.split("/"):
                    raise TestFormatError(f"input path `{current}` must be relative "
                                          "and stay inside the test folder")
                self.files.append((current, content))

        for line in text.splitlines(keepends=True):
            m = HEADER.match(line)
            if m:
                close()
                current, body = m.group(1), []
            else:
                body.append(line)
        close()
        if "[exit]" not in self.sections:
            raise TestFormatError("missing `-- [exit] --` section")

    @property
    def args(self):
        raw = self.sections.get("[args]", "").strip()
        return shlex.split(raw) if raw else ["check"]

    def expected_exit(self):
        try:
            return int(self.sections["[exit]"].strip())
        except ValueError:
            raise TestFormatError("`-- [exit] --` must hold one integer")

    def render(self, exit_code, stdout, stderr):
        """The test file with the given results as its expectations."""
        out = ["".join(self.comment)]
        for rel, content in self.files:
            out.append(f"-- {rel} --\n{content}")
        if "[args]" in self.sections:
            out.append(f"-- [args] --\n{self.sections['[args]']}")
        out.append(f"-- [exit] --\n{exit_code}\n")
        if stdout:
            out.append(f"-- [stdout] --\n{stdout}")
        if stderr:
            out.append(f"-- [stderr] --\n{stderr}")
        return "".join(out)


def normalize(text, tmp):
    text = text.replace("\r\n", "\n")
    for variant in {os.path.realpath(tmp), tmp}:
        text = text.replace(variant, "{tmp}")
    if text and not text.endswith("\n"):
        # A section always ends with a newline; say so rather than hide it.
        text += "\n<no newline at end>\n"
    return text


def run(test, platc):
    with tempfile.TemporaryDirectory(prefix="plat-golden-") as tmp:
        for rel, content in test.files:
            full = os.path.join(tmp, rel)
            os.makedirs(os.path.dirname(full), exist_ok=True)
            with open(full, "w", encoding="utf-8", newline="") as f:
                f.write(content)
        cmd = [platc] + test.args + ["--color", "never"]
        try:
            proc = subprocess.run(cmd, cwd=tmp, capture_output=True, timeout=TIMEOUT_SECONDS)
        except subprocess.TimeoutExpired:
            return None, "", f"platc did not finish within {TIMEOUT_SECONDS} s\n"
        stdout = normalize(proc.stdout.decode("utf-8", "replace"), tmp)
        stderr = normalize(proc.stderr.decode("utf-8", "replace"), tmp)
        return proc.returncode, stdout, stderr


def check_name_rule(test, exit_code):
    """`fail_*` tests expect a non-zero exit; every other test expects 0."""
    if test.name.startswith("fail_") and exit_code == 0:
        return f"{test.path}: named `fail_*` but exits 0; rename it or fix the input"
    if not test.name.startswith("fail_") and exit_code != 0:
        return (f"{test.path}: exits {exit_code} but is not named `fail_*`; "
                "rename it or fix the input")
    return None


def diff(expected, actual, label):
    return "".join(difflib.unified_diff(
        expected.splitlines(keepends=True), actual.splitlines(keepends=True),
        fromfile=f"expected {label}", tofile=f"actual {label}"))


def run_one(path, platc, update):
    """Returns a list of problems (empty when the test passes)."""
    try:
        test = GoldenTest(path)
        expected_exit = test.expected_exit()
    except (TestFormatError, OSError, UnicodeDecodeError) as e:
        return [f"{path}: {e}"]
    exit_code, stdout, stderr = run(test, platc)
    if exit_code is None:
        return [f"{path}: {stderr.strip()}"]
    if exit_code < 0:
        return [f"{path}: platc was killed by signal {-exit_code} (a crash)\n{stderr}"]

    problems = []
    if update:
        rule = check_name_rule(test, exit_code)
        if rule:
            problems.append(rule)
        new_text = test.render(exit_code, stdout, stderr)
        with open(path, "r", encoding="utf-8", newline="") as f:
            old_text = f.read()
        if new_text != old_text:
            with open(path, "w", encoding="utf-8", newline="") as f:
                f.write(new_text)
            print(f"updated {path}")
        return problems

    rule = check_name_rule(test, expected_exit)
    if rule:
        problems.append(rule)
    if exit_code != expected_exit:
        problems.append(f"{path}: exit code {exit_code}, expected {expected_exit}")
    for section, actual in (("[stdout]", stdout), ("[stderr]", stderr)):
        expected = test.sections.get(section, "")
        if expected != actual:
            problems.append(f"{path}: {section} differs\n" + diff(expected, actual, section))
    return problems


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--platc", required=True, help="the platc binary to test")
    parser.add_argument("--update", action="store_true",
                        help="rewrite expectations with actual output (also PLAT_UPDATE=1)")
    parser.add_argument("tests", nargs="+", help=".test files or folders holding them")
    args = parser.parse_args(argv)
    update = args.update or os.environ.get("PLAT_UPDATE") == "1"
    platc = os.path.abspath(args.platc)
    if not os.access(platc, os.X_OK):
        print(f"no platc binary at {platc}: build it first", file=sys.stderr)
        return 2

    paths = []
    for t in args.tests:
        if os.path.isdir(t):
            for dirpath, _, names in os.walk(t):
                paths += [os.path.join(dirpath, n) for n in names if n.endswith(".test")]
        else:
            paths.append(t)
    paths.sort()
    if not paths:
        print("no .test files given", file=sys.stderr)
        return 2

    failed = 0
    for path in paths:
        problems = run_one(path, platc, update)
        if problems:
            failed += 1
            print(f"FAIL {path}")
            for p in problems:
                print(p if p.endswith("\n") else p + "\n", end="")
        elif not update:
            print(f"ok   {path}")
    if failed and not update:
        print(f"\n{failed} of {len(paths)} golden tests failed; if the new output is right, "
              f"run with PLAT_UPDATE=1 (see tests/golden/README.md)")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
