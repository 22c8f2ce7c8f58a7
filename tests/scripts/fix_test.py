#!/usr/bin/env python3
"""`platc fix` and the fixes diagnostics carry (issue 17).

- Every golden `fail_*` case: where `platc check --format json` offers a safe
  fix, `platc fix` removes the diagnostics whose safe fixes it applied and adds
  none, and a second run changes nothing (idempotent).
- Every diagnostic of the golden `fail_*` cases whose help names an edit
  (EDIT_HELP: `did you mean`, `add \`...\``, `set \`...\``, `declare \`...\``,
  `remove the import`, `remove the unit`, ...) carries a fix, unless its code
  is listed in KNOWN_GAPS with the reason; and every code in CODES_WITH_FIXES
  carries one wherever it is reported.
- `--dry-run` prints a unified diff and writes nothing; `--code` limits the
  fixes; a link that leads outside the workspace is never written through;
  the P0206 fix is never offered for an import a declaration shadows (P0204).

usage: fix_test.py --platc PATH --source-dir DIR [CASE...]
"""

import argparse
import glob
import json
import os
import re
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from platc_test import TestFailure, make_workspace, run_cases  # noqa: E402

PLATC = None
SOURCE_DIR = None

# Codes that must carry a fix wherever the golden cases report them.
CODES_WITH_FIXES = {
    "P0203": "remove the duplicate import (safe)",
    "P0206": "remove the unused import (safe)",
    "P0302": "add the field with its shape (placeholder: unsafe)",
    "P0411": "add an on-call to the owner team (the pager is a guess: unsafe)",
    "P0303": "rename to the near-miss field, or remove the setting",
    "P0512": "add the action to `human_approval`",
}

# Codes whose help names an edit but that do not carry a fix yet, and why.
# Shrink this list; never grow it without a reason a reviewer accepts.
KNOWN_GAPS = {
    "P0102": "where the missing closer belongs is a guess: the parser cannot tell which "
             "following lines were meant to be inside the block",
    "P0005": "an empty workspace.plat needs a name, account and region only the user knows; "
             "`platc init` writes one",
    "P0401": "the help offers two edits (serve the model, or call a service) and the instance "
             "type is a choice of cost",
    "P0409": "the help offers two edits (add the environment, or limit the caller)",
}

# A help that names one edit: a near miss, or an imperative followed by the
# text to write (`add \`x = …\``, `set \`tls = true\``, `declare
# \`classification = …\``, `add one of \`Mi\`, …`, `import \`pkg\``), or a
# removal of a named thing (`remove the import`, `remove the unit`). General
# advice (`use lowercase letters …`, `rename one of them`) names no edit.
# Strict: every diagnostic with such a help carries a fix unless its code is
# in KNOWN_GAPS with a reason.
EDIT_HELP = re.compile(r"did you mean|^(add|set|declare|import) (one of )?`|"
                       r"^remove (the|this) (import|unit)")


def platc(cwd, *args):
    return subprocess.run([PLATC, *args, "--color", "never"], cwd=cwd, capture_output=True,
                          text=True, timeout=120)


def diagnostics(cwd):
    r = platc(cwd, "check", "--format", "json")
    if r.returncode not in (0, 1):
        raise TestFailure(f"check exited {r.returncode}: {r.stderr}")
    return [json.loads(line) for line in r.stdout.splitlines() if line.strip()]


def golden_cases():
    sys.path.insert(0, os.path.join(SOURCE_DIR, "tests", "golden"))
    from run import GoldenTest  # noqa: E402
    for path in sorted(glob.glob(os.path.join(SOURCE_DIR, "tests/golden/**/fail_*.test"),
                                 recursive=True)):
        test = GoldenTest(path)
        files = dict(test.files)
        if "workspace.plat" not in files:
            continue
        yield os.path.relpath(path, SOURCE_DIR), files


def write(root, files):
    for rel, text in files.items():
        full = os.path.join(root, rel)
        os.makedirs(os.path.dirname(full), exist_ok=True)
        with open(full, "w", encoding="utf-8", newline="") as f:
            f.write(text)


def snapshot(root):
    out = {}
    for dirpath, _, names in os.walk(root):
        for n in names:
            p = os.path.join(dirpath, n)
            with open(p, "rb") as f:
                out[os.path.relpath(p, root)] = f.read()
    return out


def key(d):
    return (d["code"], d["message"])


def test_fix_on_golden_failures():
    tried = 0
    for name, files in golden_cases():
        with tempfile.TemporaryDirectory() as tmp:
            write(tmp, files)
            before = diagnostics(tmp)
            fixed = [d for d in before if any(f["safe"] for f in d["fixes"])]
            if not fixed:
                continue
            tried += 1
            r = platc(tmp, "fix")
            if r.returncode not in (0, 1) or "applied" not in r.stderr:
                raise TestFailure(f"{name}: platc fix exited {r.returncode}: {r.stderr}")
            after = diagnostics(tmp)
            left = {key(d) for d in after}
            for d in fixed:
                if key(d) in left:
                    raise TestFailure(f"{name}: {d['code']} `{d['message']}` is still reported "
                                      f"after its safe fix")
            old = {key(d) for d in before}
            added = [k for k in left if k not in old]
            if added:
                raise TestFailure(f"{name}: platc fix added diagnostics {added}")
            if (r.returncode == 1) != any(d["severity"] == "error" for d in after):
                raise TestFailure(f"{name}: exit {r.returncode} but remaining: {after}")
            state = snapshot(tmp)
            again = platc(tmp, "fix")
            if snapshot(tmp) != state or "applied 0 fixes in 0 files" not in again.stderr:
                raise TestFailure(f"{name}: a second platc fix changed something: {again.stderr}")
    if tried == 0:
        raise TestFailure("no golden fail_* case offers a safe fix")
    return f"{tried} golden cases fixed"


def test_every_edit_help_has_a_fix():
    seen = set()
    problems = []
    for name, files in golden_cases():
        with tempfile.TemporaryDirectory() as tmp:
            write(tmp, files)
            for d in diagnostics(tmp):
                seen.add(d["code"])
                needs = d["code"] in CODES_WITH_FIXES or (
                    d["help"] and EDIT_HELP.search(d["help"]))
                if needs and not d["fixes"] and d["code"] not in KNOWN_GAPS:
                    problems.append(f"{name}: {d['code']} `{d['message']}` (help: {d['help']}) "
                                    f"names an edit but has no fix")
    if problems:
        raise TestFailure("\n".join(problems))
    missing = sorted(set(CODES_WITH_FIXES) - seen)
    if missing:
        raise TestFailure(f"no golden fail_* case reports {missing}: add one")
    return f"{len(seen)} codes seen"


def apply_fix(root, fix):
    """Applies one fix's edits by their byte ranges, as docs/diagnostics-format.md says."""
    by_file = {}
    for e in fix["edits"]:
        by_file.setdefault(e["span"]["file"], []).append(e)
    for rel, edits in by_file.items():
        with open(os.path.join(root, rel), "rb") as f:
            data = f.read()
        for e in sorted(edits, key=lambda e: e["span"]["byte_offset"], reverse=True):
            at, n = e["span"]["byte_offset"], e["span"]["byte_length"]
            data = data[:at] + e["replacement"].encode() + data[at + n:]
        with open(os.path.join(root, rel), "wb") as f:
            f.write(data)


def test_every_concrete_fix_removes_its_diagnostic():
    """Each fix of the golden fail_* cases, safe or not, applied alone by its byte
    ranges, removes the diagnostic it belongs to: no diagnostic with its code and
    message is left at its line (another place may report the same, such as the
    second of two duplicate imports). Fixes that insert a placeholder (`…`,
    `<kind name>`) are for a person to complete and are skipped."""
    def at(d):
        return (d["code"], d["message"], d["span"] and d["span"]["file"],
                d["span"] and d["span"]["line"])
    tried = 0
    problems = []
    for name, files in golden_cases():
        with tempfile.TemporaryDirectory() as tmp:
            write(tmp, files)
            before = diagnostics(tmp)
        for d in before:
            for fix in d["fixes"]:
                if any("…" in e["replacement"] or "<" in e["replacement"] for e in fix["edits"]):
                    continue
                with tempfile.TemporaryDirectory() as tmp:
                    write(tmp, files)
                    apply_fix(tmp, fix)
                    tried += 1
                    if at(d) in {at(x) for x in diagnostics(tmp)}:
                        problems.append(f"{name}: {d['code']} `{d['message']}` is still reported "
                                        f"after its fix `{fix['description']}`")
    if problems:
        raise TestFailure("\n".join(problems))
    return f"{tried} fixes applied"


WS = 'workspace t {\n  account = "123456789012"\n  region = "eu-west-1"\n}\n'
TEAMS = {
    "b.plat": 'package billing\n\nteam finance {\n  lead = "bo@example.com"\n'
              '  cost_center = "cc-2"\n}\n',
    "a.plat": 'package shop\n\nimport billing\nimport billing\n\nteam payments {\n'
              '  lead = "ana@example.com"\n  cost_center = "cc-1"\n}\n',
}


def test_dry_run_writes_nothing_and_prints_a_diff():
    with tempfile.TemporaryDirectory() as tmp:
        make_workspace(tmp, dict(TEAMS, **{"workspace.plat": WS}))
        state = snapshot(tmp)
        r = platc(tmp, "fix", "--dry-run")
        if snapshot(tmp) != state:
            raise TestFailure("--dry-run wrote files")
        if r.returncode != 0 or "--- a/a.plat\n+++ b/a.plat\n" not in r.stdout \
                or "-import billing\n" not in r.stdout:
            raise TestFailure(f"expected a unified diff of a.plat: {r.stdout}{r.stderr}")
        # The diff applies with patch and gives what `platc fix` writes.
        subprocess.run(["patch", "-p1", "-s"], input=r.stdout, text=True, cwd=tmp, check=True)
        patched = snapshot(tmp)
    with tempfile.TemporaryDirectory() as tmp:
        make_workspace(tmp, dict(TEAMS, **{"workspace.plat": WS}))
        platc(tmp, "fix")
        if snapshot(tmp) != patched:
            raise TestFailure("the --dry-run diff differs from what platc fix writes")
        with open(os.path.join(tmp, "a.plat")) as f:
            text = f.read()
        if "import" in text:
            raise TestFailure(f"imports left: {text}")
    return "ok"


def test_code_limits_the_fixes():
    with tempfile.TemporaryDirectory() as tmp:
        make_workspace(tmp, dict(TEAMS, **{"workspace.plat": WS}))
        r = platc(tmp, "fix", "--code", "P0203")
        with open(os.path.join(tmp, "a.plat")) as f:
            text = f.read()
        if text.count("import billing") != 1 or "] remove the unused import" in r.stderr:
            raise TestFailure(f"--code P0203 should remove only the duplicate: {text}{r.stderr}")
        bad = platc(tmp, "fix", "--code", "P9999")
        if bad.returncode != 2:
            raise TestFailure(f"an unknown --code must be a usage error: {bad.stderr}")
    return "ok"


def test_link_outside_is_not_written():
    with tempfile.TemporaryDirectory() as outside, tempfile.TemporaryDirectory() as tmp:
        make_workspace(tmp, {"workspace.plat": WS, "b.plat": TEAMS["b.plat"]})
        target = os.path.join(outside, "a.plat")
        with open(target, "w") as f:
            f.write(TEAMS["a.plat"])
        os.symlink(target, os.path.join(tmp, "a.plat"))
        platc(tmp, "fix")
        with open(target) as f:
            if f.read() != TEAMS["a.plat"]:
                raise TestFailure("platc fix wrote through a link that leads outside the workspace")
    return "ok"


def test_shadowed_import_is_not_removed():
    files = {
        "workspace.plat": WS,
        "lake.plat": 'package lake\n\nteam data {\n  lead = "bo@example.com"\n'
                     '  cost_center = "cc-2"\n}\n',
        "shop.plat": 'package shop\n\nimport lake.data\n\nteam data {\n'
                     '  lead = "ana@example.com"\n  cost_center = "cc-1"\n}\n',
    }
    with tempfile.TemporaryDirectory() as tmp:
        make_workspace(tmp, files)
        codes = [d["code"] for d in diagnostics(tmp)]
        if "P0204" not in codes or "P0206" in codes:
            raise TestFailure(f"expected P0204 and no P0206: {codes}")
        r = platc(tmp, "fix")
        with open(os.path.join(tmp, "shop.plat")) as f:
            if "import lake.data" not in f.read() or r.returncode != 1:
                raise TestFailure(f"the shadowed import was removed: {r.stderr}")
    return "ok"


CASES = [test_fix_on_golden_failures, test_every_edit_help_has_a_fix,
         test_every_concrete_fix_removes_its_diagnostic,
         test_dry_run_writes_nothing_and_prints_a_diff, test_code_limits_the_fixes,
         test_link_outside_is_not_written, test_shadowed_import_is_not_removed]


def main():
    global PLATC, SOURCE_DIR
    parser = argparse.ArgumentParser()
    parser.add_argument("--platc", required=True)
    parser.add_argument("--source-dir", required=True)
    parser.add_argument("cases", nargs="*")
    args = parser.parse_args()
    PLATC = os.path.abspath(args.platc)
    SOURCE_DIR = os.path.abspath(args.source_dir)
    return run_cases(CASES, args.cases)


if __name__ == "__main__":
    sys.exit(main())
