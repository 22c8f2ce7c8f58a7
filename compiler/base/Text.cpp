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

std::optional<std::string> closestMatch(llvm::StringRef word,
                                        llvm::ArrayRef<std::string> candidates) {
  unsigned limit = std::max<unsigned>(1, static_cast<unsigned>(word.size()) / 3);
  std::optional<std::string> best;
  unsigned bestDistance = limit + 1;
  for (const std::string &candidate : candidates) {
    if (candidate == word)
      continue;
    unsigned d = word.edit_distance(candidate, /*AllowReplacements=*/true,
                                    /*MaxEditDistance=*/limit + 1);
    // Ties go to the alphabetically first candidate so output is stable.
    if (d < bestDistance || (d == bestDistance && best && candidate < *best)) {
      bestDistance = d;
      best = candidate;
    }
  }
  if (bestDistance > limit)
    return std::nullopt;
  return best;
}

} // namespace plat
