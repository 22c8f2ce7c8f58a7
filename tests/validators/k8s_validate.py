#!/usr/bin/env python3
"""Validates platc's Kubernetes output against the official OpenAPI schema.

    k8s_validate.py --platc BIN --workspace DIR [--schemas DIR]

Builds DIR twice with `platc build --target k8s` (the two builds must be
byte-identical), then checks every document of every `<env>/k8s/*.yaml`
(one multi-document file per namespace):

- it parses as YAML (PyYAML, i.e. YAML 1.1: a string that came out unquoted
  as `yes` or `1` would read back as a bool or an int and fail the schema);
- `<namespace>.yaml` holds exactly the objects of that namespace (and the
  Namespace itself, first), none twice;
- strictly against the Kubernetes 1.36 swagger definition of its
  apiVersion/kind: unknown fields rejected, required fields enforced, types,
  int-or-string and quantity formats, enums from enums.json, plus the HPA
  fields the API server checks in code;
- object names are DNS-1123, label keys and values are well formed,
  namespaced kinds carry a namespace and cluster-scoped ones do not;
- every object carries the plat.dev provenance annotations and labels;
- Deployment selectors match their pod template labels;
- each environment's kustomization.yaml lists exactly the files beside it,
  sorted.

The schemas default to <repo>/tests/data/schemas. If they are missing the
validator fails: a skipped validation would look like a passing one.
Standard library plus python3-yaml only.
"""

import argparse
import json
import math
import os
import re
import subprocess
import sys
import tempfile

import yaml

DNS1123_SUBDOMAIN = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")
DNS1123_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
LABEL_NAME = re.compile(r"^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$")
LABEL_VALUE = re.compile(r"^([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)?$")
QUANTITY = re.compile(r"^[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+|[numkMGTPE]|[KMGTPE]i)?$")
HPA_METRIC_TYPES = {"Object", "Pods", "Resource", "ContainerResource", "External"}
HPA_TARGET_TYPES = {"Utilization", "Value", "AverageValue"}
REQUIRED_LABELS = ("app.kubernetes.io/name", "app.kubernetes.io/part-of",
                   "app.kubernetes.io/managed-by", "plat.dev/team")
REQUIRED_ANNOTATIONS = ("plat.dev/source", "plat.dev/content-hash")


class Schema:
    def __init__(self, root):
        path = os.path.join(root, "kubernetes", "v1.36", "swagger.json")
        enums_path = os.path.join(root, "kubernetes", "v1.36", "enums.json")
        for p in (path, enums_path):
            if not os.path.isfile(p):
                sys.exit(f"k8s_validate: FAIL: schema file {p} is missing "
                         "(expected in tests/data/schemas)")
        with open(path, encoding="utf-8") as f:
            swagger = json.load(f)
        with open(enums_path, encoding="utf-8") as f:
            self.enums = json.load(f)["definitions"]
        self.defs = swagger["definitions"]
        self.by_gvk = {}
        for name, d in self.defs.items():
            for gvk in d.get("x-kubernetes-group-version-kind", []):
                api = gvk["version"] if not gvk["group"] else f'{gvk["group"]}/{gvk["version"]}'
                self.by_gvk[(api, gvk["kind"])] = name
        # A kind is namespaced if the API accepts it under /namespaces/{namespace}/.
        self.namespaced = set()
        for p, ops in swagger["paths"].items():
            if "{namespace}" not in p:
                continue
            for op in ops.values():
                if not isinstance(op, dict):
                    continue
                for param in op.get("parameters", []):
                    ref = param.get("schema", {}).get("$ref", "")
                    if param.get("in") == "body" and ref:
                        self.namespaced.add(ref.split("/")[-1])

    def validate(self, value, schema, path, errors, defname=None, field=None):
        if "$ref" in schema:
            name = schema["$ref"].split("/")[-1]
            return self.validate(value, self.defs[name], path, errors, name, None)
        typ = schema.get("type")
        fmt = schema.get("format")
        if fmt == "int-or-string":
            if not (isinstance(value, str) or (isinstance(value, int) and not isinstance(value, bool))):
                errors.append(f"{path}: expected int or string, got {value!r}")
            return
        if fmt == "quantity" or (defname or "").endswith("api.resource.Quantity"):
            if isinstance(value, bool) or not isinstance(value, (str, int, float)) or \
                    not QUANTITY.match(str(value)):
                errors.append(f"{path}: not a quantity: {value!r}")
            return
        if typ == "object" or "properties" in schema:
            if not isinstance(value, dict):
                errors.append(f"{path}: expected object, got {type(value).__name__}")
                return
            props = schema.get("properties")
            for req in schema.get("required", []):
                if req not in value:
                    errors.append(f"{path}: missing required field `{req}`")
            for key, sub in value.items():
                if not isinstance(key, str):
                    errors.append(f"{path}: non-string key {key!r}")
                    continue
                if props is not None and key in props:
                    self.check_enum(defname, key, sub, f"{path}.{key}", errors)
                    self.validate(sub, props[key], f"{path}.{key}", errors, None, key)
                elif "additionalProperties" in schema:
                    self.validate(sub, schema["additionalProperties"], f"{path}.{key}", errors)
                elif props is not None:
                    errors.append(f"{path}: unknown field `{key}`")
            return
        if typ == "array":
            if not isinstance(value, list):
                errors.append(f"{path}: expected list, got {type(value).__name__}")
                return
            for i, item in enumerate(value):
                self.validate(item, schema.get("items", {}), f"{path}[{i}]", errors)
            return
        if typ == "string":
            if not isinstance(value, str):
                errors.append(f"{path}: expected string, got {value!r}")
        elif typ == "integer":
            if isinstance(value, bool) or not isinstance(value, int):
                errors.append(f"{path}: expected integer, got {value!r}")
        elif typ == "number":
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                errors.append(f"{path}: expected number, got {value!r}")
        elif typ == "boolean":
            if not isinstance(value, bool):
                errors.append(f"{path}: expected boolean, got {value!r}")

    def check_enum(self, defname, key, value, path, errors):
        spec = self.enums.get(defname or "", {}).get(key)
        if not spec:
            return
        values = value if spec.get("list") and isinstance(value, list) else [value]
        for v in values:
            if v not in spec["enum"]:
                errors.append(f"{path}: {v!r} is not one of {spec['enum']}")


def check_object(schema, doc, where, errors):
    if not isinstance(doc, dict):
        errors.append(f"{where}: not a mapping")
        return
    api, kind = doc.get("apiVersion"), doc.get("kind")
    defname = schema.by_gvk.get((api, kind))
    if not defname and str(api).startswith("monitoring.coreos.com/"):
        # Prometheus Operator objects: checked against their CRD schemas by
        # monitoring_validate.py.
        if not doc.get("metadata", {}).get("namespace"):
            errors.append(f"{where}: {kind} without metadata.namespace")
        return
    if not defname:
        errors.append(f"{where}: unknown apiVersion/kind {api}/{kind}")
        return
    schema.validate(doc, schema.defs[defname], where, errors, defname)
    meta = doc.get("metadata", {})
    name = meta.get("name", "")
    if not DNS1123_SUBDOMAIN.match(name) or len(name) > 253:
        errors.append(f"{where}: name {name!r} is not a DNS-1123 subdomain")
    if kind in ("Namespace", "Service") and (not DNS1123_LABEL.match(name) or len(name) > 63):
        errors.append(f"{where}: {kind} name {name!r} is not a DNS-1123 label")
    if defname in schema.namespaced and not meta.get("namespace"):
        errors.append(f"{where}: namespaced {kind} without metadata.namespace")
    if defname not in schema.namespaced and "namespace" in meta:
        errors.append(f"{where}: cluster-scoped {kind} with metadata.namespace")
    for labels_path, labels in (("metadata.labels", meta.get("labels", {})),
                                ("spec.template.metadata.labels",
                                 doc.get("spec", {}).get("template", {}).get("metadata", {}).get("labels", {}))):
        for k, v in (labels or {}).items():
            prefix, _, lname = k.rpartition("/")
            if (prefix and not DNS1123_SUBDOMAIN.match(prefix)) or not LABEL_NAME.match(lname) or len(lname) > 63:
                errors.append(f"{where}: {labels_path} key {k!r} is malformed")
            if not isinstance(v, str) or not LABEL_VALUE.match(v) or len(v) > 63:
                errors.append(f"{where}: {labels_path} value {v!r} of {k} is malformed")
    for label in REQUIRED_LABELS:
        if label not in (meta.get("labels") or {}):
            errors.append(f"{where}: label {label} missing")
    for ann in REQUIRED_ANNOTATIONS:
        if ann not in (meta.get("annotations") or {}):
            errors.append(f"{where}: annotation {ann} missing")
    if kind == "Deployment":
        selector = doc.get("spec", {}).get("selector", {}).get("matchLabels", {})
        template = doc["spec"]["template"]["metadata"].get("labels", {})
        for k, v in selector.items():
            if template.get(k) != v:
                errors.append(f"{where}: selector {k}={v} does not match the pod template")
        for c in doc["spec"]["template"]["spec"]["containers"]:
            sc = c.get("securityContext", {})
            if sc.get("allowPrivilegeEscalation") is not False or sc.get("readOnlyRootFilesystem") is not True \
                    or sc.get("capabilities", {}).get("drop") != ["ALL"]:
                errors.append(f"{where}: container {c['name']} is not hardened")
    if kind == "HorizontalPodAutoscaler":
        spec = doc["spec"]
        if spec.get("minReplicas", 1) > spec["maxReplicas"]:
            errors.append(f"{where}: minReplicas > maxReplicas")
        for i, m in enumerate(spec.get("metrics", [])):
            if m.get("type") not in HPA_METRIC_TYPES:
                errors.append(f"{where}: metrics[{i}].type {m.get('type')!r}")
            for body in m.values():
                if isinstance(body, dict) and "target" in body and body["target"].get("type") not in HPA_TARGET_TYPES:
                    errors.append(f"{where}: metrics[{i}] target.type {body['target'].get('type')!r}")


def resolve(value, replicas, round_up):
    """A maxSurge/maxUnavailable value as a pod count, rounded as Kubernetes
    rounds it (surge and PDB percentages up, a rollout's unavailable down)."""
    if isinstance(value, str) and value.endswith("%"):
        exact = int(value[:-1]) * replicas / 100
        return math.ceil(exact) if round_up else math.floor(exact)
    return int(value)


def check_rollouts(docs, where, errors):
    """Every Deployment rolls with explicit surge and unavailable settings
    that keep within its PodDisruptionBudget: a rollout never takes more pods
    out than a drain may, always makes progress, and a lone pod is replaced
    by starting the new one first (surge 1, unavailable 0)."""
    by = {(d.get("kind"), (d.get("metadata") or {}).get("name")): d for d in docs if isinstance(d, dict)}
    for (kind, name), d in by.items():
        if kind != "Deployment":
            continue
        strategy = d["spec"].get("strategy") or {}
        ru = strategy.get("rollingUpdate") or {}
        if strategy.get("type") != "RollingUpdate" or "maxSurge" not in ru or "maxUnavailable" not in ru:
            errors.append(f"{where}: Deployment {name} has no explicit maxSurge/maxUnavailable")
            continue
        hpa = by.get(("HorizontalPodAutoscaler", name))
        replicas = hpa["spec"].get("minReplicas", 1) if hpa else d["spec"].get("replicas", 1)
        surge = resolve(ru["maxSurge"], replicas, True)
        unavailable = resolve(ru["maxUnavailable"], replicas, False)
        if surge + unavailable < 1:
            errors.append(f"{where}: Deployment {name} cannot make progress (surge {surge}, unavailable {unavailable})")
        if replicas <= 1 and (surge, unavailable) != (1, 0):
            errors.append(f"{where}: Deployment {name} with one replica rolls with surge {surge}, "
                          f"unavailable {unavailable}, not 1 and 0")
        pdb = by.get(("PodDisruptionBudget", name))
        if replicas >= 1 and pdb is None:
            errors.append(f"{where}: Deployment {name} has no PodDisruptionBudget")
        elif pdb is not None:
            budget = resolve(pdb["spec"].get("maxUnavailable", 0), replicas, True)
            if unavailable > budget:
                errors.append(f"{where}: Deployment {name} rolls {unavailable} pods out at once, "
                              f"more than its PodDisruptionBudget allows ({budget})")


def build(platc, workspace, out):
    proc = subprocess.run([platc, "build", workspace, "-o", out, "--target", "k8s"],
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    if proc.returncode != 0:
        sys.exit(f"k8s_validate: FAIL: platc build exited {proc.returncode}\n{proc.stderr}")


def read_tree(root):
    files = {}
    for dirpath, _, names in os.walk(root):
        for n in names:
            p = os.path.join(dirpath, n)
            with open(p, "rb") as f:
                files[os.path.relpath(p, root)] = f.read()
    return files


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    repo = os.path.dirname(os.path.dirname(here))
    ap = argparse.ArgumentParser()
    ap.add_argument("--platc", required=True)
    ap.add_argument("--workspace", required=True)
    ap.add_argument("--schemas", default=os.path.join(repo, "tests", "data", "schemas"))
    args = ap.parse_args()
    schema = Schema(args.schemas)

    errors = []
    with tempfile.TemporaryDirectory() as tmp:
        a, b = os.path.join(tmp, "a"), os.path.join(tmp, "b")
        build(args.platc, args.workspace, a)
        build(args.platc, args.workspace, b)
        tree_a, tree_b = read_tree(a), read_tree(b)
        if tree_a != tree_b:
            diff = sorted(set(k for k in tree_a.keys() | tree_b.keys() if tree_a.get(k) != tree_b.get(k)))
            errors.append(f"two builds differ: {diff[:5]}")
        envs = sorted(d for d in os.listdir(a) if os.path.isdir(os.path.join(a, d, "k8s")))
        if not envs:
            errors.append("no environment has a k8s folder")
        count = 0
        for env in envs:
            k8s = os.path.join(a, env, "k8s")
            listed = set()
            kustomization = os.path.join(k8s, "kustomization.yaml")
            if not os.path.isfile(kustomization):
                errors.append(f"{env}: kustomization.yaml missing")
            else:
                with open(kustomization, encoding="utf-8") as f:
                    kust = yaml.safe_load(f)
                if kust.get("apiVersion") != "kustomize.config.k8s.io/v1beta1" or kust.get("kind") != "Kustomization":
                    errors.append(f"{env}: kustomization.yaml has the wrong apiVersion/kind")
                resources = kust.get("resources", [])
                if resources != sorted(resources):
                    errors.append(f"{env}: kustomization resources are not sorted")
                listed = set(resources)
            present = set()
            objects = set()
            for dirpath, _, names in os.walk(k8s):
                for n in sorted(names):
                    rel = os.path.relpath(os.path.join(dirpath, n), k8s)
                    if rel == "kustomization.yaml":
                        continue
                    present.add(rel)
                    where = f"{env}/k8s/{rel}"
                    if dirpath != k8s or not n.endswith(".yaml"):
                        errors.append(f"{where}: expected only <namespace>.yaml files beside kustomization.yaml")
                        continue
                    ns = n[: -len(".yaml")]
                    with open(os.path.join(dirpath, n), encoding="utf-8") as f:
                        docs = [d for d in yaml.safe_load_all(f) if d is not None]
                    if not docs:
                        errors.append(f"{where}: no documents")
                    check_rollouts(docs, where, errors)
                    for i, doc in enumerate(docs):
                        w = f"{where}#{i}"
                        check_object(schema, doc, w, errors)
                        count += 1
                        if not isinstance(doc, dict):
                            continue
                        meta = doc.get("metadata") or {}
                        if doc.get("kind") == "Namespace":
                            if meta.get("name") != ns or i != 0:
                                errors.append(f"{w}: Namespace {meta.get('name')!r} must open its own file")
                        elif meta.get("namespace") != ns:
                            errors.append(f"{w}: object of namespace {meta.get('namespace')!r} in {ns}.yaml")
                        key = (doc.get("apiVersion"), doc.get("kind"), meta.get("namespace"), meta.get("name"))
                        if key in objects:
                            errors.append(f"{w}: {key} appears twice")
                        objects.add(key)
            if listed != present:
                errors.append(f"{env}: kustomization lists {sorted(listed ^ present)} wrongly")
    for e in errors:
        print("error:", e)
    if errors:
        print(f"k8s_validate: FAIL: {len(errors)} problem(s)")
        return 1
    print(f"k8s_validate: ok: {count} objects in {len(envs)} environment(s) valid against Kubernetes 1.36")
    return 0


if __name__ == "__main__":
    sys.exit(main())
