// The build output folder: replaced atomically as a whole, and on a rebuild
// unchanged files are hard-linked from the previous output instead of being
// written again.

#include <catch2/catch.hpp>

#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "backends/BuildWriter.h"

namespace fs = std::filesystem;
using plat::backends::writeOutputAtomically;

namespace {

std::string read(const fs::path &p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

ino_t inode(const fs::path &p) {
  struct stat st;
  REQUIRE(::stat(p.c_str(), &st) == 0);
  return st.st_ino;
}

struct TempDir {
  fs::path path;
  TempDir() {
    char tmpl[] = "/tmp/plat-writer-XXXXXX";
    path = ::mkdtemp(tmpl);
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
};

} // namespace

TEST_CASE("a rebuild links unchanged files and writes changed ones", "[build][writer]") {
  TempDir tmp;
  fs::path out = tmp.path / "out";
  REQUIRE(writeOutputAtomically(out, {{"dev/a.yaml", "a: 1\n"}, {"dev/b.yaml", "b: 1\n"},
                                      {"dev/gone.yaml", "x\n"}})
              .empty());
  ino_t a1 = inode(out / "dev/a.yaml");
  ino_t b1 = inode(out / "dev/b.yaml");

  REQUIRE(writeOutputAtomically(out, {{"dev/a.yaml", "a: 1\n"}, {"dev/b.yaml", "b: 2\n"},
                                      {"dev/new.yaml", "n\n"}})
              .empty());
  CHECK(read(out / "dev/a.yaml") == "a: 1\n");
  CHECK(read(out / "dev/b.yaml") == "b: 2\n");
  CHECK(read(out / "dev/new.yaml") == "n\n");
  CHECK_FALSE(fs::exists(out / "dev/gone.yaml"));
  CHECK(inode(out / "dev/a.yaml") == a1); // linked, not rewritten
  CHECK(inode(out / "dev/b.yaml") != b1);
  // Only the output is left beside it: no temporary or old folders.
  size_t entries = 0;
  for (const auto &e : fs::directory_iterator(tmp.path))
    entries += e.path().filename() != "out";
  CHECK(entries == 0);
  // The linked file is not shared with anything else any more.
  struct stat st;
  REQUIRE(::stat((out / "dev/a.yaml").c_str(), &st) == 0);
  CHECK(st.st_nlink == 1);
}

TEST_CASE("a rebuild never trusts a previous file that was edited or linked elsewhere",
          "[build][writer]") {
  TempDir tmp;
  fs::path out = tmp.path / "out";
  REQUIRE(writeOutputAtomically(out, {{"a.json", "{}\n"}, {"b.json", "[]\n"}}).empty());
  // Someone edits a generated file in place (same size, other bytes) ...
  { std::ofstream(out / "a.json", std::ios::binary) << "{ }"; }
  // ... and links another one from outside the output.
  REQUIRE(::link((out / "b.json").c_str(), (tmp.path / "outside.json").c_str()) == 0);
  REQUIRE(writeOutputAtomically(out, {{"a.json", "{}\n"}, {"b.json", "[]\n"}}).empty());
  CHECK(read(out / "a.json") == "{}\n");
  CHECK(inode(out / "b.json") != inode(tmp.path / "outside.json"));
}

TEST_CASE("replacing the output removes the previous one without following links out of it",
          "[build][writer]") {
  TempDir tmp;
  fs::path out = tmp.path / "out";
  fs::path outside = tmp.path / "outside";
  fs::create_directories(outside / "keep");
  { std::ofstream(outside / "keep" / "data.txt") << "mine\n"; }
  REQUIRE(writeOutputAtomically(out, {{"dev/a.yaml", "a: 1\n"}, {"dev/deep/b/c.json", "{}\n"}}).empty());
  // Someone leaves links to folders and files outside inside the output.
  fs::create_directory_symlink(outside, out / "dev" / "link-to-dir");
  fs::create_symlink(outside / "keep" / "data.txt", out / "dev" / "deep" / "link-to-file");
  REQUIRE(writeOutputAtomically(out, {{"dev/a.yaml", "a: 2\n"}}).empty());
  CHECK(read(out / "dev/a.yaml") == "a: 2\n");
  CHECK_FALSE(fs::exists(fs::symlink_status(out / "dev" / "link-to-dir")));
  CHECK_FALSE(fs::exists(out / "dev" / "deep"));
  CHECK(read(outside / "keep" / "data.txt") == "mine\n");
  size_t entries = 0;
  for (const auto &e : fs::directory_iterator(tmp.path))
    entries += e.path().filename() != "out" && e.path().filename() != "outside";
  CHECK(entries == 0);
}
