#!/usr/bin/env python3
"""`platc diff` on real git repositories (issue 15's "done means" scenario).

- examples/acme in a subfolder of a fresh repository; growth's `experiments`
  service starts calling `fraud_scorer` (with the gdpr scope it then needs):
  `diff --base HEAD --format markdown` flags the new pii reach hop by hop and
  the exact new IAM permission, exits 3, and leaves the work tree, index and
  HEAD as they were;
- the same with `--base REV --head REV` from a subfolder, with `--base DIR`,
  and as JSON with the stable flag names;
- errors on either side are attributed to that side (exit 1);
- SARIF locations are relative to the repository's top;
- a revision's files are untrusted: symbolic links, submodules and blobs over
  the size limit named `*.plat` are refused (exit 2) and never read; hidden
  and output folders are skipped as on disk.
"""

import argparse
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile

FAILURES = []


def check(cond, what):
    if not cond:
        FAILURES.append(what)
        print("FAIL", what)
    else:
        print("ok  ", what)


def git(repo, *args, **kw):
    env = dict(os.environ, GIT_AUTHOR_NAME="t", GIT_AUTHOR_EMAIL="t@example.com",
               GIT_COMMITTER_NAME="t", GIT_COMMITTER_EMAIL="t@example.com")
    return subprocess.run(["git", "-C", repo] + list(args), check=True, capture_output=True,
                          text=True, env=env, **kw).stdout


def platc(binary, cwd, *args):
    p = subprocess.run([binary] + list(args) + ["--color", "never"], cwd=cwd, capture_output=True,
                       text=True, timeout=120)
    return p.returncode, p.stdout, p.stderr


def tree_state(repo):
    """What must not change: status, the index file, HEAD."""
    with open(os.path.join(repo, ".git", "index"), "rb") as f:
        index = hashlib.sha256(f.read()).hexdigest()
    return (git(repo, "status", "--porcelain", "--untracked-files=all"), index,
            git(repo, "rev-parse", "HEAD"))


def make_change(ws):
    path = os.path.join(ws, "growth", "web.plat")
    with open(path, encoding="utf-8") as f:
        text = f.read()
    old = '  image = "registry.acme.example/growth/experiments:0.14.0"\n'
    assert old in text
    text = text.replace(old, old + "  calls = [acme.fraud.fraud_scorer]\n  compliance = [gdpr]\n")
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--platc", required=True)
    ap.add_argument("--source-dir", required=True)
    args = ap.parse_args()
    binary = os.path.abspath(args.platc)
    acme = os.path.join(os.path.abspath(args.source_dir), "examples", "acme")

    with tempfile.TemporaryDirectory(prefix="plat-diff-") as tmp:
        repo = os.path.join(tmp, "repo")
        ws = os.path.join(repo, "platform")
        shutil.copytree(acme, ws)
        git(repo, "init", "-q", "-b", "main")
        git(repo, "add", "-A")
        git(repo, "commit", "-qm", "base")

        # 1. The scenario, against the work tree.
        make_change(ws)
        before = tree_state(repo)
        code, out, err = platc(binary, repo, "diff", "platform", "--base", "HEAD", "--format", "markdown")
        check(code == 3, f"markdown diff exits 3 (got {code}; stderr: {err.strip()[:300]})")
        check(tree_state(repo) == before, "work tree, index and HEAD untouched")
        check(out.startswith("### platc diff: 9 risk flags; 3 declaration changes"),
              "markdown headline counts the flags (3 in each of 3 environments)")
        flags_at = out.find("#### Risk flags")
        check(0 <= flags_at < out.find("<details>"), "risk flags come before the per-environment details")
        check("**classification-reach-grown** (dev, staging, prod): `experiments` now reaches pii data" in out,
              "pii reach flagged")
        for hop in ("`experiments` calls `fraud_scorer` (growth/web.plat:39:12)",
                    "`fraud_scorer` is trained on `transactions` (fraud/scorer.plat:14:17)",
                    "`transactions` is pii (data/transactions.plat:26:5)"):
            check(hop in out, f"pii path hop printed: {hop}")
        check("**iam-widened** (prod): role `acme-prod-service-experiments` of `experiments` may now "
              "`sagemaker:InvokeEndpoint` on `arn:aws:sagemaker:eu-west-1:123456789012:endpoint/"
              "fraud-scorer-prod`" in out, "exact new IAM permission flagged")
        check("granted for the `calls` edge `experiments` → `fraud_scorer`" in out,
              "IAM widening tied to the edge that produced it")
        check("<details><summary>Environment <code>prod</code>" in out, "collapsible details per environment")
        check("`calls`: `[]` → `[acme.fraud.fraud_scorer]`" in out, "changed field old → new")

        # 2. JSON: stable flag names.
        code, out, err = platc(binary, repo, "diff", "platform", "--base", "main", "--format", "json")
        data = json.loads(out)
        names = sorted({f["flag"] for f in data["flags"]})
        check(code == 3 and names == ["classification-reach-grown", "iam-widened", "network-path-added"],
              f"json flags are exactly the expected ones (got {names})")
        check(all(f["location"]["path"] == "growth/web.plat" for f in data["flags"]),
              "every flag points at the edited file")

        # 3. Two revisions, run from a subfolder of the workspace (DIR defaults to `.`).
        git(repo, "commit", "-qam", "experiments calls the fraud scorer")
        code, out, err = platc(binary, os.path.join(ws, "growth"), "diff", "--base", "HEAD~1", "--head", "HEAD")
        check(code == 3 and "[iam-widened] prod" in out, f"--base REV --head REV exits 3 (got {code})")
        code, out, err = platc(binary, ws, "diff", "--base", "HEAD", "--head", "HEAD")
        check(code == 0 and "no risk flags" in out, "a revision against itself: no flags, exit 0")

        # 4. --base DIR: another checkout.
        code, out, err = platc(binary, repo, "diff", "platform", "--base", acme)
        check(code == 3 and "[classification-reach-grown] dev, staging, prod" in out,
              "--base DIR works without git")

        # 5. Errors are attributed to their side.
        web = os.path.join(ws, "growth", "web.plat")
        with open(web, "a", encoding="utf-8") as f:
            f.write("service broken {\n")
        code, out, err = platc(binary, repo, "diff", "platform", "--base", "HEAD")
        check(code == 1 and "error: the head `work tree` has errors" in err, "head errors: exit 1, said so")
        git(repo, "commit", "-qam", "broken")
        git(repo, "checkout", "-q", "HEAD~1", "--", "platform/growth/web.plat")
        code, out, err = platc(binary, repo, "diff", "platform", "--base", "HEAD")
        check(code == 1 and "error: the base `HEAD` has errors" in err and "head" not in err.split("\n")[0],
              "base errors: exit 1, attributed to the base")
        git(repo, "commit", "-qam", "fixed")

        # 6. Untrusted revisions: links, submodules and huge blobs are not read.
        secret = os.path.join(tmp, "secret.plat")
        with open(secret, "w", encoding="utf-8") as f:
            f.write("team leaked_secret_value {}\n")
        os.symlink(secret, os.path.join(ws, "evil.plat"))
        git(repo, "add", "platform/evil.plat")
        git(repo, "commit", "-qm", "a link")
        code, out, err = platc(binary, repo, "diff", "platform", "--base", "HEAD", "--head", "HEAD")
        check(code == 2 and "`evil.plat` is a symbolic link; not read" in err, f"symlink refused (got {code}: {err.strip()})")
        check("leaked_secret_value" not in out + err, "the link's target is never read")
        git(repo, "rm", "-q", "platform/evil.plat")
        git(repo, "commit", "-qm", "no link")

        head = git(repo, "rev-parse", "HEAD").strip()
        git(repo, "update-index", "--add", "--cacheinfo", f"160000,{head},platform/sub.plat")
        git(repo, "commit", "-qm", "a submodule")
        code, out, err = platc(binary, repo, "diff", "platform", "--base", "HEAD", "--head", "HEAD")
        check(code == 2 and "`sub.plat` is a submodule" in err, "submodule refused")
        git(repo, "rm", "-q", "--cached", "platform/sub.plat")
        git(repo, "commit", "-qm", "no submodule")

        big = os.path.join(ws, "big.plat")
        with open(big, "w", encoding="utf-8") as f:
            f.write("// " + "x" * (9 * 1024 * 1024) + "\n")
        git(repo, "add", "platform/big.plat")
        git(repo, "commit", "-qm", "a big file")
        code, out, err = platc(binary, repo, "diff", "platform", "--base", "HEAD", "--head", "HEAD")
        check(code == 2 and "`big.plat` is 9437188 bytes, over the limit" in err, "oversized blob refused")
        git(repo, "rm", "-q", "platform/big.plat")
        git(repo, "commit", "-qm", "no big file")

        for folder in (".hidden", "build", "out", "node_modules"):
            os.makedirs(os.path.join(ws, folder), exist_ok=True)
            with open(os.path.join(ws, folder, "junk.plat"), "w", encoding="utf-8") as f:
                f.write("this is not plat {{{\n")
        git(repo, "add", "-f", "platform")
        git(repo, "commit", "-qm", "skipped folders")
        code, out, err = platc(binary, repo, "diff", "platform", "--base", "HEAD~1", "--head", "HEAD")
        check(code == 0, f"hidden and output folders are skipped in a revision (got {code}: {err.strip()[:200]})")

        # 7. SARIF from a workspace in a subfolder of a repository: locations
        # relative to the repository's top, where code scanning looks.
        with open(web, "a", encoding="utf-8") as f:
            f.write("service broken {\n")
        code, out, err = platc(binary, repo, "check", "platform", "--format", "sarif")
        run = json.loads(out)["runs"][0]
        uri = run["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
        base = run["originalUriBaseIds"]["%SRCROOT%"]["uri"]
        check(code == 1 and uri == "platform/growth/web.plat" and
              base in ("file://" + repo + "/", "file://" + os.path.realpath(repo) + "/"),
              f"SARIF locations are relative to the repository top (got {uri} under {base})")
        git(repo, "checkout", "-q", "--", "platform/growth/web.plat")

        # 8. Usage.
        code, out, err = platc(binary, repo, "diff", "platform")
        check(code == 2 and "needs `--base REV`" in err, "no --base: usage error")
        code, out, err = platc(binary, repo, "diff", "platform", "--base", "no-such-rev")
        check(code == 2 and "`no-such-rev` is neither a folder nor a revision" in err, "unknown revision: exit 2")
        code, out, err = platc(binary, repo, "diff", "platform", "--base", "HEAD", "--format", "sarif")
        check(code == 2, "diff does not take --format sarif")
        norepo = os.path.join(tmp, "norepo")
        shutil.copytree(acme, norepo)
        code, out, err = platc(binary, tmp, "diff", norepo, "--base", "HEAD")
        check(code == 2 and "is not inside a git repository" in err,
              f"a workspace outside any repository with --base REV: exit 2 (got {code}: {err.strip()})")

    if FAILURES:
        print(f"\n{len(FAILURES)} checks failed")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
