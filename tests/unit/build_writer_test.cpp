// The build output folder: owned through its manifest, committed through a
// staging folder, locked, never followed through links; on a rebuild
// unchanged files stay in place instead of being written again.

#include <catch2/catch.hpp>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <random>
#include <filesystem>
#include <fstream>
#include <memory>
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

TEST_CASE("a rebuild keeps unchanged files in place and writes changed ones", "[build][writer]") {
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
  CHECK(inode(out / "dev/a.yaml") == a1); // kept, not rewritten
  CHECK(inode(out / "dev/b.yaml") != b1);
  // Only the output is left beside it: no temporary or old folders.
  size_t entries = 0;
  for (const auto &e : fs::directory_iterator(tmp.path))
    entries += e.path().filename() != "out";
  CHECK(entries == 0);
  // The kept file is not shared with anything else.
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

TEST_CASE("a rebuild removes listed files only, and never follows links left in the output",
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
  // The links are not platc's: they stay, and nothing behind them changed.
  CHECK(fs::is_symlink(out / "dev" / "link-to-dir"));
  CHECK(fs::is_symlink(out / "dev" / "deep" / "link-to-file"));
  // The listed file went, and the folder it leaves empty with it.
  CHECK_FALSE(fs::exists(out / "dev/deep/b"));
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
  CHECK(second.keptByIndex == 2);
  CHECK(second.keptByCompare == 0);
  CHECK(second.written == 1);
  CHECK(read(out / "dev/b.yaml") == "b: 2\n");
  CHECK(read(out / ".platc-index") != index);

  // Carried-over files stay trusted build after build.
  nextTick();
  OutputWriter::Stats third = build(out, files);
  CHECK(third.keptByIndex == 3);
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
  CHECK(s.keptByIndex == 1); // b.json
  CHECK(s.written == 1);       // a.json: compared, differs, written

  // Without the manifest's word (its time moved back before the files'),
  // every file is compared instead.
  nextTick();
  struct timespec old[2] = {{0, UTIME_OMIT}, {1, 0}};
  REQUIRE(::utimensat(AT_FDCWD, (out / ".platc-index").c_str(), old, 0) == 0);
  OutputWriter::Stats t = build(out, files);
  CHECK(t.keptByIndex == 0);
  CHECK(t.keptByCompare == 2);
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
    byIndex += st.keptByIndex;
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
    case 4:   // manifest damaged: the build refuses and changes nothing
    case 5: { // manifest removed: likewise (the folder is no longer platc's)
      std::string saved = read(out / ".platc-index");
      if (pick(2) == 0)
        std::ofstream(out / ".platc-index", std::ios::binary | std::ios::app) << "zz\n";
      else
        fs::remove(out / ".platc-index");
      REQUIRE_FALSE(writeOutputAtomically(out, {{paths[0], "other\n"}}).empty());
      for (const auto &[p, bytes] : files)
        REQUIRE(read(out / p) == bytes);
      fs::remove(out / ".platc-index");
      std::ofstream(out / ".platc-index", std::ios::binary) << saved;
      break;
    }
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

// ---- the output folder is safe on untrusted input (issue 14) -------------

namespace {

std::string begin(const fs::path &out, std::vector<std::string> scope = {}) {
  OutputWriter w;
  return w.begin(out, std::move(scope));
}

bool contains(const std::string &text, const std::string &part) { return text.find(part) != std::string::npos; }

size_t links(const fs::path &p) {
  struct stat st;
  REQUIRE(::lstat(p.c_str(), &st) == 0);
  return st.st_nlink;
}

} // namespace

TEST_CASE("a folder inside the output replaced by a link is refused, not written through",
          "[build][writer]") {
  // Issue 14, defect 1: `prod/iam/roles` turned into a link to a folder
  // outside holding a file of the same size; the rebuild hard-linked it
  // into the output.
  TempDir tmp;
  fs::path out = tmp.path / "out", victim = tmp.path / "victim";
  std::map<std::string, std::string> files{{"prod/iam/roles/payments.json", "{\"a\":1}\n"},
                                           {"prod/iam/team.json", "{}\n"}};
  REQUIRE(writeOutputAtomically(out, files).empty());
  fs::create_directories(victim);
  { std::ofstream(victim / "payments.json", std::ios::binary) << "{\"b\":2}\n"; }
  nextTick();
  REQUIRE(writeOutputAtomically(out, files).empty());
  fs::remove_all(out / "prod/iam/roles");
  fs::create_directory_symlink("../../../victim", out / "prod/iam/roles");
  std::string why = writeOutputAtomically(out, files);
  CHECK(contains(why, "`" + (out / "prod/iam/roles").string() + "` is a symbolic link"));
  CHECK(read(victim / "payments.json") == "{\"b\":2}\n");
  CHECK(links(victim / "payments.json") == 1);
  CHECK(fs::is_symlink(out / "prod/iam/roles"));
  CHECK(read(out / "prod/iam/team.json") == "{}\n");
}

TEST_CASE("an output folder that is a link is refused and its target left alone", "[build][writer]") {
  // Issue 14, defect 4: the link was replaced by a folder and its target's
  // folders emptied.
  TempDir tmp;
  fs::path rel1 = tmp.path / "rel1", current = tmp.path / "current";
  REQUIRE(writeOutputAtomically(rel1, {{"dev/k8s/a.yaml", "a: 1\n"}}).empty());
  { std::ofstream(rel1 / "dev/k8s/mine.txt") << "mine\n"; }
  fs::create_directory_symlink("rel1", current);
  std::string why = writeOutputAtomically(current, {{"dev/k8s/a.yaml", "a: 2\n"}});
  CHECK(contains(why, "is a symbolic link (to `rel1`)"));
  CHECK(contains(why, "help: build into the link's target instead: `-o " + rel1.string() + "`"));
  CHECK(fs::is_symlink(current));
  CHECK(read(rel1 / "dev/k8s/a.yaml") == "a: 1\n");
  CHECK(read(rel1 / "dev/k8s/mine.txt") == "mine\n");
}

TEST_CASE("files a user put in the output survive rebuilds", "[build][writer]") {
  // Issue 14, defect 5: README.md, docs/ and prod/NOTES were deleted.
  TempDir tmp;
  fs::path out = tmp.path / "out";
  REQUIRE(writeOutputAtomically(out, {{"prod/k8s/a.yaml", "a: 1\n"}, {"prod/k8s/old.yaml", "o\n"},
                                      {"dev/k8s/a.yaml", "a: 1\n"}})
              .empty());
  { std::ofstream(out / "README.md") << "readme\n"; }
  fs::create_directories(out / "docs");
  { std::ofstream(out / "docs/notes.md") << "notes\n"; }
  { std::ofstream(out / "prod/NOTES") << "n\n"; }
  { std::ofstream(out / "prod/k8s/mine.yaml") << "m\n"; }
  REQUIRE(writeOutputAtomically(out, {{"prod/k8s/a.yaml", "a: 2\n"}}).empty());
  CHECK(read(out / "README.md") == "readme\n");
  CHECK(read(out / "docs/notes.md") == "notes\n");
  CHECK(read(out / "prod/NOTES") == "n\n");
  CHECK(read(out / "prod/k8s/mine.yaml") == "m\n");
  CHECK(read(out / "prod/k8s/a.yaml") == "a: 2\n");
  // What the previous manifest listed and this build does not produce.
  CHECK_FALSE(fs::exists(out / "prod/k8s/old.yaml"));
  CHECK_FALSE(fs::exists(out / "dev"));
  CHECK(read(out / ".platc-index").find("prod/k8s/a.yaml\n") != std::string::npos);
  CHECK(read(out / ".platc-index").find("mine") == std::string::npos);

  // A file of the user's where platc must write one is refused, not
  // replaced, and nothing changes.
  { std::ofstream(out / "prod/k8s/new.yaml") << "user\n"; }
  std::string why = writeOutputAtomically(out, {{"prod/k8s/a.yaml", "a: 3\n"}, {"prod/k8s/new.yaml", "n\n"}});
  CHECK(contains(why, "new.yaml` exists and is not in the manifest"));
  CHECK(read(out / "prod/k8s/new.yaml") == "user\n");
  CHECK(read(out / "prod/k8s/a.yaml") == "a: 2\n");
}

TEST_CASE("a narrowed build keeps the folders of environments and targets it does not build",
          "[build][writer]") {
  TempDir tmp;
  fs::path out = tmp.path / "out";
  REQUIRE(writeOutputAtomically(out, {{"dev/k8s/a.yaml", "a\n"}, {"dev/iam/r.json", "{}\n"},
                                      {"prod/k8s/a.yaml", "a\n"}, {"prod/iam/r.json", "{}\n"}})
              .empty());
  {
    OutputWriter w;
    REQUIRE(w.begin(out, {"dev/k8s/"}).empty());
    REQUIRE(w.write({{"k8s/b.yaml", "b\n"}}, "dev/").empty());
    // A narrowed build writes only inside its folders.
    CHECK(contains(w.write({{"iam/x.json", "{}\n"}}, "dev/"), "outside the folders this build writes"));
    REQUIRE(w.commit().empty());
  }
  CHECK_FALSE(fs::exists(out / "dev/k8s/a.yaml"));
  CHECK(read(out / "dev/k8s/b.yaml") == "b\n");
  CHECK(read(out / "dev/iam/r.json") == "{}\n");
  CHECK(read(out / "prod/k8s/a.yaml") == "a\n");
  CHECK(read(out / "prod/iam/r.json") == "{}\n");
  // The kept files stay listed: a later full build removes them when they
  // are no longer produced.
  REQUIRE(writeOutputAtomically(out, {{"dev/k8s/b.yaml", "b\n"}}).empty());
  CHECK_FALSE(fs::exists(out / "prod"));
  CHECK_FALSE(fs::exists(out / "dev/iam"));
  CHECK(read(out / "dev/k8s/b.yaml") == "b\n");
}

TEST_CASE("a narrowed build never makes the manifest vouch for a file edited before it",
          "[build][writer]") {
  TempDir tmp;
  fs::path out = tmp.path / "out";
  std::map<std::string, std::string> files{{"dev/k8s/a.json", "{}\n"}, {"prod/k8s/b.json", "[]\n"}};
  build(out, files);
  nextTick();
  // prod's file edited in place, same size, modification time put back ...
  struct stat before;
  REQUIRE(::stat((out / "prod/k8s/b.json").c_str(), &before) == 0);
  { std::ofstream(out / "prod/k8s/b.json", std::ios::binary) << "[ ]"; }
  struct timespec times[2] = {before.st_atim, before.st_mtim};
  REQUIRE(::utimensat(AT_FDCWD, (out / "prod/k8s/b.json").c_str(), times, 0) == 0);
  nextTick();
  // ... then a build of dev only writes a new manifest ...
  {
    OutputWriter w;
    REQUIRE(w.begin(out, {"dev/k8s/"}).empty());
    REQUIRE(w.write({{"k8s/a.json", "{}\n"}}, "dev/").empty());
    REQUIRE(w.commit().empty());
  }
  nextTick();
  // ... which must not vouch for prod's edited bytes.
  build(out, files);
  CHECK(read(out / "prod/k8s/b.json") == "[]\n");
}

TEST_CASE("a folder that is not empty and has no manifest, or a damaged manifest, is refused",
          "[build][writer]") {
  TempDir tmp;
  fs::path out = tmp.path / "out";
  fs::create_directories(out);
  { std::ofstream(out / "mine.txt") << "mine\n"; }
  CHECK(contains(writeOutputAtomically(out, {{"a.json", "{}\n"}}), "is not empty and has no `.platc-index` manifest"));
  CHECK(read(out / "mine.txt") == "mine\n");
  CHECK_FALSE(fs::exists(out / "a.json"));

  // An empty folder (a failed build may leave its lock file) is fine.
  fs::path empty = tmp.path / "empty";
  fs::create_directories(empty);
  { std::ofstream(empty / ".platc-lock"); }
  CHECK(writeOutputAtomically(empty, {{"a.json", "{}\n"}}).empty());

  // A manifest naming a path outside the output is damaged, and nothing
  // outside is removed.
  { std::ofstream(tmp.path / "victim") << "v\n"; }
  { std::ofstream(empty / ".platc-index", std::ios::app) << "0000000000000000 2 ../victim\n"; }
  CHECK(contains(writeOutputAtomically(empty, {{"b.json", "{}\n"}}), "is damaged (line 2)"));
  CHECK(read(tmp.path / "victim") == "v\n");
  CHECK(read(empty / "a.json") == "{}\n");
}

TEST_CASE("two builds into one output folder: the second fails at once", "[build][writer]") {
  // Issue 14, defect 6: two builds interleaved and one's index ended up in
  // the other's output.
  TempDir tmp;
  fs::path out = tmp.path / "out";
  auto first = std::make_unique<OutputWriter>();
  REQUIRE(first->begin(out).empty());
  REQUIRE(first->write({{"a.json", "{}\n"}}).empty());
  std::string why = begin(out);
  CHECK(contains(why, "another `platc build` is writing to `" + out.string() + "`"));
  CHECK(contains(why, "help: builds into one folder run one at a time"));
  REQUIRE(first->commit().empty());
  CHECK(contains(begin(out), "another `platc build`")); // held until the writer is gone
  first.reset();
  CHECK(begin(out).empty());
  CHECK(read(out / "a.json") == "{}\n");
}

TEST_CASE("a build stopped after its commit point is completed by the next one", "[build][writer]") {
  // Issue 14, defect 7: a kill between the renames left no output.
  TempDir tmp;
  fs::path out = tmp.path / "out";
  REQUIRE(writeOutputAtomically(out, {{"dev/a.yaml", "a: 1\n"}, {"dev/b.yaml", "b: 1\n"},
                                      {"dev/gone.yaml", "g\n"}, {"prod/c.yaml", "c: 1\n"}})
              .empty());
  std::map<std::string, std::string> next{{"dev/a.yaml", "a: 2\n"}, {"dev/b.yaml", "b: 2\n"},
                                          {"prod/c.yaml", "c: 1\n"}, {"new/d.yaml", "d\n"}};
  {
    OutputWriter w;
    REQUIRE(w.begin(out).empty());
    REQUIRE(w.write(next).empty());
    w.testStopAfterSteps = 1; // as if killed after the first rename
    std::string why = w.commit();
    CHECK(contains(why, "the next `platc build` into it completes this build first"));
  }
  // The output is still there; the staging folder waits to be completed.
  CHECK(fs::exists(out / "dev/b.yaml"));
  size_t staging = 0;
  for (const auto &e : fs::directory_iterator(out))
    staging += e.path().filename().string().rfind(".platc-tmp-", 0) == 0;
  CHECK(staging == 1);
  // The next build completes it before anything else, even if it then
  // writes nothing.
  {
    OutputWriter w;
    REQUIRE(w.begin(out).empty());
    w.abort();
  }
  for (const auto &[p, bytes] : next)
    CHECK(read(out / p) == bytes);
  CHECK_FALSE(fs::exists(out / "dev/gone.yaml"));
  CHECK(read(out / ".platc-index").find("new/d.yaml") != std::string::npos);
  CHECK(read(out / ".platc-index").find("gone") == std::string::npos);
  for (const auto &e : fs::directory_iterator(out))
    CHECK(e.path().filename().string().rfind(".platc-tmp-", 0) != 0);
}

TEST_CASE("leftovers of killed builds are removed, and only platc's own", "[build][writer]") {
  TempDir tmp;
  fs::path out = tmp.path / "out";
  REQUIRE(writeOutputAtomically(out, {{"dev/a.yaml", "a: 1\n"}}).empty());
  auto folder = [](const fs::path &p, bool marker, const char *markerName) {
    fs::create_directories(p / "dev");
    { std::ofstream(p / "dev/big.yaml") << "x\n"; }
    if (marker)
      std::ofstream(p / markerName) << "m\n";
  };
  // A build killed before its commit point (inside OUT) ...
  folder(out / ".platc-tmp-0123abcd", true, ".platc-staging");
  // ... look-alikes that platc did not make ...
  folder(out / ".platc-tmp-4567cdef", false, ".platc-staging");
  folder(out / ".platc-tmp-notmine", true, ".platc-staging");
  // ... and leftovers beside OUT of older platc versions killed mid-swap.
  folder(tmp.path / "out.tmp-89abcdef", true, ".platc-output");
  folder(tmp.path / "out.old-01234567", true, ".platc-output");
  folder(tmp.path / "out.old-fedcba98", false, ".platc-output");
  folder(tmp.path / "other.old-01234567", true, ".platc-output");
  REQUIRE(writeOutputAtomically(out, {{"dev/a.yaml", "a: 2\n"}}).empty());
  CHECK_FALSE(fs::exists(out / ".platc-tmp-0123abcd"));
  CHECK_FALSE(fs::exists(tmp.path / "out.tmp-89abcdef"));
  CHECK_FALSE(fs::exists(tmp.path / "out.old-01234567"));
  CHECK(fs::exists(out / ".platc-tmp-4567cdef/dev/big.yaml"));
  CHECK(fs::exists(out / ".platc-tmp-notmine/dev/big.yaml"));
  CHECK(fs::exists(tmp.path / "out.old-fedcba98/dev/big.yaml"));
  CHECK(fs::exists(tmp.path / "other.old-01234567/dev/big.yaml"));
  CHECK(read(out / "dev/a.yaml") == "a: 2\n");

  // The state an old platc left when killed between its two renames: no
  // OUT at all. The next build writes it afresh.
  fs::remove_all(out);
  folder(tmp.path / "out.tmp-0badf00d", true, ".platc-output");
  REQUIRE(writeOutputAtomically(out, {{"dev/a.yaml", "a: 3\n"}}).empty());
  CHECK(read(out / "dev/a.yaml") == "a: 3\n");
  CHECK_FALSE(fs::exists(tmp.path / "out.tmp-0badf00d"));
}
