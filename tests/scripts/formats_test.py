#!/usr/bin/env python3
"""The machine-readable diagnostic formats (docs/diagnostics-format.md).

- `--format json`: one JSON object per line, with exactly the documented keys
  in the documented order, consistent with the text output.
- `--format sarif`: a SARIF 2.1.0 log consistent with the JSON output, and
  valid according to Microsoft's SARIF multitool (tests/sarif/, installed by
  `npm ci` from scripts/setup.sh). Without the multitool the schema case exits
  77 (ctest: skipped), unless PLAT_REQUIRE_SARIF_TOOL=1, as in CI, where it
  fails.

usage: formats_test.py --platc PATH --source-dir DIR [CASE...]
"""

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from platc_test import (TestFailure, assert_diag, assert_no_crash, make_workspace,  # noqa: E402
                        run_cases, run_platc)

PLATC = None
SOURCE_DIR = None
SKIP = 77

DIAG_KEYS = ["code", "name", "severity", "message", "span", "labels", "notes", "help", "fixes"]
SPAN_KEYS = ["file", "line", "column", "end_line", "end_column", "byte_offset", "byte_length"]

# Errors of several shapes: with a label (P0102), a located note (P0201), a
# fix (P0202, P0203), non-ASCII and astral characters before the error
# column, and a diagnostic in a second file.
FILES = {
    "a.plat": 'team payments {\n  lead = "ana@example.com"\n  cost_center = "cc-1"\n}\n',
    "b.plat": 'team payments {\n  lead = "bo"\n  cost_center = "cc-2"\n}\n',
    "c.plat": 'package shop\n\nimport billng\nimport billing\nimport billing\n',
    "d.plat": 'package billing\n\nteam finance {\n  lead = "ö😀" ; cost_center = "x"\n}\n',
    "e.plat": 'team open {\n  lead = "x"\n',
}


def run_formats():
    with tempfile.TemporaryDirectory(prefix="plat-formats-") as root:
        make_workspace(root, FILES)
        out = {f: run_platc(PLATC, root, ["check", "--format", f, "--color", "never"])
               for f in ("text", "json", "sarif")}
        return root, out


RESULTS = None


def results():
    global RESULTS
    if RESULTS is None:
        RESULTS = run_formats()
    return RESULTS


def check_span(span, where):
    if list(span.keys()) != SPAN_KEYS:
        raise TestFailure(f"{where}: span keys {list(span.keys())}, documented {SPAN_KEYS}")
    for k in SPAN_KEYS[1:]:
        if not isinstance(span[k], int) or span[k] < 0:
            raise TestFailure(f"{where}: span.{k} = {span[k]!r}")
    if span["line"] < 1 or span["column"] < 1:
        raise TestFailure(f"{where}: lines and columns are 1-based: {span}")
    if (span["end_line"], span["end_column"]) < (span["line"], span["column"]):
        raise TestFailure(f"{where}: span ends before it starts: {span}")


def test_json_lines():
    _, out = results()
    r = out["json"]
    assert_no_crash(r)
    if r.returncode != 1:
        raise TestFailure(f"expected exit 1\n{r.describe()}")
    if r.stderr:
        raise TestFailure(f"--format json must keep stderr empty, got:\n{r.stderr}")
    if not r.stdout.endswith("\n"):
        raise TestFailure("the last JSON line must end with a newline")
    diags = r.diagnostics()  # fails unless every line is one JSON object
    if len(diags) != len(r.stdout.splitlines()):
        raise TestFailure("one diagnostic per line expected")
    for i, d in enumerate(diags, 1):
        where = f"line {i}"
        if not isinstance(d, dict) or list(d.keys()) != DIAG_KEYS:
            raise TestFailure(f"{where}: keys {list(d)}, documented {DIAG_KEYS}")
        if not re.fullmatch(r"P\d{4}", d["code"]) or d["severity"] not in ("error", "warning",
                                                                         "note"):
            raise TestFailure(f"{where}: bad code or severity: {d}")
        if not re.fullmatch(r"[a-z0-9-]+", d["name"]):
            raise TestFailure(f"{where}: name must be kebab-case: {d['name']}")
        if d["span"] is not None:
            check_span(d["span"], where)
        for label in d["labels"]:
            if list(label.keys()) != ["span", "message"]:
                raise TestFailure(f"{where}: label keys {list(label)}")
            check_span(label["span"], where + " label")
        for note in d["notes"]:
            if list(note.keys()) != ["message", "span"]:
                raise TestFailure(f"{where}: note keys {list(note)}")
            if note["span"] is not None:
                check_span(note["span"], where + " note")
        if d["help"] is not None and not isinstance(d["help"], str):
            raise TestFailure(f"{where}: help must be a string or null")
        for fix in d["fixes"]:
            if list(fix.keys()) != ["description", "safe", "edits"] or not fix["edits"]:
                raise TestFailure(f"{where}: fix {fix}")
            if not isinstance(fix["safe"], bool):
                raise TestFailure(f"{where}: fix `safe` must be a bool: {fix}")
            for edit in fix["edits"]:
                if list(edit.keys()) != ["span", "replacement"]:
                    raise TestFailure(f"{where}: edit {edit}")
                check_span(edit["span"], where + " edit")
    # Sorted by file, then position.
    keys = [(d["span"]["file"], d["span"]["byte_offset"]) for d in diags if d["span"]]
    if keys != sorted(keys):
        raise TestFailure(f"diagnostics are not sorted by file and position: {keys}")
    # The shapes this input is meant to exercise.
    assert_diag(r, "P0102", "e.plat")
    assert_diag(r, "P0201", "b.plat", line=1, column=6)
    if not any(d["labels"] for d in diags):
        raise TestFailure("expected a diagnostic with a label (P0102's `opened here`)")
    if not any(n["span"] for d in diags for n in d["notes"]):
        raise TestFailure("expected a located note (P0201's `first declared here`)")
    if not any(d["fixes"] for d in diags):
        raise TestFailure("expected a diagnostic with a fix (P0202's did-you-mean)")
    return f"{len(diags)} diagnostics"


def test_json_columns_count_code_points():
    _, out = results()
    # `  lead = "ö😀" ;` : the `;` is the 15th code point, the 16th UTF-16 unit
    # and byte 18 (0-based) of its line.
    d = assert_diag(out["json"], "P0105", "d.plat", line=4)
    if d["span"]["column"] != 15:
        raise TestFailure(f"JSON columns count code points: expected 15, got {d['span']}")


def test_text_agrees_with_json():
    _, out = results()
    text, js = out["text"], out["json"]
    assert_no_crash(text)
    if text.returncode != js.returncode:
        raise TestFailure(f"exit codes differ: text {text.returncode}, json {js.returncode}")
    codes_text = re.findall(r"^(?:error|warning|note)\[(P\d{4})\]", text.stderr, re.M)
    codes_json = [d["code"] for d in js.diagnostics()]
    if codes_text != codes_json:
        raise TestFailure(f"text and JSON disagree:\n{codes_text}\n{codes_json}")


def sarif_log():
    root, out = results()
    r = out["sarif"]
    assert_no_crash(r)
    if r.returncode != 1 or r.stderr:
        raise TestFailure(f"expected exit 1 and empty stderr\n{r.describe()}")
    try:
        return root, json.loads(r.stdout)
    except json.JSONDecodeError as e:
        raise TestFailure(f"SARIF output is not JSON: {e}")


def test_sarif_matches_json():
    root, log = sarif_log()
    if log.get("version") != "2.1.0" or len(log.get("runs", [])) != 1:
        raise TestFailure("expected a SARIF 2.1.0 log with one run")
    run = log["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    results_ = run["results"]
    diags = results()[1]["json"].diagnostics()
    if len(results_) != len(diags):
        raise TestFailure(f"{len(results_)} SARIF results, {len(diags)} JSON diagnostics")
    if run.get("columnKind") != "utf16CodeUnits":
        raise TestFailure("columnKind must be utf16CodeUnits")
    base = run["originalUriBaseIds"]["%SRCROOT%"]["uri"]
    if base != "file://" + os.path.realpath(root) + "/" and base != "file://" + root + "/":
        raise TestFailure(f"%SRCROOT% is {base}, expected the workspace root {root}")
    ids = [rule["id"] for rule in rules]
    if len(set(ids)) != len(ids):
        raise TestFailure("duplicate rule ids")
    for res, d in zip(results_, diags):
        if res["ruleId"] != d["code"] or rules[res["ruleIndex"]]["id"] != d["code"]:
            raise TestFailure(f"ruleId/ruleIndex do not match {d['code']}: {res}")
        if res["level"] != d["severity"]:
            raise TestFailure(f"level {res['level']} for severity {d['severity']}")
        if not res["message"]["text"].startswith(d["message"]):
            raise TestFailure(f"message differs: {res['message']} vs {d['message']}")
        if d["span"]:
            loc = res["locations"][0]["physicalLocation"]
            if loc["artifactLocation"]["uri"] != d["span"]["file"]:
                raise TestFailure(f"uri {loc['artifactLocation']} vs {d['span']['file']}")
            if loc["region"]["startLine"] != d["span"]["line"]:
                raise TestFailure(f"startLine differs: {loc['region']} vs {d['span']}")
        if len(res.get("relatedLocations", [])) != (
                len(d["labels"]) + sum(1 for n in d["notes"] if n["span"])):
            raise TestFailure(f"relatedLocations do not match labels and located notes: {res}")
        if bool(res.get("fixes")) != bool(d["fixes"]):
            raise TestFailure(f"fixes differ: {res} vs {d}")
        if [f["properties"]["safe"] for f in res.get("fixes", [])] != [f["safe"] for f in d["fixes"]]:
            raise TestFailure(f"fix `safe` flags differ: {res} vs {d}")
    # UTF-16 columns: `ö` is one unit, `😀` two, so the `;` is at column 16.
    for res in results_:
        if res["ruleId"] == "P0105":
            col = res["locations"][0]["physicalLocation"]["region"]["startColumn"]
            if col != 16:
                raise TestFailure(f"SARIF startColumn must count UTF-16 units: 16, got {col}")
            break
    else:
        raise TestFailure("no P0105 result")
    return f"{len(results_)} results, {len(rules)} rules"


def multitool():
    base = os.path.join(SOURCE_DIR, "tests", "sarif", "node_modules", "@microsoft")
    binary = os.path.join(base, "sarif-multitool-linux", "Sarif.Multitool")
    return binary if os.path.isfile(binary) else None


def test_sarif_validates_against_schema():
    tool = multitool()
    if not tool:
        raise SkipTest("the SARIF multitool is not installed: run `npm ci` in tests/sarif "
                       "(scripts/setup.sh does)")
    if not os.access(tool, os.X_OK):
        os.chmod(tool, 0o755)  # npm does not run its install script that would
    _, log = sarif_log()
    with tempfile.TemporaryDirectory(prefix="plat-sarif-") as tmp:
        paths = []
        # The errors log, and a clean run (an empty results array).
        for name, text in (("errors.sarif", results()[1]["sarif"].stdout),
                           ("clean.sarif", clean_sarif())):
            path = os.path.join(tmp, name)
            with open(path, "w") as f:
                f.write(text)
            paths.append(path)
        proc = subprocess.run([tool, "validate", *paths], capture_output=True, text=True,
                              timeout=300, env=dict(os.environ, DOTNET_CLI_TELEMETRY_OPTOUT="1"))
    output = proc.stdout + proc.stderr
    problems = [line for line in output.splitlines() if re.search(r"\berror\b \w+\d+:", line)]
    if proc.returncode != 0 or problems or "files scanned" not in output:
        raise TestFailure("the SARIF multitool reports problems:\n" + output)
    return "valid SARIF 2.1.0"


def clean_sarif():
    with tempfile.TemporaryDirectory(prefix="plat-formats-") as root:
        make_workspace(root, {})
        r = run_platc(PLATC, root, ["check", "--format", "sarif"])
    if r.returncode != 0 or json.loads(r.stdout)["runs"][0]["results"] != []:
        raise TestFailure(f"a clean workspace must give exit 0 and no results\n{r.describe()}")
    return r.stdout


class SkipTest(Exception):
    pass


CASES = [v for k, v in sorted(globals().items()) if k.startswith("test_")]


def main():
    global PLATC, SOURCE_DIR
    parser = argparse.ArgumentParser()
    parser.add_argument("--platc", required=True)
    parser.add_argument("--source-dir", required=True)
    parser.add_argument("cases", nargs="*")
    args = parser.parse_args()
    PLATC = os.path.abspath(args.platc)
    SOURCE_DIR = os.path.abspath(args.source_dir)
    if args.cases == ["test_sarif_validates_against_schema"]:
        try:
            print("ok   " + test_sarif_validates_against_schema())
            return 0
        except SkipTest as e:
            if os.environ.get("PLAT_REQUIRE_SARIF_TOOL") == "1":
                print(f"FAIL: {e}")
                return 1
            print(f"SKIP: {e}")
            return SKIP
        except TestFailure as e:
            print(f"FAIL: {e}")
            return 1
    cases = [c for c in CASES if c.__name__ != "test_sarif_validates_against_schema"]
    return run_cases(cases, args.cases)


if __name__ == "__main__":
    sys.exit(main())
