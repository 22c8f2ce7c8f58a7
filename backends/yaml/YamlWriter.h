// A small YAML writer on fmt.
//
// Backends build documents as nlohmann::ordered_json (so key order is the
// order they were inserted in, fixed by the backend) and turn them into
// block-style YAML here. Every string that a YAML 1.1 or 1.2 reader could
// take for anything but that string is double-quoted; tests/unit/yaml_test.cpp
// reads every emitted document back with yaml-cpp and checks it is the same.
// yaml-cpp's own emitter is not used: it is far slower and writes the string
// "1" unquoted.
#pragma once

#include <string>

#include "llvm/ADT/StringRef.h"
#include "nlohmann/json.hpp"

namespace plat::backends::yaml {

using Json = nlohmann::ordered_json;

// True if `s` can be written as a plain scalar and every YAML 1.1 and 1.2
// reader reads it back as this same string. Deliberately conservative: it
// answers false for anything it is not sure of.
bool isPlainSafe(llvm::StringRef s);

// `s` as a double-quoted YAML scalar: `"` and `\` escaped, control
// characters and the Unicode line and byte-order marks as escapes, other
// UTF-8 written as is.
std::string quote(llvm::StringRef s);

// `s` plain if isPlainSafe, quoted otherwise.
std::string scalar(llvm::StringRef s);
// The same, appended to `out`.
void appendScalar(std::string &out, llvm::StringRef s);

// One YAML document (no `---` marker), ending in a newline. `comment`, if
// not empty, is written first as `# ` lines.
std::string document(const Json &value, llvm::StringRef comment = "");
// `comment` as `# ` lines (nothing if it is empty), as appendDocument writes
// it before a document.
void appendComment(std::string &out, llvm::StringRef comment);

// A mapping entry appendDocument leaves out: `value` is the address of the
// entry's value inside the document (not the first entry of a mapping that
// is a list item). Filled in with where the entry's line would have started
// and the indentation of its key, so the caller can insert it afterwards
// (the Kubernetes content hash, computed over the rest of the text).
struct Omitted {
  const Json *value = nullptr;
  size_t pos = std::string::npos;
  int indent = 0;
};

// The same, appended to `out` (for multi-document streams); `omit`, if
// given, names an entry to leave out.
void appendDocument(std::string &out, const Json &value, llvm::StringRef comment = "",
                    Omitted *omit = nullptr);

} // namespace plat::backends::yaml
