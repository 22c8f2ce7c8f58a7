// Source files and spans.
//
// Every AST node, diagnostic and IR entry points back into the source through
// a Span: a file id and a half-open byte range. The SourceManager owns the
// bytes of every file and converts byte offsets to the positions people and
// tools want: 1-based line and column for humans (columns count code points),
// 0-based line and UTF-16 column for the language server and SARIF.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "llvm/ADT/StringRef.h"

namespace plat {

// Index of a file in its SourceManager. Cheap to copy and compare.
struct FileId {
  uint32_t index = UINT32_MAX;
  bool valid() const { return index != UINT32_MAX; }
  friend bool operator==(FileId a, FileId b) { return a.index == b.index; }
  friend bool operator!=(FileId a, FileId b) { return a.index != b.index; }
  friend bool operator<(FileId a, FileId b) { return a.index < b.index; }
};

// A half-open byte range [begin, end) in one file.
struct Span {
  FileId file;
  uint32_t begin = 0;
  uint32_t end = 0;

  bool valid() const { return file.valid(); }
  uint32_t size() const { return end - begin; }
  // The smallest span that covers both (same file assumed).
  Span to(Span other) const {
    return Span{file, begin < other.begin ? begin : other.begin,
                end > other.end ? end : other.end};
  }
  friend bool operator==(Span a, Span b) {
    return a.file == b.file && a.begin == b.begin && a.end == b.end;
  }
};

// A position for humans: 1-based line, 1-based column counted in code points.
struct LineCol {
  uint32_t line = 0;
  uint32_t column = 0;
};

class SourceFile {
public:
  SourceFile(std::string displayPath, std::string text);

  // Path as shown to users: relative to the workspace root where possible,
  // always with forward slashes.
  const std::string &path() const { return path_; }
  llvm::StringRef text() const { return text_; }

  LineCol lineCol(uint32_t offset) const;
  // 0-based line and column in UTF-16 code units, as LSP and SARIF count.
  std::pair<uint32_t, uint32_t> utf16Position(uint32_t offset) const;
  // Inverse of utf16Position, clamped to the file.
  uint32_t offsetFromUtf16(uint32_t line, uint32_t character) const;
  // The text of 1-based line `line`, without its line terminator.
  llvm::StringRef lineText(uint32_t line) const;
  uint32_t lineCount() const { return static_cast<uint32_t>(lineStarts_.size()); }
  uint32_t lineStart(uint32_t line) const { return lineStarts_[line - 1]; }

private:
  std::string path_;
  std::string text_;
  std::vector<uint32_t> lineStarts_;
};

// The files of one workspace version, by FileId. A value: copying it shares
// every SourceFile (immutable once added), so a new version made by an edit
// costs one pointer per file and never changes what an older copy reads.
class SourceManager {
public:
  FileId add(std::string displayPath, std::string text);
  const SourceFile &file(FileId id) const { return *files_[id.index]; }
  // The file as a shared handle: what keeps its text alive for whoever
  // points into it (ASTs, snapshots).
  const std::shared_ptr<const SourceFile> &handle(FileId id) const { return files_[id.index]; }
  // Drops this version's hold on a file that was replaced: its id is never
  // reused, and its text is freed once no other version or snapshot holds it.
  void release(FileId id) { files_[id.index].reset(); }
  bool live(FileId id) const { return id.index < files_.size() && files_[id.index] != nullptr; }
  size_t size() const { return files_.size(); }

  LineCol lineCol(Span span) const { return file(span.file).lineCol(span.begin); }
  llvm::StringRef text(Span span) const {
    return file(span.file).text().substr(span.begin, span.size());
  }

private:
  // Shared and const: each SourceFile keeps a stable address while files are
  // added, and workspace versions share the files they have in common.
  std::vector<std::shared_ptr<const SourceFile>> files_;
};

} // namespace plat
