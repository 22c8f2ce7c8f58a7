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

// Characters a plain scalar may hold (alphanumerics and `_-./:@+= `), as
// a table: every key and value written goes through isPlainSafe.
struct SafeChars {
  bool table[256] = {};
  SafeChars() {
    for (int c = 0; c < 256; ++c)
      table[c] = llvm::isAlnum(static_cast<char>(c));
    for (unsigned char c : llvm::StringRef("_-./:@+= "))
      table[c] = true;
  }
};
const SafeChars kSafe;

} // namespace

bool isPlainSafe(llvm::StringRef s) {
  // Every reserved word has at most 5 letters.
  if (s.empty() || (s.size() <= 5 && isReservedWord(s)))
    return false;
  // One pass rejects what is not in the table (`#`, quotes, brackets, `{{`,
  // newlines, non-ASCII) and `: ` (starts a mapping value) and ` :`
  // (harmless but unusual enough not to bother).
  size_t n = s.size();
  const char *p = s.data();
  for (size_t i = 0; i < n; ++i) {
    unsigned char c = static_cast<unsigned char>(p[i]);
    if (!kSafe.table[c])
      return false;
    if ((c == ':' || c == ' ') && i + 1 < n && p[i + 1] == (c == ':' ? ' ' : ':'))
      return false;
  }
  // Leading and trailing spaces are lost in plain scalars; a trailing `:`
  // reads as a key.
  if (s.front() == ' ' || s.back() == ' ' || s.back() == ':')
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

static void appendQuoted(std::string &out, llvm::StringRef s) {
  out += '"';
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
}

std::string quote(llvm::StringRef s) {
  std::string out;
  appendQuoted(out, s);
  return out;
}

void appendScalar(std::string &out, llvm::StringRef s) {
  if (isPlainSafe(s))
    out += s;
  else
    appendQuoted(out, s);
}

std::string scalar(llvm::StringRef s) {
  std::string out;
  appendScalar(out, s);
  return out;
}

namespace {

bool isCollection(const Json &v) { return (v.is_object() || v.is_array()) && !v.empty(); }

void appendLeaf(std::string &out, const Json &v) {
  switch (v.type()) {
  case Json::value_t::null:
    out += "null";
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
  case Json::value_t::number_float: {
    double d = v.get<double>();
    if (std::isnan(d)) {
      out += ".nan";
      return;
    }
    if (std::isinf(d)) {
      out += d > 0 ? ".inf" : "-.inf";
      return;
    }
    // Shortest round-tripping form; `2` would read back as an integer.
    size_t start = out.size();
    fmt::format_to(std::back_inserter(out), "{}", d);
    if (out.find_first_of(".e", start) == std::string::npos)
      out += ".0";
    return;
  }
  case Json::value_t::string:
    appendScalar(out, v.get_ref<const std::string &>());
    return;
  case Json::value_t::object:
    out += "{}";
    return;
  case Json::value_t::array:
    out += "[]";
    return;
  case Json::value_t::binary:
  case Json::value_t::discarded:
    break;
  }
  out += "null";
}

// The entry appendDocument leaves out, if any (one per thread: backends run
// on two).
thread_local Omitted *tOmit = nullptr;

void write(std::string &out, const Json &v, int indent);

// A mapping at `indent`; the caller has placed the cursor at the start of
// a line already indented, or right after `- `.
void writeMap(std::string &out, const Json &v, int indent, bool firstIndented) {
  bool first = true;
  for (const auto &[key, value] : v.items()) {
    if (tOmit && &value == tOmit->value && !(first && firstIndented)) {
      tOmit->pos = out.size();
      tOmit->indent = indent;
      continue;
    }
    if (!(first && firstIndented))
      out.append(indent, ' ');
    first = false;
    appendScalar(out, key);
    out += ':';
    if (isCollection(value)) {
      out += '\n';
      // Lists under a key are indented by two like kubectl writes them.
      write(out, value, indent + 2);
    } else {
      out += ' ';
      appendLeaf(out, value);
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
      appendLeaf(out, item);
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
  appendDocument(out, value, comment);
  return out;
}

void appendComment(std::string &out, llvm::StringRef comment) {
  if (!comment.empty()) {
    llvm::SmallVector<llvm::StringRef, 4> lines;
    comment.split(lines, '\n');
    for (llvm::StringRef line : lines) {
      out += "#";
      line = line.rtrim(' ');
      if (!line.empty())
        out += ' ';
      // Whatever a reader could take for a line break (CR, NEL, U+2028,
      // U+2029) or that is not text becomes `?`, so a path or name in a
      // comment can never end the comment.
      for (size_t i = 0; i < line.size(); ++i) {
        unsigned char c = static_cast<unsigned char>(line[i]);
        if (c < 0x20 || c == 0x7f) {
          out += '?';
        } else if (c == 0xC2 && i + 1 < line.size() && static_cast<unsigned char>(line[i + 1]) == 0x85) {
          out += '?';
          ++i;
        } else if (c == 0xE2 && i + 2 < line.size() && static_cast<unsigned char>(line[i + 1]) == 0x80 &&
                   (static_cast<unsigned char>(line[i + 2]) & 0xFE) == 0xA8) {
          out += '?';
          i += 2;
        } else {
          out += static_cast<char>(c);
        }
      }
      out += "\n";
    }
  }
}

void appendDocument(std::string &out, const Json &value, llvm::StringRef comment, Omitted *omit) {
  appendComment(out, comment);
  if (isCollection(value)) {
    tOmit = omit;
    write(out, value, 0);
    tOmit = nullptr;
  } else {
    appendLeaf(out, value);
    out += '\n';
  }
}

} // namespace plat::backends::yaml
