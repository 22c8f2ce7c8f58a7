#!/usr/bin/env python3
"""Every diagnostic code in compiler/diag/Codes.def must be triggered by a test.

A code counts as tested when it appears
- in an expectation section ([stdout] or [stderr]) of a golden test under
  tests/golden/, as `[P0102]` (text) or `"code":"P0102"` (JSON);
- as `DiagId::Name` on a REQUIRE/CHECK line of a Catch2 test in tests/unit/;
- in an `assert_diag(..., "P0102")` call of a Python test in tests/scripts/
  (for inputs a golden file cannot hold, such as binary bytes).

Prints the codes that no test triggers and exits 1 if there are any.
"""

import os
import re
import sys

ROOT = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else
                       os.path.join(os.path.dirname(__file__), "..", ".."))
DEF = re.compile(r'^\s*PLAT_DIAG\(\s*(\w+)\s*,\s*"(P\d{4})"\s*,\s*(\w+)\s*,\s*"([^"]*)"', re.M)
HEADER = re.compile(r"^-- (.+) --$")
TEXT_CODE = re.compile(r"\[(P\d{4})\]")
JSON_CODE = re.compile(r'"code"\s*:\s*"(P\d{4})"')
UNIT_ASSERT = re.compile(r"\b(?:REQUIRE|CHECK)\w*\s*\(.*?DiagId::(\w+)")
PY_ASSERT = re.compile(r'assert_diag\([^)]*?"(P\d{4})"')


def golden_codes(root):
    found = {}
    for dirpath, _, names in os.walk(os.path.join(root, "tests", "golden")):
        for name in names:
            if not name.endswith(".test"):
                continue
            path = os.path.join(dirpath, name)
            section = None
            with open(path, encoding="utf-8", errors="replace") as f:
                for line in f:
                    m = HEADER.match(line.rstrip("\n"))
                    if m:
                        section = m.group(1)
                        continue
                    if section in ("[stdout]", "[stderr]"):
                        for code in TEXT_CODE.findall(line) + JSON_CODE.findall(line):
                            found.setdefault(code, os.path.relpath(path, root))
    return found


def unit_ids(root):
    found = {}
    unit = os.path.join(root, "tests", "unit")
    for name in sorted(os.listdir(unit)) if os.path.isdir(unit) else []:
        if name.endswith(".cpp"):
            path = os.path.join(unit, name)
            with open(path, encoding="utf-8", errors="replace") as f:
                for line in f:
                    for ident in UNIT_ASSERT.findall(line):
                        found.setdefault(ident, os.path.relpath(path, root))
    return found


def script_codes(root):
    found = {}
    scripts = os.path.join(root, "tests", "scripts")
    for name in sorted(os.listdir(scripts)):
        if name.endswith(".py") and name != os.path.basename(__file__):
            path = os.path.join(scripts, name)
            with open(path, encoding="utf-8") as f:
                for code in PY_ASSERT.findall(f.read()):
                    found.setdefault(code, os.path.relpath(path, root))
    return found


def main():
    with open(os.path.join(ROOT, "compiler", "diag", "Codes.def"), encoding="utf-8") as f:
        diags = DEF.findall(f.read())
    if not diags:
        print("no PLAT_DIAG entries found in Codes.def: has its format changed?")
        return 1
    golden, units, scripts = golden_codes(ROOT), unit_ids(ROOT), script_codes(ROOT)
    missing = []
    for ident, code, severity, name in diags:
        if code not in golden and ident not in units and code not in scripts:
            missing.append(f"  {code} {name} (DiagId::{ident}, {severity.lower()})")
    tested = len(diags) - len(missing)
    print(f"{tested} of {len(diags)} diagnostic codes are triggered by a test")
    if missing:
        print("codes no test triggers (add a golden test, see tests/golden/README.md):")
        print("\n".join(missing))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
