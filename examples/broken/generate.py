#!/usr/bin/env python3
"""Writes the broken-example golden tests from examples/acme.

Each case takes a few files of examples/acme, makes one realistic mistake in
them (a textual replacement that must match exactly once), and writes
tests/golden/examples/fail_<case>.test with the inputs and an `[exit]` of 1.
Run tests/golden/run.py with PLAT_UPDATE=1 afterwards to record platc's
output, then read every expectation by eye.

Cases whose check does not exist yet are written as plain workspaces under
examples/broken/pending/<case>/ instead (not run as tests).

    python3 examples/broken/generate.py
    PLAT_UPDATE=1 python3 tests/golden/run.py --platc build/platc tests/golden/examples
"""

import os
import shutil
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
ACME = os.path.join(ROOT, "examples", "acme")
TESTS = os.path.join(ROOT, "tests", "golden", "examples")
PENDING = os.path.join(ROOT, "examples", "broken", "pending")

BASE = ["workspace.plat", "teams/teams.plat", "platform/golden_paths.plat"]

# A model limited to dev and staging, called by a service that exists
# everywhere. Environment names only resolve in the workspace's root package
# today (see pending/README.md), so this case lives in a root-package file.
CANARY = """// Declarations in the workspace's root package (no `package` line).
import acme.teams

/// The next fraud model: still being evaluated, not approved for prod.
model fraud_scorer_v2 {
  owner = teams.fraud_ml
  framework = xgboost("1.7-1")
  serve {
    instance = "ml.c5.large"
  }
  environments = [dev, staging]
}

/// A canary of the checkout API that tries the new model.
service checkout_canary {
  owner = teams.payments
  image = "registry.acme.example/payments/checkout:1.5.0-rc1"
  port = 8080
  calls = [fraud_scorer_v2]
}
"""

# The same mistake written the way a team would write it, in its own package.
CANARY_PACKAGED = CANARY.replace(
    "// Declarations in the workspace's root package (no `package` line).\n",
    "package acme.fraud\n\n")

# name: (comment, files, [(file, old, new)], pending check or None)
CASES = {
    "unknown_feature_column": (
        "The fraud model names a feature column the transactions schema does not have.",
        BASE + ["data/transactions.plat", "fraud/scorer.plat"],
        [("fraud/scorer.plat", "features = [transactions.amount, transactions.merchant_mcc]",
          "features = [transactions.amount, transactions.merchant_category]")],
        None),
    "task_cycle": (
        "The ingestion pipeline's validate task waits for load, which waits for validate.",
        BASE + ["data/transactions.plat"],
        [("data/transactions.plat", "after = [extract]", "after = [extract, load]")],
        None),
    "field_typo": (
        "A typo in a field name of the checkout API.",
        BASE + ["data/transactions.plat", "fraud/scorer.plat", "payments/checkout.plat",
                "payments/ledger.plat"],
        [("payments/checkout.plat", "  replicas = 3..20\n", "  replicas = 3..20\n  audit_loging = true\n")],
        None),
    "memory_in_millicores": (
        "Memory written as `500m`: `m` is a CPU suffix (millicores), not a memory one.",
        BASE + ["payments/ledger.plat"],
        [("payments/ledger.plat", "resources = { cpu = 500m, memory = 1Gi }",
          "resources = { cpu = 500m, memory = 500m }")],
        None),
    "call_unserved_model": (
        "The checkout API calls a fraud model that has no `serve` block: nothing to call.",
        BASE + ["data/transactions.plat", "fraud/scorer.plat", "payments/checkout.plat",
                "payments/ledger.plat"],
        [("fraud/scorer.plat", "model fraud_scorer extends platform.realtime_model {",
          "model fraud_scorer {"),
         ("fraud/scorer.plat", "  serve {\n    instance = \"ml.c5.xlarge\"\n    replicas = 2..10\n  }\n", ""),
         ("fraud/scorer.plat", "  env dev {\n    serve {\n      instance = \"ml.c5.large\"\n      replicas = 1\n    }\n  }\n", ""),
         ("fraud/scorer.plat", "  env prod {\n    serve {\n      instance = \"ml.c5.xlarge\"\n      replicas = 4..16\n    }\n  }\n", ""),
         ("fraud/scorer.plat", "import acme.platform\n", "")],
        None),
    "two_writers": (
        "A backfill pipeline also writes `transactions`: two writers for one dataset.",
        BASE + ["data/transactions.plat"],
        [("data/transactions.plat", "  env dev {\n    schedule = \"@daily\"\n  }\n}\n",
          "  env dev {\n    schedule = \"@daily\"\n  }\n}\n\n"
          "/// Re-reads a day of authorisations after an outage of the switch.\n"
          "pipeline backfill_transactions {\n"
          "  owner = teams.data_eng\n"
          "  image = \"registry.acme.example/data/ingest:2.3.0\"\n"
          "  task load {\n"
          "    command = [\"ingest\", \"backfill\", \"--window\", \"1d\"]\n"
          "    writes = [transactions]\n"
          "  }\n"
          "}\n")],
        None),
    "retrain_on_unwritten": (
        "The recommender retrains when `customer_events` updates, but the events\n"
        "pipeline's load task no longer declares that it writes the dataset.",
        BASE + ["data/analytics.plat", "growth/recommender.plat"],
        [("growth/recommender.plat", "    schedule = \"0 3 * * 1\"\n",
          "    retrain_on = [customer_events]\n"),
         ("data/analytics.plat", "    writes = [customer_events]\n", "")],
        None),
    "prod_calls_staging_model": (
        "A service that runs in every environment calls a model limited to dev and staging.",
        ["workspace.plat", "teams/teams.plat", ("canary.plat", CANARY)],
        [],
        None),
    "prod_calls_staging_model_packaged": (
        "The same as fail_prod_calls_staging_model, in a package.",
        ["workspace.plat", "teams/teams.plat", ("fraud/canary.plat", CANARY_PACKAGED)],
        [],
        "environment names in `environments = [...]` resolving from files that have a `package`"),
    "pii_without_compliance_scope": (
        "A refunds service reads the pii transactions dataset directly, with no compliance scope.",
        BASE + ["data/transactions.plat", "payments/ledger.plat"],
        [("payments/ledger.plat", "/// Ledger entries,",
          "/// Looks up the original authorisation to refund it.\n"
          "service refunds_api extends platform.internal_api {\n"
          "  owner = teams.payments\n"
          "  image = \"registry.acme.example/payments/refunds:0.3.0\"\n"
          "  reads = [transactions]\n"
          "}\n\n/// Ledger entries,"),
         ("payments/ledger.plat", "import acme.platform\n",
          "import acme.platform\nimport acme.data.transactions\n")],
        None),
    "team_over_budget": (
        "fraud_ml's budget was cut to 5_000 usd/month, but its model retrains on every\n"
        "hourly update of the transactions in staging and prod.",
        BASE + ["data/transactions.plat", "fraud/scorer.plat"],
        [("teams/teams.plat", "budget = 30_000 usd/month", "budget = 5_000 usd/month")],
        None),
    "agent_escalation": (
        "The triage agent is allowed to write the transactions dataset, which its team\n"
        "(sre) cannot reach.",
        BASE + ["data/transactions.plat", "data/analytics.plat", "sre/observability.plat",
                "sre/triage_agent.plat"],
        [("sre/triage_agent.plat", "    write = [triage_notes]\n",
          "    write = [triage_notes, data.transactions]\n"),
         ("sre/triage_agent.plat",
          "    write = [data.transactions, data.customer_events, incident_logs]\n",
          "    write = [data.customer_events, incident_logs]\n")],
        None),
    "agent_writes_without_approval": (
        "The triage agent writes triage notes in prod without a human approving each write.",
        BASE + ["data/transactions.plat", "data/analytics.plat", "sre/observability.plat",
                "sre/triage_agent.plat"],
        [("sre/triage_agent.plat", "  human_approval = [write]\n", "")],
        None),
    "budget_without_period": (
        "A team budget written as money (`18_000 usd`) instead of money per period.",
        ["workspace.plat", "teams/teams.plat"],
        [("teams/teams.plat", "budget = 18_000 usd/month", "budget = 18_000 usd")],
        None),
    "unknown_instance_type": (
        "A SageMaker instance type with a typo.",
        BASE + ["data/transactions.plat", "fraud/scorer.plat"],
        [("fraud/scorer.plat", "    serve {\n      instance = \"ml.c5.xlarge\"\n      replicas = 4..16",
          "    serve {\n      instance = \"ml.c5.xlarg\"\n      replicas = 4..16")],
        None),
    "template_wrong_kind": (
        "A pipeline extends a template written for services.",
        BASE + ["data/analytics.plat"],
        [("data/analytics.plat", "pipeline ingest_events extends platform.hourly_etl {",
          "pipeline ingest_events extends platform.web_service {")],
        None),
}


def read(rel):
    with open(os.path.join(ACME, rel), encoding="utf-8") as f:
        return f.read()


def build(name, files, edits):
    contents = {}
    for entry in files:
        if isinstance(entry, tuple):
            contents[entry[0]] = entry[1]
        else:
            contents[entry] = read(entry)
    for rel, old, new in edits:
        n = contents[rel].count(old)
        if n != 1:
            sys.exit(f"{name}: `{old[:60]}` occurs {n} times in {rel}, expected once")
        contents[rel] = contents[rel].replace(old, new)
    return contents


def main():
    os.makedirs(TESTS, exist_ok=True)
    for name, (comment, files, edits, pending) in CASES.items():
        contents = build(name, files, edits)
        if pending:
            folder = os.path.join(PENDING, name)
            shutil.rmtree(folder, ignore_errors=True)
            for rel, text in contents.items():
                os.makedirs(os.path.dirname(os.path.join(folder, rel)), exist_ok=True)
                with open(os.path.join(folder, rel), "w", encoding="utf-8") as f:
                    f.write(text)
            with open(os.path.join(folder, "CASE.md"), "w", encoding="utf-8") as f:
                f.write(f"{comment}\n\nWaits for: {pending}.\n")
            continue
        path = os.path.join(TESTS, f"fail_{name}.test")
        out = ["".join(f"# {line}\n" for line in comment.splitlines()),
               "# Generated by examples/broken/generate.py from examples/acme.\n"]
        for rel, text in contents.items():
            out.append(f"-- {rel} --\n{text}")
        out.append("-- [exit] --\n1\n")
        old = None
        if os.path.exists(path):
            with open(path, encoding="utf-8") as f:
                old = f.read()
        text = "".join(out)
        # Keep recorded expectations when only they differ.
        if old is not None and old.split("-- [exit] --")[0] == text.split("-- [exit] --")[0]:
            continue
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)
        print(f"wrote {os.path.relpath(path, ROOT)}")


if __name__ == "__main__":
    main()
