#include "workspace/SourceFiles.h"

#include <algorithm>
#include <cerrno>
#include <cstring>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace fs = std::filesystem;

namespace plat {

namespace {

bool skippedFolderName(const std::string &name) {
  return name.empty() || name[0] == '.' || name == "node_modules" || name == "build" ||
         name == "out";
}

// Whether `path` (canonical) lies inside `root` (canonical).
bool inside(const fs::path &path, const fs::path &root) {
  auto r = root.begin(), p = path.begin();
  for (; r != root.end(); ++r, ++p)
    if (p == path.end() || *p != *r)
      return false;
  return true;
}

// Classifies a link found at `link`: its target when that is a regular
// file inside `root`, otherwise the problem.
bool followLink(const fs::path &link, const fs::path &root, fs::path &target,
                SourceProblem::Kind &kind, std::string &detail) {
  std::error_code ec;
  fs::path resolved = fs::canonical(link, ec);
  if (ec) {
    kind = SourceProblem::BrokenLink;
    detail = ec.message();
    return false;
  }
  if (!root.empty() && !inside(resolved, root)) {
    kind = SourceProblem::LinkOutsideRoot;
    return false;
  }
  if (!fs::is_regular_file(fs::symlink_status(resolved, ec))) {
    kind = SourceProblem::NotRegularFile;
    return false;
  }
  target = resolved;
  return true;
}

} // namespace

void listSourceFiles(const fs::path &root, bool skipOutputFolders, std::vector<SourceEntry> &files,
                     std::vector<SourceProblem> &problems) {
  std::error_code ec;
  fs::path canonicalRoot = fs::canonical(root, ec);
  if (ec)
    canonicalRoot = fs::absolute(root, ec).lexically_normal();
  // Folders still to list, by path relative to the root ("" is the root).
  std::vector<std::string> pending{""};
  while (!pending.empty()) {
    std::string folder = std::move(pending.back());
    pending.pop_back();
    fs::path dir = folder.empty() ? root : root / folder;
    std::error_code listEc;
    fs::directory_iterator it(dir, listEc);
    if (listEc) {
      problems.push_back({SourceProblem::UnreadableFolder, folder.empty() ? "." : folder,
                          listEc.message()});
      continue;
    }
    for (; !listEc && it != fs::directory_iterator(); it.increment(listEc)) {
      const fs::directory_entry &entry = *it;
      std::string name = entry.path().filename().string();
      std::string rel = folder.empty() ? name : folder + "/" + name;
      std::error_code typeEc;
      fs::file_status status = entry.symlink_status(typeEc);
      bool isPlat = entry.path().extension() == ".plat";
      if (fs::is_directory(status)) {
        if (!(skipOutputFolders ? skippedFolderName(name) : (name.empty() || name[0] == '.')))
          pending.push_back(rel);
        continue;
      }
      if (!isPlat)
        continue;
      if (fs::is_regular_file(status)) {
        files.push_back({rel, entry.path()});
        continue;
      }
      if (fs::is_symlink(status)) {
        fs::path target;
        SourceProblem::Kind kind;
        std::string detail;
        if (followLink(entry.path(), canonicalRoot, target, kind, detail))
          files.push_back({rel, target});
        else
          problems.push_back({kind, rel, detail});
        continue;
      }
      problems.push_back({SourceProblem::NotRegularFile, rel, ""});
    }
    if (listEc)
      problems.push_back({SourceProblem::UnreadableFolder, folder.empty() ? "." : folder,
                          listEc.message()});
  }
  std::sort(files.begin(), files.end(), [](const SourceEntry &a, const SourceEntry &b) {
    return a.relativePath < b.relativePath;
  });
  std::sort(problems.begin(), problems.end(), [](const SourceProblem &a, const SourceProblem &b) {
    return a.relativePath < b.relativePath;
  });
}

bool resolveNamedFile(const fs::path &file, SourceEntry &entry, SourceProblem &problem) {
  std::error_code ec;
  fs::file_status status = fs::symlink_status(file, ec);
  entry.relativePath = file.generic_string();
  problem.relativePath = entry.relativePath;
  if (fs::is_regular_file(status)) {
    entry.path = file;
    return true;
  }
  if (fs::is_symlink(status)) {
    // A link the user named: followed wherever it leads, but only to a
    // regular file.
    fs::path target;
    if (followLink(file, fs::path(), target, problem.kind, problem.detail)) {
      entry.path = target;
      return true;
    }
    return false;
  }
  problem.kind = SourceProblem::NotRegularFile;
  return false;
}

bool stripByteOrderMark(std::string &text) {
  if (text.size() >= 3 && static_cast<unsigned char>(text[0]) == 0xEF &&
      static_cast<unsigned char>(text[1]) == 0xBB && static_cast<unsigned char>(text[2]) == 0xBF) {
    text.erase(0, 3);
    return true;
  }
  return false;
}

ReadResult readSourceFile(const fs::path &path, uint64_t maxBytes) {
  ReadResult result;
  int fd = ::open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) {
    result.status = errno == ELOOP ? ReadResult::NotRegularFile : ReadResult::Unreadable;
    result.detail = std::strerror(errno);
    return result;
  }
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd);
    result.status = ReadResult::NotRegularFile;
    return result;
  }
  result.size = static_cast<uint64_t>(st.st_size);
  if (result.size > maxBytes) {
    ::close(fd);
    result.status = ReadResult::TooLarge;
    return result;
  }
  // The size can change between fstat and read (a file being written):
  // read at most one byte past the limit, whatever fstat said.
  result.text.resize(static_cast<size_t>(result.size) + 1);
  size_t have = 0;
  for (;;) {
    if (have == result.text.size()) {
      if (have > maxBytes)
        break;
      result.text.resize(std::min<uint64_t>(maxBytes + 1, have * 2 + 4096));
    }
    ssize_t n = ::read(fd, result.text.data() + have, result.text.size() - have);
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0) {
      result.status = ReadResult::Unreadable;
      result.detail = std::strerror(errno);
      ::close(fd);
      result.text.clear();
      return result;
    }
    if (n == 0)
      break;
    have += static_cast<size_t>(n);
  }
  ::close(fd);
  result.text.resize(have);
  if (have > maxBytes) {
    result.status = ReadResult::TooLarge;
    result.size = have;
    result.text.clear();
    return result;
  }
  result.hadByteOrderMark = stripByteOrderMark(result.text);
  return result;
}

} // namespace plat
