#include "backends/json/JsonText.h"

#include <cmath>
#include <cstdint>
#include <cstring>

#include "fmt/format.h"

namespace plat::backends::json {

// Whether any of the 8 bytes at `p` is a control character, `"`, `\` or
// part of a multi-byte UTF-8 sequence (>= 0x80). Per byte, bit 7 of
// `b - 0x20` is set when b < 0x20, bit 7 of `(b ^ q) - 1` when b == q, and
// bit 7 of `b` when b >= 0x80 (for such bytes the other terms do not
// matter). Subtracting across the whole word lets a byte borrow from the
// next, but only a byte that already matched starts a borrow, so the
// result is zero exactly when no byte matches.
static bool needsAttention(const char *p) {
  constexpr uint64_t kOnes = 0x0101010101010101ull;
  constexpr uint64_t kHigh = 0x8080808080808080ull;
  uint64_t w;
  std::memcpy(&w, p, sizeof w);
  uint64_t quote = w ^ (kOnes * '"');
  uint64_t backslash = w ^ (kOnes * '\\');
  return ((w - kOnes * 0x20) | (quote - kOnes) | (backslash - kOnes) | w) & kHigh;
}

void appendString(std::string &out, llvm::StringRef s) {
  static const char kHex[] = "0123456789abcdef";
  out += '"';
  const char *p = s.data();
  size_t n = s.size();
  // Bytes before `from` are written; those from `from` to `at` are to be
  // copied as they are, in one go when something else must be written or
  // at the end. `"`, `\` and valid UTF-8 sequences stay in the run (a
  // backslash is written before the quote), so quote-heavy text (a JSON
  // document inside a string) costs one append per quote, not two.
  size_t from = 0, at = 0;
  while (true) {
    // Eight bytes at a time while none of them needs attention, then byte
    // by byte up to the one that does.
    while (at + 8 <= n && !needsAttention(p + at))
      at += 8;
    while (at < n) {
      unsigned char c = static_cast<unsigned char>(p[at]);
      if (c < 0x20 || c == '"' || c == '\\' || c >= 0x80)
        break;
      ++at;
    }
    if (at >= n)
      break;
    unsigned char c = static_cast<unsigned char>(p[at]);
    if (c == '"' || c == '\\') {
      out.append(p + from, at - from);
      out += '\\';
      from = at++;
      continue;
    }
    if (c >= 0x80) {
      // A UTF-8 sequence: shortest form, no surrogates, at most U+10FFFF.
      size_t len = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : 2;
      bool ok = c >= 0xC2 && c <= 0xF4 && at + len <= n;
      uint32_t cp = len == 4 ? (c & 0x07u) : len == 3 ? (c & 0x0Fu) : (c & 0x1Fu);
      for (size_t k = 1; ok && k < len; ++k) {
        unsigned char cc = static_cast<unsigned char>(p[at + k]);
        ok = (cc & 0xC0) == 0x80;
        cp = (cp << 6) | (cc & 0x3Fu);
      }
      if (ok && len == 3)
        ok = cp >= 0x800 && !(cp >= 0xD800 && cp <= 0xDFFF);
      if (ok && len == 4)
        ok = cp >= 0x10000 && cp <= 0x10FFFF;
      if (ok) {
        at += len;
        continue;
      }
      out.append(p + from, at - from);
      out.append("\xEF\xBF\xBD", 3);
      from = ++at;
      continue;
    }
    // A control character. Explicit lengths: appending a C string would
    // measure it first.
    out.append(p + from, at - from);
    char letter = c == '\b' ? 'b' : c == '\f' ? 'f' : c == '\n' ? 'n' : c == '\r' ? 'r' : c == '\t' ? 't' : 0;
    if (letter) {
      const char escape[2] = {'\\', letter};
      out.append(escape, 2);
    } else {
      const char escape[6] = {'\\', 'u', '0', '0', kHex[c >> 4], kHex[c & 15]};
      out.append(escape, 6);
    }
    from = ++at;
  }
  out.append(p + from, n - from);
  out += '"';
}

static void appendNumber(std::string &out, double d) {
  if (!std::isfinite(d)) {
    out += "null"; // as nlohmann writes NaN and infinities
    return;
  }
  size_t start = out.size();
  fmt::format_to(std::back_inserter(out), "{}", d);
  // nlohmann always marks a float as one: `2.0`, not `2`.
  if (out.find_first_of(".e", start) == std::string::npos)
    out += ".0";
}

void appendValue(std::string &out, const Json &v, int indent, int level) {
  bool pretty = indent >= 0;
  switch (v.type()) {
  case Json::value_t::object: {
    if (v.empty()) {
      out += "{}";
      return;
    }
    out += '{';
    bool first = true;
    for (const auto &[key, value] : v.items()) {
      if (!first)
        out += ',';
      first = false;
      if (pretty)
        newline(out, indent, level + 1);
      appendString(out, key);
      out += pretty ? ": " : ":";
      appendValue(out, value, indent, level + 1);
    }
    if (pretty)
      newline(out, indent, level);
    out += '}';
    return;
  }
  case Json::value_t::array: {
    if (v.empty()) {
      out += "[]";
      return;
    }
    out += '[';
    bool first = true;
    for (const Json &item : v) {
      if (!first)
        out += ',';
      first = false;
      if (pretty)
        newline(out, indent, level + 1);
      appendValue(out, item, indent, level + 1);
    }
    if (pretty)
      newline(out, indent, level);
    out += ']';
    return;
  }
  case Json::value_t::string:
    appendString(out, v.get_ref<const std::string &>());
    return;
  case Json::value_t::boolean:
    out += v.get<bool>() ? "true" : "false";
    return;
  case Json::value_t::number_integer:
    fmt::format_to(std::back_inserter(out), "{}", v.get<int64_t>());
    return;
  case Json::value_t::number_unsigned:
    fmt::format_to(std::back_inserter(out), "{}", v.get<uint64_t>());
    return;
  case Json::value_t::number_float:
    appendNumber(out, v.get<double>());
    return;
  case Json::value_t::null:
  case Json::value_t::binary:
  case Json::value_t::discarded:
    out += "null";
    return;
  }
}

} // namespace plat::backends::json
