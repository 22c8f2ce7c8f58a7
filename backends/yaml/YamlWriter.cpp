#include "backends/yaml/YamlWriter.h"

#include <cmath>

#include "fmt/format.h"
#include "llvm/ADT/StringExtras.h"

namespace plat::backends::yaml {

namespace {

// Words YAML 1.1 resolves to booleans or null in some spelling (1.1 is
// case-insensitive in practice for the forms below: `yes`, `Yes`, `YES`).
bool isReservedWord(llvm::StringRef s) {
  static const char *const kWords[] = {"y",     "n",   "yes", "no",   "on", "off",
                                       "true",  "false", "null", "nan", "inf"};
  for (const char *word : kWords)
    if (s.equals_insensitive(word))
      return true;
  return false;
}

bool isSafeChar(char c) {
  return llvm::isAlnum(c) || c == '_' || c == '-' || c == '.' || c == '/' || c == ':' ||
         c == '@' || c == '+' || c == '=' || c == ' ';
}

} // namespace

bool isPlainSafe(llvm::StringRef s) {
  if (s.empty() || isReservedWord(s))
    return false;
  for (char c : s)
    if (!isSafeChar(c))
      return false; // also rejects `#`, quotes, brackets, `{{`, newlines, non-ASCII
  // Leading and trailing spaces are lost in plain scalars.
  if (s.front() == ' ' || s.back() == ' ')
    return false;
  // `: ` starts a mapping value, a trailing `:` too; ` :` is harmless but
  // unusual enough not to bother.
  if (s.contains(": ") || s.contains(" :") || s.back() == ':')
    return false;
  // The first character may only be a letter, `_` or `/`: this rules out
  // indicators (`-`, `@`, `=` is YAML 1.1's value key, `.5`, `.inf`), signs
  // and the start of `---`.
  char first = s.front();
  if (llvm::isDigit(first)) {
    // Digits then letters, such as the quantities `500m` and `512Mi`, are
    // strings in every schema, unless the letters could make a number:
    // `1e3`, `0x1F`, `0o17`, `0b1`. Anything else that starts with a digit
    // (`1.0`, `1:20` sexagesimal in YAML 1.1, `1_000`, dates) is quoted.
    size_t i = 0;
    while (i < s.size() && llvm::isDigit(s[i]))
      ++i;
    if (i == s.size())
      return false;
    for (size_t j = i; j < s.size(); ++j)
      if (!llvm::isAlpha(s[j]) || llvm::StringRef("eExXoObB").contains(s[j]))
        return false;
    return true;
  }
  return llvm::isAlpha(first) || first == '_' || first == '/';
}

std::string quote(llvm::StringRef s) {
  std::string out = "\"";
  for (size_t i = 0; i < s.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    switch (c) {
    case '"':
      out += "\\\"";
      continue;
    case '\\':
      out += "\\\\";
      continue;
    case '\n':
      out += "\\n";
      continue;
    case '\t':
      out += "\\t";
      continue;
    case '\r':
      out += "\\r";
      continue;
    default:
      break;
    }
    if (c < 0x20 || c == 0x7f) {
      out += fmt::format("\\x{:02X}", c);
      continue;
    }
    // U+0085 (NEL), U+2028, U+2029 are line breaks to YAML 1.1 and U+FEFF a
    // byte-order mark; written raw they would not survive a reader.
    if (c == 0xC2 && i + 1 < s.size() && static_cast<unsigned char>(s[i + 1]) == 0x85) {
      out += "\\u0085";
      ++i;
      continue;
    }
    if (c == 0xE2 && i + 2 < s.size() && static_cast<unsigned char>(s[i + 1]) == 0x80 &&
        (static_cast<unsigned char>(s[i + 2]) == 0xA8 || static_cast<unsigned char>(s[i + 2]) == 0xA9)) {
      out += static_cast<unsigned char>(s[i + 2]) == 0xA8 ? "\\u2028" : "\\u2029";
      i += 2;
      continue;
    }
    if (c == 0xEF && i + 2 < s.size() && static_cast<unsigned char>(s[i + 1]) == 0xBB &&
        static_cast<unsigned char>(s[i + 2]) == 0xBF) {
      out += "\\uFEFF";
      i += 2;
      continue;
    }
    out += static_cast<char>(c);
  }
  out += '"';
  return out;
}

std::string scalar(llvm::StringRef s) { return isPlainSafe(s) ? s.str() : quote(s); }

namespace {

bool isCollection(const Json &v) { return (v.is_object() || v.is_array()) && !v.empty(); }

std::string leaf(const Json &v) {
  switch (v.type()) {
  case Json::value_t::null:
    return "null";
  case Json::value_t::boolean:
    return v.get<bool>() ? "true" : "false";
  case Json::value_t::number_integer:
    return fmt::format("{}", v.get<int64_t>());
  case Json::value_t::number_unsigned:
    return fmt::format("{}", v.get<uint64_t>());
  case Json::value_t::number_float: {
    double d = v.get<double>();
    if (std::isnan(d))
      return ".nan";
    if (std::isinf(d))
      return d > 0 ? ".inf" : "-.inf";
    // Shortest round-tripping form; `2` would read back as an integer.
    std::string text = fmt::format("{}", d);
    if (text.find_first_of(".e") == std::string::npos)
      text += ".0";
    return text;
  }
  case Json::value_t::string:
    return scalar(v.get_ref<const std::string &>());
  case Json::value_t::object:
    return "{}";
  case Json::value_t::array:
    return "[]";
  case Json::value_t::binary:
  case Json::value_t::discarded:
    break;
  }
  return "null";
}

void write(std::string &out, const Json &v, int indent);

// A mapping at `indent`; the caller has placed the cursor at the start of
// a line already indented, or right after `- `.
void writeMap(std::string &out, const Json &v, int indent, bool firstIndented) {
  bool first = true;
  for (const auto &[key, value] : v.items()) {
    if (!(first && firstIndented))
      out.append(indent, ' ');
    first = false;
    out += scalar(key);
    out += ':';
    if (isCollection(value)) {
      out += '\n';
      // Lists under a key are indented by two like kubectl writes them.
      write(out, value, indent + 2);
    } else {
      out += ' ';
      out += leaf(value);
      out += '\n';
    }
  }
}

void writeList(std::string &out, const Json &v, int indent) {
  for (const Json &item : v) {
    out.append(indent, ' ');
    out += "- ";
    if (item.is_object() && !item.empty())
      writeMap(out, item, indent + 2, /*firstIndented=*/true);
    else if (item.is_array() && !item.empty()) {
      out += '\n';
      writeList(out, item, indent + 2);
    } else {
      out += leaf(item);
      out += '\n';
    }
  }
}

void write(std::string &out, const Json &v, int indent) {
  if (v.is_object())
    writeMap(out, v, indent, false);
  else
    writeList(out, v, indent);
}

} // namespace

std::string document(const Json &value, llvm::StringRef comment) {
  std::string out;
  if (!comment.empty()) {
    llvm::SmallVector<llvm::StringRef, 4> lines;
    comment.split(lines, '\n');
    for (llvm::StringRef line : lines) {
      out += ("# " + line).str();
      while (!out.empty() && out.back() == ' ')
        out.pop_back();
      out += "\n";
    }
  }
  if (isCollection(value))
    write(out, value, 0);
  else
    out += leaf(value) + "\n";
  return out;
}

} // namespace plat::backends::yaml
