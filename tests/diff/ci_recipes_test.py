#!/usr/bin/env python3
"""Runs the commands of the CI recipes in examples/ci/ on a temporary git repository.

A repository `upstream` holds examples/acme under `platform/` and the recipes
under `examples/ci/`; a clone of it gets a feature branch. For each recipe
the commands the CI would run are taken from the recipe file itself (the
GitHub workflow's `plat` step, the GitLab job's `script` and `after_script`,
the pre-commit hooks' `entry`) and run with bash, with the CI's variables
set as the CI would set them:

- the acme "done means" change: every step passes, the SARIF log, build
  output and Markdown comment are written, and the risk output is `true`;
- a change that touches no declaration: the risk output is `false`;
- an unformatted file: the job fails (and the pre-commit hook too);
- committed output with examples/ci/gitattributes and plat-textconv.sh:
  `git diff` shows only real changes.

Posting the comment needs a network and a token; what is checked is that the
posting steps read the file the diff step wrote, and that the GitLab
after_script does nothing without its token.
"""

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile

import yaml

FAILURES = []


def check(cond, what):
    print(("ok   " if cond else "FAIL ") + what)
    if not cond:
        FAILURES.append(what)


GIT_ENV = {"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com",
           "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.com"}


def git(repo, *args):
    p = subprocess.run(["git", "-C", repo] + list(args), capture_output=True, text=True,
                       env=dict(os.environ, **GIT_ENV))
    if p.returncode != 0:
        raise RuntimeError(f"git {' '.join(args)}: {p.stderr}")
    return p.stdout


def bash(script, cwd, env):
    p = subprocess.run(["bash", "-e", "-c", script], cwd=cwd, capture_output=True, text=True,
                       env=dict(os.environ, **GIT_ENV, **env), timeout=600)
    return p.returncode, p.stdout, p.stderr


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--platc", required=True)
    ap.add_argument("--source-dir", required=True)
    args = ap.parse_args()
    src = os.path.abspath(args.source_dir)
    platc = os.path.abspath(args.platc)
    ci = os.path.join(src, "examples", "ci")

    with open(os.path.join(ci, "github-actions.yml"), encoding="utf-8") as f:
        gh = yaml.safe_load(f)
    with open(os.path.join(ci, "gitlab-ci.yml"), encoding="utf-8") as f:
        gl = yaml.safe_load(f)
    with open(os.path.join(ci, "pre-commit-config.yaml"), encoding="utf-8") as f:
        pc = yaml.safe_load(f)

    steps = gh["jobs"]["plat"]["steps"]
    plat_step = next(s for s in steps if s.get("id") == "plat")
    check(steps[0]["uses"].startswith("actions/checkout@") and steps[0]["with"]["fetch-depth"] == 0,
          "github: full history is fetched (diff reads the target branch)")
    check(any(s.get("uses", "").startswith("github/codeql-action/upload-sarif@") and
              s["with"]["sarif_file"] == "plat-out/plat.sarif" for s in steps),
          "github: the SARIF log is uploaded to code scanning")
    check(any("plat-out/diff.md" in s.get("run", "") and "gh pr comment" in s.get("run", "") for s in steps),
          "github: the Markdown diff is posted as a comment")
    check("pull_request" in gh[True] if True in gh else "pull_request" in gh["on"],
          "github: runs on pull_request, not pull_request_target")
    job = gl["plat"]
    check(any("plat-out/diff.md" in line for line in job["after_script"]), "gitlab: the diff is posted as a note")

    with tempfile.TemporaryDirectory(prefix="plat-ci-") as tmp:
        upstream = os.path.join(tmp, "upstream")
        shutil.copytree(os.path.join(src, "examples", "acme"), os.path.join(upstream, "platform"))
        shutil.copytree(ci, os.path.join(upstream, "examples", "ci"))
        git(upstream, "init", "-q", "-b", "main")
        git(upstream, "add", "-A")
        git(upstream, "commit", "-qm", "base")
        work = os.path.join(tmp, "work")
        subprocess.run(["git", "clone", "-q", upstream, work], check=True)
        env = {"PLATC": platc}

        def branch(name, edit):
            shutil.rmtree(os.path.join(work, "plat-out"), ignore_errors=True)
            git(work, "checkout", "-q", "-B", name, "origin/main")
            edit()
            git(work, "add", "-A")
            git(work, "commit", "-qm", name)
            shutil.rmtree(os.path.join(work, "plat-out"), ignore_errors=True)

        def run_github():
            output = os.path.join(tmp, "github_output")
            open(output, "w").close()
            script = plat_step["run"].replace("${{ github.base_ref }}", "main")
            e = dict(env, GITHUB_OUTPUT=output, **gh["env"])
            code, out, err = bash(script, work, e)
            with open(output, encoding="utf-8") as f:
                return code, f.read(), err

        def run_gitlab():
            e = dict(env, CI_MERGE_REQUEST_TARGET_BRANCH_NAME="main", CI_PIPELINE_SOURCE="merge_request_event",
                     **job["variables"])
            code, out, err = bash("\n".join(job["script"]), work, e)
            after = bash("\n".join(job["after_script"]), work, e)[0]
            return code, after, err

        # 1. The acme scenario.
        def experiments_calls_scorer():
            path = os.path.join(work, "platform", "growth", "web.plat")
            with open(path, encoding="utf-8") as f:
                text = f.read()
            old = '  image = "registry.acme.example/growth/experiments:0.14.0"\n'
            with open(path, "w", encoding="utf-8") as f:
                f.write(text.replace(old, old + "  calls = [acme.fraud.fraud_scorer]\n  compliance = [gdpr]\n"))

        branch("risky", experiments_calls_scorer)
        code, output, err = run_github()
        check(code == 0 and "risk=true" in output, f"github: the plat step passes and sets risk=true ({code}: {err[-300:]})")
        outdir = os.path.join(work, "plat-out")
        with open(os.path.join(outdir, "diff.md"), encoding="utf-8") as f:
            md = f.read()
        check("**iam-widened**" in md and "**classification-reach-grown**" in md, "github: the comment flags the change")
        with open(os.path.join(outdir, "plat.sarif"), encoding="utf-8") as f:
            sarif = json.load(f)
        check(sarif.get("version") == "2.1.0" and sarif["runs"][0]["results"] == [], "github: a clean SARIF log")
        check(os.path.isdir(os.path.join(outdir, "build", "prod", "k8s")), "github: the build output is written")
        check(git(work, "status", "--porcelain", "--untracked-files=no") == "", "the checkout is left as it was")

        shutil.rmtree(outdir)
        code, after, err = run_gitlab()
        with open(os.path.join(outdir, "risk"), encoding="utf-8") as f:
            check(code == 0 and f.read().strip() == "true", f"gitlab: the job passes and records the risk ({code}: {err[-300:]})")
        check(after == 0, "gitlab: after_script without a token posts nothing and passes")

        # 2. A change that touches no declaration.
        def readme():
            with open(os.path.join(work, "README.md"), "w", encoding="utf-8") as f:
                f.write("docs only\n")

        branch("quiet", readme)
        code, output, err = run_github()
        check(code == 0 and "risk=false" in output, "github: no risk flag on a change that touches no declaration")
        with open(os.path.join(work, "plat-out", "diff.md"), encoding="utf-8") as f:
            check("no risk flags" in f.read(), "github: the comment says so")

        # 3. An unformatted file fails the job and the pre-commit hook.
        def unformatted():
            with open(os.path.join(work, "platform", "growth", "extra.plat"), "w", encoding="utf-8") as f:
                f.write("package acme.growth\nimport acme.teams\nservice   extra {\nowner = teams.growth\n"
                        "image = \"registry.acme.example/growth/extra:1.0.0\"}\n")

        branch("unformatted", unformatted)
        code, output, err = run_github()
        check(code == 1, f"github: an unformatted file fails the job (got {code})")
        code, after, err = run_gitlab()
        check(code == 1, f"gitlab: an unformatted file fails the job (got {code})")

        hooks = {h["id"]: h for h in pc["repos"][0]["hooks"]}
        bin_dir = os.path.join(tmp, "bin")
        os.makedirs(bin_dir)
        os.symlink(platc, os.path.join(bin_dir, "platc"))
        path_env = dict(env, PATH=bin_dir + os.pathsep + os.environ["PATH"])
        staged = "platform/growth/extra.plat"
        code = bash(hooks["plat-fmt"]["entry"] + " " + staged, work, path_env)[0]
        check(code == 1, "pre-commit: plat-fmt rejects the unformatted file")
        code = bash(hooks["plat-check"]["entry"], work, path_env)[0]
        check(code == 0, "pre-commit: plat-check passes (the file checks clean)")
        git(work, "checkout", "-q", "risky")
        code = bash(hooks["plat-fmt"]["entry"] + " platform/growth/web.plat", work, path_env)[0]
        check(code == 0, "pre-commit: plat-fmt accepts formatted files")

        # 4. Quiet committed output: with examples/ci/gitattributes and the
        # textconv filter, `git diff` of committed output shows the changed
        # image and nothing of hashes, source positions or the build index.
        quiet = os.path.join(tmp, "quiet")
        shutil.copytree(os.path.join(src, "examples", "acme"), os.path.join(quiet, "platform"))
        shutil.copytree(ci, os.path.join(quiet, "examples", "ci"))
        shutil.copy(os.path.join(ci, "gitattributes"), os.path.join(quiet, ".gitattributes"))
        git(quiet, "init", "-q", "-b", "main")
        subprocess.run([platc, "build", "platform", "-o", "generated"], cwd=quiet, check=True,
                       capture_output=True)
        git(quiet, "add", "-A")
        git(quiet, "commit", "-qm", "base")
        git(quiet, "config", "diff.plat.textconv", "sh examples/ci/plat-textconv.sh")
        web = os.path.join(quiet, "platform", "growth", "web.plat")
        with open(web, encoding="utf-8") as f:
            text = f.read()
        with open(web, "w", encoding="utf-8") as f:
            # A new image tag, and every declaration below moves down a line.
            f.write(text.replace("experiments:0.14.0", "experiments:0.15.0")
                    .replace("/// A/B experiment", "\n/// A/B experiment"))
        subprocess.run([platc, "build", "platform", "-o", "generated"], cwd=quiet, check=True,
                       capture_output=True)
        changed = [l for l in git(quiet, "diff", "generated").splitlines()
                   if l[:1] in "+-" and not l.startswith(("+++", "---"))]
        check(len(changed) == 6 and all("growth/experiments:0.1" in l for l in changed),
              f"quiet output: only the image lines differ in git diff (got {changed[:8]})")
        check("Binary files" in git(quiet, "diff", "generated/.platc-index"),
              "quiet output: the build index is not shown as text")
        raw = git(quiet, "diff", "--no-textconv", "generated")
        check("content-hash" in raw, "without the filter the hashes do change (the test would notice)")

    if FAILURES:
        print(f"\n{len(FAILURES)} checks failed")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
