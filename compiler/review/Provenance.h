// Where a workspace's sources stand in git, for audit evidence
// (backends/Evidence.h): the commit checked out, and whether each source
// file's bytes are that commit's. Read with libgit2 from the object
// database; the work tree and index are never touched.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "llvm/ADT/StringRef.h"

namespace plat::review {

struct GitProvenance {
  std::string commit; // HEAD's commit id, 40 hex digits
  // By the path given: "committed" (the bytes are the blob HEAD holds at
  // that path), "modified" (HEAD holds other bytes) or "untracked" (HEAD
  // holds no file there).
  std::map<std::string, std::string> files;
};

// The provenance of `files` (path relative to `workspaceRoot` → bytes).
// nullopt when the workspace is not inside a git work tree, or the
// repository has no commit yet: evidence then records no commit.
std::optional<GitProvenance>
gitProvenance(const std::string &workspaceRoot,
              const std::vector<std::pair<std::string, llvm::StringRef>> &files);

} // namespace plat::review
