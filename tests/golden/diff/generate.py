#!/usr/bin/env python3
"""Writes the `platc diff` golden pairs in this folder from one base workspace.

Each pair is a .test file holding the base under `base/` and the head under
`head/` (the base with one edit), run as `platc diff head --base base`. Every
pair must raise exactly the flags its name says, and the `*_nothing` pairs
none. After changing this file, run it and then the update mode
(tests/golden/README.md), and read what the update wrote:

    python3 tests/golden/diff/generate.py
    PLAT_UPDATE=1 python3 tests/golden/run.py --platc build/platc tests/golden/diff
"""

import os

HERE = os.path.dirname(os.path.abspath(__file__))

BASE = {
    "workspace.plat": '''\
workspace shop {
  account = "123456789012"
  region = "eu-west-1"
  artifact_bucket = "shop-artifacts"
}

environment prod {
  tier = production
}
''',
    "teams.plat": '''\
team web {
  lead = "ana@example.com"
  members = ["ana"]
  on_call = "pagerduty:web"
  cost_center = "cc-1"
  budget = 2_000 usd/month
}

team ml {
  lead = "li@example.com"
  members = ["li"]
  on_call = "pagerduty:ml"
  cost_center = "cc-2"
  budget = 20_000 usd/month
}
''',
    "data.plat": '''\
/// Orders placed on the shop.
dataset orders {
  owner = ml
  location = s3("shop-lake", "orders/")
  classification = pii
  compliance = [gdpr]
  retention = 365d
  schema {
    order_id : string
    amount : decimal
    email : string @pii
    country : int
  }
}
''',
    "model.plat": '''\
/// Scores orders for fraud.
model scorer {
  owner = ml
  framework = xgboost("1.7-1")
  trained_on = [orders]
  features = [orders.amount, orders.country]
  compliance = [gdpr]
  train {
    instance = "ml.m5.xlarge"
  }
  serve {
    instance = "ml.c5.xlarge"
    replicas = 1..2
  }
  approval {
    by = ml
    approvers = ["li", "mo"]
    metrics.auc >= 0.9
  }
}
''',
    "services.plat": '''\
template service internal_api {
  port = 8080
  replicas = 2..4
  expose = private
}

/// Takes orders.
service api extends internal_api {
  owner = web
  image = "registry.example.com/web/api:1.0.0"
  calls = [scorer]
  compliance = [gdpr]
}

/// The product catalogue.
service catalog extends internal_api {
  owner = web
  image = "registry.example.com/web/catalog:1.0.0"
}

/// Answers questions about the catalogue.
agent helper {
  owner = web
  may {
    invoke = [catalog]
  }
  human_approval = [invoke]
  quota = { requests = 1_000/day, spend = 100 usd/month }
}
''',
}

# name: (comment, {file: [(old, new), ...]} or a function of the base files)
PAIRS = {
    "iam_widened": ("`api` now reads `orders` itself: its role gains S3 read on the dataset.",
                    {"services.plat": [("  calls = [scorer]\n", "  calls = [scorer]\n  reads = [orders]\n")]}),
    "network_path_added": ("`api` now calls `catalog`: a new network path, and nothing else.",
                           {"services.plat": [("  calls = [scorer]\n", "  calls = [scorer, catalog]\n")]}),
    "newly_public": ("`catalog` is exposed to the internet, overriding its template's `expose = private` "
                     "(so that flag is raised too).",
                     {"services.plat": [('catalog:1.0.0"\n', 'catalog:1.0.0"\n  expose = public\n  tls = true\n')]}),
    "classification_reach_grown": ("`catalog` starts calling the scorer, trained on pii data; it takes the "
                                   "gdpr scope that then needs, so both sides check clean. The agent that invokes `catalog` "
                                   "reaches pii through it too (it asks a human already), and `catalog`'s role may "
                                   "now invoke the scorer's endpoint.",
                                   {"services.plat": [('catalog:1.0.0"\n',
                                                       'catalog:1.0.0"\n  calls = [scorer]\n  compliance = [gdpr]\n')]}),
    "approval_approver_removed": ("One of the scorer's two named approvers is removed.",
                                  {"model.plat": [('approvers = ["li", "mo"]', 'approvers = ["li"]')]}),
    "approval_gate_loosened": ("The scorer's AUC threshold is lowered.",
                               {"model.plat": [("metrics.auc >= 0.9", "metrics.auc >= 0.8")]}),
    "agent_granted_more": ("The helper agent no longer asks a human before invoking, and its request "
                           "quota grows.",
                           {"services.plat": [("  human_approval = [invoke]\n", ""),
                                              ("requests = 1_000/day", "requests = 5_000/day")]}),
    "agent_quota_lowered_nothing": ("The helper agent gets a token limit it did not have and a lower "
                                    "request quota: it is granted less, so nothing is flagged.",
                                    {"services.plat": [("requests = 1_000/day", "requests = 500/day, tokens = 1_000_000/day")]}),
    "cost_increased": ("`api` runs larger pods: its team's cost grows by more than a tenth "
                       "(still under the budget, which would be an error).",
                       {"services.plat": [('api:1.0.0"\n', 'api:1.0.0"\n  resources = { cpu = 4, memory = 16Gi }\n')]}),
    "patch_added": ("`catalog` adds a raw patch to its Deployment.",
                    {"services.plat": [('catalog:1.0.0"\n',
                                        'catalog:1.0.0"\n  patch = { deployment = { spec = { paused = true } } }\n')]}),
    "template_override_added": ("`catalog` overrides the replica range its template sets.",
                                {"services.plat": [('catalog:1.0.0"\n', 'catalog:1.0.0"\n  replicas = 1..2\n')]}),
    "dataset_column_removed": ("`orders.country` is dropped; the scorer stops using it in the same change.",
                               {"data.plat": [("    country : int\n", "")],
                                "model.plat": [("features = [orders.amount, orders.country]", "features = [orders.amount]")]}),
    "dataset_column_retyped": ("`orders.amount` becomes a double: everything that uses it is listed.",
                               {"data.plat": [("    amount : decimal\n", "    amount : double\n")]}),
    "compliance_scope_dropped": ("The scorer moves from the gdpr scope to the sox scope: gdpr is dropped.",
                                 {"model.plat": [("  compliance = [gdpr]\n", "  compliance = [sox]\n")]}),
    "image_changed_nothing": ("A plain change (a new image tag): listed, but no risk flag.",
                                 {"services.plat": [("web/api:1.0.0", "web/api:1.1.0")]}),
    "reformat_nothing": ("The same declarations laid out differently: no change at all.",
                         {"services.plat": [("  owner = web\n  image = \"registry.example.com/web/api:1.0.0\"\n",
                                             "  image = \"registry.example.com/web/api:1.0.0\"\n\n\n  owner = web\n")]}),
    "comments_nothing": ("Comments and doc comments change: no change at all.",
                         {"services.plat": [("/// Takes orders.\n", "// The order intake.\n/// Takes orders from the shop and\n/// scores them.\n")],
                          "data.plat": [("/// Orders placed on the shop.\n", "")]}),
    "iam_widened_json": ("The `iam_widened` pair in the JSON format (docs/cli.md documents the schema).",
                         {"services.plat": [("  calls = [scorer]\n", "  calls = [scorer]\n  reads = [orders]\n")]},
                         "diff head --base base --format json"),
    "network_path_added_markdown": ("The `network_path_added` pair as a pull-request comment, with the "
                                    "generated files' unified diff (provenance left out).",
                                    {"services.plat": [("  calls = [scorer]\n", "  calls = [scorer, catalog]\n")]},
                                    "diff head --base base --format markdown --files"),
    "hostile_value_markdown_nothing": ("A config value written to break out of the PR comment (HTML, an image, "
                                       "backticks, a bidirectional override): it stays inside one code span, the "
                                       "override is shown escaped, and nothing is flagged.",
                                       {"services.plat": [('catalog:1.0.0"\n',
                                                           'catalog:1.0.0"\n  config = { NOTE = "<img src=x> '
                                                           '![t](http://track.example/t.png) `x` \\u{202E}end" }\n')]},
                                       "diff head --base base --format markdown"),
    "renamed_file_nothing": ("`model.plat` is renamed to `scoring.plat` and `data.plat` to `orders.plat`, "
                             "with the same declarations: no change at all.", "rename"),
}


def render(name, comment, head, args="diff head --base base"):
    out = [comment + "\n"]
    for rel in sorted(BASE):
        out.append(f"-- base/{rel} --\n{BASE[rel]}")
    for rel in sorted(head):
        out.append(f"-- head/{rel} --\n{head[rel]}")
    out.append(f"-- [args] --\n{args}\n-- [exit] --\n0\n")
    return "".join(out)


def main():
    for name, (comment, edits, *args) in PAIRS.items():
        head = dict(BASE)
        if edits == "rename":
            head["scoring.plat"] = head.pop("model.plat")
            head["orders.plat"] = head.pop("data.plat")
        else:
            for rel, subs in edits.items():
                for old, new in subs:
                    assert old in head[rel], (name, rel, old)
                    head[rel] = head[rel].replace(old, new, 1)
        test = ("" if name.endswith("_nothing") else "fail_") + name
        # Exit 3 is not 0: a pair that raises a flag is a `fail_*` test.
        path = os.path.join(HERE, test + ".test")
        text = render(test, comment, head, *args)
        if os.path.exists(path):
            with open(path, encoding="utf-8") as f:
                old = f.read()
            # Keep the expectations the update mode wrote.
            marker = "-- [exit] --\n"
            if old.split(marker)[0] == text.split(marker)[0]:
                continue
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)
        print("wrote", path)


if __name__ == "__main__":
    main()
