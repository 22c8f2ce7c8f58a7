#include "lsp/Protocol.h"

#include <algorithm>

#include "fmt/format.h"

namespace plat::lsp {

json position(const SourceFile &file, uint32_t offset, Encoding enc) {
  if (enc == Encoding::Utf16) {
    auto [line, col] = file.utf16Position(offset);
    return {{"line", line}, {"character", col}};
  }
  offset = std::min<uint32_t>(offset, static_cast<uint32_t>(file.text().size()));
  LineCol lc = file.lineCol(offset);
  return {{"line", lc.line - 1}, {"character", offset - file.lineStart(lc.line)}};
}

json range(const SourceFile &file, uint32_t begin, uint32_t end, Encoding enc) {
  return {{"start", position(file, begin, enc)}, {"end", position(file, end, enc)}};
}

uint32_t offsetOf(const SourceFile &file, const json &pos, Encoding enc) {
  int64_t line = pos.value("line", int64_t{0});
  int64_t character = pos.value("character", int64_t{0});
  if (line < 0)
    return 0;
  if (line >= file.lineCount())
    return static_cast<uint32_t>(file.text().size());
  character = std::max<int64_t>(character, 0);
  auto l = static_cast<uint32_t>(line);
  if (enc == Encoding::Utf16)
    return file.offsetFromUtf16(l, static_cast<uint32_t>(std::min<int64_t>(character, UINT32_MAX)));
  llvm::StringRef text = file.lineText(l + 1);
  return file.lineStart(l + 1) +
         static_cast<uint32_t>(std::min<int64_t>(character, static_cast<int64_t>(text.size())));
}

namespace {
int hexValue(char c) {
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  if (c >= 'A' && c <= 'F')
    return c - 'A' + 10;
  return -1;
}
} // namespace

std::string pathFromUri(const std::string &uri) {
  llvm::StringRef rest(uri);
  if (!rest.consume_front("file://"))
    return {};
  // file://host/path: only the local host is ours.
  if (!rest.startswith("/")) {
    size_t slash = rest.find('/');
    if (slash == llvm::StringRef::npos)
      return {};
    rest = rest.drop_front(slash);
  }
  std::string out;
  for (size_t i = 0; i < rest.size(); ++i) {
    if (rest[i] == '%' && i + 2 < rest.size()) {
      int hi = hexValue(rest[i + 1]), lo = hexValue(rest[i + 2]);
      if (hi >= 0 && lo >= 0) {
        out.push_back(static_cast<char>(hi * 16 + lo));
        i += 2;
        continue;
      }
    }
    out.push_back(rest[i]);
  }
  return out;
}

std::string uriFromPath(const std::string &path) {
  std::string out = "file://";
  for (unsigned char c : path) {
    if (std::isalnum(c) || c == '/' || c == '-' || c == '_' || c == '.' || c == '~')
      out.push_back(static_cast<char>(c));
    else
      out += fmt::format("%{:02X}", c);
  }
  return out;
}

} // namespace plat::lsp
