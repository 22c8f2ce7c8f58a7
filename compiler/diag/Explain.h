// Long explanations of diagnostic codes, for `platc explain CODE`: the
// Markdown of docs/diagnostics/CODE.md, embedded in the binary at build time
// (see tools/embed_docs.cmake).
#pragma once

#include "llvm/ADT/StringRef.h"

namespace plat {

// The explanation of `code` (such as "P0302"), or an empty string when the
// code has no docs/diagnostics/CODE.md.
llvm::StringRef explanation(llvm::StringRef code);

} // namespace plat
