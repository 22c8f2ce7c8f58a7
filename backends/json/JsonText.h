// JSON text written straight into a string buffer.
//
// nlohmann::ordered_json is convenient for building small documents (a
// policy, a request) but slow to copy, to look keys up in (linearly) and to
// free; backends that write many objects into one file build the file with
// these functions instead. `appendValue` writes exactly what nlohmann's
// `dump()` / `dump(2)` write for valid UTF-8, so both can be mixed in one
// document; tests/unit/json_text_test.cpp checks both against nlohmann.
#pragma once

#include <string>

#include "llvm/ADT/StringRef.h"
#include "nlohmann/json.hpp"

namespace plat::backends::json {

using Json = nlohmann::ordered_json;

// `s` as a JSON string literal, quotes included: `"` and `\` escaped,
// control characters as `\b \f \n \r \t` or `\u00XX`, other UTF-8 copied.
// Bytes that are not valid UTF-8 become U+FFFD (JSON text must be Unicode;
// nlohmann would throw instead).
void appendString(std::string &out, llvm::StringRef s);

// `value` as nlohmann's `dump(indent)` writes it: compact when `indent` is
// negative, else pretty with `indent` spaces per level, as if the value
// started at nesting depth `level` (its closing bracket is indented by
// `level * indent` spaces; the caller writes what precedes the value).
void appendValue(std::string &out, const Json &value, int indent = -1, int level = 0);

// A newline and `level * indent` spaces: the start of an item in a pretty
// document written by hand.
inline void newline(std::string &out, int indent, int level) {
  out += '\n';
  out.append(static_cast<size_t>(indent * level), ' ');
}

// Writing an object or array by hand, laid out as `appendValue` lays out
// the same tree (`indent` < 0: compact). Items sit at `level`; the
// brackets are the caller's.

// Before an item: the comma unless it is the first, then (pretty) the line
// break and indentation.
inline void item(std::string &out, int indent, int level, bool first) {
  if (!first)
    out += ',';
  if (indent >= 0)
    newline(out, indent, level);
}

// `"k": ` (`"k":` when compact) as an item: the member's value follows.
inline void member(std::string &out, int indent, int level, llvm::StringRef k, bool first = false) {
  item(out, indent, level, first);
  appendString(out, k);
  if (indent >= 0)
    out.append(": ", 2);
  else
    out += ':';
}

// The closing bracket of a non-empty object or array whose items were at
// `level + 1`.
inline void close(std::string &out, int indent, int level, char bracket) {
  if (indent >= 0)
    newline(out, indent, level);
  out += bracket;
}

} // namespace plat::backends::json
