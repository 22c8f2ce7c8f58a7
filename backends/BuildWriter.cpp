#include "backends/BuildWriter.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <random>
#include <set>

#include "fmt/format.h"

namespace fs = std::filesystem;

namespace plat::backends {

static std::string uniqueSuffix() {
  std::random_device rd;
  return fmt::format("{:08x}", rd());
}

// Writes `bytes` to a new file at `path` with plain POSIX calls: no stream
// buffers, no fsync (the rename below is the commit point; a crash before
// it leaves the previous output in place).
static std::string writeFile(const std::string &path, const std::string &bytes) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0)
    return fmt::format("cannot write `{}`: {}", path, std::strerror(errno));
  const char *p = bytes.data();
  size_t left = bytes.size();
  while (left > 0) {
    ssize_t n = ::write(fd, p, left);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0) {
      std::string why = fmt::format("cannot write `{}`: {}", path, std::strerror(errno));
      ::close(fd);
      return why;
    }
    p += n;
    left -= static_cast<size_t>(n);
  }
  if (::close(fd) != 0)
    return fmt::format("cannot write `{}`: {}", path, std::strerror(errno));
  return {};
}

// Whether the file at `path` holds exactly `bytes`.
static bool sameContent(const std::string &path, const std::string &bytes) {
  // No symbolic links, and no file linked from anywhere else: the new output
  // must not share an inode with anything but the output it replaces.
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
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
// everything in it; symbolic links are removed, never followed. Unlike
// std::filesystem::remove_all it trusts the entry types the folder listing
// reports, so removing a previous output of 40,000 files costs one unlink
// per file rather than a stat and an unlink (a rebuild spends a third of its
// system time here otherwise). Returns false if anything was left behind.
static bool removeTree(int parentFd, const char *name) {
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
    if (n[0] == '.' && (n[1] == 0 || (n[1] == '.' && n[2] == 0)))
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

static void removeTree(const fs::path &path) {
  fs::path parent = path.parent_path();
  int fd = ::open(parent.empty() ? "." : parent.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0)
    return;
  bool ok = removeTree(fd, path.filename().c_str());
  ::close(fd);
  if (!ok) {
    // Whatever the fast path could not remove (permissions changed under
    // us, say) gets the standard library's try.
    std::error_code ignore;
    fs::remove_all(path, ignore);
  }
}

OutputWriter::~OutputWriter() { abort(); }

std::string OutputWriter::begin(const std::string &dir) {
  std::error_code ec;
  target_ = fs::absolute(dir, ec).lexically_normal();
  if (target_.filename().empty())
    target_ = target_.parent_path();
  if (fs::exists(target_, ec)) {
    if (!fs::is_directory(target_, ec))
      return fmt::format("`{}` exists and is not a folder", dir);
    bool empty = fs::is_empty(target_, ec);
    if (!empty && !fs::exists(target_ / kOutputMarker, ec))
      return fmt::format("`{}` is not empty and was not written by platc (no {} file); "
                         "refusing to replace it",
                         dir, kOutputMarker);
  }
  fs::path parent = target_.parent_path();
  fs::create_directories(parent, ec);
  if (ec)
    return fmt::format("cannot create `{}`: {}", parent.string(), ec.message());
  fs::path tmp = parent / (target_.filename().string() + ".tmp-" + uniqueSuffix());
  fs::create_directories(tmp, ec);
  if (ec)
    return fmt::format("cannot create `{}`: {}", tmp.string(), ec.message());
  tmp_ = tmp.string() + "/";
  // Files whose bytes are unchanged since the previous output are
  // hard-linked from it (on ext4 here a link costs ~7 µs, a new file
  // ~160 µs): a rebuild pays only for what changed, and unchanged files keep
  // their timestamps. The previous output itself is never modified.
  hasPrevious_ = fs::is_directory(target_, ec) && fs::exists(target_ / kOutputMarker, ec);
  previous_ = target_.string() + "/";
  return {};
}

std::string OutputWriter::write(const std::map<std::string, std::string> &files,
                                const std::string &prefix) {
  if (tmp_.empty())
    return "the output folder was not prepared";
  // Check every path, then create each folder once, parents first (a
  // std::set of paths orders `a` before `a/b`). Folders may already exist:
  // several writers share the environment folders.
  std::set<std::string> folders;
  for (const auto &[relative, bytes] : files) {
    std::string rel = prefix + relative;
    fs::path relPath(rel);
    if (rel.empty() || relPath.is_absolute() || rel.find("..") != std::string::npos)
      return fmt::format("refusing to write outside the output folder: `{}`", rel);
    for (size_t slash = rel.find('/'); slash != std::string::npos; slash = rel.find('/', slash + 1))
      folders.insert(rel.substr(0, slash));
  }
  for (const std::string &folder : folders) {
    std::string path = tmp_ + folder;
    if (::mkdir(path.c_str(), 0755) != 0 && errno != EEXIST)
      return fmt::format("cannot create `{}`: {}", path, std::strerror(errno));
  }
  for (const auto &[relative, bytes] : files) {
    std::string rel = prefix + relative;
    if (hasPrevious_ && sameContent(previous_ + rel, bytes) &&
        ::link((previous_ + rel).c_str(), (tmp_ + rel).c_str()) == 0)
      continue;
    if (std::string why = writeFile(tmp_ + rel, bytes); !why.empty())
      return why;
  }
  return {};
}

std::string OutputWriter::commit() {
  if (tmp_.empty())
    return "the output folder was not prepared";
  if (std::string why = writeFile(tmp_ + kOutputMarker,
                                  "This folder is written by platc build and replaced as a whole.\n");
      !why.empty())
    return why;
  // Swap: old → .old-XXXX, tmp → target, then delete the old one.
  std::error_code ec;
  fs::path parent = target_.parent_path();
  fs::path tmp = fs::path(tmp_).parent_path();
  fs::path old;
  if (fs::exists(target_, ec)) {
    old = parent / (target_.filename().string() + ".old-" + uniqueSuffix());
    fs::rename(target_, old, ec);
    if (ec)
      return fmt::format("cannot move the previous output aside: {}", ec.message());
  }
  fs::rename(tmp, target_, ec);
  if (ec) {
    std::error_code restore;
    if (!old.empty())
      fs::rename(old, target_, restore);
    return fmt::format("cannot move the new output into place: {}", ec.message());
  }
  tmp_.clear();
  if (!old.empty())
    removeTree(old);
  return {};
}

void OutputWriter::abort() {
  if (tmp_.empty())
    return;
  removeTree(fs::path(tmp_).parent_path());
  tmp_.clear();
}

std::string writeOutputAtomically(const std::string &dir,
                                  const std::map<std::string, std::string> &files) {
  OutputWriter writer;
  if (std::string why = writer.begin(dir); !why.empty())
    return why;
  if (std::string why = writer.write(files); !why.empty())
    return why; // the destructor removes the temporary folder
  return writer.commit();
}

} // namespace plat::backends
