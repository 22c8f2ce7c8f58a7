#!/usr/bin/env python3
"""Checks every ```plat code block in docs/*.md with platc.

- A ```plat block is a complete file. It is written into a fresh workspace
  and `platc check` must report nothing at all (no error, no warning). The
  workspace provides:
    workspace.plat   a `workspace` and the environments `dev`, `staging`
                     (tier staging) and `prod` (tier production), unless the
                     block declares a `workspace` itself, in which case the
                     block is the workspace root file;
    shown files      a block written ```plat file=PATH (docs/example-teams.md
                     shows `teams/teams.plat`, the package `teams`) is added
                     to the workspace of every block that imports its
                     package, but only in a page that links to the page that
                     shows it: the test checks what a reader sees, nothing
                     is added behind their back.
  The block itself goes into `example.plat`, or into `<package path>/example.plat`
  when it starts with a `package` line.
- A ```plat fragment block is only parsed: it passes if it has no syntax
  error (P01xx) as a file, as the items of a block, as a value, or as one
  value per line. A line `...` or a block `{ ... }` stands for elided content.
- A ```plat fail CODE block is a complete file (with the same workspace) that
  is meant to fail: it passes if `platc check` reports CODE (docs/diagnostics/).

    python3 tests/docs/check_docs.py --platc build/platc [docs/x.md ...]

Only the standard library is used.
"""

import argparse
import glob
import json
import os
import re
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

WORKSPACE = """workspace docs {
  account = "123456789012"
  region = "eu-west-1"
}

environment dev {}

environment staging {
  tier = staging
}

environment prod {
  tier = production
}
"""


FENCE = re.compile(r"^```(\S*)(.*)$")


def blocks(path):
    """Yields (line, info, text) for each fenced block whose language is plat."""
    with open(path, encoding="utf-8") as f:
        lines = f.read().splitlines(keepends=True)
    i = 0
    while i < len(lines):
        m = FENCE.match(lines[i].rstrip("\n"))
        if not m:
            i += 1
            continue
        lang, info = m.group(1), m.group(2).strip()
        start = i + 1
        i += 1
        body = []
        while i < len(lines) and not lines[i].startswith("```"):
            body.append(lines[i])
            i += 1
        i += 1
        if lang == "plat":
            yield start, info, "".join(body)


def run_platc(platc, files):
    with tempfile.TemporaryDirectory(prefix="plat-docs-") as tmp:
        for rel, text in files.items():
            full = os.path.join(tmp, rel)
            os.makedirs(os.path.dirname(full), exist_ok=True)
            with open(full, "w", encoding="utf-8") as f:
                f.write(text)
        proc = subprocess.run([platc, "check", tmp, "--format", "json"],
                              capture_output=True, text=True, timeout=60)
        diags = []
        for line in proc.stdout.splitlines():
            line = line.strip()
            if line.startswith("{"):
                diags.append(json.loads(line))
        return proc.returncode, diags, proc.stderr


def describe(d):
    s = d.get("span", {})
    return f"{s.get('file')}:{s.get('line')}:{s.get('column')}: {d['severity']}[{d['code']}] {d['message']}"


def check_complete(platc, text, shown):
    files = dict(shown)
    if re.search(r"^workspace\s+\w+", text, re.M):
        files["workspace.plat"] = text
    else:
        files["workspace.plat"] = WORKSPACE
        m = re.search(r"^package\s+([\w.]+)", text, re.M)
        folder = m.group(1).replace(".", "/") + "/" if m else ""
        files[folder + "example.plat"] = text
    code, diags, stderr = run_platc(platc, files)
    if code not in (0, 1):
        return [f"platc exited {code}: {stderr.strip()}"]
    return [describe(d) for d in diags]


def check_fragment(platc, text):
    # `...` stands for elided content.
    text = re.sub(r"^\s*\.\.\.\s*$", "", text.replace("{ ... }", "{}"), flags=re.M)
    values = [line for line in text.splitlines() if line.strip()]
    attempts = [
        text,
        "service fragment {\n" + text + "\n}\n",
        "service fragment {\n  x = " + text + "\n}\n",
        # One value per line.
        "service fragment {\n" + "".join(f"  x{i} = {v}\n" for i, v in enumerate(values)) + "}\n",
    ]
    best = None
    for attempt in attempts:
        code, diags, stderr = run_platc(platc, {"workspace.plat": WORKSPACE,
                                                "fragment.plat": attempt})
        if code not in (0, 1):
            return [f"platc exited {code}: {stderr.strip()}"]
        syntax = [describe(d) for d in diags
                  if d["code"].startswith("P01") and d["span"].get("file") == "fragment.plat"]
        if not syntax:
            return []
        if best is None:
            best = syntax
    return best


def check_failing(platc, text, code, shown):
    files = dict(shown)
    if re.search(r"^workspace\s+\w+", text, re.M):
        files["workspace.plat"] = text
    else:
        files["workspace.plat"] = WORKSPACE
        m = re.search(r"^package\s+([\w.]+)", text, re.M)
        files[(m.group(1).replace(".", "/") + "/" if m else "") + "example.plat"] = text
    status, diags, stderr = run_platc(platc, files)
    if status == 2:
        return [f"platc failed: {stderr.strip()}"]
    if any(d["code"] == code for d in diags):
        return []
    return [f"expected {code}, got: " + (", ".join(d["code"] for d in diags) or "nothing")]


def shown_files():
    """The files the docs show (```plat file=PATH), by path: {path: (page, text)}."""
    out = {}
    for doc in sorted(glob.glob(os.path.join(ROOT, "docs", "**", "*.md"), recursive=True)):
        for _, info, text in blocks(doc):
            words = info.split()
            if words[:1] and words[0].startswith("file="):
                out[words[0][len("file="):]] = (doc, text)
    return out


def files_for(doc, text, shown):
    """The shown files a block of `doc` gets: those whose package it imports,
    if `doc` shows them or links to the page that does. Returns (files,
    problems)."""
    files, problems = {}, []
    with open(doc, encoding="utf-8") as f:
        page = f.read()
    for m in re.finditer(r"^import\s+([\w.]+)", text, re.M):
        package = m.group(1)
        for path, (where, body) in shown.items():
            if not re.search(rf"^package\s+{re.escape(package)}\s*$", body, re.M):
                continue
            if os.path.abspath(where) != os.path.abspath(doc) and os.path.basename(where) not in page:
                problems.append(f"imports `{package}`, shown in {os.path.relpath(where, ROOT)}, "
                                f"which this page does not link to")
            files[path] = body
    return files, problems


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--platc", required=True)
    parser.add_argument("docs", nargs="*", help="Markdown files (default: docs/*.md)")
    args = parser.parse_args(argv)
    platc = os.path.abspath(args.platc)
    docs = args.docs or sorted(glob.glob(os.path.join(ROOT, "docs", "*.md")))
    failed = checked = 0
    shown = shown_files()
    for doc in docs:
        rel = os.path.relpath(doc, ROOT)
        for line, info, text in blocks(doc):
            checked += 1
            words = info.split()
            fragment = words[:1] == ["fragment"]
            files, problems = files_for(doc, text, shown)
            if words[:1] and words[0].startswith("file="):
                # A shown file is checked as the reader would use it: with
                # the workspace and the files it imports.
                problems += check_complete(platc, text, {**files})
            elif words[:1] == ["fail"]:
                code = words[1] if len(words) > 1 else ""
                problems += check_failing(platc, text, code, files)
            elif fragment:
                problems += check_fragment(platc, text)
            else:
                problems += check_complete(platc, text, files)
            if problems:
                failed += 1
                kind = "fragment" if fragment else " ".join(words[:2]) if words[:1] == ["fail"] else "block"
                print(f"FAIL {rel}:{line}: plat {kind}")
                for p in problems:
                    print(f"  {p}")
    print(f"{checked} plat blocks checked, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
