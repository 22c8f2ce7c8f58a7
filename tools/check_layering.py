#!/usr/bin/env python3
"""The layering of platc's sources, checked on every #include.

Each rule says which folder may not include from which. They are the
architecture's boundaries (docs/ARCHITECTURE.md, "Layers"): a stage never
reaches into a later one, the compiler core never into the programs built
on it, and backends are peers over shared layers.

usage: tools/check_layering.py [SOURCE_DIR]     exit 0 when every rule holds
"""

import os
import re
import sys

INCLUDE = re.compile(r'^\s*#\s*include\s*"([^"]+)"', re.M)

# The compiler core: every stage below the driver and the pipeline.
CORE = ["compiler/base", "compiler/ast", "compiler/syntax", "compiler/workspace",
        "compiler/diag", "compiler/sema", "compiler/governance", "compiler/format",
        "compiler/report", "compiler/stdlib"]
# Programs and libraries built on the core.
ABOVE_CORE = ["backends", "compiler/driver", "lsp", "mcp", "compiler/review", "compiler/mcp"]
# The backends proper (peers); everything else under backends/ is shared.
PEERS = ["backends/k8s", "backends/iam", "backends/sagemaker", "backends/airflow"]

# (who, may not include, why)
RULES = [
    (["compiler/base"], [c for c in CORE if c != "compiler/base"] + ["compiler/pipeline"],
     "base is the bottom layer"),
    (["compiler/syntax", "compiler/ast"],
     ["compiler/sema", "compiler/governance", "compiler/workspace", "compiler/pipeline"],
     "syntax comes before names and types"),
    (["compiler/sema"], ["compiler/governance", "compiler/pipeline"],
     "sema comes before governance; the pipeline sequences them"),
    (["compiler/governance"], ["compiler/pipeline"], "the pipeline calls governance, not the reverse"),
    (CORE + ["compiler/pipeline"], ABOVE_CORE,
     "the compiler core never depends on what is built on it"),
    (["backends"], ["compiler/syntax", "compiler/ast", "compiler/format", "compiler/driver", "lsp"],
     "backends read only the checked model"),
]




def check(root):
    problems = []
    files = []
    for top in ("compiler", "backends", "lsp", "mcp"):
        for dirpath, _, names in os.walk(os.path.join(root, top)):
            for n in names:
                if n.endswith((".h", ".cpp", ".def", ".inc")):
                    files.append(os.path.relpath(os.path.join(dirpath, n), root))
    files.sort()
    includes = 0
    for rel in files:
        with open(os.path.join(root, rel), encoding="utf-8", errors="replace") as f:
            text = f.read()
        for m in INCLUDE.finditer(text):
            inc = m.group(1)
            line = text.count("\n", 0, m.start()) + 1
            # Includes are relative to compiler/ or to the repository root;
            # anything else (llvm/, fmt/, generated files) is not ours.
            if os.path.exists(os.path.join(root, "compiler", inc)):
                target = "compiler/" + inc
            elif os.path.exists(os.path.join(root, inc)):
                target = inc
            else:
                continue
            includes += 1
            for who, banned, why in RULES:
                if not any(rel.startswith(w + "/") for w in who):
                    continue
                for b in banned:
                    if target.startswith(b if b.endswith("/") else b + "/"):
                        problems.append(f"{rel}:{line}: includes {inc}: {why}")
            # Backends are peers: one never includes another.
            mine = next((p for p in PEERS if rel.startswith(p + "/")), None)
            theirs = next((p for p in PEERS if target.startswith(p + "/")), None)
            if mine and theirs and mine != theirs:
                problems.append(f"{rel}:{line}: includes {inc}: backends are peers; "
                                f"move what both need to a shared layer (backends/aws, backends/*.h)")
    return problems, len(files), includes


def main():
    root = sys.argv[1] if len(sys.argv) > 1 else os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    problems, nfiles, nincludes = check(root)
    if nincludes == 0:
        print("no include was read: is the pattern out of date?")
        return 1
    if problems:
        print("layering violations (docs/ARCHITECTURE.md, \"Layers\"):")
        print("\n".join(problems))
        return 1
    print(f"ok: {nincludes} includes in {nfiles} files follow the layering rules")
    return 0


if __name__ == "__main__":
    sys.exit(main())
