#!/usr/bin/env python3
"""Checks the Airflow DAG files platc writes.

usage: airflow_validate.py PLATC [--render] [WORKSPACE ...]

Builds the fixture workspaces of sagemaker_fixtures.py (a realistic one and
one full of hostile strings) with `platc build --target airflow,sagemaker`
twice, requires the two outputs to be byte-identical, then for every DAG:

- it compiles with python3 (py_compile);
- its header names the source and carries the hash of the rest of the file;
- its structure, read with `ast`, is what the backend means to write and
  nothing else: only imports, the `_as_declared` helper, constant
  assignments and one `with DAG(...)` block; every call is to a known
  callable imported from its real Airflow module (airflow.DAG,
  airflow.datasets.Dataset, the cncf KubernetesPodOperator, the Amazon
  provider's SageMaker operators, ...); dag_id, schedule, start_date,
  catchup=False, default_args, tags and doc_md are there; task ids are
  unique; `a >> b` order is acyclic;
- values read back with `ast.literal_eval` equal what the .plat files say,
  hostile strings included.

With --render (needs jinja2) it also executes the DAG files against small
stand-ins for the Airflow classes and renders every templated field the way
Airflow's Templater does (Jinja sandbox, StrictUndefined, template_ext file
lookup, LiteralValue passed through), and requires the rendered values to
equal the declared ones, except where a declaration asked for templating.
"""

import ast
import hashlib
import json
import os
import py_compile
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import sagemaker_fixtures as fixtures  # noqa: E402

# Where each name the generated files may use must be imported from.
KNOWN_IMPORTS = {
    'DAG': 'airflow.DAG',
    'Dataset': 'airflow.datasets.Dataset',
    'KubernetesPodOperator': 'airflow.providers.cncf.kubernetes.operators.pod.KubernetesPodOperator',
    'SageMakerTrainingOperator': 'airflow.providers.amazon.aws.operators.sagemaker.SageMakerTrainingOperator',
    'SageMakerRegisterModelVersionOperator':
        'airflow.providers.amazon.aws.operators.sagemaker.SageMakerRegisterModelVersionOperator',
    'ApprovalStatus': 'airflow.providers.amazon.aws.utils.sagemaker.ApprovalStatus',
    'literal': 'airflow.utils.template.literal',
    'DatasetOrTimeSchedule': 'airflow.timetables.datasets.DatasetOrTimeSchedule',
    'CronTriggerTimetable': 'airflow.timetables.trigger.CronTriggerTimetable',
    'k8s': 'kubernetes.client.models',
    'timedelta': 'datetime.timedelta',
    'SlackNotifier': 'airflow.providers.slack.notifications.slack.SlackNotifier',
    'PagerdutyNotifier': 'airflow.providers.pagerduty.notifications.pagerduty.PagerdutyNotifier',
    'OpsgenieNotifier': 'airflow.providers.opsgenie.notifications.opsgenie.OpsgenieNotifier',
}
NOTIFIERS = ('SlackNotifier', 'PagerdutyNotifier', 'OpsgenieNotifier')
# Calls the files may make besides operator classes they import.
ALLOWED_CALLS = {'DAG', 'Dataset', 'KubernetesPodOperator', 'SageMakerTrainingOperator',
                 'SageMakerRegisterModelVersionOperator', 'DatasetOrTimeSchedule',
                 'CronTriggerTimetable', 'timedelta', 'literal', '_as_declared',
                 'pendulum.datetime', 'k8s.V1ResourceRequirements', 'TRAINING_JOB.items',
                 'getattr', 'importlib.import_module'} | set(NOTIFIERS)

HELPER = '''def _as_declared(operator_class, kwargs):
    templated = set(getattr(operator_class, 'template_fields', ()))
    return {key: literal(value) if key in templated else value for key, value in kwargs.items()}'''


class Failures(list):
    def expect(self, cond, message):
        if not cond:
            self.append(message)


def dotted(node):
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        inner = dotted(node.value)
        return inner + '.' + node.attr if inner else None
    return None


def strip_docstring(fn):
    body = fn.body
    if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
        body = body[1:]
    return ast.unparse(ast.FunctionDef(name=fn.name, args=fn.args, body=body, decorator_list=[],
                                       returns=None, type_comment=None, lineno=0))


class Dag:
    """What the structural reading of one file found."""

    def __init__(self, path, fail):
        self.path = path
        self.fail = fail
        self.imports = {}  # local name -> module.name
        self.tasks = {}  # variable -> (task_id, operator name, {kwarg: node})
        self.edges = []
        self.dag_kwargs = {}
        self.constants = {}
        with open(path, 'rb') as f:
            raw = f.read()
        self.text = raw.decode('ascii')  # generated files are pure ASCII
        self.tree = ast.parse(self.text)
        self.read()

    def err(self, message):
        self.fail.append('%s: %s' % (self.path, message))

    def read(self):
        with_blocks = []
        for stmt in self.tree.body:
            if isinstance(stmt, ast.ImportFrom):
                for a in stmt.names:
                    self.imports[a.asname or a.name] = stmt.module + '.' + a.name
            elif isinstance(stmt, ast.Import):
                for a in stmt.names:
                    self.imports[a.asname or a.name] = a.name
            elif isinstance(stmt, ast.FunctionDef):
                if stmt.name != '_as_declared' or strip_docstring(stmt) != HELPER:
                    self.err('unexpected function %s' % stmt.name)
            elif isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and \
                    isinstance(stmt.targets[0], ast.Name):
                name = stmt.targets[0].id
                if name == 'TRAINING_JOB':
                    self.constants[name] = ast.literal_eval(stmt.value)
                elif dotted(stmt.value.func) == 'getattr' if isinstance(stmt.value, ast.Call) else False:
                    # `X = getattr(importlib.import_module('m'), 'X')`
                    call = stmt.value
                    inner = call.args[0]
                    ok = (isinstance(inner, ast.Call) and dotted(inner.func) == 'importlib.import_module'
                          and all(isinstance(a, ast.Constant) and isinstance(a.value, str)
                                  for a in inner.args + call.args[1:]))
                    if not ok:
                        self.err('unexpected dynamic import %s' % ast.unparse(stmt))
                    self.imports[name] = 'importlib:%s.%s' % (ast.literal_eval(inner.args[0]),
                                                              ast.literal_eval(call.args[1]))
                else:
                    self.err('unexpected assignment %s' % ast.unparse(stmt))
            elif isinstance(stmt, ast.With):
                with_blocks.append(stmt)
            else:
                self.err('unexpected top-level statement %s' % type(stmt).__name__)
        for local, full in self.imports.items():
            if local in KNOWN_IMPORTS:
                self.fail.expect(full == KNOWN_IMPORTS[local], '%s: %s imported from %s, not %s' %
                                 (self.path, local, full, KNOWN_IMPORTS[local]))
        if len(with_blocks) != 1:
            self.err('%d `with` blocks, want one' % len(with_blocks))
            return
        block = with_blocks[0]
        item = block.items[0]
        if not (isinstance(item.context_expr, ast.Call) and dotted(item.context_expr.func) == 'DAG'):
            self.err('the `with` block is not `with DAG(...)`')
            return
        self.dag_kwargs = {k.arg: k.value for k in item.context_expr.keywords}
        for stmt in block.body:
            if isinstance(stmt, ast.Assign) and isinstance(stmt.value, ast.Call):
                var = stmt.targets[0].id
                call = stmt.value
                kwargs = {}
                for k in call.keywords:
                    if k.arg is not None:
                        kwargs[k.arg] = k.value
                        continue
                    # `**_as_declared(Cls, {...})` or `**{...}`
                    value = k.value
                    if isinstance(value, ast.Call) and dotted(value.func) == '_as_declared':
                        self.fail.expect(dotted(value.args[0]) == dotted(call.func),
                                         '%s: _as_declared names another class' % self.path)
                        value = value.args[1]
                    if not isinstance(value, ast.Dict):
                        self.err('unexpected ** argument %s' % ast.unparse(k.value))
                        continue
                    for key, v in zip(value.keys, value.values):
                        kwargs[ast.literal_eval(key)] = v
                task_id = ast.literal_eval(kwargs.get('task_id', ast.Constant(None)))
                self.tasks[var] = (task_id, dotted(call.func), kwargs)
            elif isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.BinOp) and \
                    isinstance(stmt.value.op, ast.RShift):
                self.edges.append((stmt.value.left.id, stmt.value.right.id))
            elif not isinstance(stmt, ast.Pass):
                self.err('unexpected statement in the DAG block: %s' % ast.unparse(stmt))
        # Every call goes to something known; the helper's body is compared
        # as a whole above.
        for node in ast.walk(ast.Module(body=[s for s in self.tree.body
                                              if not isinstance(s, ast.FunctionDef)],
                                        type_ignores=[])):
            if isinstance(node, ast.Call):
                name = dotted(node.func)
                ok = name in ALLOWED_CALLS or (name in self.imports and name not in KNOWN_IMPORTS)
                if name in KNOWN_IMPORTS or name in ('pendulum.datetime', 'k8s.V1ResourceRequirements'):
                    root = name.split('.')[0]
                    ok = ok and root in self.imports
                self.fail.expect(ok, '%s: call to %s' % (self.path, name))

    def structure(self):
        for key in ('dag_id', 'schedule', 'start_date', 'catchup', 'default_args', 'tags', 'doc_md'):
            self.fail.expect(key in self.dag_kwargs, '%s: DAG(...) has no %s' % (self.path, key))
        if not self.dag_kwargs:
            return
        self.fail.expect(isinstance(self.dag_kwargs['catchup'], ast.Constant) and
                         self.dag_kwargs['catchup'].value is False, '%s: catchup' % self.path)
        sd = self.dag_kwargs['start_date']
        self.fail.expect(isinstance(sd, ast.Call) and dotted(sd.func) == 'pendulum.datetime' and
                         all(isinstance(a, ast.Constant) for a in sd.args),
                         '%s: start_date must be a fixed pendulum date' % self.path)
        da = self.dag_kwargs['default_args']
        keys = [ast.literal_eval(k) for k in da.keys]
        self.fail.expect(keys == ['owner', 'retries', 'retry_delay'], '%s: default_args %s' % (self.path, keys))
        rd = da.values[2]
        self.fail.expect(isinstance(rd, ast.Call) and dotted(rd.func) == 'timedelta',
                         '%s: retry_delay must be a timedelta' % self.path)
        ids = [t[0] for t in self.tasks.values()]
        self.fail.expect(len(ids) == len(set(ids)) and all(isinstance(i, str) for i in ids),
                         '%s: task ids %s' % (self.path, ids))
        for a, b in self.edges:
            self.fail.expect(a in self.tasks and b in self.tasks, '%s: edge %s >> %s' % (self.path, a, b))
        # Acyclic: Kahn's algorithm.
        indeg = {v: 0 for v in self.tasks}
        for _, b in self.edges:
            indeg[b] = indeg.get(b, 0) + 1
        ready = [v for v, d in indeg.items() if d == 0]
        seen = 0
        while ready:
            v = ready.pop()
            seen += 1
            for a, b in self.edges:
                if a == v:
                    indeg[b] -= 1
                    if indeg[b] == 0:
                        ready.append(b)
        self.fail.expect(seen == len(indeg), '%s: the task order has a cycle' % self.path)
        # Objectives: timeouts and SLAs are timedeltas; a DAG with an SLA
        # has a callback for misses; callbacks are notifiers whose declared
        # values go through _as_declared of the same class.
        for key in ('dagrun_timeout',):
            if key in self.dag_kwargs:
                self.fail.expect(self.timedelta(self.dag_kwargs[key]) is not None,
                                 '%s: %s must be a timedelta' % (self.path, key))
        has_sla = False
        for var, (tid, op, kwargs) in self.tasks.items():
            for key in ('execution_timeout', 'sla'):
                if key in kwargs:
                    self.fail.expect(self.timedelta(kwargs[key]) is not None,
                                     '%s: task %s: %s must be a timedelta' % (self.path, tid, key))
            has_sla |= 'sla' in kwargs
        self.fail.expect(not has_sla or 'sla_miss_callback' in self.dag_kwargs,
                         '%s: tasks have SLAs but the DAG has no sla_miss_callback' % self.path)
        for key in ('on_failure_callback', 'sla_miss_callback'):
            if key in self.dag_kwargs:
                self.notifier(key)
        for var, (tid, op, kwargs) in self.tasks.items():
            if op == 'KubernetesPodOperator':
                for k in ('image', 'namespace', 'service_account_name', 'container_resources', 'name'):
                    self.fail.expect(k in kwargs, '%s: task %s has no %s' % (self.path, tid, k))

    def timedelta(self, node):
        """`timedelta(seconds=N)` -> N, else None."""
        if isinstance(node, ast.Call) and dotted(node.func) == 'timedelta' and not node.args and \
                [k.arg for k in node.keywords] == ['seconds']:
            value = ast.literal_eval(node.keywords[0].value)
            return value if isinstance(value, int) and value > 0 else None
        return None

    def notifier(self, key):
        """The DAG's `key` callback: (class, {kwarg: value}), values read back."""
        node = self.dag_kwargs.get(key)
        if not (isinstance(node, ast.Call) and dotted(node.func) in NOTIFIERS):
            self.err('%s is not a notifier: %s' % (key, ast.unparse(node) if node else None))
            return None, {}
        cls = dotted(node.func)
        self.fail.expect(cls in self.imports, '%s: %s is not imported' % (self.path, cls))
        self.fail.expect(not node.args, '%s: %s takes keyword arguments only' % (self.path, cls))
        out = {}
        for k in node.keywords:
            if k.arg is not None:
                out[k.arg] = ast.literal_eval(k.value)
                continue
            value = k.value
            if not (isinstance(value, ast.Call) and dotted(value.func) == '_as_declared' and
                    dotted(value.args[0]) == cls and isinstance(value.args[1], ast.Dict)):
                self.err('%s: declared values must go through _as_declared(%s, ...)' % (key, cls))
                continue
            for kk, v in zip(value.args[1].keys, value.args[1].values):
                out[ast.literal_eval(kk)] = ast.literal_eval(v)
        return cls, out

    def header(self):
        lines = self.text.split('\n')
        self.fail.expect(lines[0].startswith('# Generated by platc from '), '%s: header' % self.path)
        self.fail.expect(lines[2].startswith('# content-hash: '), '%s: no content hash' % self.path)
        body = '\n'.join(lines[3:]).encode()
        want = hashlib.sha256(body).hexdigest()[:16]
        self.fail.expect(lines[2] == '# content-hash: ' + want, '%s: hash %s, body hashes to %s' %
                         (self.path, lines[2], want))

    def kw(self, var, name):
        return ast.literal_eval(self.tasks[var][2][name])

    def literal(self, name):
        return ast.literal_eval(self.dag_kwargs[name])


def compiled(path):
    """py_compile, with the .pyc kept out of the output folder."""
    with tempfile.TemporaryDirectory() as tmp:
        py_compile.compile(path, cfile=os.path.join(tmp, 'dag.pyc'), doraise=True)


def build(platc, ws, out):
    proc = subprocess.run([platc, 'build', ws, '-o', out, '--target', 'airflow,sagemaker'],
                          capture_output=True, text=True)
    if proc.returncode != 0:
        raise SystemExit('platc build %s failed:\n%s%s' % (ws, proc.stdout, proc.stderr))


def tree(root):
    out = {}
    for d, _, names in os.walk(root):
        for n in names:
            with open(os.path.join(d, n), 'rb') as f:
                out[os.path.relpath(os.path.join(d, n), root)] = f.read()
    return out


def datasets(node):
    """[Dataset('uri'), ...] -> ['uri', ...]"""
    assert isinstance(node, ast.List), ast.unparse(node)
    out = []
    for e in node.elts:
        assert isinstance(e, ast.Call) and dotted(e.func) == 'Dataset'
        out.append(ast.literal_eval(e.args[0]))
    return out


def check_acme(out, fail):
    for env in ('dev', 'prod'):
        dags = os.path.join(out, env, 'airflow', 'dags')
        names = sorted(os.listdir(dags))
        fail.expect(names == ['featurize.py', 'ingest.py', 'train_churn.py', 'train_scorer.py'], names)
        ingest = Dag(os.path.join(dags, 'ingest.py'), fail)
        fail.expect(ingest.literal('dag_id') == 'ingest-' + env, 'dag_id with the environment')
        # Objectives: max_duration, task timeout, the freshness SLA of the
        # task that writes transactions (6h fresh, hourly: 5h to land), and
        # notifications to the owner team, paging only in production.
        fail.expect(ingest.timedelta(ingest.dag_kwargs.get('dagrun_timeout')) == 45 * 60, 'dagrun_timeout')
        fail.expect(ingest.timedelta(ingest.tasks['t_extract'][2].get('execution_timeout')) == 20 * 60,
                    'extract execution_timeout')
        fail.expect('execution_timeout' not in ingest.tasks['t_load'][2], 'load has no timeout')
        fail.expect(ingest.timedelta(ingest.tasks['t_load'][2].get('sla')) == 5 * 3600, 'load sla')
        fail.expect('sla' not in ingest.tasks['t_extract'][2], 'extract writes nothing: no sla')
        cls, failure = ingest.notifier('on_failure_callback')
        if env == 'prod':
            fail.expect(cls == 'PagerdutyNotifier' and
                        failure.get('pagerduty_events_conn_id') == 'plat_pagerduty_data_eng' and
                        failure.get('severity') == 'critical' and
                        failure.get('custom_details', {}).get('service') == 'data',
                        'prod failures page the on-call: %s %r' % (cls, failure))
        else:
            fail.expect(cls == 'SlackNotifier' and failure.get('channel') == '#data-alerts' and
                        failure.get('slack_conn_id') == 'plat_slack' and 'ingest-dev' in failure.get('text', ''),
                        'dev failures go to the channel: %s %r' % (cls, failure))
        cls, miss = ingest.notifier('sla_miss_callback')
        fail.expect(cls == 'SlackNotifier' and miss.get('channel') == '#data-alerts' and
                    'missed a freshness SLA' in miss.get('text', ''),
                    'sla misses go to the channel, not the pager: %s %r' % (cls, miss))
        fail.expect(ingest.literal('schedule') == '@hourly', 'ingest schedule')
        fail.expect(ingest.edges == [('t_extract', 't_load')], ingest.edges)
        da = ingest.dag_kwargs['default_args']
        fail.expect(ast.literal_eval(da.values[0]) == 'data_eng' and ast.literal_eval(da.values[1]) == 3,
                    'ingest owner/retries')
        fail.expect(datasets(ingest.tasks['t_load'][2]['outlets']) == ['s3://acme-lake/raw/transactions/'],
                    'load outlets')
        fail.expect(ingest.kw('t_extract', 'cmds') == ['extract'] and
                    ingest.kw('t_extract', 'arguments') == ['--since', '1h'], 'extract command')
        fail.expect(ingest.kw('t_extract', 'namespace') == 'data-eng', 'namespace')
        res = ingest.tasks['t_load'][2]['container_resources']
        fail.expect(ast.unparse(res) == "k8s.V1ResourceRequirements(requests={'cpu': '1', 'memory': '1Gi'}, "
                    "limits={'cpu': '2', 'memory': '1Gi'})", ast.unparse(res))
        feat = Dag(os.path.join(dags, 'featurize.py'), fail)
        fail.expect(feat.literal('dag_id') == 'featurize-' + env, 'featurize dag_id')
        fail.expect('sla_miss_callback' not in feat.dag_kwargs, 'no SLA without a time schedule')
        fail.expect(datasets(feat.dag_kwargs['schedule']) == ['s3://acme-lake/raw/transactions/'],
                    'featurize runs when ingest writes transactions')
        fail.expect(feat.imports.get('AthenaOperator') ==
                    'airflow.providers.amazon.aws.operators.athena.AthenaOperator', feat.imports)
        fail.expect(feat.kw('t_publish', 'query') == 'MSCK REPAIR TABLE features', 'athena query')
        fail.expect(feat.kw('t_build', 'arguments') == ['--date', '{{ ds }}'], 'templated build')
        train = Dag(os.path.join(dags, 'train_scorer.py'), fail)
        fail.expect(datasets(train.dag_kwargs['schedule']) == ['s3://acme-lake/features/daily/'],
                    'scorer retrains on features')
        fail.expect(ast.literal_eval(train.tasks['train'][2]['config'].values[1]) ==
                    'scorer-%s-{{ ts_nodash }}' % env, 'run-unique training job name')
        with open(os.path.join(out, env, 'sagemaker', 'scorer.create-training-job.json')) as f:
            static = json.load(f)
        static['Tags'] = [t for t in static['Tags'] if t['Key'] != 'plat:content-hash']
        fail.expect(train.constants['TRAINING_JOB'] == static,
                    'the DAG trains with the request of create-training-job.json')
        fail.expect(dotted(train.tasks['register'][2]['model_approval']) ==
                    'ApprovalStatus.PENDING_MANUAL_APPROVAL', 'approval-gated registration')
        fail.expect(train.literal('dag_id') == 'train_scorer-' + env, 'training dag_id')
        churn = Dag(os.path.join(dags, 'train_churn.py'), fail)
        fail.expect(churn.literal('schedule') == '0 3 * * 1', 'churn schedule')
        fail.expect(dotted(churn.tasks['register'][2]['model_approval']) == 'ApprovalStatus.APPROVED',
                    'ungated registration')
        for d in (ingest, feat, train, churn):
            d.structure()
            d.header()


def check_hostile(out, fail):
    dags = os.path.join(out, 'dev', 'airflow', 'dags')
    path = os.path.join(dags, 'hostile.py')
    d = Dag(path, fail)
    d.structure()
    d.header()
    got = d.kw('t_run', 'cmds') + d.kw('t_run', 'arguments')
    fail.expect(got == fixtures.HOSTILE_VALUES, 'command read back as %r' % got)
    call = {k: ast.literal_eval(v) for k, v in d.tasks['t_call'][2].items() if k not in ('task_id',)}
    want = {'a%d' % i: v for i, v in enumerate(fixtures.HOSTILE_VALUES)}
    want['bash_command'] = fixtures.HOSTILE_BASH
    fail.expect(call == want, 'operator arguments read back as %r' % call)
    fail.expect(d.imports.get('BashOperator') == 'airflow.operators.bash.BashOperator', d.imports)
    cls, failure = d.notifier('on_failure_callback')
    fail.expect(cls == 'SlackNotifier' and failure.get('channel') == fixtures.HOSTILE_CHANNEL,
                'hostile channel read back as %r' % failure.get('channel'))
    w = Dag(os.path.join(dags, 'weird.py'), fail)
    w.structure()
    weird = [v for k, v in w.imports.items() if v.startswith('importlib:')]
    fail.expect(weird == ["importlib:os; import os\nos.system('id')#.X"],
                'odd operator path kept as data: %r' % weird)
    doc = airflow_doc_md(d.literal('doc_md'))
    fail.expect(doc.startswith(fixtures.HOSTILE_DOC.strip() + '\n\n'), 'doc_md renders as %r' % doc)
    compiled(path)


# ------------------------------------------------------------ rendering

def airflow_doc_md(text):
    """What Airflow 2's DAG.__init__ keeps of doc_md: jinja2.Template(text).render()
    (a name ending in .md is loaded as a template file instead). Without
    jinja2, the escapes platc writes (`{{ '{' }}`) are undone by hand."""
    if text.endswith('.md'):
        return '<template file %s>' % text
    try:
        import jinja2
    except ImportError:
        import re
        return re.sub(r"\{\{ '(\\.|[^'\\])' \}\}", lambda m: ast.literal_eval("'%s'" % m.group(1)), text)
    return jinja2.Template(text).render()


STUBS = {
    'airflow/__init__.py': '''
import contextvars
_current = []
class DAG:
    def __init__(self, **kwargs):
        # Airflow 2's DAG.get_doc_md: an unsandboxed jinja2.Template.
        if kwargs.get('doc_md') is not None:
            import jinja2
            kwargs['rendered_doc_md'] = jinja2.Template(kwargs['doc_md']).render()
        self.kwargs = kwargs
        self.tasks = []
    def __enter__(self):
        _current.append(self)
        return self
    def __exit__(self, *a):
        _current.pop()
''',
    'airflow/datasets.py': '''
class Dataset:
    def __init__(self, uri):
        self.uri = uri
''',
    'airflow/utils/__init__.py': '',
    'airflow/utils/template.py': '''
from dataclasses import dataclass
from typing import Any
@dataclass(frozen=True)
class LiteralValue:
    value: Any
    def resolve(self, context):
        return self.value
def literal(value):
    return LiteralValue(value)
''',
    'airflow/models.py': '''
import airflow
class BaseOperator:
    template_fields = ()
    template_ext = ()
    def __init__(self, task_id, **kwargs):
        self.task_id = task_id
        for k, v in kwargs.items():
            setattr(self, k, v)
        self.downstream = []
        airflow._current[-1].tasks.append(self)
    def __rshift__(self, other):
        self.downstream.append(other)
        return other
''',
    'airflow/operators/__init__.py': '',
    # template_fields / template_ext as in apache-airflow 2.10
    'airflow/operators/bash.py': '''
from airflow.models import BaseOperator
class BashOperator(BaseOperator):
    template_fields = ('bash_command', 'env', 'cwd')
    template_ext = ('.sh', '.bash')
''',
    'airflow/providers/__init__.py': '',
    'airflow/providers/cncf/__init__.py': '',
    'airflow/providers/cncf/kubernetes/__init__.py': '',
    'airflow/providers/cncf/kubernetes/operators/__init__.py': '',
    # apache-airflow-providers-cncf-kubernetes 8.x
    'airflow/providers/cncf/kubernetes/operators/pod.py': '''
from airflow.models import BaseOperator
class KubernetesPodOperator(BaseOperator):
    template_fields = ('image', 'cmds', 'annotations', 'arguments', 'env_vars', 'labels',
                       'config_file', 'pod_template_file', 'pod_template_dict', 'namespace',
                       'container_resources', 'volumes', 'volume_mounts', 'cluster_context',
                       'env_from', 'node_selector', 'kubernetes_conn_id')
    template_ext = ('yaml', 'yml', 'json')
''',
    'airflow/providers/amazon/__init__.py': '',
    'airflow/providers/amazon/aws/__init__.py': '',
    'airflow/providers/amazon/aws/operators/__init__.py': '',
    # apache-airflow-providers-amazon 8.x
    'airflow/providers/amazon/aws/operators/sagemaker.py': '''
from airflow.models import BaseOperator
class SageMakerTrainingOperator(BaseOperator):
    template_fields = ('config',)
class SageMakerRegisterModelVersionOperator(BaseOperator):
    template_fields = ('image_uri', 'model_url', 'package_group_name', 'package_group_desc',
                       'package_desc', 'model_approval')
''',
    'airflow/providers/amazon/aws/operators/athena.py': '''
from airflow.models import BaseOperator
class AthenaOperator(BaseOperator):
    template_fields = ('query', 'database', 'output_location', 'workgroup', 'catalog')
    template_ext = ('.sql',)
''',
    'airflow/providers/amazon/aws/utils/__init__.py': '',
    'airflow/providers/amazon/aws/utils/sagemaker.py': '''
import enum
class ApprovalStatus(enum.Enum):
    APPROVED = 'Approved'
    REJECTED = 'Rejected'
    PENDING_MANUAL_APPROVAL = 'PendingManualApproval'
''',
    'airflow/notifications/__init__.py': '',
    'airflow/notifications/basenotifier.py': '''
class BaseNotifier:
    template_fields = ()
    template_ext = ()
    def __init__(self, **kwargs):
        for k, v in kwargs.items():
            setattr(self, k, v)
''',
    'airflow/providers/slack/__init__.py': '',
    'airflow/providers/slack/notifications/__init__.py': '',
    # apache-airflow-providers-slack 8.x
    'airflow/providers/slack/notifications/slack.py': '''
from airflow.notifications.basenotifier import BaseNotifier
class SlackNotifier(BaseNotifier):
    template_fields = ('text', 'channel', 'username', 'attachments', 'blocks')
''',
    'airflow/providers/pagerduty/__init__.py': '',
    'airflow/providers/pagerduty/notifications/__init__.py': '',
    'airflow/providers/pagerduty/notifications/pagerduty.py': '''
from airflow.notifications.basenotifier import BaseNotifier
class PagerdutyNotifier(BaseNotifier):
    template_fields = ('summary', 'severity', 'source', 'action', 'dedup_key', 'custom_details',
                       'group', 'component', 'class_type', 'images', 'links')
''',
    'airflow/providers/opsgenie/__init__.py': '',
    'airflow/providers/opsgenie/notifications/__init__.py': '',
    'airflow/providers/opsgenie/notifications/opsgenie.py': '''
from airflow.notifications.basenotifier import BaseNotifier
class OpsgenieNotifier(BaseNotifier):
    template_fields = ('payload',)
''',
    'airflow/timetables/__init__.py': '',
    'airflow/timetables/datasets.py': 'class DatasetOrTimeSchedule:\n    def __init__(self, **kw): self.kw = kw\n',
    'airflow/timetables/trigger.py': 'class CronTriggerTimetable:\n    def __init__(self, *a, **kw): self.a = a\n',
    'kubernetes/__init__.py': '',
    'kubernetes/client/__init__.py': '',
    'kubernetes/client/models.py': '''
class V1ResourceRequirements:
    def __init__(self, requests=None, limits=None):
        self.requests, self.limits = requests, limits
''',
    'pendulum.py': '''
import datetime as _dt
def datetime(y, m, d, tz='UTC'):
    return _dt.datetime(y, m, d, tzinfo=_dt.timezone.utc)
''',
}


def render_template(value, context, env, template_ext):
    """Airflow's Templater.render_template (2.8 to 2.10), for the types the
    generated files use."""
    from airflow.utils.template import LiteralValue
    if isinstance(value, str):
        if template_ext and value.endswith(tuple(template_ext)):
            template = env.get_template(value)
        else:
            template = env.from_string(value)
        return template.render(**context)
    if isinstance(value, LiteralValue):
        return value.resolve(context)
    if isinstance(value, tuple):
        return tuple(render_template(e, context, env, template_ext) for e in value)
    if isinstance(value, list):
        return [render_template(e, context, env, template_ext) for e in value]
    if isinstance(value, dict):
        return {k: render_template(v, context, env, template_ext) for k, v in value.items()}
    return value


def load_dag(path, stub_root):
    if stub_root not in sys.path:
        sys.path.insert(0, stub_root)
    import airflow
    namespace = {'__name__': 'dag_under_test'}
    with open(path) as f:
        exec(compile(f.read(), path, 'exec'), namespace)
    return namespace['dag'], airflow


def rendered(task, context, env):
    out = {}
    for field in task.template_fields:
        if hasattr(task, field):
            out[field] = render_template(getattr(task, field), context, env, task.template_ext)
    return out


def check_render(out_acme, out_evil, fail):
    import jinja2
    import jinja2.sandbox
    with tempfile.TemporaryDirectory() as stub_root, tempfile.TemporaryDirectory() as empty:
        fixtures.write(STUBS, stub_root)
        # As DAG.get_template_env builds it: sandboxed, StrictUndefined,
        # templates searched next to the DAG file.
        env = jinja2.sandbox.SandboxedEnvironment(
            loader=jinja2.FileSystemLoader(empty), undefined=jinja2.StrictUndefined,
            extensions=['jinja2.ext.do'], cache_size=0)
        context = {'ds': '2024-01-01', 'ts_nodash': '20240101T000000', 'ti': None}

        # An operator path that is not a dotted name is data: importing it
        # fails, and nothing in it runs.
        try:
            load_dag(os.path.join(out_evil, 'dev', 'airflow', 'dags', 'weird.py'), stub_root)
            fail.append('weird.py loaded')
        except ModuleNotFoundError as e:
            fail.expect(e.name == "os; import os\nos", 'weird.py: %r' % e)
        dag, _ = load_dag(os.path.join(out_evil, 'dev', 'airflow', 'dags', 'hostile.py'), stub_root)
        doc = dag.kwargs['rendered_doc_md']
        fail.expect(doc.startswith(fixtures.HOSTILE_DOC + '\n\n'), 'rendered doc_md differs: %r' % doc)
        fail.expect(jinja2.Template('{{ 7 * 7 }}').render() == '49', 'doc_md jinja control')
        # Notifiers render their template_fields like operators do: the
        # declared channel arrives as written.
        note = rendered(dag.kwargs['on_failure_callback'], context, env)
        fail.expect(note['channel'] == fixtures.HOSTILE_CHANNEL, 'rendered channel %r' % note.get('channel'))
        tasks = {t.task_id: t for t in dag.tasks}
        run = rendered(tasks['run'], context, env)
        fail.expect(run['cmds'] + run['arguments'] == fixtures.HOSTILE_VALUES,
                    'rendered command differs: %r' % (run['cmds'] + run['arguments']))
        call = rendered(tasks['call'], context, env)
        fail.expect(call['bash_command'] == fixtures.HOSTILE_BASH,
                    'rendered bash_command %r' % call.get('bash_command'))
        fail.expect(tasks['call'].a9 == fixtures.HOSTILE_VALUES[9],
                    'untemplated fields get the plain value')
        # The control: the same values unprotected are not safe, so the
        # check above means something.
        fail.expect(render_template('{{ 7 * 7 }}', context, env, ()) == '49', 'jinja control')
        try:
            render_template('report.json', context, env, ('yaml', 'yml', 'json'))
            fail.append('jinja control: report.json was not looked up as a template file')
        except jinja2.TemplateNotFound:
            pass

        dag, _ = load_dag(os.path.join(out_acme, 'dev', 'airflow', 'dags', 'featurize.py'), stub_root)
        tasks = {t.task_id: t for t in dag.tasks}
        build = rendered(tasks['build'], context, env)
        fail.expect(build['arguments'] == ['--date', '2024-01-01'],
                    'templated task renders {{ ds }}: %r' % build['arguments'])
        pub = rendered(tasks['publish'], context, env)
        fail.expect(pub['query'] == 'MSCK REPAIR TABLE features', pub)

        dag, _ = load_dag(os.path.join(out_acme, 'dev', 'airflow', 'dags', 'train_scorer.py'), stub_root)
        tasks = {t.task_id: t for t in dag.tasks}
        cfg = rendered(tasks['train'], context, env)['config']
        fail.expect(cfg['TrainingJobName'] == 'scorer-dev-20240101T000000', cfg['TrainingJobName'])
        with open(os.path.join(out_acme, 'dev', 'sagemaker', 'scorer.create-training-job.json')) as f:
            static = json.load(f)
        static['Tags'] = [t for t in static['Tags'] if t['Key'] != 'plat:content-hash']
        fail.expect({k: v for k, v in cfg.items() if k != 'TrainingJobName'} ==
                    {k: v for k, v in static.items() if k != 'TrainingJobName'},
                    'rendered training config differs from create-training-job.json')
        fail.expect(tasks['train'].downstream == [tasks['register']], 'train >> register')


def main():
    if len(sys.argv) < 2:
        raise SystemExit(__doc__)
    platc = sys.argv[1]
    render = '--render' in sys.argv[2:]
    if render:
        try:
            import jinja2  # noqa: F401
        except ImportError:
            print('SKIP: jinja2 is not installed for %s' % sys.executable)
            return 77
    fail = Failures()
    with tempfile.TemporaryDirectory() as tmp:
        outs = {}
        for name, files in (('acme', fixtures.ACME), ('evil', fixtures.hostile())):
            ws = os.path.join(tmp, name)
            fixtures.write(files, ws)
            a, b = os.path.join(tmp, name + '-a'), os.path.join(tmp, name + '-b')
            build(platc, ws, a)
            build(platc, ws, b)
            fail.expect(tree(a) == tree(b), '%s: two builds differ' % name)
            outs[name] = a
            for d, _, names in os.walk(a):
                for n in names:
                    if n.endswith('.py'):
                        compiled(os.path.join(d, n))
        if render:
            check_render(outs['acme'], outs['evil'], fail)
        else:
            check_acme(outs['acme'], fail)
            check_hostile(outs['evil'], fail)
            # Other workspaces (examples/): every DAG compiles and has the
            # structure above.
            for i, ws in enumerate(a for a in sys.argv[2:] if not a.startswith('--')):
                out = os.path.join(tmp, 'extra-%d' % i)
                build(platc, ws, out)
                for d, _, names in os.walk(out):
                    for n in sorted(names):
                        if n.endswith('.py') and os.sep + 'airflow' + os.sep in d + os.sep:
                            compiled(os.path.join(d, n))
                            dag = Dag(os.path.join(d, n), fail)
                            dag.structure()
                            dag.header()
    for f in fail:
        print('FAIL:', f)
    if fail:
        return 1
    print('ok: DAGs compile, have the expected structure and imports, and %s' %
          ('render to the declared values' if render else 'read back unchanged'))
    return 0


if __name__ == '__main__':
    sys.exit(main())
