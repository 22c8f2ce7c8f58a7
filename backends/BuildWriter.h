// Writing a build's output folder OUT.
//
// OUT is owned through its manifest, `OUT/.platc-index`: platc removes,
// replaces or keeps only the files the manifest lists; everything else in
// OUT (a README, notes, the folders of environments and targets not built
// this time) is left alone, and a path platc must write that holds a file it
// does not list is an error, not an overwrite. A non-empty folder without a
// manifest is refused.
//
// Every path below OUT is reached from a handle on OUT, one component at a
// time with O_NOFOLLOW (openat, mkdirat, renameat, unlinkat): a symbolic
// link anywhere below OUT is never followed, and OUT itself must be a real
// folder, not a link. One build at a time writes into OUT (an flock on
// `OUT/.platc-lock`; a second build fails at once).
//
// A build stages its new and changed files in `OUT/.platc-tmp-XXXXXXXX/`
// (XXXXXXXX: 8 hex digits; the folder holds a `.platc-staging` marker).
// Until the commit point nothing outside the staging folder changes, so an
// error or a kill leaves the previous output as it was. The commit point is
// the creation of `committed` in the staging folder, after the new manifest
// and the list of files to remove were written there; then the staged files
// are renamed into place, the listed files no longer produced are removed,
// and the manifest is replaced by a rename. A build killed after the commit
// point leaves a staging folder that the next build completes before doing
// anything else; a staging folder without `committed` is removed.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "llvm/ADT/StringMap.h"

namespace plat::backends {

// The manifest: every file platc manages in OUT with its size and a 64-bit
// hash of its bytes (xxHash64), one `<hash> <size> <path>` line each, sorted
// by path. A rebuild also uses it to keep a file in place without reading
// it: same path, size and hash, and the file's inode unchanged since the
// manifest was written (status-change time older than the manifest, a single
// link). For any file it cannot vouch for, the file's bytes are compared.
inline constexpr const char *kOutputIndex = ".platc-index";
// The lock file (kept; it holds nothing).
inline constexpr const char *kOutputLock = ".platc-lock";
// Staging folders: `.platc-tmp-` and 8 lowercase hex digits, holding the
// marker file `.platc-staging`.
inline constexpr const char *kStagingPrefix = ".platc-tmp-";
inline constexpr const char *kStagingMarker = ".platc-staging";
// The marker of outputs written by platc before the manifest existed; the
// leftovers of those versions' killed builds beside OUT (`OUT.tmp-XXXXXXXX`,
// `OUT.old-XXXXXXXX`) carry it and are removed by the next build.
inline constexpr const char *kLegacyMarker = ".platc-output";

class DirCache;

// Writes a build's files as they are produced, then commits them into OUT.
// `write` may be called from several threads at once for disjoint sets of
// files. Without `commit` (an error, an exception, a kill), the staging
// folder is removed (or, after a kill, by the next build) and OUT stays as
// it was.
class OutputWriter {
public:
  OutputWriter();
  OutputWriter(const OutputWriter &) = delete;
  OutputWriter &operator=(const OutputWriter &) = delete;
  ~OutputWriter();

  // Opens (or creates) `dir`, takes its lock, completes or removes what
  // killed builds left, checks that platc owns it (a manifest, or empty)
  // and creates the staging folder. `scope` lists the folders this build
  // produces (`<env>/<target>/`, with the slash): listed files under them
  // that the build no longer produces are removed, listed files elsewhere
  // are kept. An empty scope means the whole of OUT (a full build). Returns
  // what went wrong (a message, then possibly `\nhelp: ...`), or "".
  std::string begin(const std::string &dir, std::vector<std::string> scope = {});
  // Writes `files` under `prefix` (e.g. "prod/"), relative paths with `/`.
  std::string write(const std::map<std::string, std::string> &files, const std::string &prefix = {});
  // Commits: the new manifest, the staged files into place, removals.
  std::string commit();
  // Removes the staging folder, unless the commit point was passed (then the
  // next build completes the commit). Also done by the destructor.
  void abort();

  // What the build did: files kept in place on the manifest's word alone,
  // kept after comparing bytes, written (new or changed), and removed.
  struct Stats {
    size_t keptByIndex = 0, keptByCompare = 0, written = 0, removed = 0;
  };
  Stats stats() const;

  // For tests: stop committing after this many renames and removals, as a
  // kill would (commit returns an error and leaves the staging folder).
  size_t testStopAfterSteps = SIZE_MAX;

private:
  struct IndexEntry {
    uint64_t hash = 0, size = 0;
  };
  std::string loadIndex(bool &present);
  bool inScope(llvm::StringRef path) const;
  std::string ownershipCheck();

  std::string shown_; // OUT as the user gave it, for messages
  int parentFd_ = -1, outFd_ = -1, lockFd_ = -1, stagingFd_ = -1, filesFd_ = -1;
  std::string stagingName_;
  bool committed_ = false;
  // OUT did not exist before this build: an aborted build removes it again
  // (with the lock file it made), so a failure leaves nothing behind.
  bool createdOut_ = false;
  std::string outName_;
  std::vector<std::string> scope_;
  std::unique_ptr<DirCache> outDirs_, stageDirs_;
  // The previous manifest, and when it was written.
  llvm::StringMap<IndexEntry> index_;
  int64_t indexSec_ = 0, indexNsec_ = 0;
  // The new output's files, for the manifest.
  mutable std::mutex mutex_;
  std::vector<std::pair<std::string, IndexEntry>> written_;
  Stats stats_;
};

// Builds exactly `files` (relative path → bytes) into `dir` as a full build.
// Returns an empty string on success, otherwise what went wrong.
std::string writeOutputAtomically(const std::string &dir,
                                  const std::map<std::string, std::string> &files);

} // namespace plat::backends
