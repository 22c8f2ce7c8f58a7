// Finding and reading `.plat` sources safely.
//
// platc runs on untrusted pull requests, so what it reads is decided here,
// in one place, for `check`, `build`, `fmt` and every other command:
// - only regular files are read: a FIFO, socket or device named `x.plat`
//   is reported, never opened for reading in a way that could block or
//   stream without end;
// - a symbolic link to a `.plat` file is followed only when its target is a
//   regular file inside the root (the workspace, or the folder `fmt` was
//   given); a link that leads outside is reported and never opened, so
//   its target's bytes never reach a diagnostic or an output;
// - linked folders are not searched (a link can make a folder appear twice
//   or lead outside the root);
// - a folder that cannot be listed is reported, never skipped silently;
// - a file is read through one descriptor checked with `fstat` after
//   opening, and never more than the size limit plus one byte is read.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace plat {

// One `.plat` file found below the root.
struct SourceEntry {
  std::string relativePath;   // forward slashes, relative to the root
  std::filesystem::path path; // what to open: the file, or a link's target inside the root
};

// Why an entry below the root is not read.
struct SourceProblem {
  enum Kind {
    UnreadableFolder, // a folder could not be listed
    NotRegularFile,   // a FIFO, socket or device named `*.plat`
    LinkOutsideRoot,  // a link whose target is outside the root
    BrokenLink,       // a link whose target does not exist
  };
  Kind kind;
  std::string relativePath;
  std::string detail; // the system's words, where there are some
};

// Lists every `.plat` file below `root`, sorted by relative path. Hidden
// folders, `node_modules`, `build` and `out` are skipped when
// `skipOutputFolders` is set (the workspace's rule).
void listSourceFiles(const std::filesystem::path &root, bool skipOutputFolders,
                     std::vector<SourceEntry> &files, std::vector<SourceProblem> &problems);

// Resolves one path named on the command line (`platc fmt FILE`): the file
// itself when it is regular, or a link's target when the target is a
// regular file. Returns false with `problem` filled otherwise.
bool resolveNamedFile(const std::filesystem::path &file, SourceEntry &entry,
                      SourceProblem &problem);

struct ReadResult {
  enum Status { Ok, TooLarge, NotRegularFile, Unreadable } status = Ok;
  std::string text;   // the bytes, without a leading UTF-8 byte-order mark
  uint64_t size = 0;  // the file's size in bytes (for TooLarge)
  std::string detail; // the system's words, for Unreadable
  bool hadByteOrderMark = false;
};

// Reads a regular file of at most `maxBytes` bytes. Opens without following
// a final link and without blocking, checks the descriptor is a regular
// file, and reads no more than `maxBytes + 1` bytes whatever the size says.
ReadResult readSourceFile(const std::filesystem::path &path, uint64_t maxBytes);

// Removes a leading UTF-8 byte-order mark. Editors on some systems write
// one; it is not part of the text, and positions count from after it.
bool stripByteOrderMark(std::string &text);

} // namespace plat
