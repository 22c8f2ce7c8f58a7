#!/usr/bin/env python3
"""Bad input: every case must give a located diagnostic and exit 1 (or, where
the input is legal, exit 0), and never crash, hang or overflow the stack.

Inputs that a golden file cannot hold (binary bytes, huge or deeply nested
files, unreadable paths) are generated here at run time and never committed.

usage: bad_input_test.py --platc PATH [CASE...]
"""

import argparse
import os
import stat
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from platc_test import (TestFailure, assert_diag, assert_no_crash, make_workspace,  # noqa: E402
                        run_cases, run_platc)

PLATC = None
DEPTH = 10_000
# The parse runs on worker threads when there are several files (there are
# two in every case here). Deep input must be refused before recursion, so it
# must pass even with a small stack.
SMALL_STACK = 1 << 20


def check(files, *extra_args, **limits):
    with tempfile.TemporaryDirectory(prefix="plat-bad-") as root:
        make_workspace(root, files)
        return run_platc(PLATC, root, ["check", "--format", "json", *extra_args], **limits)


def expect_exit(result, code):
    assert_no_crash(result)
    if result.returncode != code:
        raise TestFailure(f"expected exit {code}\n{result.describe()}")


def only_codes(result, allowed):
    codes = sorted({d["code"] for d in result.diagnostics()})
    extra = [c for c in codes if c not in allowed]
    if extra:
        raise TestFailure(f"unexpected extra diagnostics {extra}\n{result.describe()}")


# ---------------------------------------------------------------- encoding

def test_not_utf8():
    r = check({"app.plat": b'team t {\n  lead = "caf\xe9"\n}\n'})
    expect_exit(r, 1)
    d = assert_diag(r, "P0004", "app.plat", line=2, column=14, message_contains="not valid UTF-8")
    if d["span"]["byte_offset"] != 22:
        raise TestFailure(f"P0004 should point at byte 22, the 0xE9: {d}")


def test_truncated_utf8_at_end():
    r = check({"app.plat": b'team t {}\n\xf0\x9f\x98'})
    expect_exit(r, 1)
    assert_diag(r, "P0004", "app.plat", line=2, column=1)


def test_utf16_file():
    text = 'team t {\n  lead = "a"\n}\n'.encode("utf-16")
    r = check({"app.plat": text})
    expect_exit(r, 1)
    assert_diag(r, "P0004", "app.plat", line=1, column=1)


def test_nul_byte():
    r = check({"app.plat": b'team t {\n  lead = "a\x00b"\n}\n'})
    expect_exit(r, 1)
    assert_diag(r, "P0004", "app.plat", line=2, column=12, message_contains="NUL")


# ---------------------------------------------------------------- unreadable

def test_dangling_symlink():
    with tempfile.TemporaryDirectory(prefix="plat-bad-") as root:
        make_workspace(root, {})
        os.symlink(os.path.join(root, "missing-target.plat"), os.path.join(root, "gone.plat"))
        r = run_platc(PLATC, root, ["check", "--format", "json"])
    # A file that cannot be read is an I/O error: exit 2 (docs/cli.md).
    expect_exit(r, 2)
    assert_diag(r, "P0002", "gone.plat", message_contains="gone.plat")


def test_permission_denied():
    if os.geteuid() == 0:
        # root reads files whatever their mode; test_dangling_symlink covers P0002.
        return "skipped: running as root, chmod 000 does not stop reads"
    with tempfile.TemporaryDirectory(prefix="plat-bad-") as root:
        make_workspace(root, {"secret.plat": "team t {}\n"})
        path = os.path.join(root, "secret.plat")
        os.chmod(path, 0)
        try:
            r = run_platc(PLATC, root, ["check", "--format", "json"])
        finally:
            os.chmod(path, stat.S_IRUSR | stat.S_IWUSR)
    expect_exit(r, 1)
    assert_diag(r, "P0002", "secret.plat")
    return None


def test_directory_named_like_a_source():
    # A folder called x.plat is a folder, not an unreadable file.
    with tempfile.TemporaryDirectory(prefix="plat-bad-") as root:
        make_workspace(root, {"x.plat/inner.txt": "not plat"})
        r = run_platc(PLATC, root, ["check", "--format", "json"])
    expect_exit(r, 0)


# ---------------------------------------------------------------- size

def test_50_mb_file():
    """Refused by size without reading it: small peak memory, little CPU."""
    line = b'team t { lead = "a" cost_center = "b" }\n'
    with tempfile.TemporaryDirectory(prefix="plat-bad-") as root:
        make_workspace(root, {})
        with open(os.path.join(root, "huge.plat"), "wb") as f:
            chunk = line * (1 << 14)
            for _ in range((50 << 20) // len(chunk) + 1):
                f.write(chunk)
        # Generous bounds: reading the file alone would take 50 MiB, parsing it
        # gigabytes; refusing it by size needs a few MiB and milliseconds.
        r = run_platc(PLATC, root, ["check", "--format", "json"], cpu_seconds=20)
    # The bound is relative to the same check without the file: platc's own
    # baseline (stdlib, and far more under ASan) grows with the compiler.
    with tempfile.TemporaryDirectory(prefix="plat-bad-") as root:
        make_workspace(root, {})
        with open(os.path.join(root, "small.plat"), "wb") as f:
            f.write(line)
        base = run_platc(PLATC, root, ["check", "--format", "json"], cpu_seconds=20)
    expect_exit(r, 1)
    assert_diag(r, "P0003", "huge.plat", message_contains="over the limit of 8 MiB")
    if r.max_rss_kib > base.max_rss_kib + 25 * 1024:
        raise TestFailure(f"peak memory {r.max_rss_kib} KiB against {base.max_rss_kib} KiB without "
                          f"the file: the file seems to have been read\n{r.describe()}")
    if r.cpu_seconds > 5:
        raise TestFailure(f"{r.cpu_seconds:.1f} s of CPU to refuse a file by its size")
    return f"{r.max_rss_kib // 1024} MiB peak, {r.cpu_seconds:.2f} s CPU"


def test_just_over_limit():
    r = check({"big.plat": "// " + "x" * (8 << 20) + "\n"})
    expect_exit(r, 1)
    assert_diag(r, "P0003", "big.plat")


# ---------------------------------------------------------------- nesting

def deep(text, line=2):
    """Checks `text` (nested DEPTH levels) gives one located P0106 and nothing else
    fatal, with a 1 MiB stack."""
    r = check({"deep.plat": text}, stack_bytes=SMALL_STACK)
    expect_exit(r, 1)
    d = assert_diag(r, "P0106", "deep.plat", line=line)
    if sum(1 for x in r.diagnostics() if x["code"] == "P0106") != 1:
        raise TestFailure(f"expected exactly one P0106\n{r.describe()}")
    only_codes(r, {"P0106", "P0302", "P0006"})
    return f"P0106 at {d['span']['line']}:{d['span']['column']}"


def test_deep_lists():
    return deep("team t {\n  members = " + "[" * DEPTH + "]" * DEPTH + "\n}\n")


def test_deep_unclosed_lists():
    return deep("team t {\n  members = " + "[" * DEPTH + "\n")


def test_deep_records():
    return deep("team t {\n  quota = " + "{ a = " * DEPTH + "1" + " }" * DEPTH + "\n}\n")


def test_deep_blocks():
    return deep("team t {\n" + "b {\n" * DEPTH + "}\n" * DEPTH + "}\n", line=201)


def test_deep_parens():
    return deep("team t {\n  lead = " + "(" * DEPTH + "1" + ")" * DEPTH + "\n}\n")


def test_deep_not():
    return deep("team t {\n  lead = " + "not " * DEPTH + "true\n}\n")


def test_deep_minus():
    return deep("team t {\n  lead = " + "-" * DEPTH + "1\n}\n")


def test_deep_mixed_prefixes():
    return deep("team t {\n  lead = " + "not -" * (DEPTH // 2) + "1\n}\n")


def test_deep_type_arguments():
    return deep("type r {\n  x : " + "list<" * DEPTH + "int" + ">" * DEPTH + "\n}\n")


def chain(text):
    """Long left-recursive chains (no brackets stack up) must not recurse either."""
    r = check({"chain.plat": text}, stack_bytes=SMALL_STACK)
    assert_no_crash(r)
    if r.returncode != 1:
        raise TestFailure(f"expected exit 1\n{r.describe()}")
    assert_diag(r, "P0106", "chain.plat")


def test_long_member_chain():
    chain("team t {\n  lead = a" + ".a" * 100_000 + "\n}\n")


def test_long_call_chain():
    chain("team t {\n  lead = f" + "()" * 100_000 + "\n}\n")


def test_long_and_chain():
    chain("team t {\n  lead = a" + " and a" * 100_000 + "\n}\n")


def test_long_optional_type_chain():
    chain("type r {\n  x : int" + "?" * 100_000 + "\n}\n")


# ---------------------------------------------------------------- error floods

def flood(text, max_diags=110):
    r = check({"flood.plat": text}, cpu_seconds=30)
    expect_exit(r, 1)
    n = len(r.diagnostics())
    if n > max_diags:
        raise TestFailure(f"{n} diagnostics for one file: the error cap is not applied")
    assert_diag(r, "P0101", "flood.plat", message_contains="too many syntax errors")
    return f"{n} diagnostics, {r.cpu_seconds:.2f} s CPU"


def test_flood_of_bad_characters():
    return flood(";" * 200_000 + "\n")


def test_flood_of_unterminated_strings():
    return flood('"\n' * 100_000)


def test_flood_of_parse_errors():
    # Each error used to cost time proportional to the block: quadratic.
    return flood("team t {\n  x = " + "[a],\n" * 50_000 + "}\n")


# ---------------------------------------------------------------- other

def test_binary_garbage():
    data = bytes((i * 7919 + 13) % 256 for i in range(200_000))
    r = check({"garbage.plat": data})
    expect_exit(r, 1)
    assert_diag(r, "P0004", "garbage.plat")


def test_ascii_garbage():
    import random
    rng = random.Random(42)
    alphabet = "{}[]()=.,:;\"'/*\\-<>?|@ \nabcxyz0123456789_$#\t"
    text = "".join(rng.choice(alphabet) for _ in range(200_000))
    r = check({"garbage.plat": text}, stack_bytes=SMALL_STACK, cpu_seconds=30)
    expect_exit(r, 1)
    if not r.diagnostics():
        raise TestFailure("no diagnostics for garbage")
    return f"{len(r.diagnostics())} diagnostics"


def test_crlf_and_bom():
    # A UTF-8 byte order mark and CRLF line ends are valid UTF-8 text; the
    # error after them must still be located on the right line.
    r = check({"app.plat": b'\xef\xbb\xbfteam t {\r\n  lead = "a\r\n}\r\n'})
    assert_no_crash(r)
    expect_exit(r, 1)
    assert_diag(r, "P0103", "app.plat", line=2)


CASES = [v for k, v in sorted(globals().items()) if k.startswith("test_")]


def main():
    global PLATC
    parser = argparse.ArgumentParser()
    parser.add_argument("--platc", required=True)
    parser.add_argument("cases", nargs="*")
    args = parser.parse_args()
    PLATC = os.path.abspath(args.platc)
    return run_cases(CASES, args.cases)


if __name__ == "__main__":
    sys.exit(main())
