// The build output folder: replaced atomically as a whole, and on a rebuild
// unchanged files are hard-linked from the previous output instead of being
// written again.

#include <catch2/catch.hpp>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <random>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "backends/BuildWriter.h"

namespace fs = std::filesystem;
using plat::backends::OutputWriter;
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

namespace {

// One build through OutputWriter, returning what it did with each file.
OutputWriter::Stats build(const fs::path &out, const std::map<std::string, std::string> &files) {
  OutputWriter w;
  REQUIRE(w.begin(out).empty());
  REQUIRE(w.write(files).empty());
  REQUIRE(w.commit().empty());
  return w.stats();
}

// File timestamps come from a clock that may tick only every few
// milliseconds; waiting makes "after the index was written" unambiguous.
void nextTick() { std::this_thread::sleep_for(std::chrono::milliseconds(30)); }

} // namespace

TEST_CASE("a rebuild carries files over by the output index without reading them",
          "[build][writer]") {
  TempDir tmp;
  fs::path out = tmp.path / "out";
  std::map<std::string, std::string> files{
      {"dev/a.yaml", "a: 1\n"}, {"dev/b.yaml", "b: 1\n"}, {"prod/c d.json", "{}\n"}};
  OutputWriter::Stats first = build(out, files);
  CHECK(first.written == 3);
  // The index: every file, sorted, `<xxhash64> <size> <path>`.
  std::string index = read(out / ".platc-index");
  CHECK(index.size() == 3 * 17 + 3 * 2 + std::string("dev/a.yaml\ndev/b.yaml\nprod/c d.json\n").size());
  CHECK(index.find(" 5 dev/a.yaml\n") == 16);
  CHECK(index.find(" 3 prod/c d.json\n") != std::string::npos);

  nextTick();
  files["dev/b.yaml"] = "b: 2\n";
  OutputWriter::Stats second = build(out, files);
  CHECK(second.linkedByIndex == 2);
  CHECK(second.linkedByCompare == 0);
  CHECK(second.written == 1);
  CHECK(read(out / "dev/b.yaml") == "b: 2\n");
  CHECK(read(out / ".platc-index") != index);

  // Carried-over files stay trusted build after build.
  nextTick();
  OutputWriter::Stats third = build(out, files);
  CHECK(third.linkedByIndex == 3);
  CHECK(third.written == 0);
}

TEST_CASE("the output index never vouches for a file changed after it was written",
          "[build][writer]") {
  TempDir tmp;
  fs::path out = tmp.path / "out";
  std::map<std::string, std::string> files{{"a.json", "{}\n"}, {"b.json", "[]\n"}};
  build(out, files);
  nextTick();
  // Edited in place, same size, and its modification time put back as it
  // was (`touch -r`): only the status-change time tells.
  struct stat before;
  REQUIRE(::stat((out / "a.json").c_str(), &before) == 0);
  { std::ofstream(out / "a.json", std::ios::binary) << "{ }"; }
  struct timespec times[2] = {before.st_atim, before.st_mtim};
  REQUIRE(::utimensat(AT_FDCWD, (out / "a.json").c_str(), times, 0) == 0);
  nextTick();
  OutputWriter::Stats s = build(out, files);
  CHECK(read(out / "a.json") == "{}\n");
  CHECK(s.linkedByIndex == 1); // b.json
  CHECK(s.written == 1);       // a.json: compared, differs, written

  // A damaged index is ignored: every file is compared instead.
  nextTick();
  { std::ofstream(out / ".platc-index", std::ios::binary | std::ios::app) << "not an index line\n"; }
  OutputWriter::Stats t = build(out, files);
  CHECK(t.linkedByIndex == 0);
  CHECK(t.linkedByCompare == 2);
  CHECK(read(out / "a.json") == "{}\n");
}

TEST_CASE("rebuilds always write exactly the requested bytes, whatever happened to the previous "
          "output",
          "[build][writer]") {
  // Random builds over a small set of paths, with the previous output
  // disturbed between builds the ways people and tools do: edited in place
  // (with and without putting the modification time back), replaced,
  // deleted, linked from outside, or the index itself damaged or removed.
  // After every build each file must hold what that build asked for.
  TempDir tmp;
  fs::path out = tmp.path / "out";
  std::mt19937 rng(20261126);
  auto pick = [&](size_t n) { return static_cast<size_t>(rng() % n); };
  const std::vector<std::string> paths = {"dev/a.yaml", "dev/b.yaml", "dev/k8s/c.yaml", "prod/a.yaml",
                                          "prod/iam/roles/t.json", "prod/x y.json"};
  const std::vector<std::string> contents = {"a: 1\n", "a: 2\n", "b: 1\n", "{}\n", "[]\n", ""};
  size_t byIndex = 0, outsideLinks = 0;
  std::map<std::string, std::string> previous;
  for (int round = 0; round < 100; ++round) {
    // Most files keep their bytes from one build to the next, as in real
    // rebuilds: those are the ones the index may carry over.
    std::map<std::string, std::string> files;
    for (const std::string &p : paths) {
      auto was = previous.find(p);
      if (was != previous.end() && pick(4) != 0)
        files[p] = was->second;
      else if (pick(4) != 0)
        files[p] = contents[pick(contents.size())];
    }
    if (files.empty())
      files[paths[0]] = contents[0];
    OutputWriter::Stats st = build(out, files);
    byIndex += st.linkedByIndex;
    for (const auto &[p, bytes] : files)
      REQUIRE(read(out / p) == bytes);
    previous = files;
    size_t expected = 0;
    for (const auto &e : fs::recursive_directory_iterator(out))
      expected += e.is_regular_file() && e.path().filename().string()[0] != '.';
    REQUIRE(expected == files.size());

    if (round % 3 == 0)
      nextTick(); // sometimes the next build comes a moment later
    // Disturb one thing (or nothing).
    auto it = files.begin();
    std::advance(it, static_cast<long>(pick(files.size())));
    fs::path victim = out / it->first;
    switch (pick(7)) {
    case 0: { // edited in place, same size, mtime put back
      struct stat before;
      REQUIRE(::stat(victim.c_str(), &before) == 0);
      std::string same(it->second.size(), 'z');
      { std::ofstream(victim, std::ios::binary) << same; }
      struct timespec times[2] = {before.st_atim, before.st_mtim};
      ::utimensat(AT_FDCWD, victim.c_str(), times, 0);
      break;
    }
    case 1: // replaced by another file
      fs::remove(victim);
      { std::ofstream(victim, std::ios::binary) << it->second << "#"; }
      break;
    case 2: // deleted
      fs::remove(victim);
      break;
    case 3: // linked from outside the output
      fs::remove(tmp.path / "outside");
      REQUIRE(::link(victim.c_str(), (tmp.path / "outside").c_str()) == 0);
      ++outsideLinks;
      break;
    case 4: // index damaged
      { std::ofstream(out / ".platc-index", std::ios::binary | std::ios::app) << "zz\n"; }
      break;
    case 5: // index removed
      fs::remove(out / ".platc-index");
      break;
    default:
      break;
    }
    if (fs::exists(tmp.path / "outside") && fs::exists(victim) && pick(2) == 0) {
      // An outside link must never be shared with the next output.
      REQUIRE(writeOutputAtomically(out, files).empty());
      for (const auto &[p, bytes] : files)
        REQUIRE(read(out / p) == bytes);
      CHECK(inode(out / it->first) != inode(tmp.path / "outside"));
    }
  }
  // The index did its job where files were unchanged and undisturbed (most
  // files get new bytes each round).
  CHECK(byIndex > 100);
  CHECK(outsideLinks > 0);
}
