#include "backends/python/PyLiteral.h"

#include <cmath>

#include "fmt/format.h"

namespace plat::backends::python {

namespace {

// Decodes one UTF-8 sequence at `s[i]`; returns the code point and advances
// `i`, or returns -1 (and advances one byte) for an invalid sequence:
// overlong forms, surrogates, code points past U+10FFFF and truncated
// sequences are all invalid, as in Python's strict decoder.
int32_t decodeUtf8(llvm::StringRef s, size_t &i) {
  auto byte = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
  unsigned char b0 = byte(i);
  int len = 0;
  int32_t cp = 0;
  int32_t min = 0;
  if (b0 < 0x80) {
    ++i;
    return b0;
  } else if ((b0 & 0xE0) == 0xC0) {
    len = 2, cp = b0 & 0x1F, min = 0x80;
  } else if ((b0 & 0xF0) == 0xE0) {
    len = 3, cp = b0 & 0x0F, min = 0x800;
  } else if ((b0 & 0xF8) == 0xF0) {
    len = 4, cp = b0 & 0x07, min = 0x10000;
  } else {
    ++i;
    return -1;
  }
  if (i + len > s.size()) {
    ++i;
    return -1;
  }
  for (int k = 1; k < len; ++k) {
    unsigned char b = byte(i + k);
    if ((b & 0xC0) != 0x80) {
      ++i;
      return -1;
    }
    cp = (cp << 6) | (b & 0x3F);
  }
  if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
    ++i;
    return -1;
  }
  i += len;
  return cp;
}

} // namespace

std::string jinjaInert(llvm::StringRef s) {
  std::string out;
  out.reserve(s.size() + 16);
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    char next = i + 1 < s.size() ? s[i + 1] : '\0';
    if (c == '{' && (next == '{' || next == '%' || next == '#'))
      out += "{{ '{' }}";
    else if (c == '\r')
      out += "{{ '\\r' }}";
    else if (c == '\n' && i + 1 == s.size())
      out += "{{ '\\n' }}";
    else
      out += c;
  }
  if (llvm::StringRef(out).endswith(".md")) {
    out.pop_back();
    out += "{{ 'd' }}";
  }
  return out;
}

void appendStr(std::string &out, llvm::StringRef s) {
  static const char kHex[] = "0123456789abcdef";
  // `\x`, `\u` or `\U` and `digits` hex digits of `cp`.
  auto escape = [&](char kind, int32_t cp, int digits) {
    out += '\\';
    out += kind;
    for (int shift = 4 * (digits - 1); shift >= 0; shift -= 4)
      out += kHex[(cp >> shift) & 15];
  };
  out += '\'';
  for (size_t i = 0, n = s.size(); i < n;) {
    // The longest run of printable ASCII that needs no escape, in one go.
    size_t run = i;
    while (run < n) {
      unsigned char c = static_cast<unsigned char>(s[run]);
      if (c < 0x20 || c >= 0x7F || c == '\\' || c == '\'')
        break;
      ++run;
    }
    out.append(s.data() + i, run - i);
    i = run;
    if (i >= n)
      break;
    int32_t cp = decodeUtf8(s, i);
    if (cp < 0)
      cp = 0xFFFD;
    switch (cp) {
    case '\\':
      out += "\\\\";
      continue;
    case '\'':
      out += "\\'";
      continue;
    case '\n':
      out += "\\n";
      continue;
    case '\r':
      out += "\\r";
      continue;
    case '\t':
      out += "\\t";
      continue;
    default:
      break;
    }
    if (cp < 0x100)
      escape('x', cp, 2);
    else if (cp < 0x10000)
      escape('u', cp, 4);
    else
      escape('U', cp, 8);
  }
  out += '\'';
}

std::string str(llvm::StringRef s) {
  std::string out;
  out.reserve(s.size() + 2);
  appendStr(out, s);
  return out;
}

std::string boolean(bool b) { return b ? "True" : "False"; }

std::string integer(int64_t i) { return fmt::format("{}", i); }

std::string floating(double d) {
  if (std::isnan(d))
    return "float('nan')";
  if (std::isinf(d))
    return d > 0 ? "float('inf')" : "-float('inf')";
  // fmt's `{}` is the shortest round-trip form; it omits the `.0` of whole
  // numbers, which would make Python read an int.
  std::string text = fmt::format("{}", d);
  if (text.find_first_of(".eEn") == std::string::npos)
    text += ".0";
  return text;
}

void appendJson(std::string &out, const nlohmann::ordered_json &j, int level, int indent) {
  using Json = nlohmann::ordered_json;
  auto pad = [&](int depth) { out.append(static_cast<size_t>(depth * indent), ' '); };
  switch (j.type()) {
  case Json::value_t::null:
  case Json::value_t::discarded:
  case Json::value_t::binary: // never produced by the backends
    out += "None";
    return;
  case Json::value_t::boolean:
    out += boolean(j.get<bool>());
    return;
  case Json::value_t::number_integer:
    out += integer(j.get<int64_t>());
    return;
  case Json::value_t::number_unsigned:
    fmt::format_to(std::back_inserter(out), "{}", j.get<uint64_t>());
    return;
  case Json::value_t::number_float:
    out += floating(j.get<double>());
    return;
  case Json::value_t::string:
    appendStr(out, j.get_ref<const std::string &>());
    return;
  case Json::value_t::array:
    if (j.empty()) {
      out += "[]";
      return;
    }
    out += "[\n";
    for (const Json &item : j) {
      pad(level + 1);
      appendJson(out, item, level + 1, indent);
      out += ",\n";
    }
    pad(level);
    out += ']';
    return;
  case Json::value_t::object:
    if (j.empty()) {
      out += "{}";
      return;
    }
    out += "{\n";
    for (const auto &[key, value] : j.items()) {
      pad(level + 1);
      appendStr(out, key);
      out += ": ";
      appendJson(out, value, level + 1, indent);
      out += ",\n";
    }
    pad(level);
    out += '}';
    return;
  }
  out += "None";
}

std::string fromJson(const nlohmann::ordered_json &j, int level, int indent) {
  std::string out;
  appendJson(out, j, level, indent);
  return out;
}

} // namespace plat::backends::python
