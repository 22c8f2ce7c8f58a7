#include "base/Text.h"

#include <algorithm>

namespace plat {

std::optional<size_t> findInvalidUtf8(llvm::StringRef text, bool *isNul) {
  const auto *s = reinterpret_cast<const unsigned char *>(text.data());
  size_t n = text.size();
  size_t i = 0;
  while (i < n) {
    unsigned char c = s[i];
    if (c == 0) {
      if (isNul)
        *isNul = true;
      return i;
    }
    size_t len;
    uint32_t min;
    if (c < 0x80) {
      ++i;
      continue;
    } else if ((c & 0xE0) == 0xC0) {
      len = 2;
      min = 0x80;
    } else if ((c & 0xF0) == 0xE0) {
      len = 3;
      min = 0x800;
    } else if ((c & 0xF8) == 0xF0) {
      len = 4;
      min = 0x10000;
    } else {
      if (isNul)
        *isNul = false;
      return i;
    }
    if (i + len > n) {
      if (isNul)
        *isNul = false;
      return i;
    }
    uint32_t cp = c & (0xFF >> (len + 1));
    for (size_t k = 1; k < len; ++k) {
      if ((s[i + k] & 0xC0) != 0x80) {
        if (isNul)
          *isNul = false;
        return i;
      }
      cp = (cp << 6) | (s[i + k] & 0x3F);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
      if (isNul)
        *isNul = false;
      return i;
    }
    i += len;
  }
  return std::nullopt;
}

size_t countCodePoints(llvm::StringRef utf8) {
  size_t count = 0;
  for (char c : utf8)
    if ((static_cast<unsigned char>(c) & 0xC0) != 0x80)
      ++count;
  return count;
}

size_t countUtf16Units(llvm::StringRef utf8) {
  size_t units = 0;
  for (char c : utf8) {
    auto u = static_cast<unsigned char>(c);
    if ((u & 0xC0) != 0x80)
      units += (u >= 0xF0) ? 2 : 1;
  }
  return units;
}

size_t utf16UnitsToBytes(llvm::StringRef utf8, size_t units) {
  size_t i = 0, seen = 0;
  while (i < utf8.size() && seen < units) {
    auto u = static_cast<unsigned char>(utf8[i]);
    size_t len = u < 0x80 ? 1 : u < 0xE0 ? 2 : u < 0xF0 ? 3 : 4;
    seen += len == 4 ? 2 : 1;
    i += len;
  }
  return std::min(i, utf8.size());
}

unsigned suggestionLimit(llvm::StringRef word) {
  return std::max<unsigned>(1, static_cast<unsigned>(word.size()) / 3);
}

std::optional<Suggestion> better(std::optional<Suggestion> a, std::optional<Suggestion> b) {
  if (!a)
    return b;
  if (!b)
    return a;
  if (b->distance < a->distance || (b->distance == a->distance && b->name < a->name))
    return b;
  return a;
}

std::optional<Suggestion> closestSuggestion(llvm::StringRef word,
                                            llvm::ArrayRef<std::string> candidates) {
  unsigned limit = suggestionLimit(word);
  std::optional<Suggestion> best;
  unsigned bestDistance = limit + 1;
  for (const std::string &candidate : candidates) {
    if (candidate == word)
      continue;
    unsigned d = word.edit_distance(candidate, /*AllowReplacements=*/true,
                                    /*MaxEditDistance=*/limit + 1);
    // Ties go to the alphabetically first candidate so output is stable.
    if (d < bestDistance || (d == bestDistance && best && candidate < best->name)) {
      bestDistance = d;
      best = Suggestion{candidate, d};
    }
  }
  if (bestDistance > limit)
    return std::nullopt;
  return best;
}

std::optional<std::string> closestMatch(llvm::StringRef word,
                                        llvm::ArrayRef<std::string> candidates) {
  if (auto s = closestSuggestion(word, candidates))
    return std::move(s->name);
  return std::nullopt;
}

NameIndex::NameIndex(std::vector<std::string> names) : names_(std::move(names)) {
  std::sort(names_.begin(), names_.end());
  names_.erase(std::unique(names_.begin(), names_.end()), names_.end());
  // Built level by level from the sorted names: every node covers the range
  // of names that share its prefix, and its children are created together,
  // so they are contiguous and in byte order. No recursion.
  struct Pending {
    uint32_t node, lo, hi, depth;
  };
  nodes_.push_back(Node{});
  std::vector<Pending> work{{0, 0, static_cast<uint32_t>(names_.size()), 0}};
  while (!work.empty()) {
    Pending p = work.back();
    work.pop_back();
    uint32_t lo = p.lo;
    if (lo < p.hi && names_[lo].size() == p.depth)
      nodes_[p.node].name = lo++; // the shortest name of the range sorts first
    uint32_t firstChild = static_cast<uint32_t>(nodes_.size());
    uint32_t children = 0;
    for (uint32_t i = lo; i < p.hi;) {
      auto byte = static_cast<unsigned char>(names_[i][p.depth]);
      uint32_t j = i + 1;
      while (j < p.hi && static_cast<unsigned char>(names_[j][p.depth]) == byte)
        ++j;
      Node child;
      child.byte = byte;
      nodes_.push_back(child);
      work.push_back({firstChild + children, i, j, p.depth + 1});
      ++children;
      i = j;
    }
    nodes_[p.node].firstChild = firstChild;
    nodes_[p.node].children = children;
  }
}

std::optional<std::string> NameIndex::closest(llvm::StringRef word) const {
  if (auto s = closestSuggestion(word))
    return std::move(s->name);
  return std::nullopt;
}

std::optional<Suggestion> NameIndex::closestSuggestion(llvm::StringRef word) const {
  if (names_.empty())
    return std::nullopt;
  unsigned limit = suggestionLimit(word);
  for (unsigned bound = 1; bound <= limit; ++bound)
    if (auto s = within(word, bound))
      return s;
  return std::nullopt;
}

// The alphabetically first name other than `word` within `bound` edits of
// it. Called with bounds 1, 2, ...: when nothing was found within bound - 1,
// what this finds is at distance exactly `bound`, the nearest.
std::optional<Suggestion> NameIndex::within(llvm::StringRef word, unsigned bound) const {
  const size_t m = word.size();
  const size_t width = m + 1;
  // rows[d] is the edit-distance row of the trie prefix of length d against
  // every prefix of `word`; a prefix longer than m + bound is too far.
  const size_t maxDepth = m + bound;
  std::vector<unsigned> rows(width * 2);
  for (size_t j = 0; j <= m; ++j)
    rows[j] = static_cast<unsigned>(j);
  struct Frame {
    uint32_t node;
    uint32_t next; // next child to visit, counted from firstChild
  };
  std::vector<Frame> stack{{0, 0}};
  auto check = [&](uint32_t node, size_t depth) -> std::optional<Suggestion> {
    const Node &n = nodes_[node];
    if (n.name != UINT32_MAX && rows[depth * width + m] <= bound && names_[n.name] != word)
      return Suggestion{names_[n.name], rows[depth * width + m]};
    return std::nullopt;
  };
  if (auto s = check(0, 0))
    return s;
  while (!stack.empty()) {
    Frame &f = stack.back();
    const Node &n = nodes_[f.node];
    size_t depth = stack.size() - 1;
    if (f.next == n.children || depth == maxDepth) {
      stack.pop_back();
      continue;
    }
    uint32_t childIndex = n.firstChild + f.next++;
    const Node &child = nodes_[childIndex];
    if (rows.size() < (depth + 2) * width)
      rows.resize((depth + 2) * width);
    const unsigned *prev = &rows[depth * width];
    unsigned *row = &rows[(depth + 1) * width];
    row[0] = prev[0] + 1;
    unsigned best = row[0];
    for (size_t j = 1; j <= m; ++j) {
      unsigned replace = prev[j - 1] + (static_cast<unsigned char>(word[j - 1]) != child.byte);
      row[j] = std::min({prev[j] + 1, row[j - 1] + 1, replace});
      best = std::min(best, row[j]);
    }
    if (best > bound)
      continue; // every name below is farther than `bound`
    if (auto s = check(childIndex, depth + 1))
      return s;
    stack.push_back({childIndex, 0});
  }
  return std::nullopt;
}

} // namespace plat
