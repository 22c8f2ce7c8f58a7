// The two parsers behind `syntax::parse`, for Parser.cpp and tests only.
//
// `fastParse` is a hand-written lexer and recursive-descent parser for
// well-formed files. It builds exactly the AST the ANTLR path builds (same
// nodes, spans, docs, comments, decoded strings), or declines: on anything it
// is not sure of — a lexical or syntax error, or a construct for which the
// ANTLR path would report any diagnostic (bad escape or interpolation, number
// out of range, misplaced `_`, nesting too deep) — it returns nullopt without
// reporting anything, and `parse` runs the ANTLR path, which reports every
// diagnostic. grammar/Plat.g4 stays the specification; the differential tests
// in tests/unit/fast_parser_test.cpp compare the two parsers' ASTs.
//
// This header includes no ANTLR header.
#pragma once

#include <optional>

#include "ast/Ast.h"
#include "base/Source.h"
#include "diag/Diagnostic.h"
#include "syntax/Parser.h"

namespace plat::syntax {

// The AST of `file`, or nullopt when the file is not certainly well formed.
// Never reports diagnostics and never throws. Expects what `parse` checks
// first (size limit, valid UTF-8) but stays safe on any bytes.
std::optional<ast::ParsedFile> fastParse(const SourceFile &file, FileId id,
                                         const ParseOptions &options = {});

// `parse` without the fast parser: the pre-checks, then ANTLR with error
// recovery and the parse tree → AST builder.
ast::ParsedFile parseWithAntlr(const SourceFile &file, FileId id, Diagnostics &diags,
                               const ParseOptions &options = {});

} // namespace plat::syntax
