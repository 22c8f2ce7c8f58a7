#!/usr/bin/env python3
"""Validates platc's monitoring objects with the Prometheus Operator CRD
schemas and the real Prometheus and Alertmanager tools.

    monitoring_validate.py --platc BIN --workspace DIR --schemas DIR

Builds DIR with `platc build --target k8s`, then, for every environment:

- every ServiceMonitor, PrometheusRule and AlertmanagerConfig validates
  against its CRD's `spec.versions[].schema.openAPIV3Schema` (python3-
  jsonschema), with unknown fields rejected (the API server would prune
  them silently);
- `promtool check rules` accepts every rule group;
- `promtool test rules` proves, on synthetic request counters, that for each
  availability objective a fast burn of the error budget fires the page
  (a ticket outside production), a slow burn only the ticket, and a healthy
  series nothing;
- `amtool check-config` accepts an Alertmanager configuration built from
  each AlertmanagerConfig (receivers' secrets filled with placeholders).

The workspace must produce at least one object of each kind, so the test
cannot pass by generating nothing. promtool and amtool come from Debian's
`prometheus` and `prometheus-alertmanager`; when they are missing the test
exits 77 (skipped) after the schema checks, unless CI=true, where it fails.
"""

import argparse
import copy
import os
import re
import shutil
import subprocess
import sys
import tempfile

import jsonschema
import yaml

KINDS = {
    "ServiceMonitor": "monitoring.coreos.com_servicemonitors.yaml",
    "PrometheusRule": "monitoring.coreos.com_prometheusrules.yaml",
    "AlertmanagerConfig": "monitoring.coreos.com_alertmanagerconfigs.yaml",
}


def strict(schema):
    """Rejects unknown fields where the CRD does not preserve them."""
    if isinstance(schema, dict):
        if (schema.get("type") == "object" and "properties" in schema
                and "additionalProperties" not in schema
                and not schema.get("x-kubernetes-preserve-unknown-fields")):
            schema["additionalProperties"] = False
        for v in schema.values():
            strict(v)
    elif isinstance(schema, list):
        for v in schema:
            strict(v)
    return schema


class CrdLoader(yaml.SafeLoader):
    """YAML 1.1 reads a bare `=` (a matchType enum value) as the `value`
    tag; the CRDs mean the string."""


CrdLoader.add_constructor("tag:yaml.org,2002:value", lambda loader, node: loader.construct_scalar(node))


def load_schemas(folder):
    out = {}
    for kind, file in KINDS.items():
        with open(os.path.join(folder, file)) as f:
            crd = yaml.load(f, Loader=CrdLoader)
        for version in crd["spec"]["versions"]:
            api = f"{crd['spec']['group']}/{version['name']}"
            schema = strict(copy.deepcopy(version["schema"]["openAPIV3Schema"]))
            # metadata is the API server's, not the CRD's
            schema.get("properties", {}).pop("metadata", None)
            out[(api, kind)] = jsonschema.Draft7Validator(schema)
    return out


def run(cmd, errors, what):
    r = subprocess.run(cmd, capture_output=True, text=True)
    if r.returncode != 0:
        errors.append(f"{what}: {' '.join(cmd)} failed:\n{r.stdout}{r.stderr}")
    return r.returncode == 0


def series(ns, job, total_per_min, errors_per_min, minutes):
    sel = f'namespace="{ns}",job="{job}"'
    return [
        {"series": f'http_requests_total{{{sel},code="200"}}',
         "values": f"0+{total_per_min - errors_per_min}x{minutes}"},
        {"series": f'http_requests_total{{{sel},code="500"}}',
         "values": f"0+{errors_per_min}x{minutes}"},
    ]


def expected(rule):
    return {"exp_labels": dict(rule["labels"]), "exp_annotations": dict(rule["annotations"])}


def burn_tests(group, production):
    """promtool test cases for the group's availability objective, or None."""
    alerts = {r["alert"]: r for r in group["rules"]
              if "alert" in r and r["labels"].get("objective") == "availability"}
    record = next((r for r in group["rules"] if "record" in r
                   and r["labels"].get("objective") == "availability"), None)
    if not record or set(alerts) != {"ErrorBudgetBurnFast", "ErrorBudgetBurnSlow"}:
        return None
    ns = re.search(r'namespace="([^"]+)"', record["expr"]).group(1)
    job = re.search(r'job="([^"]+)"', record["expr"]).group(1)
    fast, slow = alerts["ErrorBudgetBurnFast"], alerts["ErrorBudgetBurnSlow"]
    if fast["labels"]["severity"] != ("page" if production else "ticket"):
        raise AssertionError(f"{group['name']}: fast burn has severity {fast['labels']['severity']}")
    if slow["labels"]["severity"] != "ticket":
        raise AssertionError(f"{group['name']}: slow burn has severity {slow['labels']['severity']}")
    # The burn factors, `(factor * budget)`, of each alert's window pairs.
    def factors(rule):
        found = re.findall(r"\(([\d.e+-]+) \* ([\d.e+-]+)\)", rule["expr"])
        return [float(f) for f, _ in found], float(found[0][1])
    page, budget = factors(fast)
    ticket, _ = factors(slow)
    if not min(ticket) < min(page):
        raise AssertionError(f"{group['name']}: a ticket needs a faster burn than a page")
    # Error ratios: half again the fastest page factor; halfway between the
    # slowest ticket factor and the slowest page factor (a ticket, no page);
    # a tenth of the slowest ticket factor (nothing).
    fast_ratio = min(1.0, 1.5 * max(page) * budget)
    slow_ratio = (min(ticket) + min(page)) / 2 * budget
    healthy_ratio = min(ticket) / 10 * budget
    total = 1000000
    return [
        {"interval": "1m", "input_series": series(ns, job, total, int(total * fast_ratio), 180),
         "alert_rule_test": [
             {"eval_time": "30m", "alertname": "ErrorBudgetBurnFast", "exp_alerts": [expected(fast)]},
             {"eval_time": "30m", "alertname": "ErrorBudgetBurnSlow", "exp_alerts": [expected(slow)]}]},
        {"interval": "1m", "input_series": series(ns, job, total, int(total * slow_ratio), 180),
         "alert_rule_test": [
             {"eval_time": "2h", "alertname": "ErrorBudgetBurnFast", "exp_alerts": []},
             {"eval_time": "2h", "alertname": "ErrorBudgetBurnSlow", "exp_alerts": [expected(slow)]}]},
        {"interval": "1m", "input_series": series(ns, job, total, int(total * healthy_ratio), 180),
         "alert_rule_test": [
             {"eval_time": "2h", "alertname": "ErrorBudgetBurnFast", "exp_alerts": []},
             {"eval_time": "2h", "alertname": "ErrorBudgetBurnSlow", "exp_alerts": []}]},
    ]


PLACEHOLDER = {
    "pagerduty-routing-key": "0123456789abcdef0123456789abcdef",
    "opsgenie-api-key": "00000000-0000-0000-0000-000000000000",
    "slack-api-url": "https://hooks.slack.com/services/T000/B000/XXXX",
    "on-call-webhook-url": "https://alerts.example.com/hook",
}


def alertmanager_config(doc):
    """The Alertmanager configuration the operator builds from one
    AlertmanagerConfig (names prefixed with the namespace, and the
    namespace matcher it enforces)."""
    ns = doc["metadata"]["namespace"]
    prefix = f"{ns}/{doc['metadata']['name']}/"
    spec = doc["spec"]

    def route(r):
        out = {"receiver": prefix + r["receiver"],
               "matchers": [f'{m["name"]}{m.get("matchType", "=")}"{m["value"]}"' for m in r.get("matchers", [])]}
        if "groupBy" in r:
            out["group_by"] = r["groupBy"]
        if r.get("routes"):
            out["routes"] = [route(x) for x in r["routes"]]
        return out

    top = route(spec["route"])
    top["matchers"].insert(0, f'namespace="{ns}"')
    receivers = [{"name": "null"}]
    for r in spec["receivers"]:
        out = {"name": prefix + r["name"]}
        for c in r.get("pagerdutyConfigs", []):
            out.setdefault("pagerduty_configs", []).append(
                {"routing_key": PLACEHOLDER[c["routingKey"]["key"]], "send_resolved": c["sendResolved"],
                 "details": {d["key"]: d["value"] for d in c.get("details", [])}})
        for c in r.get("opsgenieConfigs", []):
            out.setdefault("opsgenie_configs", []).append(
                {"api_key": PLACEHOLDER[c["apiKey"]["key"]], "send_resolved": c["sendResolved"],
                 "responders": c["responders"]})
        for c in r.get("slackConfigs", []):
            out.setdefault("slack_configs", []).append(
                {"api_url": PLACEHOLDER[c["apiURL"]["key"]], "channel": c["channel"],
                 "send_resolved": c["sendResolved"]})
        for c in r.get("emailConfigs", []):
            out.setdefault("email_configs", []).append({"to": c["to"], "send_resolved": c["sendResolved"]})
        for c in r.get("webhookConfigs", []):
            out.setdefault("webhook_configs", []).append(
                {"url": PLACEHOLDER[c["urlSecret"]["key"]], "send_resolved": c["sendResolved"]})
        receivers.append(out)
    return {"global": {"smtp_smarthost": "smtp.example.com:587", "smtp_from": "alerts@example.com"},
            "route": {"receiver": "null", "routes": [top]}, "receivers": receivers}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--platc", required=True)
    ap.add_argument("--workspace", required=True)
    ap.add_argument("--schemas", required=True)
    args = ap.parse_args()

    schemas = load_schemas(args.schemas)
    promtool, amtool = shutil.which("promtool"), shutil.which("amtool")
    errors = []
    counts = {k: 0 for k in KINDS}
    burn_tested = 0
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "out")
        r = subprocess.run([args.platc, "build", args.workspace, "-o", out, "--target", "k8s", "--color", "never"],
                           capture_output=True, text=True)
        if r.returncode != 0:
            print(r.stdout + r.stderr)
            return 1
        tiers = {}
        for env in sorted(os.listdir(out)):
            folder = os.path.join(out, env, "k8s")
            if not os.path.isdir(folder):
                continue
            # The environment's tier, from the file header is not written:
            # production environments are the ones whose fast burn pages.
            for file in sorted(os.listdir(folder)):
                if file == "kustomization.yaml":
                    continue
                with open(os.path.join(folder, file)) as f:
                    docs = [d for d in yaml.safe_load_all(f) if d]
                for doc in docs:
                    key = (doc.get("apiVersion"), doc.get("kind"))
                    if not str(key[0]).startswith("monitoring.coreos.com/"):
                        continue
                    where = f"{env}/k8s/{file}: {doc['kind']} {doc['metadata'].get('name')}"
                    if key not in schemas:
                        errors.append(f"{where}: no CRD schema for {key[0]}/{key[1]}")
                        continue
                    counts[key[1]] += 1
                    for e in schemas[key].iter_errors({k: v for k, v in doc.items() if k != "metadata"}):
                        errors.append(f"{where}: {'.'.join(map(str, e.absolute_path))}: {e.message}")
                    if not promtool or not amtool:
                        continue
                    base = os.path.join(tmp, f"{env}-{file}-{doc['metadata']['name']}")
                    if key[1] == "PrometheusRule":
                        for group in doc["spec"]["groups"]:
                            rules = base + f"-{group['name']}.rules.yaml"
                            with open(rules, "w") as f:
                                yaml.safe_dump({"groups": [group]}, f)
                            run([promtool, "check", "rules", rules], errors, where)
                            fast = next((r for r in group["rules"] if r.get("alert") == "ErrorBudgetBurnFast"), None)
                            production = fast is not None and fast["labels"]["severity"] == "page"
                            tiers[env] = tiers.get(env, False) or production
                            try:
                                tests = burn_tests(group, production)
                            except AssertionError as e:
                                errors.append(f"{where}: {e}")
                                continue
                            if tests is None:
                                continue
                            test = base + f"-{group['name']}.test.yaml"
                            with open(test, "w") as f:
                                yaml.safe_dump({"rule_files": [os.path.basename(rules)],
                                                "evaluation_interval": "1m", "tests": tests}, f)
                            if run([promtool, "test", "rules", test], errors, where):
                                burn_tested += 1
                    elif key[1] == "AlertmanagerConfig":
                        config = base + ".alertmanager.yml"
                        with open(config, "w") as f:
                            yaml.safe_dump(alertmanager_config(doc), f)
                        run([amtool, "check-config", config], errors, where)
        if promtool and amtool and not any(tiers.values()):
            errors.append("no environment pages on a fast burn: expected a production environment")
    for kind, n in counts.items():
        if n == 0:
            errors.append(f"the workspace produced no {kind}")
    if promtool and amtool and burn_tested == 0:
        errors.append("no availability objective was burn-tested")
    for e in errors:
        print("error:", e)
    if errors:
        return 1
    print(f"ok: {counts}, {burn_tested} rule groups burn-tested")
    if not promtool or not amtool:
        missing = [n for n, t in (("promtool", promtool), ("amtool", amtool)) if not t]
        if os.environ.get("CI") == "true":
            print(f"error: {', '.join(missing)} missing in CI (install prometheus, prometheus-alertmanager)")
            return 1
        print(f"skipped: {', '.join(missing)} not installed (bash scripts/setup.sh installs them)")
        return 77
    return 0


if __name__ == "__main__":
    sys.exit(main())
