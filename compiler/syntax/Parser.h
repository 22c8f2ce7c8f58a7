// The syntax stage: text of one file in, AST and diagnostics out.
//
// This is the only public door to the parser. Behind it are two parsers that
// build the same AST. A hand-written lexer and recursive-descent parser
// (FastParser.cpp) takes every well-formed file; on anything it is not sure
// of it declines without a word, and the ANTLR path (Parser.cpp) parses the
// file again, reports every diagnostic and recovers. grammar/Plat.g4 is the
// specification of the syntax and ANTLR its reference implementation;
// tests/unit/fast_parser_test.cpp checks that the two agree. The parse tree
// is turned into our AST and freed before `parse` returns. Nothing outside
// compiler/syntax/ includes an ANTLR header; tools/check_antlr_door.sh
// enforces that.
#pragma once

#include <cstddef>

#include "ast/Ast.h"
#include "base/Source.h"
#include "diag/Diagnostic.h"

namespace plat::syntax {

struct ParseOptions {
  // Files above this size are refused with a diagnostic: while its parse
  // tree lives, ANTLR's C++ runtime holds about 78 bytes per input byte.
  size_t maxFileBytes = 8u << 20;
  // Deepest nesting of brackets and prefix operators accepted. Deeper input
  // would overflow the stack of a recursive-descent parser.
  unsigned maxDepth = 200;
};

// Parses one file. Never throws and never fails: on bad input it reports
// diagnostics and returns as much of the AST as it could recover (possibly
// an empty file), with `hasSyntaxErrors` set.
ast::ParsedFile parse(const SourceFile &file, FileId id, Diagnostics &diags,
                      const ParseOptions &options = {});

} // namespace plat::syntax
