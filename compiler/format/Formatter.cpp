#include "format/Formatter.h"

namespace plat::format {

// Placeholder until the formatter lands: returns the source unchanged.
std::string formatFile(const ast::File &, const SourceFile &source, const FormatOptions &) {
  return source.text().str();
}

} // namespace plat::format
