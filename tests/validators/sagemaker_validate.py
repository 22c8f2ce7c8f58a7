#!/usr/bin/env python3
"""Validates every SageMaker request platc writes against botocore's models.

usage: sagemaker_validate.py PLATC [WORKSPACE ...]

Builds the fixture workspaces of sagemaker_fixtures.py (and any WORKSPACE
given) with `platc build --target sagemaker`, then checks each request listed
in every environment's sagemaker/manifest.json:

1. botocore's own ParamValidator against the operation's input shape of the
   `sagemaker` or `application-autoscaling` service model: unknown fields,
   missing required fields, wrong types and values under a minimum fail.
2. A stricter walk over the same shapes for what ParamValidator leaves to the
   service: maximum lengths and values, enums and patterns.

It then proves the validator has teeth: for each request it makes broken
copies (an unknown field, a missing required field, a wrong type, an
out-of-range value, an unknown enum member) and requires every one to fail.
Finally it checks what the issue asks of the content (image URI, role,
hyperparameters as strings, tags, serverless, data capture, autoscaling,
approval) and that two builds are byte-identical.
"""

import copy
import json
import os
import re
import subprocess
import sys
import tempfile

import botocore.session
from botocore.validate import ParamValidator

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import sagemaker_fixtures as fixtures  # noqa: E402

SESSION = botocore.session.get_session()
MODELS = {}


def service(name):
    if name not in MODELS:
        MODELS[name] = SESSION.get_service_model(name)
    return MODELS[name]


# Java regex classes used in the service models, approximated for Python's
# `re` (which has no \p{...}): ASCII exactly, non-ASCII by broad ranges.
UNICODE_CLASSES = {
    r'\p{L}': r'A-Za-z\u00aa\u00b5\u00ba\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u02ff\u0370-\u1fff\u2c00-\ud7ff\uf900-\ufdff\ufe70-\ufefc\uff21-\uff3a\uff41-\uff5a\uff66-\uffdc',
    r'\p{M}': r'\u0300-\u036f\u0483-\u0489\u0591-\u05bd\u20d0-\u20ff\ufe20-\ufe2f',
    r'\p{Z}': r' \u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000',
    r'\p{S}': r'$+<=>^`|~\u00a2-\u00a9\u00ac\u00ae-\u00b1\u00b4\u00d7\u00f7\u2100-\u2bff',
    r'\p{N}': r'0-9\u00b2\u00b3\u00b9\u00bc-\u00be\u0660-\u0669\u2070-\u2079\u2080-\u2089\u2150-\u218b\uff10-\uff19',
    r'\p{P}': r'!-#%-*,-/:;?@\[-\]_{}\u00a1\u00a7\u00ab\u00b6\u00b7\u00bb\u00bf\u2010-\u2027\u2030-\u205e\u3001-\u3003',
    r'\p{Print}': r'\x20-\x7e',
}


def python_pattern(pattern):
    # Java writes code points above U+FFFF as surrogate pairs in a class.
    pattern = pattern.replace(r'\uD800\uDC00-\uDBFF\uDFFF', r'\U00010000-\U0010FFFF')
    out = []
    i = 0
    in_class = False
    while i < len(pattern):
        m = re.match(r'\\p\{\w+\}', pattern[i:])
        if m and m.group(0) in UNICODE_CLASSES:
            ranges = UNICODE_CLASSES[m.group(0)]
            # Inside a class the ranges go in as they are; outside, in brackets.
            out.append(ranges if in_class else '[' + ranges + ']')
            i += len(m.group(0))
            continue
        c = pattern[i]
        if c == '\\':
            out.append(pattern[i:i + 2])
            i += 2
            continue
        if c == '[' and not in_class:
            in_class = True
        elif c == ']' and in_class:
            in_class = False
        out.append(c)
        i += 1
    text = ''.join(out)
    # CustomerMetadataMap spells its length bound `${1,128}` after the anchor.
    text = re.sub(r'\$\{\d+,\d+\}$', '$', text)
    return re.compile(text, re.DOTALL)


PATTERNS = {}


def strict(shape, value, path, errors):
    """What botocore's ParamValidator does not check: max, enum, pattern.
    Types, required members and unknown members are left to botocore."""
    md = shape.metadata
    kind = shape.type_name
    if kind == 'structure' and isinstance(value, dict):
        for name, member in shape.members.items():
            if name in value:
                strict(member, value[name], '%s.%s' % (path, name), errors)
    elif kind == 'list' and isinstance(value, list):
        if 'max' in md and len(value) > md['max']:
            errors.append('%s: %d items, at most %d' % (path, len(value), md['max']))
        for i, item in enumerate(value):
            strict(shape.member, item, '%s[%d]' % (path, i), errors)
    elif kind == 'map' and isinstance(value, dict):
        if 'max' in md and len(value) > md['max']:
            errors.append('%s: %d entries, at most %d' % (path, len(value), md['max']))
        for k, v in value.items():
            strict(shape.key, k, '%s key %r' % (path, k), errors)
            strict(shape.value, v, '%s[%r]' % (path, k), errors)
    elif kind == 'string' and isinstance(value, str):
        if 'max' in md and len(value) > md['max']:
            errors.append('%s: %d characters, at most %d' % (path, len(value), md['max']))
        enum = getattr(shape, 'enum', None)
        if enum and value not in enum:
            errors.append('%s: %r is not one of the %d allowed values' % (path, value, len(enum)))
        if 'pattern' in md:
            if md['pattern'] not in PATTERNS:
                PATTERNS[md['pattern']] = python_pattern(md['pattern'])
            if not PATTERNS[md['pattern']].fullmatch(value):
                errors.append('%s: %r does not match %s' % (path, value, md['pattern']))
    elif kind in ('integer', 'long', 'float', 'double') and isinstance(value, (int, float)) \
            and not isinstance(value, bool):
        if 'max' in md and value > md['max']:
            errors.append('%s: %r is above the maximum %r' % (path, value, md['max']))


def validate(service_name, operation, params):
    """Every problem with `params` as the input of `operation`; empty if none."""
    shape = service(service_name).operation_model(operation).input_shape
    errors = []
    report = ParamValidator().validate(params, shape)
    if report.has_errors():
        errors.append(report.generate_report())
    strict(shape, params, operation, errors)
    return errors


# ------------------------------------------------------------ self-test

def first_path(shape, value, want, path=()):
    """A path to the first member of `value` that `want(shape, value)` likes."""
    if shape.type_name == 'structure' and isinstance(value, dict):
        for name, member in shape.members.items():
            if name in value:
                if want(member, value[name]):
                    return path + (name,)
                found = first_path(member, value[name], want, path + (name,))
                if found:
                    return found
    if shape.type_name == 'list' and isinstance(value, list) and value:
        if want(shape.member, value[0]):
            return path + (0,)
        return first_path(shape.member, value[0], want, path + (0,))
    return None


def set_path(value, path, new):
    for p in path[:-1]:
        value = value[p]
    value[path[-1]] = new


def broken_copies(service_name, operation, params):
    """(what, params) pairs that a correct validator must reject."""
    shape = service(service_name).operation_model(operation).input_shape
    out = []
    bad = copy.deepcopy(params)
    bad['PlatBogusField'] = 'x'
    out.append(('unknown field', bad))
    for name in shape.required_members:
        bad = copy.deepcopy(params)
        del bad[name]
        out.append(('missing required %s' % name, bad))
    path = first_path(shape, params, lambda s, v: s.type_name == 'string')
    if path:
        bad = copy.deepcopy(params)
        set_path(bad, path, 12345)
        out.append(('number for string at %s' % (path,), bad))
    # Only a string with a maximum can be too long (CloudWatch's and some
    # SageMaker strings have none).
    path = first_path(shape, params, lambda s, v: s.type_name == 'string' and 'max' in s.metadata)
    if path:
        bad = copy.deepcopy(params)
        set_path(bad, path, 'x' * 5000)
        out.append(('overlong string at %s' % (path,), bad))
    path = first_path(shape, params, lambda s, v: s.type_name == 'integer')
    if path:
        bad = copy.deepcopy(params)
        set_path(bad, path, 'seven')
        out.append(('string for integer at %s' % (path,), bad))
    path = first_path(shape, params, lambda s, v: s.type_name == 'integer' and 'min' in s.metadata)
    if path:
        bad = copy.deepcopy(params)
        set_path(bad, path, -(10 ** 6))
        out.append(('below minimum at %s' % (path,), bad))
    path = first_path(shape, params, lambda s, v: bool(getattr(s, 'enum', None)))
    if path:
        bad = copy.deepcopy(params)
        set_path(bad, path, 'NotAMember')
        out.append(('unknown enum member at %s' % (path,), bad))
    return out


# Out-of-range values the service model bounds from above, which botocore
# alone would let through.
OUT_OF_RANGE = [
    ('sagemaker', 'CreateTrainingJob', ('TrainingJobName',), 'a' * 64),
    ('sagemaker', 'CreateTrainingJob', ('TrainingJobName',), 'bad_name'),
    ('sagemaker', 'CreateTrainingJob', ('ResourceConfig', 'InstanceType'), 'ml.bogus.xlarge'),
    ('sagemaker', 'CreateEndpointConfig', ('ProductionVariants', 0, 'ServerlessConfig', 'MaxConcurrency'), 500),
    ('sagemaker', 'CreateEndpointConfig', ('ProductionVariants', 0, 'ServerlessConfig', 'MemorySizeInMB'), 512),
    ('sagemaker', 'CreateModelPackage', ('ModelApprovalStatus',), 'Maybe'),
    ('cloudwatch', 'PutMetricAlarm', ('AlarmName',), 'a' * 256),
    ('cloudwatch', 'PutMetricAlarm', ('ComparisonOperator',), 'Above'),
    ('cloudwatch', 'PutMetricAlarm', ('AlarmActions',), ['arn:aws:sns:eu-west-1:1:t'] * 6),
    ('sagemaker', 'CreateEndpoint', ('DeploymentConfig', 'BlueGreenUpdatePolicy',
                                     'MaximumExecutionTimeoutInSeconds'), 60),
    ('sagemaker', 'CreateEndpoint', ('DeploymentConfig', 'BlueGreenUpdatePolicy',
                                     'TrafficRoutingConfiguration', 'Type'), 'SOMETIMES'),
    ('sagemaker', 'CreateEndpoint', ('DeploymentConfig', 'AutoRollbackConfiguration', 'Alarms'),
     [{'AlarmName': 'a'}] * 11),
    ('sagemaker', 'UpdateEndpoint', ('DeploymentConfig', 'BlueGreenUpdatePolicy',
                                     'TerminationWaitInSeconds'), 7200),
    ('sagemaker', 'CreateProcessingJob', ('ProcessingJobName',), 'bad_name'),
    ('sagemaker', 'CreateDataQualityJobDefinition', ('JobDefinitionName',), 'a' * 64),
    ('sagemaker', 'CreateMonitoringSchedule', ('MonitoringScheduleConfig', 'MonitoringType'), 'Vibes'),
]


# ------------------------------------------------------------ the run

def build(platc, workspace, out):
    proc = subprocess.run([platc, 'build', workspace, '-o', out, '--target', 'sagemaker'],
                          capture_output=True, text=True)
    if proc.returncode != 0:
        raise SystemExit('platc build %s failed:\n%s%s' % (workspace, proc.stdout, proc.stderr))


def files_under(root):
    out = {}
    for dirpath, _, names in os.walk(root):
        for n in names:
            p = os.path.join(dirpath, n)
            with open(p, 'rb') as f:
                out[os.path.relpath(p, root)] = f.read()
    return out


class Checker:
    def __init__(self):
        self.failures = []
        self.checked = 0
        self.patched = 0

    def expect(self, cond, message):
        if not cond:
            self.failures.append(message)

    def env(self, env_dir):
        manifest_path = os.path.join(env_dir, 'sagemaker', 'manifest.json')
        if not os.path.exists(manifest_path):
            return {}
        with open(manifest_path) as f:
            manifest = json.load(f)
        listed = set()
        requests = {}
        for entry in manifest['requests'] + manifest.get('updates', []):
            svc, op = entry['operation'].split(':')
            path = os.path.join(env_dir, entry['file'])
            listed.add(entry['file'])
            with open(path) as f:
                params = json.load(f)
            errors = validate(svc, op, params)
            self.expect(not errors, '%s (%s): %s' % (path, op, '\n'.join(errors)))
            self.checked += 1
            for what, bad in broken_copies(svc, op, params):
                self.expect(validate(svc, op, bad),
                            '%s: the validator accepted a copy with %s' % (path, what))
            requests[entry['file']] = (op, params)
            # A patched request (an escape hatch) says so, and says where:
            # every listed path is in the request, and taggable requests
            # carry the same paths in a `plat:patched` tag.
            if 'patched' in entry:
                self.patched += 1
                for dotted in entry['patched']:
                    node = params
                    for part in dotted.split('.'):
                        node = node.get(part) if isinstance(node, dict) else None
                    self.expect(node is not None, '%s: patched path %s is not in the request' % (path, dotted))
                if 'Tags' in params:
                    self.expect(tag(params, 'plat:patched') == ' '.join(entry['patched']),
                                '%s: no plat:patched tag listing %s' % (path, entry['patched']))
            self.expect(entry['command'].startswith('aws %s ' % svc) and
                        entry['command'].endswith('--cli-input-json file://' + entry['file']),
                        '%s: odd command %r' % (path, entry['command']))
        on_disk = {os.path.relpath(os.path.join(d, n), env_dir)
                   for d, _, ns in os.walk(os.path.join(env_dir, 'sagemaker')) for n in ns}
        on_disk.discard(os.path.join('sagemaker', 'manifest.json'))
        self.expect(on_disk == listed, '%s: files and manifest differ: %s' %
                    (env_dir, sorted(on_disk ^ listed)))
        return requests

    def out_of_range(self, requests):
        for svc, op, path, value in OUT_OF_RANGE:
            sample = next((p for o, p in requests.values() if o == op), None)
            if sample is None:
                continue
            bad = copy.deepcopy(sample)
            try:
                set_path(bad, path, value)
            except (KeyError, IndexError, TypeError):
                continue
            self.expect(validate(svc, op, bad), '%s: the validator accepted %s = %r' %
                        (op, '.'.join(map(str, path)), value))

    def acme(self, env, requests):
        def req(model, cli):
            return requests.get('sagemaker/%s.%s.json' % (model, cli), (None, None))[1]

        job = req('scorer', 'create-training-job')
        self.expect(job is not None, 'scorer has no training job')
        if job:
            self.expect(job['TrainingJobName'] == 'scorer-%s' % env, job['TrainingJobName'])
            self.expect(job['AlgorithmSpecification']['TrainingImage'] ==
                        '141502667606.dkr.ecr.eu-west-1.amazonaws.com/sagemaker-xgboost:1.7-1',
                        job['AlgorithmSpecification'])
            self.expect(job['AlgorithmSpecification']['TrainingInputMode'] == 'File', 'input mode')
            self.expect(job['RoleArn'] == 'arn:aws:iam::123456789012:role/acme-%s-model-scorer-training' % env,
                        job['RoleArn'])
            self.expect(all(isinstance(v, str) for v in job['HyperParameters'].values()),
                        'hyperparameters must all be strings')
            self.expect(job['HyperParameters'] == {'eta': '0.2', 'max_depth': '6',
                                                   'objective': 'binary:logistic', 'verbose': 'true'},
                        job['HyperParameters'])
            self.expect([c['DataSource']['S3DataSource']['S3Uri'] for c in job['InputDataConfig']] ==
                        ['s3://acme-lake/raw/transactions/', 's3://acme-lake/features/daily/'],
                        job['InputDataConfig'])
            self.expect(job['ResourceConfig'] == {'InstanceType': 'ml.m5.xlarge', 'InstanceCount': 2,
                                                  'VolumeSizeInGB': 50}, job['ResourceConfig'])
            self.expect(job['StoppingCondition'] == {'MaxRuntimeInSeconds': 14400}, 'runtime')
            tags = {t['Key']: t['Value'] for t in job['Tags']}
            self.expect('plat:commit' not in tags, 'outside git there is no commit to name')
            self.expect(tags.get('plat:team') == 'fraud_ml' and tags.get('plat:cost-center') == 'CC-2001'
                        and tags.get('plat:source') == 'fraud/models.plat:7', tags)
        pkg = req('scorer', 'create-model-package')
        self.expect(pkg is not None and pkg['ModelApprovalStatus'] == 'PendingManualApproval',
                    'scorer must register as PendingManualApproval')
        if pkg:
            self.expect(pkg['CustomerMetadataProperties'].get(
                'plat:threshold:fairness.demographic_parity') == 'ge:0.8', pkg)
        self.expect(req('churn', 'create-model-package') is None, 'churn has no approval gate')
        cfg = req('scorer', 'create-endpoint-config')
        self.expect(cfg is not None and 'DataCaptureConfig' in cfg,
                    'monitored PCI model must capture data')
        churn = req('churn', 'create-endpoint-config')
        self.expect(churn is not None and churn['ProductionVariants'][0].get('ServerlessConfig') ==
                    {'MemorySizeInMB': 3072, 'MaxConcurrency': 20}, churn)
        self.expect(churn is not None and 'DataCaptureConfig' not in churn,
                    'serverless endpoints cannot capture data')
        target = req('scorer', 'register-scalable-target')
        self.expect(target is not None and (target['MinCapacity'], target['MaxCapacity']) == (2, 10),
                    'scorer scales 2..10')
        self.expect(req('embedder', 'register-scalable-target') is None, 'fixed replicas do not scale')
        self.expect(req('churn', 'register-scalable-target') is None, 'serverless does not scale')
        # Objectives: alarms, their routing, blue/green with rollback.
        latency = req('scorer', 'put-metric-alarm-latency')
        errors = req('scorer', 'put-metric-alarm-errors')
        topic = 'arn:aws:sns:eu-west-1:123456789012:acme-%s-fraud-ml-%s' % (
            env, 'page' if env == 'prod' else 'ticket')
        self.expect(latency is not None and errors is not None, 'scorer has objectives and no alarms')
        if latency and errors:
            self.expect((latency['AlarmName'], latency['MetricName'], latency['Namespace'],
                         latency['ExtendedStatistic'], latency['Threshold']) ==
                        ('scorer-%s-latency-p99' % env, 'ModelLatency', 'AWS/SageMaker', 'p99', 80000),
                        latency)
            self.expect(latency['Dimensions'] == [{'Name': 'EndpointName', 'Value': 'scorer-%s' % env},
                                                  {'Name': 'VariantName', 'Value': 'AllTraffic'}],
                        latency['Dimensions'])
            self.expect(latency['AlarmActions'] == [topic] and errors['AlarmActions'] == [topic],
                        (topic, latency['AlarmActions'], errors['AlarmActions']))
            metrics = {m['Id']: m for m in errors['Metrics']}
            self.expect(metrics['errors']['MetricStat']['Metric']['MetricName'] == 'Invocation5XXErrors'
                        and metrics['error_rate']['Expression'] == 'errors / invocations'
                        and errors['Threshold'] == 0.0144, errors)
        endpoint = req('scorer', 'create-endpoint')
        update = req('scorer', 'update-endpoint')
        for what in (endpoint, update):
            self.expect(what is not None, 'scorer has no create-endpoint or update-endpoint')
            if not what:
                continue
            policy = what['DeploymentConfig']['BlueGreenUpdatePolicy']
            routing = policy['TrafficRoutingConfiguration']
            if env == 'prod':
                self.expect(routing['Type'] == 'CANARY' and routing['CanarySize'] ==
                            {'Type': 'CAPACITY_PERCENT', 'Value': 10}, routing)
            else:
                self.expect(routing['Type'] == 'ALL_AT_ONCE', routing)
            self.expect(what['DeploymentConfig']['AutoRollbackConfiguration']['Alarms'] ==
                        [{'AlarmName': 'scorer-%s-latency-p99' % env},
                         {'AlarmName': 'scorer-%s-error-rate' % env}], what['DeploymentConfig'])
        self.expect(req('churn', 'put-metric-alarm-latency') is not None and
                    req('churn', 'put-metric-alarm-errors') is None,
                    'churn has a latency objective only')
        emb_endpoint = req('embedder', 'create-endpoint')
        self.expect(emb_endpoint is not None and
                    'AutoRollbackConfiguration' not in emb_endpoint['DeploymentConfig'],
                    'embedder has no objectives, so nothing to roll back on')
        # Model Monitor: the baseline from the first training dataset.
        baseline = req('scorer', 'create-processing-job')
        definition = req('scorer', 'create-data-quality-job-definition')
        schedule = req('scorer', 'create-monitoring-schedule')
        self.expect(baseline is not None and definition is not None and schedule is not None,
                    'monitored scorer has no Model Monitor requests')
        if baseline and definition and schedule:
            self.expect(baseline['ProcessingInputs'][0]['S3Input']['S3Uri'] ==
                        's3://acme-lake/raw/transactions/', baseline['ProcessingInputs'])
            out = baseline['ProcessingOutputConfig']['Outputs'][0]['S3Output']['S3Uri']
            self.expect(definition['DataQualityBaselineConfig']['ConstraintsResource']['S3Uri'] ==
                        out + '/constraints.json', (out, definition['DataQualityBaselineConfig']))
            self.expect(definition['DataQualityJobInput']['EndpointInput']['EndpointName'] ==
                        'scorer-%s' % env, definition['DataQualityJobInput'])
            self.expect(schedule['MonitoringScheduleConfig'] ==
                        {'ScheduleConfig': {'ScheduleExpression': 'cron(0 * ? * * *)'},
                         'MonitoringJobDefinitionName': definition['JobDefinitionName'],
                         'MonitoringType': 'DataQuality'}, schedule)
        self.expect(req('churn', 'create-monitoring-schedule') is None,
                    'serverless endpoints capture nothing to monitor')
        emb = req('embedder', 'create-model')
        self.expect(emb is not None and emb['PrimaryContainer']['Image'].endswith(
            '/pytorch-inference:2.1.0-gpu-py310'), emb)


def tag(request, key):
    return next((t['Value'] for t in request.get('Tags', []) if t['Key'] == key), None)


def commit_tags(self, platc, tmp):
    """Training jobs and model packages name the commit a build comes from:
    HEAD of the workspace's git repository, `-dirty` when a file of the
    workspace differs from it, none outside git or with PLAT_COMMIT=none."""
    ws = os.path.join(tmp, 'git-acme')
    fixtures.write(fixtures.ACME, ws)
    git = ['git', '-C', ws, '-c', 'user.name=t', '-c', 'user.email=t@example.com']
    env = {k: v for k, v in os.environ.items() if k != 'PLAT_COMMIT'}
    subprocess.run(git + ['init', '-q'], check=True)
    subprocess.run(git + ['add', '-A'], check=True)
    subprocess.run(git + ['commit', '-q', '-m', 'fixture'], check=True)
    head = subprocess.run(git + ['rev-parse', 'HEAD'], check=True, capture_output=True,
                          text=True).stdout.strip()

    def built(name, extra_env=None):
        out = os.path.join(tmp, name)
        proc = subprocess.run([platc, 'build', ws, '-o', out, '--target', 'sagemaker'],
                              capture_output=True, text=True, env=dict(env, **(extra_env or {})))
        if proc.returncode != 0:
            raise SystemExit('platc build failed:\n' + proc.stderr)
        files = {}
        for n in ('create-training-job', 'create-model-package'):
            with open(os.path.join(out, 'prod', 'sagemaker', 'scorer.%s.json' % n)) as f:
                files[n] = json.load(f)
        return files

    clean = built('commit-clean')
    for n, req in clean.items():
        self.expect(tag(req, 'plat:commit') == head, '%s: commit tag %r, HEAD is %s' %
                    (n, tag(req, 'plat:commit'), head))
    self.expect(clean['create-model-package']['CustomerMetadataProperties'].get('plat:commit') == head,
                'model package metadata names no commit')
    with open(os.path.join(ws, 'fraud', 'models.plat'), 'a') as f:
        f.write('// an uncommitted edit\n')
    dirty = built('commit-dirty')
    self.expect(tag(dirty['create-training-job'], 'plat:commit') == head + '-dirty',
                'an uncommitted edit must mark the commit dirty: %r' %
                tag(dirty['create-training-job'], 'plat:commit'))
    off = built('commit-off', {'PLAT_COMMIT': 'none'})
    self.expect(tag(off['create-training-job'], 'plat:commit') is None, 'PLAT_COMMIT=none keeps a commit tag')


Checker.commit_tags = commit_tags


def main():
    if len(sys.argv) < 2:
        raise SystemExit(__doc__)
    platc = sys.argv[1]
    extra = sys.argv[2:]
    checker = Checker()
    with tempfile.TemporaryDirectory() as tmp:
        ws = os.path.join(tmp, 'acme')
        fixtures.write(fixtures.ACME, ws)
        outs = []
        for run in ('a', 'b'):
            out = os.path.join(tmp, 'out-' + run)
            build(platc, ws, out)
            outs.append(out)
        checker.expect(files_under(outs[0]) == files_under(outs[1]),
                       'two builds of the same workspace differ')
        for env in sorted(os.listdir(outs[0])):
            env_dir = os.path.join(outs[0], env)
            if not os.path.isdir(env_dir):
                continue
            requests = checker.env(env_dir)
            checker.acme(env, requests)
            checker.out_of_range(requests)
        checker.commit_tags(platc, tmp)
        for i, w in enumerate(extra):
            out = os.path.join(tmp, 'extra-%d' % i)
            build(platc, w, out)
            for env in sorted(os.listdir(out)):
                if os.path.isdir(os.path.join(out, env)):
                    checker.env(os.path.join(out, env))
    botocore_version = botocore.__version__ if hasattr(botocore, '__version__') else '?'
    if checker.failures:
        for f in checker.failures:
            print('FAIL:', f)
        print('%d problems (%d requests checked, botocore %s)' %
              (len(checker.failures), checker.checked, botocore_version))
        return 1
    print('ok: %d requests valid against botocore %s service models (%d patched); every broken copy rejected' %
          (checker.checked, botocore_version, checker.patched))
    return 0


if __name__ == '__main__':
    import botocore  # noqa: F401  (for __version__)
    sys.exit(main())
