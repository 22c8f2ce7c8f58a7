"""Workspaces that exercise the SageMaker and Airflow backends.

Shared by sagemaker_validate.py and airflow_validate.py: each fixture is a
dict of relative path -> .plat text, written to a temporary folder and built
with `platc build`.
"""

import os

WORKSPACE = '''workspace acme {
  account = "123456789012"
  region  = "eu-west-1"
  cluster = "acme-prod"
}

environment dev {}
environment prod { tier = production }
'''

TEAMS = '''package acme.teams

team fraud_ml {
  lead = "li@acme.example"
  cost_center = "CC-2001"
  on_call = "pagerduty:fraud"
}

team data_eng {
  lead = "sam@acme.example"
  cost_center = "CC-3001"
  on_call = "pagerduty:data"
  channel = "#data-alerts"
}
'''

DATA = '''package acme.data

import acme.teams

/// Raw card transactions.
dataset transactions {
  owner    = teams.data_eng
  location = s3("acme-lake", "raw/transactions/")
  format   = parquet
  freshness = 6h
  schema {
    txn_id : string
    amount : decimal
    label  : int
  }
}

dataset features {
  owner    = teams.data_eng
  location = s3("acme-lake", "features/daily/")
  format   = csv
  schema {
    amount : double
    label  : int
  }
}

/// Loads transactions every hour.
pipeline ingest {
  owner    = teams.data_eng
  schedule = "@hourly"
  image    = "registry.acme.example/ingest:2.0.1"
  retries  = 3
  max_duration = 45m
  task extract {
    command = ["extract", "--since", "1h"]
    timeout = 20m
  }
  task load {
    after     = [extract]
    writes    = [transactions]
    resources = { cpu = 1, memory = 1Gi, cpu_limit = 2 }
  }
}

/// Builds features whenever transactions land.
pipeline featurize {
  owner = teams.data_eng
  image = "registry.acme.example/features:1.0.0"
  task build {
    reads     = [transactions]
    writes    = [features]
    command   = ["build-features", "--date", "{{ ds }}"]
    templated = true
  }
  task publish {
    after     = [build]
    operator  = "airflow.providers.amazon.aws.operators.athena.AthenaOperator"
    arguments = { query = "MSCK REPAIR TABLE features", database = "lake", output_location = "s3://acme-athena/results/" }
  }
}
'''

MODELS = '''package acme.fraud

import acme.teams
import acme.data

/// Scores card transactions for fraud.
model scorer {
  owner      = teams.fraud_ml
  trained_on = [data.transactions, data.features]
  framework  = xgboost("1.7-1")
  hyperparameters = { max_depth = 6, eta = 0.2, objective = "binary:logistic", verbose = true }
  train { instance = "ml.m5.xlarge"  count = 2  max_runtime = 4h  volume = 50Gi  retrain_on = data.features }
  serve { instance = "ml.c5.large"   replicas = 2..10 }
  approval { by = teams.fraud_ml  fairness.demographic_parity >= 0.8  auc > 0.9 }
  compliance = [pci]
  monitoring = true
  slo { availability = 99.9  latency_p99 = 80ms }
}

model churn {
  owner      = teams.fraud_ml
  trained_on = [data.features]
  framework  = sklearn("1.2-1")
  train { instance = "ml.m5.large"  schedule = "0 3 * * 1" }
  serve { serverless = true  memory = 3Gi  max_concurrency = 20 }
  monitoring = true
  slo { latency_p99 = 500ms }
}

model embedder {
  owner      = teams.fraud_ml
  trained_on = [data.transactions]
  framework  = pytorch("2.1.0")
  train { instance = "ml.g5.xlarge" }
  serve { instance = "ml.g5.xlarge"  replicas = 1 }
}
'''

ACME = {
    'workspace.plat': WORKSPACE,
    'teams/teams.plat': TEAMS,
    'data/data.plat': DATA,
    'fraud/models.plat': MODELS,
}

# Strings that try to break out of a Python literal, out of a comment, into
# Jinja, or into the file's encoding: the values as Python should see them.
HOSTILE_VALUES = [
    "it's",
    'say "hi"',
    "'''triple'''",
    '"""triple"""',
    'back\\slash\\',
    'new\nline',
    'carriage\rreturn',
    'tab\there',
    'bell\x07 escape\x1b[31m del\x7f',
    '{{ 7 * 7 }}',
    '{% raw %}x{% endraw %}',
    '{# comment #}',
    "'); import os; os.system('id'); ('",
    '"""); __import__("os").system("id"); ("""',
    '\\x41 \\u0041 \\N{BULLET} \\',
    'caf\u00e9 \u2603 \U0001F600 \u202e\u2066 \u2028',
    'report.json',
    'ends with newline\n',
    '$dollar ${not_interpolated}',
    '',
]


def plat_string(s):
    """A Plat string literal whose value is the Python string `s`."""
    out = []
    for ch in s:
        if ch in '\\"$':
            out.append('\\' + ch)
        elif ch == '\n':
            out.append('\\n')
        elif ch == '\t':
            out.append('\\t')
        elif ch == '\r':
            out.append('\\r')
        elif ord(ch) < 0x20 or ord(ch) == 0x7f:
            out.append('\\u{%x}' % ord(ch))
        else:
            out.append(ch)
    return '"' + ''.join(out) + '"'


# A templated field of BashOperator: Jinja would evaluate it, and a value
# ending in `.sh` would be loaded as a template file.
HOSTILE_BASH = "echo '{{ 7 * 7 }}' && ./run.sh"

# Airflow 2 renders doc_md with an unsandboxed jinja2.Template: each of
# these would compute, fail or run code if it reached Jinja as a template.
HOSTILE_DOC = ('Doc with """ and \'\'\' and {{ jinja }} and {{ 7 * 7 }}, {% raw %}, '
               '{{ cycler.__init__.__globals__.os.name }}, {# comment #}, {%- if x %}, '
               '{{{ triple }}}, ${x} %{y} and a backslash \\ notes.md')


# The hostile team's Slack channel: Jinja and quotes reach the notifier as
# written.
HOSTILE_CHANNEL = "#red '{{ 7 * 7 }}' \"x\" {% raw %}"


def hostile():
    cmd = ', '.join(plat_string(v) for v in HOSTILE_VALUES)
    args = '\n    '.join('a%d = %s' % (i, plat_string(v)) for i, v in enumerate(HOSTILE_VALUES))
    data = '''package evil

team red {
  lead = "red@acme.example"
  cost_center = "CC-666"
  channel = %s
}

/// %s
pipeline hostile {
  owner = red
  image = "registry.acme.example/evil:1.0.0"
  task run { command = [%s] }
  task call {
    after = [run]
    operator = "airflow.operators.bash.BashOperator"
    arguments = {
    bash_command = %s
    %s
    }
  }
}

pipeline weird {
  owner = red
  task weird_operator { operator = %s }
}
''' % (plat_string(HOSTILE_CHANNEL), HOSTILE_DOC, cmd, plat_string(HOSTILE_BASH), args, plat_string("os; import os\nos.system('id')#.X"))
    return {'workspace.plat': WORKSPACE, 'evil/evil.plat': data}


def write(files, root):
    for rel, text in files.items():
        path = os.path.join(root, rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, 'w', encoding='utf-8') as f:
            f.write(text)
