// Decoding of `"..."` string literals, shared by both parsers (the fast
// parser and the ANTLR path in Parser.cpp), so that they cannot disagree on
// escapes, interpolations or spans.
#pragma once

#include <string>

#include "ast/Ast.h"
#include "base/Source.h"
#include "diag/Diagnostic.h"
#include "llvm/ADT/STLFunctionalExtras.h"

namespace plat::syntax {

// Something wrong in a literal, as the diagnostic the ANTLR path reports.
struct LiteralProblem {
  DiagId id;
  Span span;
  std::string message;
  std::string help;
};

// Splits the body of a string token into literal parts (escapes decoded) and
// `${path}` interpolations. `raw` is the token as written, quotes included,
// starting at offset `begin` of `file`; the body is raw[1, bodyEnd). Every
// problem goes to `report`; decoding carries on past a bad escape or path
// and stops at an unclosed `${`. Part texts point into `raw` or `arena`.
llvm::ArrayRef<ast::StringPart> decodeString(llvm::StringRef raw, size_t bodyEnd, uint32_t begin,
                                             FileId file, ast::Arena &arena,
                                             llvm::function_ref<void(LiteralProblem)> report);

} // namespace plat::syntax
