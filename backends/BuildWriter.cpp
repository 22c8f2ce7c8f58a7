#include "backends/BuildWriter.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <ctime>
#include <random>
#include <set>
#include <thread>

#include "fmt/format.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/xxhash.h"

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

// `.` and `..`, which a folder listing also returns.
static bool isDots(const char *n) { return n[0] == '.' && (n[1] == 0 || (n[1] == '.' && n[2] == 0)); }

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

// The folders two levels below `root` (`<env>/<backend>`), for removing
// in parallel.
static std::vector<std::string> subfolders(const std::string &root, int depth) {
  std::vector<std::string> out;
  DIR *dir = ::opendir(root.c_str());
  if (!dir)
    return out;
  while (struct dirent *e = ::readdir(dir)) {
    const char *n = e->d_name;
    if (e->d_type != DT_DIR || isDots(n))
      continue;
    std::string path = root + "/" + n;
    if (depth > 1) {
      std::vector<std::string> below = subfolders(path, depth - 1);
      out.insert(out.end(), below.begin(), below.end());
    } else {
      out.push_back(std::move(path));
    }
  }
  ::closedir(dir);
  return out;
}

// removeTree on two threads: the `<env>/<backend>` folders are shared out
// first (unlinking in different folders runs in parallel; one thread spends
// much of its time waiting in the kernel), then whatever is left.
static void removeTreeInParallel(const fs::path &path) {
  std::vector<std::string> work = subfolders(path.string(), 2);
  if (work.size() > 1) {
    std::atomic<size_t> next{0};
    auto remove = [&] {
      for (size_t i; (i = next.fetch_add(1)) < work.size();)
        removeTree(fs::path(work[i]));
    };
    std::thread helper(remove);
    remove();
    helper.join();
  }
  removeTree(path);
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
  // hard-linked from it (a link costs a few µs, creating a file 15–250 µs
  // on the ext4 we measured): a rebuild pays only for what changed, and
  // unchanged files keep their timestamps. The previous output itself is
  // never modified.
  hasPrevious_ = fs::is_directory(target_, ec) && fs::exists(target_ / kOutputMarker, ec);
  previous_ = target_.string() + "/";
  hasIndex_ = hasPrevious_ && loadIndex();
  return {};
}

// Reads the previous output's index; false (and no index) when it is absent
// or not exactly what writeIndex writes.
bool OutputWriter::loadIndex() {
  std::string path = previous_ + kOutputIndex;
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0)
    return false;
  // The time comes from the same open file as the bytes.
  struct stat st;
  std::unique_ptr<llvm::MemoryBuffer> buffer;
  if (::fstat(fd, &st) == 0 && S_ISREG(st.st_mode)) {
    auto read = llvm::MemoryBuffer::getOpenFile(fd, path, static_cast<uint64_t>(st.st_size),
                                                /*RequiresNullTerminator=*/false);
    if (read)
      buffer = std::move(*read);
  }
  ::close(fd);
  if (!buffer)
    return false;
  indexSec_ = st.st_mtim.tv_sec;
  indexNsec_ = st.st_mtim.tv_nsec;
  llvm::StringRef rest = buffer->getBuffer();
  while (!rest.empty()) {
    auto [line, next] = rest.split('\n');
    rest = next;
    // <16 hex digits> <size> <path>
    auto [hash, afterHash] = line.split(' ');
    auto [size, file] = afterHash.split(' ');
    IndexEntry e;
    if (hash.size() != 16 || hash.getAsInteger(16, e.hash) || size.getAsInteger(10, e.size) ||
        file.empty()) {
      index_.clear();
      return false;
    }
    index_[file] = e;
  }
  return true;
}

// Whether the previous output's file at `path` is, without reading it, the
// one the index describes: a regular file with a single link (nothing
// outside the output shares it), of `size` bytes, whose inode has not
// changed since the index was written. Editing a file, replacing it or
// linking it elsewhere moves its status-change time, which no one can set
// back; a change in the same clock tick as the index counts as a change.
bool OutputWriter::trusted(const std::string &path, uint64_t size) const {
  struct stat st;
  if (::lstat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode) || st.st_nlink != 1 ||
      static_cast<uint64_t>(st.st_size) != size)
    return false;
  return st.st_ctim.tv_sec < indexSec_ || (st.st_ctim.tv_sec == indexSec_ && st.st_ctim.tv_nsec < indexNsec_);
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
  std::vector<std::pair<std::string, IndexEntry>> entries;
  entries.reserve(files.size());
  Stats stats;
  for (const auto &[relative, bytes] : files) {
    std::string rel = prefix + relative;
    IndexEntry entry{llvm::xxHash64(bytes), bytes.size()};
    bool linked = false;
    // The index lists every file of the previous output: a file it does not
    // list, or lists with other bytes, is written without looking.
    bool listed = false;
    if (hasIndex_) {
      auto it = index_.find(rel);
      listed = it != index_.end() && it->second.hash == entry.hash && it->second.size == entry.size;
    }
    if (hasPrevious_ && (listed || !hasIndex_)) {
      std::string old = previous_ + rel;
      auto link = [&] { return ::link(old.c_str(), (tmp_ + rel).c_str()) == 0; };
      if (listed && trusted(old, entry.size) && link()) {
        linked = true;
        ++stats.linkedByIndex;
      } else if (sameContent(old, bytes) && link()) {
        linked = true;
        ++stats.linkedByCompare;
      }
    }
    if (!linked) {
      if (std::string why = writeFile(tmp_ + rel, bytes); !why.empty())
        return why;
      ++stats.written;
    }
    // Paths with a line break cannot be listed; they are simply never
    // carried over by the index.
    if (rel.find('\n') == std::string::npos)
      entries.emplace_back(std::move(rel), entry);
  }
  std::lock_guard<std::mutex> lock(mutex_);
  written_.insert(written_.end(), std::make_move_iterator(entries.begin()), std::make_move_iterator(entries.end()));
  stats_.linkedByIndex += stats.linkedByIndex;
  stats_.linkedByCompare += stats.linkedByCompare;
  stats_.written += stats.written;
  return {};
}

OutputWriter::Stats OutputWriter::stats() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return stats_;
}

// Writes the index into the output folder that is now in place, through a
// temporary file and a rename. Called after the previous output was
// removed: removing it changes the status-change time of every file carried
// over from it, and the index must be younger than all of them. Failing to
// write it costs the next rebuild time, never correctness.
void OutputWriter::writeIndex() {
  // Every file of this build changed before `before`. File times come from
  // a clock that may lag the real one by a few milliseconds, so the index's
  // own time is moved forward until it is later than that: otherwise files
  // changed in the last moments of the build would look no older than the
  // index and never be trusted (correct, only slower).
  struct timespec before;
  ::clock_gettime(CLOCK_REALTIME, &before);
  std::sort(written_.begin(), written_.end(),
            [](const auto &a, const auto &b) { return a.first < b.first; });
  std::string text;
  text.reserve(written_.size() * 64);
  for (const auto &[path, e] : written_)
    fmt::format_to(std::back_inserter(text), "{:016x} {} {}\n", e.hash, e.size, path);
  std::string dir = target_.string() + "/";
  std::string tmp = dir + kOutputIndex + ".tmp";
  if (!writeFile(tmp, text).empty()) {
    ::unlink(tmp.c_str());
    return;
  }
  for (int tries = 0; tries < 100; ++tries) {
    struct stat st;
    if (::lstat(tmp.c_str(), &st) != 0)
      break;
    if (st.st_mtim.tv_sec > before.tv_sec ||
        (st.st_mtim.tv_sec == before.tv_sec && st.st_mtim.tv_nsec > before.tv_nsec))
      break;
    struct timespec nap = {0, 500 * 1000};
    ::nanosleep(&nap, nullptr);
    ::utimensat(AT_FDCWD, tmp.c_str(), nullptr, 0); // now
  }
  if (::rename(tmp.c_str(), (dir + kOutputIndex).c_str()) != 0)
    ::unlink(tmp.c_str());
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
    removeTreeInParallel(old);
  writeIndex();
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
