#!/usr/bin/env python3
"""Validates the audit evidence `platc build` writes (OUT/<env>/evidence.json).

    evidence_validate.py --platc BIN --workspace DIR --schema docs/evidence.schema.json

Copies DIR into a temporary folder (outside any git repository), builds it,
and for every environment checks that evidence.json:

- validates against the JSON Schema (python3-jsonschema, Draft 2020-12);
- lists exactly the files the build wrote beside it, each with the SHA-256
  of its bytes, and every workspace source with the SHA-256 of its bytes;
- names generated objects that exist: every NetworkPolicy, ServiceMonitor or
  PrometheusRule is a document of its YAML file, every IAM statement a Sid in
  the named role, every SageMaker request a file of that operation naming it;
- records no commit outside git;
- is byte-identical when the workspace is built again;
- with `--target k8s`, lists that target and only its files.

Then it makes the copy a git repository, commits it and builds again: the
record names the commit, every source is `committed` and every declaration's
source carries the commit; after one file is edited, that file is `modified`
and its declarations lose the commit. Needs git on PATH.
"""

import argparse
import hashlib
import json
import re
import os
import shutil
import subprocess
import sys
import tempfile

import jsonschema
import yaml

FAILURES = []


def fail(msg):
    FAILURES.append(msg)
    print("FAIL: " + msg)


def sha256(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def build(platc, ws, out, *extra):
    proc = subprocess.run([platc, "build", ws, "-o", out, "--color", "never", *extra],
                          capture_output=True, text=True, timeout=300)
    if proc.returncode != 0:
        sys.stderr.write(proc.stderr)
        sys.exit("evidence_validate: FAIL: platc build exited %d" % proc.returncode)


def env_files(env_dir):
    found = {}
    for dirpath, _, names in os.walk(env_dir):
        for n in names:
            rel = os.path.relpath(os.path.join(dirpath, n), env_dir).replace(os.sep, "/")
            if rel != "evidence.json":
                found[rel] = sha256(os.path.join(dirpath, n))
    return found


def object_exists(env_dir, obj, cache):
    path = os.path.join(env_dir, obj["file"])
    if not os.path.isfile(path):
        return False
    kind, name = obj["kind"], obj["name"]
    if obj["file"].endswith(".yaml"):
        if path not in cache:
            with open(path, encoding="utf-8") as f:
                cache[path] = [d for d in yaml.safe_load_all(f) if d]
        ns, _, short = name.partition("/")
        return any(d.get("kind") == kind and d["metadata"].get("name") == short and
                   d["metadata"].get("namespace") == ns for d in cache[path])
    if path not in cache:
        with open(path, encoding="utf-8") as f:
            cache[path] = json.load(f)
    doc = cache[path]
    if kind == "IAM statement":
        role, _, sid = name.partition(" ")
        r = doc.get("roles", {}).get(role)
        return bool(r) and any(s.get("Sid") == sid for s in r["policy"]["Statement"])
    # A SageMaker (or CloudWatch) request: the file of that operation, and
    # the object's name as one of its top-level values. A model has one alarm
    # per objective, each in a file with the objective's suffix
    # (`put-metric-alarm-errors.json`); other operations have one file.
    cli = "".join("-" + c.lower() if c.isupper() else c for c in kind).lstrip("-")
    suffix = r"(-[a-z0-9]+)?" if cli == "put-metric-alarm" else ""
    if not re.search(r"\." + re.escape(cli) + suffix + r"\.json$", obj["file"]):
        return False
    return name in [v for v in doc.values() if isinstance(v, str)]


def check_record(record, schema, env_dir, ws, label):
    try:
        jsonschema.validate(record, schema, cls=jsonschema.Draft202012Validator)
    except jsonschema.ValidationError as e:
        fail("%s: does not match the schema: %s at %s" % (label, e.message, list(e.absolute_path)))
        return
    written = env_files(env_dir)
    listed = {f["path"]: f["sha256"] for f in record["files"]}
    if listed != written:
        fail("%s: files listed %s differ from the files written %s" %
             (label, sorted(set(listed) ^ set(written)) or "(hashes)", sorted(written)[:5]))
    for s in record["sources"]:
        if s["path"].startswith("<std>"):
            continue
        if sha256(os.path.join(ws, s["path"])) != s["sha256"]:
            fail("%s: the hash of source %s is wrong" % (label, s["path"]))
    user_sources = sorted(os.path.relpath(os.path.join(d, n), ws).replace(os.sep, "/")
                          for d, _, ns in os.walk(ws) if "/." not in d for n in ns if n.endswith(".plat"))
    recorded = sorted(s["path"] for s in record["sources"] if not s["path"].startswith("<std>"))
    if recorded != user_sources:
        fail("%s: sources %s, expected %s" % (label, recorded, user_sources))
    cache = {}
    objects = 0
    for d in record["declarations"]:
        for c in d["controls"]:
            if not c["objects"] and "note" not in c:
                fail("%s: %s control %s has neither objects nor a note" % (label, d["name"], c["control"]))
            for o in c["objects"]:
                objects += 1
                if not object_exists(env_dir, o, cache):
                    fail("%s: %s %s: %s `%s` is not in %s" %
                         (label, d["name"], c["control"], o["kind"], o["name"], o["file"]))
    for r in record["rules"]:
        if r["passed"] + r["failed"] != r["in_scope"]:
            fail("%s: rule %s counts do not add up" % (label, r["policy"]))
    return objects


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--platc", required=True)
    ap.add_argument("--workspace", required=True)
    ap.add_argument("--schema", required=True)
    args = ap.parse_args()
    with open(args.schema, encoding="utf-8") as f:
        schema = json.load(f)
    jsonschema.Draft202012Validator.check_schema(schema)

    with tempfile.TemporaryDirectory(prefix="plat-evidence-") as tmp:
        ws = os.path.join(tmp, "ws")
        shutil.copytree(args.workspace, ws)
        out = os.path.join(tmp, "out")
        build(args.platc, ws, out)
        envs = sorted(e for e in os.listdir(out) if not e.startswith("."))
        if not envs:
            sys.exit("evidence_validate: FAIL: the build wrote no environment")
        objects = 0
        for env in envs:
            path = os.path.join(out, env, "evidence.json")
            if not os.path.isfile(path):
                fail("%s: no evidence.json" % env)
                continue
            with open(path, encoding="utf-8") as f:
                record = json.load(f)
            objects += check_record(record, schema, os.path.join(out, env), ws, env) or 0
            if "git" in record or any("commit" in d["source"] for d in record["declarations"]):
                fail("%s: a commit is recorded outside git" % env)
            if record["environment"] != env:
                fail("%s: the record names environment %s" % (env, record["environment"]))
        if objects == 0:
            fail("no generated object is named in any record: nothing was checked")

        # Deterministic: a second build into a fresh folder writes the same record.
        out2 = os.path.join(tmp, "out2")
        build(args.platc, ws, out2)
        for env in envs:
            if sha256(os.path.join(out, env, "evidence.json")) != sha256(os.path.join(out2, env, "evidence.json")):
                fail("%s: evidence.json differs between two builds" % env)

        # A narrowed build records what it built.
        out3 = os.path.join(tmp, "out3")
        build(args.platc, ws, out3, "--env", envs[0], "--target", "k8s")
        with open(os.path.join(out3, envs[0], "evidence.json"), encoding="utf-8") as f:
            record = json.load(f)
        if record["targets"] != ["k8s"] or any(not p["path"].startswith("k8s/") for p in record["files"]):
            fail("--target k8s: the record lists %s and files outside k8s/" % record["targets"])
        check_record(record, schema, os.path.join(out3, envs[0]), ws, envs[0] + " (--target k8s)")

        # In git: the commit, then a modified file.
        git = ["git", "-C", ws, "-c", "user.name=t", "-c", "user.email=t@example.com",
               "-c", "commit.gpgsign=false"]
        subprocess.run(git + ["init", "-q"], check=True)
        subprocess.run(git + ["add", "-A"], check=True)
        subprocess.run(git + ["commit", "-q", "-m", "workspace"], check=True)
        head = subprocess.run(git + ["rev-parse", "HEAD"], check=True, capture_output=True,
                              text=True).stdout.strip()
        out4 = os.path.join(tmp, "out4")
        build(args.platc, ws, out4, "--env", envs[0])
        with open(os.path.join(out4, envs[0], "evidence.json"), encoding="utf-8") as f:
            record = json.load(f)
        check_record(record, schema, os.path.join(out4, envs[0]), ws, envs[0] + " (git)")
        if record.get("git") != {"commit": head, "sources_committed": True}:
            fail("git: the record says %s, HEAD is %s" % (record.get("git"), head))
        if any(s.get("git") != "committed" for s in record["sources"] if not s["path"].startswith("<std>")):
            fail("git: a committed source is not recorded as committed")
        if any(d["source"].get("commit") != head for d in record["declarations"]):
            fail("git: a declaration's source lacks the commit")
        edited = next(d["source"]["file"] for d in record["declarations"])
        with open(os.path.join(ws, edited), "a", encoding="utf-8") as f:
            f.write("\n// edited after the commit\n")
        build(args.platc, ws, out4, "--env", envs[0])
        with open(os.path.join(out4, envs[0], "evidence.json"), encoding="utf-8") as f:
            record = json.load(f)
        status = {s["path"]: s.get("git") for s in record["sources"]}
        if status.get(edited) != "modified" or record["git"]["sources_committed"]:
            fail("git: the edited %s is recorded as %s" % (edited, status.get(edited)))
        for d in record["declarations"]:
            if (d["source"]["file"] == edited) != ("commit" not in d["source"]):
                fail("git: %s (in %s) has commit %s" % (d["name"], d["source"]["file"], d["source"].get("commit")))

    if FAILURES:
        print("%d failure(s)" % len(FAILURES))
        return 1
    print("ok: evidence of %d environment(s) valid, %d generated objects found" % (len(envs), objects))
    return 0


if __name__ == "__main__":
    sys.exit(main())
