#!/usr/bin/env python3
"""Hostile strings in every string-valued field that reaches an output.

usage: hostile_strings_test.py --platc PATH --source-dir DIR [--quick]

Starts from the corner workspace (tests/golden/backends/k8s_iam/workspace,
with a scheduled, approval-gated retraining model and an operator task
added) and, for every SLOT (a field of some kind that reaches generated
output) and every HOSTILE value, writes the value into that one field and
runs platc. Each case must end one of two ways:

- rejected: `platc check` exits 1 with an error located in the file and on
  the line where the value is written (or, for bytes no source may hold,
  such as NUL, in that file);
- accepted: `platc build` succeeds, and parsing the outputs gives the value
  back exactly where the slot says it lands — Kubernetes YAML with PyYAML,
  SageMaker, IAM and Terraform JSON with json, Airflow DAGs with Python's
  `ast` (every output file must parse) — and
  rendering what Airflow renders (templated operator fields as its
  Templater does, `doc_md` with `jinja2.Template` as `DAG.__init__` does)
  does not change it.

Then one workspace holding an accepted hostile value in every slot at once
is built and passed to the project's validators (tests/validators/: the
Kubernetes and IAM schemas, botocore's SageMaker model, the DAG structure
and Jinja rendering), which must all pass.

`--quick` tries a few values per slot (for local runs).
"""

import argparse
import ast
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

import yaml

HERE = os.path.dirname(os.path.abspath(__file__))

# The values. Ordered so that the most hostile one a slot accepts is the one
# the combined workspace uses.
HOSTILE = [
    '{{ 7 * 7 }}',
    '{% raw %}x{% endraw %}',
    '{{ cycler.__init__.__globals__.os.name }}',
    '{# comment #}',
    '${HOME} and %{x}',
    'quote " and \' and """ and \'\'\'',
    'back\\slash\\',
    'line\nbreak',
    'crlf\r\nline',
    '---',
    '--- \n...\n',
    'yes', 'no', 'on', 'null', '~',
    '0x1F', '1e3', '.inf', '0o17', '012',
    '&a', '*a', '!!python/object/apply:os.system ["id"]',
    '- item', 'key: value', '# not a comment', '@at', '`tick`', '%percent',
    'NUL\x00here',
    'ESC\x1b[31mred',
    'DEL\x7f',
    'bidi \u202eevil\u202c override',
    'zero\u200bwidth\u2060joiner',
    'emoji 😀 café ✓',
    ' leading and trailing ',
    '',
    'report.json',
    'notes.md',
    'tab\there',
    'x' * 100_000,
]
QUICK = ['{{ 7 * 7 }}', 'line\nbreak', 'yes', 'ESC\x1b[31mred', 'bidi \u202eevil\u202c override',
         '', 'notes.md']


def plat_string(value):
    """A Plat string literal for `value` (NUL cannot be escaped: it stays
    raw, and the file is refused)."""
    out = []
    for ch in value:
        if ch == '\\':
            out.append('\\\\')
        elif ch == '"':
            out.append('\\"')
        elif ch == '$':
            out.append('\\$')
        elif ch == '\n':
            out.append('\\n')
        elif ch == '\r':
            out.append('\\r')
        elif ch == '\t':
            out.append('\\t')
        elif ch != '\x00' and (ord(ch) < 0x20 or ord(ch) == 0x7f):
            out.append('\\u{%x}' % ord(ch))
        else:
            out.append(ch)
    return '"' + ''.join(out) + '"'


# ------------------------------------------------------------ the workspace

def base_files(source_dir):
    root = os.path.join(source_dir, 'tests', 'golden', 'backends', 'k8s_iam', 'workspace')
    files = {}
    for name in sorted(os.listdir(root)):
        with open(os.path.join(root, name), encoding='utf-8') as f:
            files[name] = f.read()
    # A retraining DAG (schedule), an approval gate, an operator task.
    ml = files['ml.plat']
    ml = ml.replace('  train { instance = "ml.m5.xlarge" }',
                    '  train { instance = "ml.m5.xlarge"  schedule = "@daily" }\n'
                    '  approval { by = ml  approvers = ["grace.kim"] }\n'
                    '  hyperparameters = { depth = 6 }')
    assert 'schedule = "@daily"' in ml
    files['ml.plat'] = ml
    shop = files['shop.plat']
    shop = shop.replace('''  task aggregate {
    reads = [orders]
    writes = [order_stats]
  }''', '''  task aggregate {
    reads = [orders]
    writes = [order_stats]
    command = ["aggregate"]
  }
  task notify {
    after = [aggregate]
    operator = "airflow.operators.bash.BashOperator"
    arguments = { bash_command = "echo done" }
  }''')
    assert 'task notify' in shop
    files['shop.plat'] = shop
    return files


def one_line(v):
    """A `///` comment is one line: values with line breaks cannot be one."""
    return '\n' not in v and '\r' not in v


class Slot:
    """A field that reaches output: where the value is written, and where it
    must come back."""

    def __init__(self, name, file, old, new, check, wrap=lambda v: v, applies=lambda v: True):
        self.name, self.file, self.old, self.new, self.check, self.wrap = name, file, old, new, check, wrap
        self.applies = applies

    def apply(self, files, value):
        text = files[self.file]
        assert self.old in text, (self.name, self.old)
        written = self.wrap(value)
        replacement = self.new.replace('@V@', plat_string(written)).replace('@RAW@', written)
        at = text.index(self.old)
        line = text[:at].count('\n') + 1 + self.new[:self.new.find('@')].count('\n')
        files = dict(files)
        files[self.file] = text.replace(self.old, replacement, 1)
        return files, line


# ------------------------------------------------------------ reading outputs

def load_yaml_docs(out):
    docs = []
    for env in ('dev', 'prod'):
        folder = os.path.join(out, env, 'k8s')
        for name in sorted(os.listdir(folder)):
            with open(os.path.join(folder, name), encoding='utf-8') as f:
                docs += [d for d in yaml.safe_load_all(f) if d]
    return docs


def k8s_objects(out, kind, name):
    return [d for d in load_yaml_docs(out) if d.get('kind') == kind and d['metadata']['name'] == name]


def load_json(path):
    with open(path, encoding='utf-8') as f:
        return json.load(f)


def all_strings(node):
    if isinstance(node, str):
        yield node
    elif isinstance(node, dict):
        for k, v in node.items():
            yield from all_strings(k)
            yield from all_strings(v)
    elif isinstance(node, list):
        for v in node:
            yield from all_strings(v)


def iam_documents(out):
    docs = []
    for env in ('dev', 'prod'):
        folder = os.path.join(out, env, 'iam', 'roles')
        for name in sorted(os.listdir(folder)):
            docs.append(load_json(os.path.join(folder, name)))
    return docs


class Dag:
    """A DAG file read with `ast`: the DAG call's keywords and each task's."""

    def __init__(self, path):
        with open(path, encoding='utf-8') as f:
            self.source = f.read()
        tree = ast.parse(self.source)
        self.constants = {}
        self.dag = {}
        self.tasks = {}
        for node in tree.body:
            if isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Name):
                try:
                    self.constants[node.targets[0].id] = ast.literal_eval(node.value)
                except ValueError:
                    pass
            if isinstance(node, ast.With):
                call = node.items[0].context_expr
                self.dag = {k.arg: k.value for k in call.keywords}
                for stmt in node.body:
                    if isinstance(stmt, ast.Assign) and isinstance(stmt.value, ast.Call):
                        self.tasks[stmt.targets[0].id] = self.kwargs(stmt.value)

    @staticmethod
    def kwargs(call):
        out = {}
        for k in call.keywords:
            if k.arg is not None:
                out[k.arg] = k.value
                continue
            # **_as_declared(Class, {...}) or **{...}
            v = k.value
            if isinstance(v, ast.Call):
                v = v.args[1]
            for key, value in zip(v.keys, v.values):
                out[ast.literal_eval(key)] = value
        return out

    def value(self, node):
        return ast.literal_eval(node)


def rendered_doc_md(dag):
    import jinja2
    text = ast.literal_eval(dag.dag['doc_md'])
    if text.endswith('.md'):
        return '<loaded as a template file: %s>' % text
    return jinja2.Template(text).render()


def render_field(value, template_ext):
    """Airflow's Templater.render_template for a plain string (the DAGs pass
    declared values through literal(), which renders to itself)."""
    import jinja2
    import jinja2.sandbox
    env = jinja2.sandbox.SandboxedEnvironment(undefined=jinja2.StrictUndefined,
                                              loader=jinja2.DictLoader({}), cache_size=0)
    if value.endswith(tuple(template_ext)):
        return env.get_template(value).render()
    return env.from_string(value).render()


def declared_through_literal(dag_text, task_var):
    """The task's declared kwargs go through _as_declared (literal()) and the
    task did not ask for templating."""
    m = re.search(r'    %s = (\w+)\(\n(.*?)\n    \)\n' % re.escape(task_var), dag_text, re.S)
    return bool(m) and ('**_as_declared(%s, {' % m.group(1)) in m.group(2)


# ------------------------------------------------------------ the slots

def expect(cond, what):
    if not cond:
        raise AssertionError(what)


def check_config(out, v):
    maps = k8s_objects(out, 'ConfigMap', 'storefront-config')
    expect(len(maps) == 2, 'one ConfigMap per environment')
    for m in maps:
        expect(m['data'].get('HOSTILE') == v, 'ConfigMap data: %r' % m['data'].get('HOSTILE', '<none>')[:80])


def containers(out, name):
    deps = k8s_objects(out, 'Deployment', name)
    expect(len(deps) == 2, 'one Deployment per environment')
    return [d['spec']['template']['spec']['containers'][0] for d in deps], deps


def check_health(out, v):
    cs, _ = containers(out, 'cart')
    for c in cs:
        expect(c['readinessProbe']['httpGet']['path'] == v, 'readiness path %r' % c['readinessProbe'])


def check_liveness(out, v):
    cs, _ = containers(out, 'storefront')
    for c in cs:
        expect(c['livenessProbe']['httpGet']['path'] == v, 'liveness path %r' % c['livenessProbe'])


def check_patch(out, v):
    _, deps = containers(out, 'storefront')
    for d in deps:
        expect(d['metadata'].get('annotations', {}).get('hostile') == v,
               'patched annotation %r' % d['metadata'].get('annotations'))


def check_hyperparameter(out, v):
    for env in ('dev', 'prod'):
        job = load_json(os.path.join(out, env, 'sagemaker', 'ranker.create-training-job.json'))
        expect(job['HyperParameters'].get('hostile') == v, 'HyperParameters %r' % job['HyperParameters'])
        dag = Dag(os.path.join(out, env, 'airflow', 'dags', 'train_ranker.py'))
        expect(dag.constants['TRAINING_JOB']['HyperParameters'].get('hostile') == v, 'TRAINING_JOB')
        expect('**{key: literal(value) for key, value in TRAINING_JOB.items()}' in dag.source,
               'the training config goes through literal()')


def check_command(out, v):
    for env in ('dev', 'prod'):
        path = os.path.join(out, env, 'airflow', 'dags', 'stats.py')
        dag = Dag(path)
        task = dag.tasks['t_aggregate']
        args = dag.value(task['arguments'])
        expect(args == [v], 'arguments %r' % args)
        expect(declared_through_literal(dag.source, 't_aggregate'), 'arguments through literal()')


def check_argument(out, v):
    for env in ('dev', 'prod'):
        path = os.path.join(out, env, 'airflow', 'dags', 'stats.py')
        dag = Dag(path)
        got = dag.value(dag.tasks['t_notify']['bash_command'])
        expect(got == v, 'bash_command %r' % got[:80])
        expect(declared_through_literal(dag.source, 't_notify'), 'bash_command through literal()')


def check_doc(dag_name):
    def check(out, v):
        for env in ('dev', 'prod'):
            dag = Dag(os.path.join(out, env, 'airflow', 'dags', dag_name))
            doc = rendered_doc_md(dag)
            # A `///` line keeps its text up to trailing blanks.
            want = v.rstrip() + '\n\n' if v.strip() else ''
            expect(doc.startswith(want + 'Generated by platc'),
                   'doc_md renders as %r' % doc[:120])
    return check


def check_cost_center(out, v):
    for env in ('dev', 'prod'):
        job = load_json(os.path.join(out, env, 'sagemaker', 'ranker.create-training-job.json'))
        tags = {t['Key']: t['Value'] for t in job['Tags']}
        expect(tags.get('plat:cost-center') == v, 'cost-center tag %r' % tags.get('plat:cost-center'))


def check_approver(out, v):
    for env in ('dev', 'prod'):
        dag = Dag(os.path.join(out, env, 'airflow', 'dags', 'train_ranker.py'))
        extras = dag.value(dag.tasks['register']['extras'])
        got = extras['CustomerMetadataProperties'].get('plat:approvers')
        expect(got == v, 'approvers metadata %r' % got)
        expect(declared_through_literal(dag.source, 'register'), 'extras through literal()')


def check_prefix(out, v):
    uri = 's3://corner-data/' + v
    for env in ('dev', 'prod'):
        dag = Dag(os.path.join(out, env, 'airflow', 'dags', 'stats.py'))
        expect(('Dataset(%r)' % uri) in dag.source or ("Dataset('%s')" % uri) in dag.source,
               'dataset URI %r in the DAG' % uri)
    arn = 'arn:aws:s3:::corner-data/' + v + '*'
    expect(any(arn in set(all_strings(d)) for d in iam_documents(out)), 'IAM resource %r' % arn)


def check_iam_suffix(suffix_of):
    def check(out, v):
        want = suffix_of(v)
        expect(any(s.endswith(want) for d in iam_documents(out) for s in all_strings(d)),
               'an IAM string ending in %r' % want)
    return check


def check_pipeline_image(out, v):
    for env in ('dev', 'prod'):
        dag = Dag(os.path.join(out, env, 'airflow', 'dags', 'stats.py'))
        got = dag.value(dag.tasks['t_aggregate']['image'])
        expect(got == v, 'task image %r' % got)


def check_image(out, v):
    cs, _ = containers(out, 'mailer')
    for c in cs:
        expect(c['image'] == v, 'image %r' % c['image'])


def check_operator(out, v):
    """The operator path reaches the DAG as an import of exactly that path,
    or (when it is not a dotted Python name) as the strings of an
    importlib lookup, which cannot change the program."""
    for env in ('dev', 'prod'):
        with open(os.path.join(out, env, 'airflow', 'dags', 'stats.py'), encoding='utf-8') as f:
            tree = ast.parse(f.read())
        paths = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom):
                paths |= {'%s.%s' % (node.module, a.name) for a in node.names}
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == 'getattr'
                    and isinstance(node.args[0], ast.Call)):
                module = ast.literal_eval(node.args[0].args[0])
                name = ast.literal_eval(node.args[1])
                # `module.name`; a path without a module part is looked up
                # whole (`import_module(path)`).
                paths |= {module, '%s.%s' % (module, name)}
        expect(v in paths, 'operator %r not among %r' % (v[:60], sorted(p[:60] for p in paths)))


def check_namespace(out, v):
    want = 'shop' + ('' if v.startswith('-') else '-') + v
    deps = [d for d in load_yaml_docs(out) if d.get('kind') == 'Deployment' and d['metadata']['name'] == 'cart']
    expect(want in [d['metadata']['namespace'] for d in deps], 'namespace %r' % want)


def check_bucket(out, v):
    expect(any(':::%s/' % v in s for d in iam_documents(out) for s in all_strings(d)),
           'an IAM resource in bucket %r' % v)


SLOTS = [
    Slot('service.config', 'shop.plat', '    EMPTY = ""', '    EMPTY = ""\n    HOSTILE = @V@', check_config),
    Slot('service.health', 'shop.plat', '  health = "/ready"', '  health = @V@', check_health,
         wrap=lambda v: '/' + v),
    Slot('service.liveness', 'shop.plat', '  liveness = "/livez"', '  liveness = @V@', check_liveness,
         wrap=lambda v: '/' + v),
    Slot('service.patch', 'shop.plat', '    deployment = { spec',
         '    deployment = { metadata = { annotations = { hostile = @V@ } }, spec', check_patch),
    Slot('service.image', 'shop.plat', '  image = "registry.corner.example/mailer:1.0.0"', '  image = @V@',
         check_image),
    Slot('pipeline.image', 'shop.plat', '  image = "registry.corner.example/stats:1.0.0"', '  image = @V@',
         check_pipeline_image),
    Slot('model.hyperparameters', 'ml.plat', '  hyperparameters = { depth = 6 }',
         '  hyperparameters = { depth = 6, hostile = @V@ }', check_hyperparameter),
    Slot('model.approval.approvers', 'ml.plat', 'approvers = ["grace.kim"]', 'approvers = [@V@]',
         check_approver),
    Slot('model doc comment', 'ml.plat', 'model ranker {', '/// @RAW@\nmodel ranker {',
         check_doc('train_ranker.py'), applies=one_line),
    Slot('task.command', 'shop.plat', '    command = ["aggregate"]', '    command = ["aggregate", @V@]',
         check_command),
    Slot('task.arguments', 'shop.plat', 'arguments = { bash_command = "echo done" }',
         'arguments = { bash_command = @V@ }', check_argument),
    Slot('task.operator', 'shop.plat', 'operator = "airflow.operators.bash.BashOperator"', 'operator = @V@',
         check_operator),
    Slot('pipeline doc comment', 'shop.plat', 'pipeline stats {', '/// @RAW@\npipeline stats {',
         check_doc('stats.py'), applies=one_line),
    Slot('team.cost_center', 'teams.plat', '  cost_center = "CC-2"', '  cost_center = @V@', check_cost_center),
    Slot('dataset.location prefix', 'shop.plat', 's3("corner-data", "orders/")',
         's3("corner-data", @V@)', check_prefix, wrap=lambda v: v + '/'),
    Slot('dataset.kms_key', 'shop.plat', 'kms_key = "1234abcd-12ab-34cd-56ef-1234567890ab"', 'kms_key = @V@',
         check_iam_suffix(lambda v: ':key/' + v)),
    Slot('agent.foundation_model', 'ml.plat',
         'in_cluster = false\n  foundation_model = "anthropic.claude-3-haiku-20240307-v1:0"',
         'in_cluster = false\n  foundation_model = @V@', check_iam_suffix(lambda v: 'foundation-model/' + v)),
    Slot('dataset.location bucket', 'shop.plat', 's3("corner-data", "carts/")',
         's3(@V@, "carts/")', check_bucket),
    Slot('workspace.artifact_bucket', 'workspace.plat', '  artifact_bucket = "corner-artifacts"',
         '  artifact_bucket = @V@', check_bucket),
    Slot('environment.namespace_suffix', 'workspace.plat', '  namespace_suffix = "dev"',
         '  namespace_suffix = @V@', check_namespace),
    Slot('workspace.oidc_provider', 'workspace.plat', '  cluster = "corner"',
         '  cluster = "corner"\n  oidc_provider = @V@', check_iam_suffix(lambda v: 'oidc-provider/' + v)),
    Slot('workspace.airflow_role', 'workspace.plat', '  cluster = "corner"',
         '  cluster = "corner"\n  airflow_role = @V@', check_iam_suffix(lambda v: v)),
]


# ------------------------------------------------------------ running

def write(files, root):
    shutil.rmtree(root, ignore_errors=True)
    os.makedirs(root)
    for name, text in files.items():
        with open(os.path.join(root, name), 'wb') as f:
            f.write(text.encode('utf-8'))


def run(platc, args, cwd=None):
    return subprocess.run([platc] + args, cwd=cwd, capture_output=True, timeout=120)


def located_rejection(result, file, line, value):
    """An error in `file` at `line` (or anywhere in the file for bytes no
    source may hold)."""
    for raw in result.stdout.decode('utf-8', 'replace').splitlines():
        if not raw.startswith('{'):
            continue
        d = json.loads(raw)
        if d['severity'] != 'error' or not d.get('span'):
            continue
        span = d['span']
        if os.path.basename(span['file']) != file:
            continue
        if '\x00' in value or span['line'] == line:
            return d
    return None


def try_case(platc, tmp, base, slot, value):
    """'rejected', 'accepted' or raises AssertionError."""
    files, line = slot.apply(base, value)
    ws = os.path.join(tmp, 'ws')
    write(files, ws)
    out = os.path.join(tmp, 'out')
    shutil.rmtree(out, ignore_errors=True)
    b = run(platc, ['build', ws, '-o', out, '--format', 'json'])
    if b.returncode != 0:
        expect(b.returncode == 1, 'platc build exited %d: %s' % (b.returncode, b.stderr[-400:]))
        expect(not os.path.exists(out), 'a rejected build wrote output')
        d = located_rejection(b, slot.file, line, value)
        expect(d is not None, 'rejected, but no error at %s:%d: %s' % (
            slot.file, line, b.stdout.decode('utf-8', 'replace')[:600]))
        return 'rejected', d['code']
    parse_every_output(out)
    slot.check(out, slot.wrap(value))
    return 'accepted', None


def parse_every_output(out):
    """Every file platc wrote parses in its language: YAML (PyYAML), JSON
    (SageMaker requests, IAM documents, Terraform JSON), Python (DAGs)."""
    for d, _, names in os.walk(out):
        for n in names:
            path = os.path.join(d, n)
            with open(path, encoding='utf-8') as f:
                text = f.read()
            if n.endswith('.yaml'):
                list(yaml.safe_load_all(text))
            elif n.endswith('.json'):
                json.loads(text)
            elif n.endswith('.py'):
                ast.parse(text)


def validators(platc, source_dir, ws, python):
    vdir = os.path.join(source_dir, 'tests', 'validators')
    schemas = os.path.join(source_dir, 'tests', 'data', 'schemas')
    runs = [
        [python, os.path.join(vdir, 'k8s_validate.py'), '--platc', platc, '--workspace', ws, '--schemas', schemas],
        [python, os.path.join(vdir, 'iam_validate.py'), '--platc', platc, '--workspace', ws, '--schemas', schemas],
        [python, os.path.join(vdir, 'sagemaker_validate.py'), platc, ws],
        [python, os.path.join(vdir, 'airflow_validate.py'), platc, ws],
    ]
    failures = []
    for cmd in runs:
        r = subprocess.run(cmd, capture_output=True, timeout=600)
        if r.returncode != 0:
            failures.append('%s failed on the hostile workspace:\n%s%s' % (
                os.path.basename(cmd[1]), r.stdout.decode()[-2000:], r.stderr.decode()[-2000:]))
    return failures


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--platc', required=True)
    ap.add_argument('--source-dir', required=True)
    ap.add_argument('--quick', action='store_true')
    ap.add_argument('--slot', action='append', help='only these slots (by name)')
    args = ap.parse_args()
    platc = os.path.abspath(args.platc)
    try:
        import jinja2  # noqa: F401
    except ImportError:
        print('SKIP: jinja2 is not installed for %s' % sys.executable)
        return 77
    values = QUICK if args.quick else HOSTILE
    base = base_files(args.source_dir)
    failures = []
    combined = dict(base)
    summary = []
    with tempfile.TemporaryDirectory() as tmp:
        # The base itself builds: every rejection below is the value's.
        write(base, os.path.join(tmp, 'ws'))
        r = run(platc, ['check', os.path.join(tmp, 'ws')])
        if r.returncode != 0:
            print('FAIL: the base workspace does not check:\n' + r.stderr.decode())
            return 1
        for slot in SLOTS:
            if args.slot and slot.name not in args.slot:
                continue
            accepted = rejected = 0
            chosen = None
            for value in values:
                if not slot.applies(value):
                    continue
                try:
                    outcome, _ = try_case(platc, tmp, base, slot, value)
                except Exception as e:  # noqa: BLE001 (a crash of the checks is a failure too)
                    failures.append('%s = %r: %s' % (slot.name, value[:60], e))
                    continue
                if outcome == 'accepted':
                    accepted += 1
                    if chosen is None:
                        chosen = value
                else:
                    rejected += 1
            summary.append('%-26s %3d accepted, %3d rejected%s' % (
                slot.name, accepted, rejected, '' if chosen is None else ', combined: %r' % chosen[:40]))
            if chosen is not None:
                try:
                    combined, _ = slot.apply(combined, chosen)
                except AssertionError:
                    failures.append('%s: its anchor is gone after the other slots\' edits' % slot.name)
        # Everything accepted at once, through the project's validators.
        ws = os.path.join(tmp, 'combined')
        write(combined, ws)
        r = run(platc, ['check', ws])
        if r.returncode != 0:
            failures.append('the combined workspace does not check:\n' + r.stderr.decode()[-2000:])
        else:
            failures += validators(platc, args.source_dir, ws, sys.executable)
    print('\n'.join(summary))
    for f in failures:
        print('FAIL:', f)
    if failures:
        return 1
    print('ok: every hostile value is rejected at its line or comes back unchanged from every output')
    return 0


if __name__ == '__main__':
    sys.exit(main())
