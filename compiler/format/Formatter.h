// `platc fmt`: one canonical layout for Plat source.
//
// The formatter prints the AST, not the tokens, so the layout depends only
// on the program; it keeps every comment (placed by its source position) and
// one blank line where the source had one or more between items. It is
// idempotent: formatting formatted text changes nothing. Files with syntax
// errors are never formatted (the caller checks `hasSyntaxErrors`).
#pragma once

#include <string>

#include "ast/Ast.h"
#include "base/Source.h"

namespace plat::format {

struct FormatOptions {
  unsigned indent = 2;
  // Lists and records longer than this go one element per line.
  unsigned maxWidth = 100;
};

std::string formatFile(const ast::File &file, const SourceFile &source,
                       const FormatOptions &options = {});

} // namespace plat::format
