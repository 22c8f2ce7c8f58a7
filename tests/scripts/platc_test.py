"""Helpers shared by the Python tests in tests/scripts/ (standard library only).

`run_platc` runs platc in a folder with resource limits and reports its exit
status, output, peak memory and CPU time (measured with wait4, so each run is
measured on its own). `assert_diag` is how a test asserts that a diagnostic
code was reported; tests/scripts/check_coverage.py counts those calls.
"""

import json
import os
import resource
import signal
import subprocess
import tempfile
import threading

WORKSPACE = """workspace t {
  account = "123456789012"
  region = "eu-west-1"
}
"""


class TestFailure(Exception):
    pass


class Result:
    def __init__(self, returncode, stdout, stderr, max_rss_kib, cpu_seconds):
        self.returncode = returncode
        self.stdout = stdout
        self.stderr = stderr
        self.max_rss_kib = max_rss_kib
        self.cpu_seconds = cpu_seconds

    def diagnostics(self):
        """The JSON Lines output parsed, one dict per diagnostic."""
        out = []
        for i, line in enumerate(self.stdout.splitlines(), 1):
            try:
                out.append(json.loads(line))
            except json.JSONDecodeError as e:
                raise TestFailure(f"stdout line {i} is not JSON ({e}): {line[:200]}")
        return out

    def describe(self):
        return (f"exit {self.returncode}, {self.max_rss_kib // 1024} MiB peak, "
                f"{self.cpu_seconds:.2f} s CPU\n--- stdout\n{self.stdout[:3000]}"
                f"\n--- stderr\n{self.stderr[:3000]}")


_SANITIZED = {}


def sanitized(platc):
    """Whether `platc` is built with AddressSanitizer (scripts/sanitize.sh),
    which reserves terabytes of address space and so cannot run under an
    address-space limit; its own allocator bounds memory instead."""
    if platc not in _SANITIZED:
        with open(platc, "rb") as f:
            _SANITIZED[platc] = b"__asan_init" in f.read()
    return _SANITIZED[platc]


def run_platc(platc, cwd, args, cpu_seconds=60, memory_bytes=None, stack_bytes=None,
              wall_seconds=120):
    """Runs platc with limits. A run over its CPU limit is killed by SIGXCPU/SIGKILL,
    which the caller sees as a negative return code: a hang becomes a failure, not a
    stuck test."""

    if memory_bytes and sanitized(platc):
        memory_bytes = None

    def limits():
        resource.setrlimit(resource.RLIMIT_CPU, (cpu_seconds, cpu_seconds + 5))
        if memory_bytes:
            resource.setrlimit(resource.RLIMIT_AS, (memory_bytes, memory_bytes))
        if stack_bytes:
            resource.setrlimit(resource.RLIMIT_STACK, (stack_bytes, stack_bytes))

    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        proc = subprocess.Popen([platc] + list(args), cwd=cwd, stdout=out, stderr=err,
                                preexec_fn=limits)
        timer = threading.Timer(wall_seconds, lambda: os.kill(proc.pid, signal.SIGKILL))
        timer.start()
        try:
            _, status, usage = os.wait4(proc.pid, 0)
        finally:
            timer.cancel()
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        return Result(proc.returncode, out.read().decode("utf-8", "replace"),
                      err.read().decode("utf-8", "replace"), usage.ru_maxrss,
                      usage.ru_utime + usage.ru_stime)


def assert_no_crash(result):
    if result.returncode < 0:
        raise TestFailure(f"platc was killed by signal {-result.returncode} "
                          f"(crash, or over its CPU limit)\n{result.describe()}")
    if result.returncode not in (0, 1, 2):
        raise TestFailure(f"unexpected exit code\n{result.describe()}")


def assert_diag(result, code, file=None, line=None, column=None, message_contains=None):
    """Asserts that `result` (run with --format json) reported `code`, located in
    `file` (and at line/column when given). Returns the diagnostic."""
    assert_no_crash(result)
    diags = result.diagnostics()
    for d in diags:
        if d.get("code") != code:
            continue
        span = d.get("span")
        if file is not None:
            if not span or span.get("file") != file:
                continue
            if line is not None and span.get("line") != line:
                continue
            if column is not None and span.get("column") != column:
                continue
        if message_contains and message_contains not in d.get("message", ""):
            continue
        return d
    where = f" at {file}:{line}:{column}" if file else ""
    raise TestFailure(f"expected {code}{where}, got "
                      f"{[(d.get('code'), d.get('span')) for d in diags]}\n{result.describe()}")


def make_workspace(root, files):
    """Writes workspace.plat (unless given) and `files` (path -> str or bytes)."""
    files = dict(files)
    files.setdefault("workspace.plat", WORKSPACE)
    for rel, content in files.items():
        full = os.path.join(root, rel)
        os.makedirs(os.path.dirname(full), exist_ok=True)
        mode = "wb" if isinstance(content, bytes) else "w"
        with open(full, mode) as f:
            f.write(content)


def run_cases(cases, argv_names):
    """Runs the selected test functions, printing one line each; returns 0/1."""
    selected = [c for c in cases if not argv_names or c.__name__ in argv_names]
    failed = 0
    for case in selected:
        try:
            note = case()
            print(f"ok   {case.__name__}" + (f" ({note})" if note else ""))
        except TestFailure as e:
            failed += 1
            print(f"FAIL {case.__name__}: {e}")
    print(f"{len(selected) - failed} of {len(selected)} passed")
    return 1 if failed else 0
