// Small text utilities shared by every stage: UTF-8 checks, code-point and
// UTF-16 counting, and "did you mean" suggestions.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

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

// How far (in edits) a name may be from `word` to be suggested for it: a
// third of the word's length, at least 1.
unsigned suggestionLimit(llvm::StringRef word);

// A suggestion and its edit distance from the word it is for.
struct Suggestion {
  std::string name;
  unsigned distance = 0;
};

// The better of two suggestions: the nearer, then the alphabetically first.
std::optional<Suggestion> better(std::optional<Suggestion> a, std::optional<Suggestion> b);

// `closestMatch` with its distance, over a plain list (a scan: for short lists).
std::optional<Suggestion> closestSuggestion(llvm::StringRef word,
                                            llvm::ArrayRef<std::string> candidates);

// The names of one scope, indexed for "did you mean" when a scope holds many
// names and many words may need a suggestion: built once (linear in the
// names' total length), it gives the same answer as `closestMatch` over the
// same names without comparing the word with each of them. The names are
// kept in a trie; a query walks it depth first in byte order, carrying one
// row of the edit-distance table per trie level and leaving every branch
// whose row exceeds the bound, with the bound raised one edit at a time from
// 1 to `suggestionLimit(word)` (so a close typo costs little, and the first
// name found is the nearest and, among the nearest, the alphabetically first).
class NameIndex {
public:
  NameIndex() = default;
  explicit NameIndex(std::vector<std::string> names);

  std::optional<std::string> closest(llvm::StringRef word) const;
  std::optional<Suggestion> closestSuggestion(llvm::StringRef word) const;
  size_t size() const { return names_.size(); }

private:
  struct Node {
    uint32_t name = UINT32_MAX; // index in names_ when a name ends here
    uint32_t firstChild = 0;    // children are nodes_[firstChild, firstChild + children)
    uint32_t children = 0;      // in increasing byte order
    unsigned char byte = 0;     // the byte on the edge into this node
  };
  std::optional<Suggestion> within(llvm::StringRef word, unsigned bound) const;

  std::vector<std::string> names_; // sorted, unique
  std::vector<Node> nodes_;        // nodes_[0] is the root
};

// `text` with backticks around it, for diagnostic messages.
inline std::string quoted(llvm::StringRef text) {
  return "`" + text.str() + "`";
}

} // namespace plat
