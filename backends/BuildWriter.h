// Writing a build's output folder atomically.
//
// Everything is written into a fresh temporary folder beside the target and
// then swapped into place with renames, so an error or a kill mid-build
// leaves the previous output intact. The folder carries a marker file; platc
// refuses to replace a non-empty folder that it did not create, so it never
// deletes files it does not manage.
#pragma once

#include <filesystem>
#include <map>
#include <string>

namespace plat::backends {

inline constexpr const char *kOutputMarker = ".platc-output";

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

private:
  std::filesystem::path target_;
  std::string tmp_;      // the temporary folder, with a trailing `/`
  std::string previous_; // the output folder, with a trailing `/`
  bool hasPrevious_ = false;
};

// Replaces `dir` with exactly `files` (relative path → bytes). Files whose
// bytes equal the previous output's are hard-linked from it rather than
// written again. Returns an empty string on success, otherwise what went wrong.
std::string writeOutputAtomically(const std::string &dir,
                                  const std::map<std::string, std::string> &files);

} // namespace plat::backends
