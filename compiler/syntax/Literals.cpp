#include "syntax/Literals.h"

#include "fmt/format.h"
#include "llvm/ADT/SmallString.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/ConvertUTF.h"

namespace plat::syntax {

namespace {

// `name` or `a.b.c`, spaces allowed around names and dots; null if `inner`
// is anything else.
const ast::Path *interpolationPath(llvm::StringRef inner, uint32_t innerStart, FileId file,
                                   ast::Arena &arena) {
  llvm::SmallVector<ast::Ident, 4> parts;
  size_t i = 0;
  auto skipSpace = [&] {
    while (i < inner.size() && inner[i] == ' ')
      ++i;
  };
  skipSpace();
  for (;;) {
    size_t begin = i;
    if (i >= inner.size() || !(llvm::isAlpha(inner[i]) || inner[i] == '_'))
      return nullptr;
    while (i < inner.size() && (llvm::isAlnum(inner[i]) || inner[i] == '_'))
      ++i;
    Span s{file, innerStart + static_cast<uint32_t>(begin), innerStart + static_cast<uint32_t>(i)};
    parts.push_back(ast::Ident{inner.substr(begin, i - begin), s});
    skipSpace();
    if (i < inner.size() && inner[i] == '.') {
      ++i;
      skipSpace();
      continue;
    }
    break;
  }
  if (i != inner.size())
    return nullptr;
  auto *p = arena.make<ast::Path>();
  p->parts = arena.copy(llvm::ArrayRef<ast::Ident>(parts));
  p->span = parts.front().span.to(parts.back().span);
  return p;
}

} // namespace

llvm::ArrayRef<ast::StringPart> decodeString(llvm::StringRef raw, size_t bodyEnd, uint32_t begin,
                                             FileId file, ast::Arena &arena,
                                             llvm::function_ref<void(LiteralProblem)> report) {
  llvm::StringRef body = raw.substr(1, bodyEnd > 1 ? bodyEnd - 1 : 0);
  if (body.find_first_of("\\$") == llvm::StringRef::npos) {
    // The common case: one literal part, the text as written.
    ast::StringPart part{body, nullptr, Span{file, begin + 1, begin + static_cast<uint32_t>(bodyEnd)}};
    return arena.copy(llvm::ArrayRef<ast::StringPart>(part));
  }
  const uint32_t end = begin + static_cast<uint32_t>(raw.size());
  llvm::SmallVector<ast::StringPart, 4> parts;
  llvm::SmallString<64> current;
  uint32_t currentStart = begin + 1;
  auto flush = [&](uint32_t endOffset) {
    if (!current.empty() || parts.empty())
      parts.push_back(ast::StringPart{arena.copy(llvm::StringRef(current)), nullptr,
                                      Span{file, currentStart, endOffset}});
    current.clear();
  };
  for (size_t i = 1; i < bodyEnd; ++i) {
    char c = raw[i];
    uint32_t at = begin + static_cast<uint32_t>(i);
    if (c == '\\' && i + 1 < bodyEnd) {
      char e = raw[i + 1];
      switch (e) {
      case 'n':
        current += '\n';
        break;
      case 't':
        current += '\t';
        break;
      case 'r':
        current += '\r';
        break;
      case '\\':
      case '"':
      case '$':
        current += e;
        break;
      case 'u': {
        size_t close = raw.find('}', i);
        uint32_t cp = 0;
        bool ok = i + 2 < bodyEnd && raw[i + 2] == '{' && close != llvm::StringRef::npos &&
                  close < bodyEnd && close > i + 3 && close - (i + 3) <= 6 &&
                  !raw.substr(i + 3, close - (i + 3)).getAsInteger(16, cp) && cp <= 0x10FFFF &&
                  !(cp >= 0xD800 && cp <= 0xDFFF) && cp != 0;
        if (!ok) {
          report({DiagId::InvalidEscape, Span{file, at, at + 2}, "invalid unicode escape",
                  "write a code point as `\\u{1F600}` (1 to 6 hex digits, not 0 and not a "
                  "surrogate)"});
          ++i;
          continue;
        }
        char utf8[4];
        char *out = utf8;
        llvm::ConvertCodePointToUTF8(cp, out);
        current.append(utf8, out);
        i = close;
        continue;
      }
      default:
        report({DiagId::InvalidEscape, Span{file, at, at + 2},
                fmt::format("unknown escape sequence `\\{}`", e),
                "known escapes are `\\n`, `\\t`, `\\r`, `\\\\`, `\\\"`, `\\$` and `\\u{...}`"});
        current += e;
      }
      ++i;
      continue;
    }
    if (c == '$' && i + 1 < bodyEnd && raw[i + 1] == '{') {
      size_t close = raw.find('}', i);
      if (close == llvm::StringRef::npos || close >= bodyEnd) {
        report({DiagId::InvalidInterpolation, Span{file, at, end}, "interpolation `${` is not closed",
                "close it with `}`, or write `\\${` for a literal `${`"});
        break;
      }
      flush(at);
      llvm::StringRef inner = raw.substr(i + 2, close - i - 2);
      Span whole{file, at, begin + static_cast<uint32_t>(close) + 1};
      if (const ast::Path *p = interpolationPath(inner, at + 2, file, arena))
        parts.push_back(ast::StringPart{{}, p, whole});
      else
        report({DiagId::InvalidInterpolation, whole,
                fmt::format("`${{{}}}` is not a name or a dotted path", inner.str()),
                "interpolate a name such as `${env}` or `${team.name}`; write `\\$` for a literal "
                "`$`"});
      i = close;
      currentStart = begin + static_cast<uint32_t>(close) + 1;
      continue;
    }
    current += c;
  }
  flush(begin + static_cast<uint32_t>(bodyEnd));
  return arena.copy(llvm::ArrayRef<ast::StringPart>(parts));
}

} // namespace plat::syntax
