// Writing a build's output folder atomically.
//
// Everything is written into a fresh temporary folder beside the target and
// then swapped into place with renames, so an error or a kill mid-build
// leaves the previous output intact. The folder carries a marker file; platc
// refuses to replace a non-empty folder that it did not create, so it never
// deletes files it does not manage.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "llvm/ADT/StringMap.h"

namespace plat::backends {

inline constexpr const char *kOutputMarker = ".platc-output";
// Every file of the output with its size and a 64-bit hash of its bytes
// (xxHash64), one `<hash> <size> <path>` line each, sorted by path; written
// last, after the previous output is gone. A rebuild uses it to carry a file
// over without reading it: same path, size and hash, and the file's inode
// unchanged since the index was written (status-change time older than the
// index, a single link). Without it, or for any file it cannot vouch for,
// the previous file's bytes are compared.
inline constexpr const char *kOutputIndex = ".platc-index";

// Writes a build's files into a temporary folder beside the output folder as
// they are produced, then swaps it into place. `write` may be called from
// several threads at once for disjoint sets of files. Without `commit` (an
// error, an exception, a kill), the temporary folder is removed and the
// previous output stays as it was.
class OutputWriter {
public:
  OutputWriter() = default;
  OutputWriter(const OutputWriter &) = delete;
  OutputWriter &operator=(const OutputWriter &) = delete;
  ~OutputWriter();

  // Checks `dir` (a folder platc wrote, or empty, or absent) and creates the
  // temporary folder. Returns what went wrong, or an empty string.
  std::string begin(const std::string &dir);
  // Writes `files` under `prefix` (e.g. "prod/"), relative paths with `/`.
  std::string write(const std::map<std::string, std::string> &files, const std::string &prefix = {});
  // Adds the marker file and replaces the output folder with the new one.
  std::string commit();
  // Removes the temporary folder (also done by the destructor).
  void abort();

  // What the rebuild did with each file: carried over by the index alone,
  // carried over after comparing bytes, or written.
  struct Stats {
    size_t linkedByIndex = 0, linkedByCompare = 0, written = 0;
  };
  Stats stats() const;

private:
  struct IndexEntry {
    uint64_t hash = 0, size = 0;
  };
  bool loadIndex();
  bool trusted(const std::string &path, uint64_t size) const;
  void writeIndex();

  std::filesystem::path target_;
  std::string tmp_;      // the temporary folder, with a trailing `/`
  std::string previous_; // the output folder, with a trailing `/`
  bool hasPrevious_ = false;
  // The previous output's index, and when it was written.
  bool hasIndex_ = false;
  llvm::StringMap<IndexEntry> index_;
  int64_t indexSec_ = 0, indexNsec_ = 0;
  // The new output's files, for its index.
  mutable std::mutex mutex_;
  std::vector<std::pair<std::string, IndexEntry>> written_;
  Stats stats_;
};

// Replaces `dir` with exactly `files` (relative path → bytes). Files whose
// bytes equal the previous output's are hard-linked from it rather than
// written again. Returns an empty string on success, otherwise what went wrong.
std::string writeOutputAtomically(const std::string &dir,
                                  const std::map<std::string, std::string> &files);

} // namespace plat::backends
