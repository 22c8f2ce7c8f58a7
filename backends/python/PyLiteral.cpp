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

std::string str(llvm::StringRef s) {
  std::string out;
  out.reserve(s.size() + 2);
  out += '\'';
  for (size_t i = 0; i < s.size();) {
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
    if (cp >= 0x20 && cp < 0x7F)
      out += static_cast<char>(cp);
    else if (cp < 0x100)
      out += fmt::format("\\x{:02x}", cp);
    else if (cp < 0x10000)
      out += fmt::format("\\u{:04x}", cp);
    else
      out += fmt::format("\\U{:08x}", cp);
  }
  out += '\'';
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

std::string fromJson(const nlohmann::ordered_json &j, int level, int indent) {
  std::string pad(static_cast<size_t>((level + 1) * indent), ' ');
  std::string close(static_cast<size_t>(level * indent), ' ');
  switch (j.type()) {
  case nlohmann::ordered_json::value_t::null:
  case nlohmann::ordered_json::value_t::discarded:
    return "None";
  case nlohmann::ordered_json::value_t::boolean:
    return boolean(j.get<bool>());
  case nlohmann::ordered_json::value_t::number_integer:
    return integer(j.get<int64_t>());
  case nlohmann::ordered_json::value_t::number_unsigned:
    return fmt::format("{}", j.get<uint64_t>());
  case nlohmann::ordered_json::value_t::number_float:
    return floating(j.get<double>());
  case nlohmann::ordered_json::value_t::string:
    return str(j.get_ref<const std::string &>());
  case nlohmann::ordered_json::value_t::binary:
    return "None"; // never produced by the backends
  case nlohmann::ordered_json::value_t::array: {
    if (j.empty())
      return "[]";
    std::string out = "[\n";
    for (const auto &item : j)
      out += pad + fromJson(item, level + 1, indent) + ",\n";
    return out + close + "]";
  }
  case nlohmann::ordered_json::value_t::object: {
    if (j.empty())
      return "{}";
    std::string out = "{\n";
    for (const auto &[key, value] : j.items())
      out += pad + str(key) + ": " + fromJson(value, level + 1, indent) + ",\n";
    return out + close + "}";
  }
  }
  return "None";
}

} // namespace plat::backends::python
