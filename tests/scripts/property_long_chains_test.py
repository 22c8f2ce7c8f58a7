#!/usr/bin/env python3
"""Long reference chains: 10,000 declarations that each depend on the next
(service calls, template `extends`, pipeline lineage) must be checked without
a crash, a stack overflow or quadratic time, and report what they should.

The inputs are generated at run time (a .test file would be megabytes).

usage: property_long_chains_test.py --platc PATH [CASE...]
"""

import argparse
import os
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from platc_test import (TestFailure, assert_diag, assert_no_crash, make_workspace,  # noqa: E402
                        run_cases, run_platc)

PLATC = None
N = 10_000
# CPU seconds a run may take; generous because CI machines are shared.
CPU_LIMIT = 60
# Deep recursion must not depend on a big stack: run with the common 8 MiB.
STACK = 8 << 20

WORKSPACE = """workspace chain {
  account = "123456789012"
  region = "eu-west-1"
}

environment dev {}

environment prod {
  tier = production
}
"""

TEAM = """team web {
  lead = "ana@example.com"
  on_call = "pagerduty:web"
  cost_center = "cc-1"
}
"""


def check(files):
    files = dict(files)
    files["workspace.plat"] = WORKSPACE
    with tempfile.TemporaryDirectory(prefix="plat-chain-") as root:
        make_workspace(root, files)
        r = run_platc(PLATC, root, ["check", "--format", "json"], cpu_seconds=CPU_LIMIT,
                      stack_bytes=STACK)
    assert_no_crash(r)
    return r


def codes(r):
    return sorted({d["code"] for d in r.diagnostics()})


def service(i, calls):
    body = f"  calls = [s{calls}]\n" if calls is not None else ""
    return (f"service s{i} {{\n  owner = web\n  image = \"registry.example.com/web/s:1.0.0\"\n"
            f"  port = 8080\n{body}}}\n\n")


def test_call_chain():
    """s0 calls s1 calls ... s9999: legal, nothing to report."""
    text = TEAM + "".join(service(i, i + 1 if i + 1 < N else None) for i in range(N))
    r = check({"app.plat": text})
    if r.returncode != 0 or r.diagnostics():
        raise TestFailure(f"a call chain is legal\n{r.describe()}")
    return f"{r.cpu_seconds:.1f} s CPU"


def test_call_cycle_of_10000():
    """s9999 calls s0: one call-cycle warning, not one per service, and no crash."""
    text = TEAM + "".join(service(i, (i + 1) % N) for i in range(N))
    r = check({"app.plat": text})
    if r.returncode != 0:
        raise TestFailure(f"a call cycle is a warning\n{r.describe()}")
    if codes(r) != ["P0408"]:
        raise TestFailure(f"expected only P0408, got {codes(r)}\n{r.describe()}")
    if len(r.diagnostics()) != 1:
        raise TestFailure(f"expected one P0408, got {len(r.diagnostics())}")
    d = assert_diag(r, "P0408", "app.plat", message_contains="10000 services")
    if len(d.get("notes", [])) > 100 or len(d["message"]) > 1000:
        raise TestFailure(f"a long cycle should be abbreviated: {len(d.get('notes', []))} notes, "
                          f"{len(d['message'])} characters")
    return f"{r.cpu_seconds:.1f} s CPU"


def test_call_cycles_one_warning_per_group():
    """si calls s(i+1) and s(i+2), wrapping around: 10,000 services in one group
    with very many cycles, plus 500 separate pairs that call each other: one
    warning for the group (with its size and a shortest example cycle through
    s0) and one per pair."""
    parts = [TEAM]
    for i in range(N):
        parts.append(f"service s{i} {{\n  owner = web\n  image = \"registry.example.com/web/s:1.0.0\"\n"
                     f"  port = 8080\n  calls = [s{(i + 1) % N}, s{(i + 2) % N}]\n}}\n\n")
    pairs = 500
    for i in range(pairs):
        parts.append(service(f"p{i}a", f"p{i}b"))
        parts.append(service(f"p{i}b", f"p{i}a"))
    r = check({"app.plat": "".join(parts)})
    if r.returncode != 0 or codes(r) != ["P0408"]:
        raise TestFailure(f"expected P0408 warnings only\n{r.describe()}")
    if len(r.diagnostics()) != 1 + pairs:
        raise TestFailure(f"expected {1 + pairs} P0408, got {len(r.diagnostics())}")
    big = [d for d in r.diagnostics() if "among" in d["message"]]
    if len(big) != 1:
        raise TestFailure(f"expected one warning for the group of {N}, got {len(big)}")
    d = big[0]
    # The shortest way back to s0 is 5,000 steps of two.
    for part in ("s0 → s2 → s4", "(5000 services)", f"among {N} services"):
        if part not in d["message"]:
            raise TestFailure(f"expected {part!r} in the message: {d['message']}")
    if len(d.get("notes", [])) > 100 or len(d["message"]) > 1000:
        raise TestFailure(f"the warning should be bounded: {len(d.get('notes', []))} notes, "
                          f"{len(d['message'])} characters")
    return f"{r.cpu_seconds:.1f} s CPU"


def test_template_chain():
    """t0 extends t1 extends ... t9999: deeper than templates may nest (P0310),
    reported once per declaration that uses the chain."""
    parts = [TEAM]
    for i in range(N):
        ext = f" extends t{i + 1}" if i + 1 < N else ""
        parts.append(f"template service t{i}{ext} {{\n  port = {8000 + i % 1000}\n}}\n\n")
    parts.append("service api extends t0 {\n  owner = web\n"
                 "  image = \"registry.example.com/web/api:1.0.0\"\n}\n")
    r = check({"app.plat": "".join(parts)})
    if r.returncode != 1 or codes(r) != ["P0310"]:
        raise TestFailure(f"expected P0310 only\n{r.describe()}")
    assert_diag(r, "P0310", "app.plat", message_contains="64")
    return f"{r.cpu_seconds:.1f} s CPU"


def test_self_extending_template_chain():
    """A template chain that closes on itself after 10,000 links: a cycle, not a hang."""
    parts = [TEAM]
    for i in range(N):
        parts.append(f"template service t{i} extends t{(i + 1) % N} {{\n  port = 8080\n}}\n\n")
    parts.append("service api extends t0 {\n  owner = web\n"
                 "  image = \"registry.example.com/web/api:1.0.0\"\n}\n")
    r = check({"app.plat": "".join(parts)})
    if r.returncode != 1 or codes(r) != ["P0310"]:
        raise TestFailure(f"expected P0310 only\n{r.describe()}")
    return f"{r.cpu_seconds:.1f} s CPU"


def lineage(last_classification):
    """d0 holds pii; pipeline pI reads d(I-1) and writes dI, 10,000 times."""
    parts = [TEAM, """dataset d0 {
  owner = web
  location = s3("chain-lake", "d0/")
  classification = pii
}

"""]
    for i in range(1, N):
        cls = last_classification if i == N - 1 else "pii"
        parts.append(f"""dataset d{i} {{
  owner = web
  location = s3("chain-lake", "d{i}/")
  classification = {cls}
}}

pipeline p{i} {{
  owner = web
  image = "registry.example.com/web/p:1.0.0"
  schedule = "@daily"
  task copy {{
    reads = [d{i - 1}]
    writes = [d{i}]
  }}
}}

""")
    return {"app.plat": "".join(parts)}


def test_lineage_chain():
    """pii flows through 10,000 pipelines; every dataset says pii: clean."""
    r = check(lineage("pii"))
    if r.returncode != 0 or r.diagnostics():
        raise TestFailure(f"expected a clean check\n{r.describe()}")
    return f"{r.cpu_seconds:.1f} s CPU"


def test_lineage_chain_downgrade():
    """The last dataset says internal: one P0501 with a bounded path, per span."""
    r = check(lineage("internal"))
    if r.returncode != 1 or codes(r) != ["P0501"]:
        raise TestFailure(f"expected P0501 only\n{r.describe()}")
    d = assert_diag(r, "P0501", "app.plat", message_contains=f"d{N - 1}")
    if len(d.get("notes", [])) > 100:
        raise TestFailure(f"the lineage notes should be bounded, got {len(d['notes'])}")
    if len(d["message"]) > 10_000:
        raise TestFailure(f"the lineage path should be bounded, got {len(d['message'])} characters")
    return f"{r.cpu_seconds:.1f} s CPU"


def test_task_cycle_of_50000():
    """One pipeline whose 50,000 tasks each wait for the next, the last for the
    first: one task-cycle error (P0407), found without a call stack as deep as
    the pipeline (the run has the common 8 MiB stack)."""
    tasks = 50_000
    parts = [TEAM, "pipeline big {\n  owner = web\n  image = \"registry.example.com/web/p:1.0.0\"\n"
                   "  schedule = \"@daily\"\n"]
    for i in range(tasks):
        parts.append(f"  task t{i} {{\n    after = [t{(i + 1) % tasks}]\n  }}\n")
    parts.append("}\n")
    r = check({"app.plat": "".join(parts)})
    if r.returncode != 1 or codes(r) != ["P0407"] or len(r.diagnostics()) != 1:
        raise TestFailure(f"expected one P0407\n{r.describe()}")
    d = assert_diag(r, "P0407", "app.plat", message_contains=f"({tasks} tasks)")
    if len(d.get("notes", [])) > 100 or len(d["message"]) > 1000:
        raise TestFailure(f"a long cycle should be abbreviated: {len(d.get('notes', []))} notes, "
                          f"{len(d['message'])} characters")
    return f"{r.cpu_seconds:.1f} s CPU"


def test_wide_dataset():
    """A dataset of 5,000 columns and a model naming each of them as a feature,
    plus 300 names that are not columns: one P0404 per unknown name, each with
    a bounded list of the columns (not the whole schema 300 times)."""
    columns = 5_000
    unknown = 300
    schema = "".join(f"    col_{i:05d} : float\n" for i in range(columns))
    features = ", ".join([f"wide.col_{i:05d}" for i in range(columns)] +
                         [f"wide.qqqqqqqqqqqq_{i}" for i in range(unknown)])
    text = TEAM + f"""dataset wide {{
  owner = web
  location = s3("chain-lake", "wide/")
  schema {{
{schema}    is_fraud : bool
  }}
}}

model scorer {{
  owner = web
  framework = xgboost("1.7-1")
  trained_on = [wide]
  features = [{features}]
  label = wide.is_fraud
  train {{
    instance = "ml.m5.large"
  }}
}}
"""
    r = check({"app.plat": text})
    if r.returncode != 1 or codes(r) != ["P0404"] or len(r.diagnostics()) != unknown:
        raise TestFailure(f"expected {unknown} P0404\n{r.describe()}")
    for d in r.diagnostics():
        if f"and {columns + 1 - 20} more" not in d.get("help", "") or len(d.get("help", "")) > 1000:
            raise TestFailure(f"expected a bounded list of columns, got {d.get('help', '')[:300]}")
    return f"{r.cpu_seconds:.1f} s CPU"


def test_junk_tokens():
    """A megabyte of `@ ` (half a million tokens the parser cannot use) next to
    a valid file: a located syntax error at the first bad token, then the
    parser gives up on the file once error recovery has tried long enough,
    and the other file is still checked (its unknown name is reported)."""
    ok_file = TEAM + "service api {\n  owner = web\n  image = \"registry.example.com/web/a:1.0.0\"\n" \
        "  port = 8080\n  calls = [nowhere]\n}\n"
    r = check({"junk.plat": "@ " * (512 * 1024), "app.plat": ok_file})
    if r.returncode != 1:
        raise TestFailure(f"junk is an error\n{r.describe()}")
    assert_diag(r, "P0101", "junk.plat", line=1, column=3)
    assert_diag(r, "P0101", "junk.plat", line=1, message_contains="too many syntax errors")
    assert_diag(r, "P0205", "app.plat", message_contains="nowhere")
    if len(r.diagnostics()) > 10:
        raise TestFailure(f"expected a few diagnostics, got {len(r.diagnostics())}")
    return f"{r.cpu_seconds:.1f} s CPU"


CASES = [test_call_chain, test_call_cycle_of_10000, test_call_cycles_one_warning_per_group,
         test_template_chain,
         test_self_extending_template_chain, test_lineage_chain, test_lineage_chain_downgrade,
         test_task_cycle_of_50000, test_wide_dataset, test_junk_tokens]


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
