// Writing a build's output folder atomically.
//
// Everything is written into a fresh temporary folder beside the target and
// then swapped into place with renames, so an error or a kill mid-build
// leaves the previous output intact. The folder carries a marker file; platc
// refuses to replace a non-empty folder that it did not create, so it never
// deletes files it does not manage.
#pragma once

#include <map>
#include <string>

namespace plat::backends {

inline constexpr const char *kOutputMarker = ".platc-output";

// Replaces `dir` with exactly `files` (relative path → bytes). Files whose
// bytes equal the previous output's are hard-linked from it rather than
// written again. Returns an empty string on success, otherwise what went wrong.
std::string writeOutputAtomically(const std::string &dir,
                                  const std::map<std::string, std::string> &files);

} // namespace plat::backends
