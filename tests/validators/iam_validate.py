#!/usr/bin/env python3
"""Validates platc's IAM output.

    iam_validate.py --platc BIN --workspace DIR [--schemas DIR]

Builds DIR twice with `platc build --target iam` (byte-identical), then for
every role of every `<env>/iam/roles/<team>.json` (one file per owner team,
indexed by `<env>/iam/manifest.json`):

- its `policy` (identity policy) and `trustPolicy` follow the IAM policy
  grammar: Version 2012-10-17, a Statement list, known statement elements,
  Effect Allow/Deny, alphanumeric unique Sids, condition operators from
  IAM's list (with ForAnyValue:/ForAllValues: and IfExists);
- every action exists in the AWS Service Authorization Reference subset
  (<schemas>/aws-iam/service-authorization-subset.json); no action has a
  wildcard, except in the statements a declaration asked for in `iam_allow`
  (Sid `Explicit...`), whose actions must still match real actions and whose
  resources must be `*` or ARNs of the partition; Resource `*` appears only for actions that have no resource
  type (AWS cannot scope them), and every other resource is an ARN in the
  format of one of the action's resource types, in the workspace's
  partition;
- trust policies have a Principal and only sts: actions, and no Resource;
- its `createRole` and `putRolePolicy` (the AWS CLI input) carry the same
  trust and permission policies, and `terraform/<team>.tf.json` the same
  trust and permission policies, attached to the role;
- the manifest, the role files and the Terraform files list the same roles.

Fails loudly if the schema file is missing. Standard library only.
"""

import argparse
import fnmatch
import json
import os
import re
import subprocess
import sys
import tempfile

# Statements from `iam_allow` seen (Sid `Explicit...`), for the summary.
EXPLICIT = [0]

STATEMENT_KEYS = {"Sid", "Effect", "Principal", "NotPrincipal", "Action", "NotAction",
                  "Resource", "NotResource", "Condition"}
BASE_OPERATORS = {
    "StringEquals", "StringNotEquals", "StringEqualsIgnoreCase", "StringNotEqualsIgnoreCase",
    "StringLike", "StringNotLike", "NumericEquals", "NumericNotEquals", "NumericLessThan",
    "NumericLessThanEquals", "NumericGreaterThan", "NumericGreaterThanEquals", "DateEquals",
    "DateNotEquals", "DateLessThan", "DateLessThanEquals", "DateGreaterThan",
    "DateGreaterThanEquals", "Bool", "BinaryEquals", "IpAddress", "NotIpAddress", "ArnEquals",
    "ArnLike", "ArnNotEquals", "ArnNotLike", "Null"}
SID = re.compile(r"^[A-Za-z0-9]+$")
ACCOUNT = r"[0-9]{12}"
REGION = r"[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-[0-9]"


def listify(v):
    return v if isinstance(v, list) else [v]


class Reference:
    def __init__(self, root):
        path = os.path.join(root, "aws-iam", "service-authorization-subset.json")
        if not os.path.isfile(path):
            sys.exit(f"iam_validate: FAIL: {path} is missing (expected in tests/data/schemas)")
        with open(path, encoding="utf-8") as f:
            self.services = json.load(f)["services"]
        self.lower = {}
        for svc, data in self.services.items():
            for action in data["actions"]:
                self.lower[f"{svc}:{action}".lower()] = (svc, action)

    def action(self, name):
        return self.lower.get(name.lower())

    def arn_patterns(self, svc, action, partition):
        out = []
        for rt in self.services[svc]["actions"][action]["resourceTypes"]:
            fmt = self.services[svc]["resourceTypes"].get(rt.rstrip("*"))
            if not fmt:
                continue
            pattern = ""
            for part in re.split(r"(\$\{[A-Za-z]+\})", fmt):
                if part == "${Partition}":
                    pattern += re.escape(partition)
                elif part == "${Region}":
                    pattern += REGION
                elif part == "${Account}":
                    pattern += ACCOUNT
                elif part.startswith("${"):
                    # A name: no empty names; `*` allowed inside (prefixes).
                    pattern += r"[^\s]+"
                else:
                    pattern += re.escape(part)
            out.append((rt, re.compile("^" + pattern + "$")))
        return out


def check_condition(cond, where, errors):
    if not isinstance(cond, dict) or not cond:
        errors.append(f"{where}: Condition must be a non-empty object")
        return
    for op, body in cond.items():
        base = op
        for prefix in ("ForAnyValue:", "ForAllValues:"):
            if base.startswith(prefix):
                base = base[len(prefix):]
        if base.endswith("IfExists") and base != "Null":
            base = base[: -len("IfExists")]
        if base not in BASE_OPERATORS:
            errors.append(f"{where}: unknown condition operator {op}")
        if not isinstance(body, dict) or not body:
            errors.append(f"{where}: condition {op} must map keys to values")
            continue
        for key, value in body.items():
            for v in listify(value):
                if not isinstance(v, (str, bool, int)):
                    errors.append(f"{where}: condition {op} {key} has a non-scalar value")


def check_document(doc, where, errors, ref, partition, trust):
    if not isinstance(doc, dict):
        errors.append(f"{where}: not an object")
        return
    extra = set(doc) - {"Version", "Id", "Statement"}
    if extra:
        errors.append(f"{where}: unknown top-level elements {sorted(extra)}")
    if doc.get("Version") != "2012-10-17":
        errors.append(f"{where}: Version must be 2012-10-17")
    statements = doc.get("Statement")
    if not isinstance(statements, list) or not statements:
        errors.append(f"{where}: Statement must be a non-empty list")
        return
    sids = set()
    for i, st in enumerate(statements):
        w = f"{where} Statement[{i}]"
        if not isinstance(st, dict):
            errors.append(f"{w}: not an object")
            continue
        extra = set(st) - STATEMENT_KEYS
        if extra:
            errors.append(f"{w}: unknown elements {sorted(extra)}")
        if "Sid" in st:
            if not isinstance(st["Sid"], str) or not SID.match(st["Sid"]):
                errors.append(f"{w}: Sid {st['Sid']!r} is not alphanumeric")
            if st["Sid"] in sids:
                errors.append(f"{w}: duplicate Sid {st['Sid']}")
            sids.add(st["Sid"])
        if st.get("Effect") not in ("Allow", "Deny"):
            errors.append(f"{w}: Effect must be Allow or Deny")
        if "NotAction" in st or "NotResource" in st or "NotPrincipal" in st:
            errors.append(f"{w}: NotAction/NotResource/NotPrincipal widen grants; platc never emits them")
        if "Action" not in st:
            errors.append(f"{w}: no Action")
            continue
        if "Condition" in st:
            check_condition(st["Condition"], w, errors)
        actions = listify(st["Action"])
        if not trust and str(st.get("Sid", "")).startswith("Explicit"):
            # A grant the declaration asked for in `iam_allow` (the checker
            # warned, P0516): wildcards are allowed, but each action must
            # name real actions and each resource be `*` or an ARN of the
            # partition.
            EXPLICIT[0] += 1
            for a in actions:
                if not isinstance(a, str) or not re.fullmatch(r"[a-z0-9-]+:[A-Za-z0-9*?]+", a):
                    errors.append(f"{w}: malformed explicit action {a!r}")
                elif not any(fnmatch.fnmatchcase(k, a.lower()) for k in ref.lower):
                    errors.append(f"{w}: explicit action {a} matches no AWS action")
            for r in listify(st.get("Resource", [])):
                if r != "*" and not re.fullmatch(rf"arn:{re.escape(partition)}:[a-z0-9*-]+:[a-z0-9*-]*:([0-9]{{12}}|\*|aws)?:\S+", r):
                    errors.append(f"{w}: malformed explicit resource {r!r}")
            if not listify(st.get("Resource", [])):
                errors.append(f"{w}: no Resource")
            continue
        for a in actions:
            if not isinstance(a, str) or "*" in a or "?" in a:
                errors.append(f"{w}: wildcard or malformed action {a!r}")
            elif not ref.action(a):
                errors.append(f"{w}: {a} is not an AWS action")
        if trust:
            if "Principal" not in st:
                errors.append(f"{w}: trust statement without Principal")
            if "Resource" in st:
                errors.append(f"{w}: trust statement with Resource")
            for a in actions:
                if not str(a).startswith("sts:"):
                    errors.append(f"{w}: trust statement action {a} is not sts:")
            principal = st.get("Principal", {})
            for kind, values in (principal.items() if isinstance(principal, dict) else []):
                for p in listify(values):
                    if kind == "Service" and not re.match(r"^[a-z0-9.-]+\.amazonaws\.com$", p):
                        errors.append(f"{w}: malformed service principal {p}")
                    if kind in ("AWS", "Federated") and not re.match(
                            rf"^arn:{re.escape(partition)}:iam::{ACCOUNT}:(role|oidc-provider)/.+$", p):
                        errors.append(f"{w}: malformed {kind} principal {p}")
            continue
        if "Principal" in st:
            errors.append(f"{w}: identity policy statement with Principal")
        resources = listify(st.get("Resource", []))
        if not resources:
            errors.append(f"{w}: no Resource")
        for a in actions:
            found = ref.action(a) if isinstance(a, str) else None
            if not found:
                continue
            svc, name = found
            patterns = ref.arn_patterns(svc, name, partition)
            for r in resources:
                if r == "*":
                    if ref.services[svc]["actions"][name]["resourceTypes"]:
                        errors.append(f"{w}: {a} on `*` although AWS lets it be scoped")
                    continue
                if not patterns:
                    errors.append(f"{w}: {a} has no resource type but is given {r}")
                elif not any(p.match(r) for _, p in patterns):
                    types = [t for t, _ in patterns]
                    errors.append(f"{w}: {r} matches none of {a}'s resource types {types}")


def build(platc, workspace, out):
    proc = subprocess.run([platc, "build", workspace, "-o", out, "--target", "iam"],
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    if proc.returncode != 0:
        sys.exit(f"iam_validate: FAIL: platc build exited {proc.returncode}\n{proc.stderr}")


def read_tree(root):
    files = {}
    for dirpath, _, names in os.walk(root):
        for n in names:
            p = os.path.join(dirpath, n)
            with open(p, "rb") as f:
                files[os.path.relpath(p, root)] = f.read()
    return files


def load(path):
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    repo = os.path.dirname(os.path.dirname(here))
    ap = argparse.ArgumentParser()
    ap.add_argument("--platc", required=True)
    ap.add_argument("--workspace", required=True)
    ap.add_argument("--partition", default="aws")
    ap.add_argument("--schemas", default=os.path.join(repo, "tests", "data", "schemas"))
    args = ap.parse_args()
    ref = Reference(args.schemas)
    errors = []
    roles = 0
    with tempfile.TemporaryDirectory() as tmp:
        a, b = os.path.join(tmp, "a"), os.path.join(tmp, "b")
        build(args.platc, args.workspace, a)
        build(args.platc, args.workspace, b)
        if read_tree(a) != read_tree(b):
            errors.append("two builds differ")
        envs = sorted(d for d in os.listdir(a) if os.path.isdir(os.path.join(a, d, "iam")))
        if not envs:
            errors.append("no environment has an iam folder")
        for env in envs:
            iam = os.path.join(a, env, "iam")
            manifest = load(os.path.join(iam, "manifest.json"))
            names = [r["role"] for r in manifest["roles"]]
            if len(set(names)) != len(names):
                errors.append(f"{env}: duplicate role names")
            listed = {r["role"]: r["file"] for r in manifest["roles"]}
            role_files = sorted(os.listdir(os.path.join(iam, "roles")))
            tf_files = sorted(os.listdir(os.path.join(iam, "terraform")))
            # The folder's provider: pinned to a region and an account, so
            # `terraform apply` there needs nothing from the environment.
            if "providers.platc.tf.json" not in tf_files:
                errors.append(f"{env}/iam/terraform: no providers.platc.tf.json")
            else:
                tf_files.remove("providers.platc.tf.json")
                prov = load(os.path.join(iam, "terraform", "providers.platc.tf.json"))
                aws = prov.get("terraform", {}).get("required_providers", {}).get("aws", {})
                cfg = prov.get("provider", {}).get("aws", {})
                if aws.get("source") != "hashicorp/aws" or not aws.get("version"):
                    errors.append(f"{env}/iam/terraform/providers.platc.tf.json: aws provider not pinned")
                if not re.match(r"^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d$", cfg.get("region", "")):
                    errors.append(f"{env}/iam/terraform/providers.platc.tf.json: bad region {cfg.get('region')!r}")
                ids = cfg.get("allowed_account_ids")
                if not ids or not all(re.match(r"^\d{12}$", i) for i in ids):
                    errors.append(f"{env}/iam/terraform/providers.platc.tf.json: bad allowed_account_ids {ids!r}")
            if [f[: -len(".json")] for f in role_files] != [f[: -len(".tf.json")] for f in tf_files]:
                errors.append(f"{env}: roles/ and terraform/ name different teams")
            found = {}
            for rf in role_files:
                team = rf[: -len(".json")]
                doc = load(os.path.join(iam, "roles", rf))
                if doc.get("team") != team or doc.get("environment") != env:
                    errors.append(f"{env}/iam/roles/{rf}: team or environment is wrong")
                tf = load(os.path.join(iam, "terraform", team + ".tf.json"))
                res = tf.get("resource", {})
                tf_roles = {body["name"]: rid for rid, body in res.get("aws_iam_role", {}).items()}
                if set(tf_roles) != set(doc["roles"]):
                    errors.append(f"{env}/iam/terraform/{team}.tf.json: roles differ from roles/{rf}")
                for name, role in doc["roles"].items():
                    roles += 1
                    found[name] = f"roles/{rf}"
                    w = f"{env}/iam/roles/{rf} {name}"
                    if len(name) > 64 or not re.match(r"^[\w+=,.@-]+$", name):
                        errors.append(f"{w}: invalid role name")
                    trust = role["trustPolicy"]
                    policy = role.get("policy")
                    check_document(trust, w + " trustPolicy", errors, ref, args.partition, True)
                    if policy is not None:
                        check_document(policy, w + " policy", errors, ref, args.partition, False)
                    create = role["createRole"]
                    if create.get("RoleName") != name or json.loads(create["AssumeRolePolicyDocument"]) != trust:
                        errors.append(f"{w} createRole: does not match the role")
                    put = role.get("putRolePolicy")
                    if (put is None) != (policy is None) or (put is not None and (
                            put.get("RoleName") != name or json.loads(put["PolicyDocument"]) != policy)):
                        errors.append(f"{w} putRolePolicy: does not match the role's policy")
                    role_id = tf_roles.get(name)
                    if role_id is None:
                        continue
                    tf_role = res["aws_iam_role"][role_id]
                    if json.loads(tf_role["assume_role_policy"].replace("$${", "${")) != trust:
                        errors.append(f"{w}: Terraform role differs from trustPolicy")
                    tf_policy = res.get("aws_iam_policy", {}).get(role_id)
                    attach = res.get("aws_iam_role_policy_attachment", {}).get(role_id)
                    if policy is None:
                        if tf_policy is not None or attach is not None:
                            errors.append(f"{w}: Terraform has a policy the role does not")
                        continue
                    if tf_policy is None or attach is None:
                        errors.append(f"{w}: Terraform must hold the role's policy and its attachment")
                        continue
                    if json.loads(tf_policy["policy"].replace("$${", "${")) != policy:
                        errors.append(f"{w}: Terraform policy differs from the role's policy")
                    if attach.get("role") != f"${{aws_iam_role.{role_id}.name}}" or \
                            attach.get("policy_arn") != f"${{aws_iam_policy.{role_id}.arn}}":
                        errors.append(f"{w}: Terraform attachment does not join the role and its policy")
            if found != listed:
                errors.append(f"{env}: manifest and role files list different roles")
    for e in errors:
        print("error:", e)
    if errors:
        print(f"iam_validate: FAIL: {len(errors)} problem(s)")
        return 1
    print(f"iam_validate: ok: {roles} roles in {len(envs)} environment(s), "
          f"{EXPLICIT[0]} explicit (iam_allow) statement(s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
