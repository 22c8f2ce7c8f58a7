#!/usr/bin/env bash
# Regenerates docs/images/acme-graph.svg, the picture of the example's
# dependency graph in the README, from `platc graph` and Graphviz's `dot`
# (Debian package graphviz).
set -euo pipefail
cd "$(dirname "$0")/.."
platc=${PLATC:-build/platc}
"$platc" graph examples/acme --env prod --format dot > build/acme-graph.dot
dot -Tsvg build/acme-graph.dot -o docs/images/acme-graph.svg
echo "wrote docs/images/acme-graph.svg"
