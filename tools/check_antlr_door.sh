#!/usr/bin/env bash
# One door for ANTLR: only compiler/syntax/ may include ANTLR headers
# (antlr4-runtime.h, any antlr4 header, or the generated PlatParser.h /
# PlatLexer.h). Everything else works on our own AST.
#
# usage: tools/check_antlr_door.sh [SOURCE_DIR]
set -euo pipefail
root=${1:-$(cd "$(dirname "$0")/.." && pwd)}
cd "$root"

pattern='^[[:space:]]*#[[:space:]]*include[[:space:]]*[<"]([^">]*/)?(antlr4-runtime\.h|antlr4[-_/][^">]*|Plat(Parser|Lexer|Listener|Visitor|BaseListener|BaseVisitor)\.h)[">]'
folders=()
for d in compiler backends lsp tests tools; do
  [[ -d $d ]] && folders+=("$d")
done
violations=$(grep -rnE --include='*.h' --include='*.hpp' --include='*.cpp' --include='*.cc' --include='*.def' --include='*.inc' \
  "$pattern" "${folders[@]}" | grep -v '^compiler/syntax/' || true)
if [[ -n $violations ]]; then
  echo "ANTLR headers included outside compiler/syntax/ (see docs/CONTRIBUTING.md):"
  echo "$violations"
  exit 1
fi
count=$(grep -rlE "$pattern" compiler/syntax | wc -l)
if [[ $count -eq 0 ]]; then
  # The check would pass vacuously if the pattern stopped matching.
  echo "no file in compiler/syntax/ includes ANTLR: is the pattern out of date?"
  exit 1
fi
echo "ok: only compiler/syntax/ includes ANTLR headers ($count file(s))"
