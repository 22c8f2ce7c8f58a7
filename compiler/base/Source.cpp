#include "base/Source.h"

#include <algorithm>

#include "base/Text.h"

namespace plat {

SourceFile::SourceFile(std::string displayPath, std::string text)
    : path_(std::move(displayPath)), text_(std::move(text)) {
  lineStarts_.push_back(0);
  for (uint32_t i = 0; i < text_.size(); ++i) {
    if (text_[i] == '\n')
      lineStarts_.push_back(i + 1);
  }
}

static uint32_t lineIndex(const std::vector<uint32_t> &starts, uint32_t offset) {
  auto it = std::upper_bound(starts.begin(), starts.end(), offset);
  return static_cast<uint32_t>(it - starts.begin()) - 1;
}

LineCol SourceFile::lineCol(uint32_t offset) const {
  offset = std::min<uint32_t>(offset, static_cast<uint32_t>(text_.size()));
  uint32_t line = lineIndex(lineStarts_, offset);
  llvm::StringRef prefix =
      llvm::StringRef(text_).substr(lineStarts_[line], offset - lineStarts_[line]);
  return LineCol{line + 1, static_cast<uint32_t>(countCodePoints(prefix)) + 1};
}

std::pair<uint32_t, uint32_t> SourceFile::utf16Position(uint32_t offset) const {
  offset = std::min<uint32_t>(offset, static_cast<uint32_t>(text_.size()));
  uint32_t line = lineIndex(lineStarts_, offset);
  llvm::StringRef prefix =
      llvm::StringRef(text_).substr(lineStarts_[line], offset - lineStarts_[line]);
  return {line, static_cast<uint32_t>(countUtf16Units(prefix))};
}

uint32_t SourceFile::offsetFromUtf16(uint32_t line, uint32_t character) const {
  if (line >= lineStarts_.size())
    return static_cast<uint32_t>(text_.size());
  llvm::StringRef rest = lineText(line + 1);
  return lineStarts_[line] +
         static_cast<uint32_t>(utf16UnitsToBytes(rest, character));
}

llvm::StringRef SourceFile::lineText(uint32_t line) const {
  if (line == 0 || line > lineStarts_.size())
    return {};
  uint32_t begin = lineStarts_[line - 1];
  uint32_t end = line < lineStarts_.size() ? lineStarts_[line] - 1
                                           : static_cast<uint32_t>(text_.size());
  llvm::StringRef s = llvm::StringRef(text_).substr(begin, end - begin);
  if (s.endswith("\r"))
    s = s.drop_back();
  return s;
}

FileId SourceManager::add(std::string displayPath, std::string text) {
  files_.push_back(std::make_shared<const SourceFile>(std::move(displayPath), std::move(text)));
  return FileId{static_cast<uint32_t>(files_.size() - 1)};
}

} // namespace plat
