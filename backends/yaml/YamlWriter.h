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

// One YAML document (no `---` marker), ending in a newline. `comment`, if
// not empty, is written first as `# ` lines.
std::string document(const Json &value, llvm::StringRef comment = "");
// The same, appended to `out` (for multi-document streams).
void appendDocument(std::string &out, const Json &value, llvm::StringRef comment = "");

} // namespace plat::backends::yaml
