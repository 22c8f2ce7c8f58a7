// Small text utilities shared by every stage: UTF-8 checks, code-point and
// UTF-16 counting, and "did you mean" suggestions.
#pragma once

#include <cstddef>
#include <optional>
#include <string>

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"

namespace plat {

// Offset of the first byte that is not part of well-formed UTF-8 (or is a
// NUL byte), or nullopt when the whole text is valid.
std::optional<size_t> findInvalidUtf8(llvm::StringRef text, bool *isNul = nullptr);

size_t countCodePoints(llvm::StringRef utf8);
size_t countUtf16Units(llvm::StringRef utf8);
// Bytes of `utf8` covered by the first `units` UTF-16 code units (clamped).
size_t utf16UnitsToBytes(llvm::StringRef utf8, size_t units);

// The candidate closest to `word` by edit distance, when it is close enough
// to be a plausible typo (at most a third of the word's length, at least 1).
std::optional<std::string> closestMatch(llvm::StringRef word,
                                        llvm::ArrayRef<std::string> candidates);

// `text` with backticks around it, for diagnostic messages.
inline std::string quoted(llvm::StringRef text) {
  return "`" + text.str() + "`";
}

} // namespace plat
