#include "backends/BuildWriter.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdio.h> // renameat2
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <random>
#include <set>
#include <unordered_map>

#include "fmt/format.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/xxhash.h"

namespace fs = std::filesystem;

namespace plat::backends {

namespace {

constexpr const char *kStagedFiles = "files";     // the staged tree
constexpr const char *kStagedIndex = "index";     // the new manifest
constexpr const char *kStagedRemove = "remove";   // listed files to remove, one a line
constexpr const char *kStagedCommit = "committed"; // the commit point

std::string uniqueSuffix() {
  std::random_device rd;
  return fmt::format("{:08x}", rd());
}

// `.` and `..`, which a folder listing also returns.
bool isDots(const char *n) { return n[0] == '.' && (n[1] == 0 || (n[1] == '.' && n[2] == 0)); }

// `prefix` followed by exactly 8 lowercase hex digits.
bool hasHexSuffix(llvm::StringRef name, llvm::StringRef prefix) {
  if (!name.startswith(prefix) || name.size() != prefix.size() + 8)
    return false;
  return llvm::all_of(name.drop_front(prefix.size()),
                      [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

// A relative path platc may write or list in its manifest: `/`-separated
// components, none empty, `.` or `..`, no line break, and not one of platc's
// own names at the top.
bool validPath(llvm::StringRef rel) {
  if (rel.empty() || rel.contains('\n') || rel.contains('\0') || rel.startswith(".platc-"))
    return false;
  for (llvm::StringRef rest = rel;;) {
    auto [part, next] = rest.split('/');
    if (part.empty() || part == "." || part == "..")
      return false;
    if (!rest.contains('/'))
      break;
    rest = next;
  }
  return true;
}

std::pair<std::string, std::string> splitParent(const std::string &rel) {
  size_t slash = rel.rfind('/');
  if (slash == std::string::npos)
    return {std::string(), rel};
  return {rel.substr(0, slash), rel.substr(slash + 1)};
}

std::string joinShown(const std::string &root, const std::string &rel) {
  if (rel.empty())
    return root;
  return root.empty() || root.back() == '/' ? root + rel : root + "/" + rel;
}

bool olderThan(const struct timespec &t, int64_t sec, int64_t nsec) {
  return t.tv_sec < sec || (t.tv_sec == sec && t.tv_nsec < nsec);
}

// What stands at `name` in `dirFd` where a folder was expected.
std::string notAFolder(int dirFd, const std::string &name, const std::string &shown, int err) {
  struct stat st;
  if (::fstatat(dirFd, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0) {
    if (S_ISLNK(st.st_mode))
      return fmt::format("`{}` is a symbolic link; platc never writes through links inside its "
                         "output folder\nhelp: remove the link; platc creates the folder itself",
                         shown);
    if (!S_ISDIR(st.st_mode))
      return fmt::format("`{}` is a file where platc needs a folder\nhelp: move it away, then "
                         "build again",
                         shown);
  }
  return fmt::format("cannot open `{}`: {}", shown, std::strerror(err));
}

// Writes `bytes` to a new file `name` in `dirFd` with plain POSIX calls: no
// stream buffers, no fsync (the commit protocol, not the disk, makes a
// killed build harmless). The file must not exist yet.
std::string writeFileAt(int dirFd, const std::string &name, const std::string &bytes,
                        const std::string &shown) {
  int fd = ::openat(dirFd, name.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
  if (fd < 0)
    return fmt::format("cannot write `{}`: {}", shown, std::strerror(errno));
  const char *p = bytes.data();
  size_t left = bytes.size();
  while (left > 0) {
    ssize_t n = ::write(fd, p, left);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0) {
      std::string why = fmt::format("cannot write `{}`: {}", shown, std::strerror(errno));
      ::close(fd);
      return why;
    }
    p += n;
    left -= static_cast<size_t>(n);
  }
  if (::close(fd) != 0)
    return fmt::format("cannot write `{}`: {}", shown, std::strerror(errno));
  return {};
}

// Reads the whole regular file `name` in `dirFd` (never through a link).
bool readFileAt(int dirFd, const std::string &name, std::string &bytes) {
  int fd = ::openat(dirFd, name.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0)
    return false;
  struct stat st;
  bool ok = ::fstat(fd, &st) == 0 && S_ISREG(st.st_mode);
  bytes.clear();
  char buffer[1 << 16];
  while (ok) {
    ssize_t n = ::read(fd, buffer, sizeof buffer);
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0)
      ok = false;
    else if (n == 0)
      break;
    else
      bytes.append(buffer, static_cast<size_t>(n));
  }
  ::close(fd);
  return ok;
}

// Whether the file `name` in `dirFd` holds exactly `bytes`.
bool sameContentAt(int dirFd, const std::string &name, const std::string &bytes) {
  // No symbolic links, and no file linked from anywhere else: the output
  // must not share an inode with anything outside it.
  int fd = ::openat(dirFd, name.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0)
    return false;
  struct stat st;
  bool same = ::fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_nlink == 1 &&
              static_cast<size_t>(st.st_size) == bytes.size();
  std::string buffer;
  size_t offset = 0;
  while (same && offset < bytes.size()) {
    buffer.resize(std::min<size_t>(bytes.size() - offset, 1 << 20));
    ssize_t n = ::read(fd, buffer.data(), buffer.size());
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0 || std::memcmp(buffer.data(), bytes.data() + offset, static_cast<size_t>(n)) != 0)
      same = false;
    else
      offset += static_cast<size_t>(n);
  }
  ::close(fd);
  return same;
}

// Deletes `name` in the folder `parentFd` and, when it is a folder,
// everything in it; symbolic links are removed, never followed. It trusts
// the entry types the folder listing reports (one unlink per file rather
// than a stat and an unlink). Returns false if anything was left behind.
bool removeTree(int parentFd, const char *name) {
  int fd = ::openat(parentFd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0)
    return (errno == ENOTDIR || errno == ELOOP) ? ::unlinkat(parentFd, name, 0) == 0 : errno == ENOENT;
  DIR *dir = ::fdopendir(fd);
  if (!dir) {
    ::close(fd);
    return false;
  }
  bool ok = true;
  while (struct dirent *e = ::readdir(dir)) {
    const char *n = e->d_name;
    if (isDots(n))
      continue;
    if (e->d_type == DT_DIR)
      ok &= removeTree(fd, n);
    else if (::unlinkat(fd, n, 0) != 0)
      // DT_UNKNOWN (file systems that report no types): a folder refuses
      // unlink with EISDIR (or EPERM on some systems).
      ok &= (errno == EISDIR || errno == EPERM) ? removeTree(fd, n) : errno == ENOENT;
  }
  ::closedir(dir);
  if (::unlinkat(parentFd, name, AT_REMOVEDIR) != 0 && errno != ENOENT)
    return false;
  return ok;
}

// The names in the folder `dirFd` (without `.` and `..`), sorted.
std::vector<std::string> listFolder(int dirFd) {
  std::vector<std::string> names;
  int fd = ::dup(dirFd);
  if (fd < 0)
    return names;
  DIR *dir = ::fdopendir(fd);
  if (!dir) {
    ::close(fd);
    return names;
  }
  ::rewinddir(dir);
  while (struct dirent *e = ::readdir(dir))
    if (!isDots(e->d_name))
      names.emplace_back(e->d_name);
  ::closedir(dir);
  std::sort(names.begin(), names.end());
  return names;
}

bool isRegularAt(int dirFd, const char *name) {
  struct stat st;
  return ::fstatat(dirFd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISREG(st.st_mode);
}

// A staging folder of platc's: its name and its marker.
bool isStagingFolder(int outFd, const std::string &name) {
  if (!hasHexSuffix(name, kStagingPrefix))
    return false;
  int fd = ::openat(outFd, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0)
    return false;
  bool ours = isRegularAt(fd, kStagingMarker);
  ::close(fd);
  return ours;
}

} // namespace

// Folders below a root handle, opened one component at a time with
// O_NOFOLLOW and kept open (a build has tens of folders, not thousands).
// With `create`, missing folders are created; without, a missing folder is
// -1. A link or a file where a folder should be is -2 with a message.
class DirCache {
public:
  DirCache(int root, std::string shown, bool create) : root_(root), shown_(std::move(shown)), create_(create) {}
  DirCache(const DirCache &) = delete;
  DirCache &operator=(const DirCache &) = delete;
  ~DirCache() {
    for (auto &[path, fd] : fds_)
      if (fd >= 0)
        ::close(fd);
  }
  int get(const std::string &rel, std::string &error) {
    std::lock_guard<std::mutex> lock(mutex_);
    return getLocked(rel, error);
  }

private:
  int getLocked(const std::string &rel, std::string &error) {
    if (rel.empty())
      return root_;
    if (auto it = fds_.find(rel); it != fds_.end())
      return it->second;
    auto [parent, name] = splitParent(rel);
    if (name.empty() || name == "." || name == "..") {
      error = fmt::format("refusing the path `{}`", joinShown(shown_, rel));
      return -2;
    }
    int parentFd = getLocked(parent, error);
    if (parentFd < 0) {
      if (parentFd == -1)
        fds_[rel] = -1;
      return parentFd;
    }
    int fd = ::openat(parentFd, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0 && errno == ENOENT && create_) {
      if (::mkdirat(parentFd, name.c_str(), 0755) != 0 && errno != EEXIST) {
        error = fmt::format("cannot create `{}`: {}", joinShown(shown_, rel), std::strerror(errno));
        return -2;
      }
      fd = ::openat(parentFd, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    }
    if (fd < 0) {
      int err = errno;
      if (err == ENOENT && !create_) {
        fds_[rel] = -1;
        return -1;
      }
      error = notAFolder(parentFd, name, joinShown(shown_, rel), err);
      return -2;
    }
    fds_[rel] = fd;
    return fd;
  }

  std::mutex mutex_;
  std::unordered_map<std::string, int> fds_;
  int root_;
  std::string shown_;
  bool create_;
};

namespace {

// Moves everything in the staged folder `src` into the output folder `dst`:
// a folder missing in `dst` in one rename, an existing one entry by entry;
// a file replaces the one in place. Counts down `budget` (the test hook).
std::string moveTree(int src, int dst, const std::string &shownDst, size_t &budget) {
  for (const std::string &n : listFolder(src)) {
    struct stat st;
    if (::fstatat(src, n.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0)
      continue;
    std::string shown = joinShown(shownDst, n);
    if (budget == 0)
      return "stopped before the commit finished (test)";
    if (S_ISDIR(st.st_mode)) {
      int r = ::renameat2(src, n.c_str(), dst, n.c_str(), RENAME_NOREPLACE);
      if (r != 0 && errno == EINVAL) { // no RENAME_NOREPLACE on this file system
        struct stat there;
        if (::fstatat(dst, n.c_str(), &there, AT_SYMLINK_NOFOLLOW) == 0)
          errno = EEXIST;
        else
          r = ::renameat(src, n.c_str(), dst, n.c_str());
      }
      if (r == 0) {
        --budget;
        continue;
      }
      if (errno != EEXIST)
        return fmt::format("cannot move `{}` into place: {}", shown, std::strerror(errno));
      int to = ::openat(dst, n.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
      if (to < 0) {
        int err = errno;
        return notAFolder(dst, n, shown, err);
      }
      int from = ::openat(src, n.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
      std::string why = from < 0 ? fmt::format("cannot open the staged `{}`", n) : moveTree(from, to, shown, budget);
      if (from >= 0)
        ::close(from);
      ::close(to);
      if (!why.empty())
        return why;
    } else {
      if (::renameat(src, n.c_str(), dst, n.c_str()) != 0)
        return fmt::format("cannot move `{}` into place: {}", shown, std::strerror(errno));
      --budget;
    }
  }
  return {};
}

// Completes a committed staging folder `stagingName` in OUT: staged files
// into place, listed files no longer produced removed (and the folders that
// leaves empty), the new manifest renamed over the old one, the staging
// folder removed. Every step can be repeated, so a build killed in the
// middle of this is completed by the next one.
std::string applyStaging(int outFd, const std::string &shownOut, const std::string &stagingName,
                         size_t &budget, size_t *removed) {
  int sfd = ::openat(outFd, stagingName.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (sfd < 0)
    return fmt::format("cannot open `{}`: {}", joinShown(shownOut, stagingName), std::strerror(errno));
  auto fail = [&](std::string why) {
    ::close(sfd);
    return why;
  };
  // 1. The staged files.
  if (int files = ::openat(sfd, kStagedFiles, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC); files >= 0) {
    std::string why = moveTree(files, outFd, shownOut, budget);
    ::close(files);
    if (!why.empty())
      return fail(why);
  }
  // 2. Removals: only what the previous manifest listed, only files (a
  // folder in their place is someone else's), never through a link.
  std::string list;
  if (readFileAt(sfd, kStagedRemove, list)) {
    DirCache dirs(outFd, shownOut, /*create=*/false);
    std::set<std::string> parents;
    llvm::StringRef rest = list;
    while (!rest.empty()) {
      auto [line, next] = rest.split('\n');
      rest = next;
      std::string rel = line.str();
      if (!validPath(rel))
        continue;
      auto [parent, name] = splitParent(rel);
      std::string ignore;
      int pfd = dirs.get(parent, ignore);
      if (pfd < 0)
        continue; // gone, or no longer a folder of ours
      if (budget == 0)
        return fail("stopped before the commit finished (test)");
      if (::unlinkat(pfd, name.c_str(), 0) == 0) {
        --budget;
        if (removed)
          ++*removed;
        for (std::string p = parent; !p.empty(); p = splitParent(p).first)
          parents.insert(p);
      } else if (errno != ENOENT && errno != EISDIR && errno != EPERM) {
        return fail(fmt::format("cannot remove `{}`: {}", joinShown(shownOut, rel), std::strerror(errno)));
      }
    }
    // Folders the removals left empty, deepest first (a child's path is
    // longer than its parent's); a folder that still holds anything stays.
    std::vector<std::string> order(parents.begin(), parents.end());
    std::stable_sort(order.begin(), order.end(),
                     [](const std::string &a, const std::string &b) { return a.size() > b.size(); });
    for (const std::string &folder : order) {
      auto [parent, name] = splitParent(folder);
      std::string ignore;
      int pfd = dirs.get(parent, ignore);
      if (pfd >= 0)
        ::unlinkat(pfd, name.c_str(), AT_REMOVEDIR);
    }
  }
  // 3. The manifest. Its time must be later than every file it vouches for:
  // moving the staged files changed their status-change times, so it is
  // moved forward until it is later than now (file times come from a clock
  // that may lag the real one by a few milliseconds; otherwise files changed
  // in the last moments would never be trusted: correct, only slower).
  struct stat st;
  if (::fstatat(sfd, kStagedIndex, &st, AT_SYMLINK_NOFOLLOW) == 0) {
    struct timespec before;
    ::clock_gettime(CLOCK_REALTIME, &before);
    for (int tries = 0; tries < 100; ++tries) {
      if (::fstatat(sfd, kStagedIndex, &st, AT_SYMLINK_NOFOLLOW) != 0)
        break;
      if (st.st_mtim.tv_sec > before.tv_sec ||
          (st.st_mtim.tv_sec == before.tv_sec && st.st_mtim.tv_nsec > before.tv_nsec))
        break;
      struct timespec nap = {0, 500 * 1000};
      ::nanosleep(&nap, nullptr);
      ::utimensat(sfd, kStagedIndex, nullptr, AT_SYMLINK_NOFOLLOW); // now
    }
    if (::renameat(sfd, kStagedIndex, outFd, kOutputIndex) != 0)
      return fail(fmt::format("cannot replace `{}`: {}", joinShown(shownOut, kOutputIndex), std::strerror(errno)));
  }
  ::close(sfd);
  // 4. The staging folder. If this fails the folder is still committed and
  // the next build finishes removing it (every step above is a no-op then).
  removeTree(outFd, stagingName.c_str());
  return {};
}

} // namespace

OutputWriter::OutputWriter() = default;

OutputWriter::~OutputWriter() {
  abort();
  outDirs_.reset();
  stageDirs_.reset();
  for (int *fd : {&filesFd_, &outFd_, &parentFd_, &lockFd_}) // the lock last
    if (*fd >= 0) {
      ::close(*fd);
      *fd = -1;
    }
}

bool OutputWriter::inScope(llvm::StringRef path) const {
  return scope_.empty() ||
         llvm::any_of(scope_, [&](const std::string &prefix) { return path.startswith(prefix); });
}

std::string OutputWriter::begin(const std::string &dir, std::vector<std::string> scope) {
  if (outFd_ >= 0)
    return "the output folder was already prepared";
  shown_ = dir;
  scope_ = std::move(scope);
  std::error_code ec;
  fs::path target = fs::absolute(dir, ec).lexically_normal();
  if (target.filename().empty())
    target = target.parent_path();
  if (target.filename().empty() || target == target.root_path())
    return fmt::format("refusing to build into `{}`", dir);
  fs::path parent = target.parent_path();
  std::string name = target.filename().string();
  fs::create_directories(parent, ec);
  if (ec)
    return fmt::format("cannot create `{}`: {}", parent.string(), ec.message());
  parentFd_ = ::open(parent.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (parentFd_ < 0)
    return fmt::format("cannot open `{}`: {}", parent.string(), std::strerror(errno));

  // OUT itself: a real folder, never followed if it is a link (a link could
  // send the build, and the removal of stale files, anywhere).
  if (::mkdirat(parentFd_, name.c_str(), 0755) == 0)
    createdOut_ = true;
  else if (errno != EEXIST)
    return fmt::format("cannot create `{}`: {}", dir, std::strerror(errno));
  outName_ = name;
  outFd_ = ::openat(parentFd_, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (outFd_ < 0) {
    int err = errno;
    char link[4096];
    ssize_t n = ::readlinkat(parentFd_, name.c_str(), link, sizeof link - 1);
    if (n >= 0) {
      fs::path to(std::string(link, static_cast<size_t>(n)));
      fs::path given(dir);
      if (given.filename().empty())
        given = given.parent_path();
      std::string suggestion = (to.is_absolute() ? to : (given.parent_path() / to).lexically_normal()).string();
      return fmt::format("the output folder `{}` is a symbolic link (to `{}`); platc builds only "
                         "into a real folder\nhelp: build into the link's target instead: `-o {}`",
                         dir, to.string(), suggestion);
    }
    if (err == ENOTDIR)
      return fmt::format("`{}` exists and is not a folder", dir);
    return fmt::format("cannot open `{}`: {}", dir, std::strerror(err));
  }

  // A folder that is not platc's is refused before anything is created in
  // it (the check is repeated under the lock).
  if (std::string why = ownershipCheck(); !why.empty())
    return why;

  // One build at a time.
  lockFd_ = ::openat(outFd_, kOutputLock, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0644);
  if (lockFd_ < 0)
    return fmt::format("cannot open the lock file `{}`: {}", joinShown(dir, kOutputLock), std::strerror(errno));
  if (::flock(lockFd_, LOCK_EX | LOCK_NB) != 0) {
    if (errno == EWOULDBLOCK)
      return fmt::format("another `platc build` is writing to `{}` (it holds `{}`)\nhelp: builds "
                         "into one folder run one at a time; wait for the other one to finish",
                         dir, joinShown(dir, kOutputLock));
    return fmt::format("cannot lock `{}`: {}", joinShown(dir, kOutputLock), std::strerror(errno));
  }

  // Leftovers of killed builds of earlier platc versions beside OUT (their
  // temporary and previous outputs, each with the old marker file).
  for (const std::string &n : listFolder(parentFd_)) {
    if (!hasHexSuffix(n, name + ".tmp-") && !hasHexSuffix(n, name + ".old-"))
      continue;
    int fd = ::openat(parentFd_, n.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0)
      continue;
    bool ours = isRegularAt(fd, kLegacyMarker);
    ::close(fd);
    if (ours)
      removeTree(parentFd_, n.c_str());
  }
  // Staging folders of killed builds: completed if they passed the commit
  // point, removed otherwise. A folder without the marker is not ours.
  for (const std::string &n : listFolder(outFd_)) {
    if (!isStagingFolder(outFd_, n))
      continue;
    int fd = ::openat(outFd_, n.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0)
      continue;
    bool committed = isRegularAt(fd, kStagedCommit);
    ::close(fd);
    if (committed) {
      size_t budget = SIZE_MAX;
      if (std::string why = applyStaging(outFd_, dir, n, budget, nullptr); !why.empty())
        return fmt::format("cannot complete the interrupted build in `{}`: {}", joinShown(dir, n), why);
    } else {
      removeTree(outFd_, n.c_str());
    }
  }

  if (std::string why = ownershipCheck(); !why.empty())
    return why;

  for (int tries = 0; stagingFd_ < 0; ++tries) {
    std::string n = kStagingPrefix + uniqueSuffix();
    if (::mkdirat(outFd_, n.c_str(), 0755) != 0) {
      if (errno == EEXIST && tries < 100)
        continue;
      return fmt::format("cannot create `{}`: {}", joinShown(dir, n), std::strerror(errno));
    }
    stagingName_ = n;
    stagingFd_ = ::openat(outFd_, n.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (stagingFd_ < 0)
      return fmt::format("cannot open `{}`: {}", joinShown(dir, n), std::strerror(errno));
  }
  std::string shownStaging = joinShown(dir, stagingName_);
  if (std::string why = writeFileAt(stagingFd_, kStagingMarker,
                                    "A build of platc in progress; see docs/cli.md, `platc build`.\n",
                                    joinShown(shownStaging, kStagingMarker));
      !why.empty())
    return why;
  if (::mkdirat(stagingFd_, kStagedFiles, 0755) != 0 ||
      (filesFd_ = ::openat(stagingFd_, kStagedFiles, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)) < 0)
    return fmt::format("cannot create `{}`: {}", joinShown(shownStaging, kStagedFiles), std::strerror(errno));
  outDirs_ = std::make_unique<DirCache>(outFd_, dir, /*create=*/false);
  stageDirs_ = std::make_unique<DirCache>(filesFd_, joinShown(shownStaging, kStagedFiles), /*create=*/true);
  return {};
}

// OUT is platc's when it has a manifest; an empty folder (but for the lock
// file and staging folders) becomes platc's. Anything else is refused.
std::string OutputWriter::ownershipCheck() {
  bool present = false;
  if (std::string why = loadIndex(present); !why.empty())
    return why;
  if (present)
    return {};
  bool legacy = false, other = false;
  for (const std::string &n : listFolder(outFd_)) {
    if (n == kOutputLock || isStagingFolder(outFd_, n))
      continue;
    if (n == kLegacyMarker)
      legacy = true;
    else
      other = true;
  }
  if (legacy)
    return fmt::format("`{}` was written by an older platc whose build was interrupted: it has no "
                       "`{}` manifest, so platc cannot tell its files from yours\nhelp: move your "
                       "own files elsewhere, delete `{}`, then build again",
                       shown_, kOutputIndex, shown_);
  if (other)
    return fmt::format("`{}` is not empty and has no `{}` manifest, so it was not written by platc; "
                       "refusing to write into it\nhelp: build into a new or empty folder",
                       shown_, kOutputIndex);
  return {};
}

// Reads the previous manifest. Absent: `present` false. Present but not
// exactly what commit writes: an error, since platc could no longer tell
// its files from anyone else's.
std::string OutputWriter::loadIndex(bool &present) {
  present = false;
  index_.clear();
  std::string shown = joinShown(shown_, kOutputIndex);
  int fd = ::openat(outFd_, kOutputIndex, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0) {
    if (errno == ENOENT)
      return {};
    return fmt::format("cannot read the manifest `{}`: {}", shown, std::strerror(errno));
  }
  present = true;
  // The time comes from the same open file as the bytes.
  struct stat st;
  std::unique_ptr<llvm::MemoryBuffer> buffer;
  bool regular = ::fstat(fd, &st) == 0 && S_ISREG(st.st_mode);
  if (regular && st.st_size > 0) {
    auto read = llvm::MemoryBuffer::getOpenFile(fd, shown, static_cast<uint64_t>(st.st_size),
                                                /*RequiresNullTerminator=*/false);
    if (read)
      buffer = std::move(*read);
  }
  ::close(fd);
  if (!regular)
    return fmt::format("the manifest `{}` is not a regular file", shown);
  if (st.st_size > 0 && !buffer)
    return fmt::format("cannot read the manifest `{}`", shown);
  indexSec_ = st.st_mtim.tv_sec;
  indexNsec_ = st.st_mtim.tv_nsec;
  llvm::StringRef rest = buffer ? buffer->getBuffer() : llvm::StringRef();
  for (size_t lineNo = 1; !rest.empty(); ++lineNo) {
    auto [line, next] = rest.split('\n');
    rest = next;
    // <16 hex digits> <size> <path>
    auto [hash, afterHash] = line.split(' ');
    auto [size, file] = afterHash.split(' ');
    IndexEntry e;
    if (hash.size() != 16 || hash.getAsInteger(16, e.hash) || size.getAsInteger(10, e.size) ||
        !validPath(file)) {
      index_.clear();
      return fmt::format("the manifest `{}` is damaged (line {}), so platc cannot tell its files "
                         "from yours\nhelp: move your own files elsewhere, delete `{}`, then build "
                         "again",
                         shown, lineNo, shown_);
    }
    index_[file] = e;
  }
  return {};
}

std::string OutputWriter::write(const std::map<std::string, std::string> &files,
                                const std::string &prefix) {
  if (stagingFd_ < 0 || committed_)
    return "the output folder was not prepared";
  for (const auto &[relative, bytes] : files) {
    std::string rel = prefix + relative;
    if (!validPath(rel))
      return fmt::format("refusing to write `{}`: not a plain relative path inside the output folder", rel);
    if (!inScope(rel))
      return fmt::format("internal error: `{}` lies outside the folders this build writes", rel);
  }
  std::vector<std::pair<std::string, IndexEntry>> entries;
  entries.reserve(files.size());
  Stats stats;
  std::string error;
  for (const auto &[relative, bytes] : files) {
    std::string rel = prefix + relative;
    auto [parent, name] = splitParent(rel);
    IndexEntry entry{llvm::xxHash64(bytes), bytes.size()};
    bool keep = false;
    int outFd = outDirs_->get(parent, error);
    if (outFd == -2)
      return error;
    struct stat st;
    if (outFd >= 0 && ::fstatat(outFd, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0) {
      auto it = index_.find(rel);
      if (it == index_.end())
        return fmt::format("`{}` exists and is not in the manifest `{}`: platc did not write it and "
                           "will not replace it\nhelp: move it elsewhere, then build again",
                           joinShown(shown_, rel), joinShown(shown_, kOutputIndex));
      if (S_ISDIR(st.st_mode))
        return fmt::format("`{}` is a folder where platc writes a file\nhelp: move it elsewhere, "
                           "then build again",
                           joinShown(shown_, rel));
      // A previous file is kept in place when it is a regular file with no
      // other link (nothing outside the output shares it) and holds the
      // bytes: by the manifest's word when its inode has not changed since
      // the manifest was written (editing, replacing or linking a file moves
      // its status-change time, which no one can set back; a change in the
      // same clock tick as the manifest counts as a change), else compared.
      bool plain = S_ISREG(st.st_mode) && st.st_nlink == 1 && static_cast<uint64_t>(st.st_size) == entry.size;
      if (plain && it->second.hash == entry.hash && it->second.size == entry.size &&
          olderThan(st.st_ctim, indexSec_, indexNsec_)) {
        keep = true;
        ++stats.keptByIndex;
      } else if (plain && sameContentAt(outFd, name, bytes)) {
        keep = true;
        ++stats.keptByCompare;
      }
    } else if (outFd >= 0 && errno != ENOENT) {
      return fmt::format("cannot inspect `{}`: {}", joinShown(shown_, rel), std::strerror(errno));
    }
    if (!keep) {
      int stageFd = stageDirs_->get(parent, error);
      if (stageFd < 0)
        return error;
      if (std::string why = writeFileAt(stageFd, name, bytes, joinShown(shown_, rel)); !why.empty())
        return why;
      ++stats.written;
    }
    entries.emplace_back(std::move(rel), entry);
  }
  std::lock_guard<std::mutex> lock(mutex_);
  written_.insert(written_.end(), std::make_move_iterator(entries.begin()), std::make_move_iterator(entries.end()));
  stats_.keptByIndex += stats.keptByIndex;
  stats_.keptByCompare += stats.keptByCompare;
  stats_.written += stats.written;
  return {};
}

OutputWriter::Stats OutputWriter::stats() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return stats_;
}

std::string OutputWriter::commit() {
  if (stagingFd_ < 0 || committed_)
    return "the output folder was not prepared";
  auto byPath = [](const auto &a, const auto &b) { return a.first < b.first; };
  std::sort(written_.begin(), written_.end(), byPath);
  for (size_t i = 1; i < written_.size(); ++i)
    if (written_[i - 1].first == written_[i].first)
      return fmt::format("internal error: `{}` was written twice", written_[i].first);

  // The new manifest: this build's files, and the listed files outside its
  // scope (kept as they are). An outside file the old manifest can no longer
  // vouch for is read again, so that the new, younger manifest never
  // vouches for bytes it has not seen.
  std::vector<std::pair<std::string, IndexEntry>> manifest = written_;
  std::vector<std::string> remove;
  std::string error;
  for (const auto &e : index_) {
    std::string rel = e.getKey().str();
    if (inScope(rel)) {
      if (!std::binary_search(written_.begin(), written_.end(), std::make_pair(rel, IndexEntry{}), byPath))
        remove.push_back(std::move(rel));
      continue;
    }
    IndexEntry entry = e.getValue();
    auto [parent, name] = splitParent(rel);
    int fd = outDirs_->get(parent, error);
    struct stat st;
    if (fd >= 0 && ::fstatat(fd, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISREG(st.st_mode) &&
        !(st.st_nlink == 1 && static_cast<uint64_t>(st.st_size) == entry.size &&
          olderThan(st.st_ctim, indexSec_, indexNsec_))) {
      std::string bytes;
      if (readFileAt(fd, name, bytes))
        entry = IndexEntry{llvm::xxHash64(bytes), bytes.size()};
    }
    manifest.emplace_back(std::move(rel), entry);
  }
  std::sort(manifest.begin(), manifest.end(), byPath);
  std::sort(remove.begin(), remove.end());
  std::string text;
  text.reserve(manifest.size() * 64);
  for (const auto &[path, e] : manifest)
    fmt::format_to(std::back_inserter(text), "{:016x} {} {}\n", e.hash, e.size, path);
  std::string removeText;
  for (const std::string &path : remove)
    removeText += path + "\n";
  std::string shownStaging = joinShown(shown_, stagingName_);
  if (std::string why = writeFileAt(stagingFd_, kStagedIndex, text, joinShown(shownStaging, kStagedIndex)); !why.empty())
    return why;
  if (std::string why = writeFileAt(stagingFd_, kStagedRemove, removeText, joinShown(shownStaging, kStagedRemove));
      !why.empty())
    return why;
  // The commit point: from here on the build is completed, by this process
  // or by the next build.
  if (std::string why = writeFileAt(stagingFd_, kStagedCommit, "", joinShown(shownStaging, kStagedCommit));
      !why.empty())
    return why;
  committed_ = true;
  stageDirs_.reset();
  ::close(filesFd_);
  filesFd_ = -1;
  ::close(stagingFd_);
  stagingFd_ = -1;
  size_t budget = testStopAfterSteps, removed = 0;
  std::string why = applyStaging(outFd_, shown_, stagingName_, budget, &removed);
  stats_.removed = removed;
  if (!why.empty())
    return fmt::format("{}\nhelp: the output in `{}` is partly updated; the next `platc build` into "
                       "it completes this build first",
                       why, shown_);
  return {};
}

void OutputWriter::abort() {
  stageDirs_.reset();
  if (filesFd_ >= 0) {
    ::close(filesFd_);
    filesFd_ = -1;
  }
  if (stagingFd_ >= 0) {
    ::close(stagingFd_);
    stagingFd_ = -1;
  }
  if (!committed_ && !stagingName_.empty() && outFd_ >= 0)
    removeTree(outFd_, stagingName_.c_str());
  stagingName_.clear();
  // A folder this build created holds nothing of value: remove its lock
  // file and the folder (rmdir refuses if anything else appeared in it).
  if (!committed_ && createdOut_ && outFd_ >= 0 && parentFd_ >= 0) {
    ::unlinkat(outFd_, kOutputLock, 0);
    ::unlinkat(parentFd_, outName_.c_str(), AT_REMOVEDIR);
    createdOut_ = false;
  }
}

std::string writeOutputAtomically(const std::string &dir,
                                  const std::map<std::string, std::string> &files) {
  OutputWriter writer;
  if (std::string why = writer.begin(dir); !why.empty())
    return why;
  if (std::string why = writer.write(files); !why.empty())
    return why; // the destructor removes the staging folder
  return writer.commit();
}

} // namespace plat::backends
