#!/usr/bin/env bash
# Installs what is missing (Debian 12 packages, the SARIF multitool and the LSP
# client library from npm)
# and builds platc and its tests into build/ (or $PLAT_BUILD_DIR).
# Safe and fast to re-run: packages already present are not reinstalled, and
# the build is incremental.
#
# usage: bash scripts/setup.sh        (run as root, or with sudo available)
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
build=${PLAT_BUILD_DIR:-$root/build}
jobs=${PLAT_JOBS:-2}

say() { printf '\n==> %s\n' "$*"; }

packages=(
  cmake ninja-build g++ pkg-config
  antlr4 libantlr4-runtime-dev
  llvm-14-dev libfmt-dev nlohmann-json3-dev libyaml-cpp-dev catch2 libjemalloc-dev libgit2-dev
  python3 python3-botocore python3-yaml python3-jinja2 graphviz git ca-certificates
  neovim
  python3-jsonschema prometheus prometheus-alertmanager
)
# Node.js and npm only when absent: a newer node from elsewhere is fine.
command -v node >/dev/null 2>&1 || packages+=(nodejs)
command -v npm >/dev/null 2>&1 || packages+=(npm)

missing=()
for p in "${packages[@]}"; do
  dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
if [[ ${#missing[@]} -gt 0 ]]; then
  say "installing Debian packages: ${missing[*]}"
  sudo=""
  [[ $(id -u) -ne 0 ]] && sudo=sudo
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -qq
  $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
else
  say "Debian packages: all present"
fi

# The SARIF multitool validates `platc check --format sarif` in the tests.
tool=tests/sarif/node_modules/@microsoft/sarif-multitool-linux/Sarif.Multitool
stamp=tests/sarif/node_modules/.plat-installed-lock.json
if [[ ! -x $tool ]] || ! cmp -s tests/sarif/package-lock.json "$stamp" 2>/dev/null; then
  say "installing the SARIF multitool (npm ci in tests/sarif)"
  (cd tests/sarif && npm ci --no-audit --no-fund --loglevel=error)
  # npm does not run the package's install script that marks it executable.
  chmod u+x "$tool"
  cp tests/sarif/package-lock.json "$stamp"
else
  say "SARIF multitool: present"
fi

# The client library VS Code uses, for the language server's end-to-end
# tests (tests/lsp/e2e.mjs, replay.mjs).
stamp=tests/lsp/node_modules/.plat-installed-lock.json
if ! cmp -s tests/lsp/package-lock.json "$stamp" 2>/dev/null; then
  say "installing the LSP client library (npm ci in tests/lsp)"
  (cd tests/lsp && npm ci --no-audit --no-fund --loglevel=error)
  cp tests/lsp/package-lock.json "$stamp"
else
  say "LSP client library: present"
fi
# The official MCP client, for the end-to-end test of `platc mcp` (tests/mcp/e2e.mjs).
stamp=tests/mcp/node_modules/.plat-installed-lock.json
if ! cmp -s tests/mcp/package-lock.json "$stamp" 2>/dev/null; then
  say "installing the MCP client (npm ci in tests/mcp)"
  (cd tests/mcp && npm ci --no-audit --no-fund --loglevel=error)
  cp tests/mcp/package-lock.json "$stamp"
else
  say "MCP client: present"
fi
# The VS Code extension's client library, packager and grammar test tools.
stamp=editors/vscode/node_modules/.plat-installed-lock.json
if ! cmp -s editors/vscode/package-lock.json "$stamp" 2>/dev/null; then
  say "installing the VS Code extension's packages (npm ci in editors/vscode)"
  (cd editors/vscode && npm ci --no-audit --no-fund --loglevel=error)
  cp editors/vscode/package-lock.json "$stamp"
else
  say "VS Code extension packages: present"
fi

say "building platc in ${build#$root/} (-j$jobs)"
cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
ninja -C "$build" -j"$jobs"
