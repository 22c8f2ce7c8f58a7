#!/usr/bin/env python3
"""Generates docs/diagnostics.md, the index of every diagnostic code, from
compiler/diag/Codes.def, and checks that each code has its explanation in
docs/diagnostics/CODE.md (the text `platc explain CODE` prints).

    python3 tools/gen_diagnostics_doc.py           # rewrite docs/diagnostics.md
    python3 tools/gen_diagnostics_doc.py --check   # exit 1 if it is stale or
                                                   # an explanation is missing

Only the standard library is used.
"""

import argparse
import os
import re
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CODES_DEF = os.path.join(ROOT, "compiler", "diag", "Codes.def")
INDEX = os.path.join(ROOT, "docs", "diagnostics.md")
EXPLANATIONS = os.path.join(ROOT, "docs", "diagnostics")

# PLAT_DIAG(Id, "code", severity, "name", "summary")
DIAG = re.compile(r'^\s*PLAT_DIAG\(\s*(\w+)\s*,\s*"(P\d{4})"\s*,\s*(\w+)\s*,\s*"([^"]*)"\s*,'
                  r'\s*"((?:[^"\\]|\\.)*)"\s*\)', re.M)

# The ranges, as Codes.def describes them.
RANGES = [
    ("P00", "Workspace and input files"),
    ("P01", "Syntax"),
    ("P02", "Names and packages"),
    ("P03", "Types and values"),
    ("P04", "Cross-persona references"),
    ("P05", "Governance"),
    ("P06", "Resources and cost"),
    ("P07", "Backends and output"),
]


def read_codes():
    with open(CODES_DEF, encoding="utf-8") as f:
        text = f.read()
    codes = []
    for m in DIAG.finditer(text):
        summary = m.group(5).replace('\\"', '"')
        codes.append({"id": m.group(1), "code": m.group(2), "severity": m.group(3).lower(),
                      "name": m.group(4), "summary": summary})
    return sorted(codes, key=lambda c: c["code"])


def cell(text):
    return text.replace("|", "\\|")


def render(codes):
    out = [
        "# Diagnostics",
        "",
        "<!-- Generated from compiler/diag/Codes.def by tools/gen_diagnostics_doc.py. Do not edit. -->",
        "",
        "Every diagnostic `platc` reports has a stable code. `platc explain CODE`",
        "prints the page linked below: what the code means, why Plat checks it, a",
        "failing example with the diagnostic it produces, and the fix. Codes never",
        "change meaning and are never reused. JSON and SARIF output carry both the",
        "code and the name (see [diagnostics-format.md](diagnostics-format.md)).",
        "",
    ]
    for prefix, title in RANGES:
        rows = [c for c in codes if c["code"].startswith(prefix)]
        if not rows:
            continue
        out += [f"## {title}", "", "| code | name | severity | summary |",
                "|------|------|----------|---------|"]
        for c in rows:
            link = f"[{c['code']}](diagnostics/{c['code']}.md)"
            out.append(f"| {link} | `{c['name']}` | {c['severity']} | {cell(c['summary'])} |")
        out.append("")
    others = [c for c in codes if not any(c["code"].startswith(p) for p, _ in RANGES)]
    if others:
        out += ["## Other", "", "| code | name | severity | summary |",
                "|------|------|----------|---------|"]
        for c in others:
            link = f"[{c['code']}](diagnostics/{c['code']}.md)"
            out.append(f"| {link} | `{c['name']}` | {c['severity']} | {cell(c['summary'])} |")
        out.append("")
    return "\n".join(out)


def problems_with_explanations(codes):
    problems = []
    for c in codes:
        path = os.path.join(EXPLANATIONS, c["code"] + ".md")
        rel = os.path.relpath(path, ROOT)
        if not os.path.exists(path):
            problems.append(f"{rel} is missing: every code in Codes.def needs an explanation")
            continue
        with open(path, encoding="utf-8") as f:
            first = f.readline().rstrip("\n")
        want = f"# {c['code']} {c['name']}"
        if first != want:
            problems.append(f"{rel}: the first line is `{first}`, expected `{want}`")
    known = {c["code"] for c in codes}
    if os.path.isdir(EXPLANATIONS):
        for name in sorted(os.listdir(EXPLANATIONS)):
            if re.fullmatch(r"P\d{4}\.md", name) and name[:-3] not in known:
                problems.append(f"docs/diagnostics/{name} explains a code that Codes.def does not have")
    return problems


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true",
                        help="change nothing; exit 1 if docs/diagnostics.md is stale or an "
                             "explanation is missing")
    args = parser.parse_args(argv)
    codes = read_codes()
    if not codes:
        print(f"error: no PLAT_DIAG entries in {CODES_DEF}", file=sys.stderr)
        return 2
    text = render(codes)
    problems = problems_with_explanations(codes)
    if args.check:
        try:
            with open(INDEX, encoding="utf-8") as f:
                current = f.read()
        except OSError:
            current = None
        if current != text:
            problems.insert(0, "docs/diagnostics.md is out of date: run "
                               "`python3 tools/gen_diagnostics_doc.py`")
        for p in problems:
            print(f"error: {p}")
        return 1 if problems else 0
    with open(INDEX, "w", encoding="utf-8") as f:
        f.write(text)
    for p in problems:
        print(f"warning: {p}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
