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

# npm packages the tests use, each folder installed from its committed lock
# file (`npm ci`) and skipped while the installed copy matches that lock.
# usage: npm_folder DIR "what it is" [a file that must exist afterwards]
npm_folder() {
  local dir=$1 what=$2 must=${3:-} stamp=$1/node_modules/.plat-installed-lock.json
  if { [[ -n $must && ! -x $must ]]; } || ! cmp -s "$dir/package-lock.json" "$stamp" 2>/dev/null; then
    say "installing $what (npm ci in $dir)"
    (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error)
    # npm does not run the SARIF package's script that marks its tool executable.
    [[ -n $must ]] && chmod u+x "$must"
    cp "$dir/package-lock.json" "$stamp"
  else
    say "$what: present"
  fi
}
# The SARIF multitool validates `platc check --format sarif`.
npm_folder tests/sarif "the SARIF multitool" \
  tests/sarif/node_modules/@microsoft/sarif-multitool-linux/Sarif.Multitool
# The client library VS Code uses, for the language server's end-to-end tests.
npm_folder tests/lsp "the LSP client library"
# The official MCP client, for the end-to-end test of `platc mcp`.
npm_folder tests/mcp "the MCP client"
# The VS Code extension's client library, packager and grammar test tools.
npm_folder editors/vscode "the VS Code extension's packages"

say "building platc in ${build#$root/} (-j$jobs)"
cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
ninja -C "$build" -j"$jobs"
