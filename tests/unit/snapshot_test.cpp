// Checked snapshots (pipeline::Snapshot): an edit makes a new snapshot and
// never changes or invalidates an older one that is still held; a Program is
// readable on its own for as long as it exists; old file texts and ASTs are
// freed once nothing holds them. Run under ASan (scripts/sanitize.sh), any
// read of freed syntax here is a failure.

#include <catch2/catch.hpp>

#include <algorithm>
#include <memory>
#include <string>
#include <vector>

// Heap statistics from glibc; sanitizers replace malloc, so not there.
#if defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(memory_sanitizer)
#define PLAT_SANITIZED_HEAP 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__)
#define PLAT_SANITIZED_HEAP 1
#endif
#if defined(__GLIBC__) && !defined(PLAT_SANITIZED_HEAP)
#define PLAT_HEAP_STATS 1
#include <malloc.h>
#endif

#include "fmt/format.h"
#include "pipeline/Pipeline.h"
#include "sema/Program.h"
#include "workspace/Workspace.h"

using namespace plat;

namespace {

const char *kRoot = "workspace w {\n  account = \"123456789012\"\n  region = \"eu-west-1\"\n}\n"
                    "environment dev { tier = development }\n"
                    "environment prod { tier = production }\n";
const char *kTeams = "package org\n\nteam pay {\n  lead = \"a@b.c\"\n  cost_center = \"cc\"\n"
                     "  oncall = \"pay-oncall\"\n}\n";

std::string shopText(int port) {
  return fmt::format("package shop\n\nimport org\n\n/// The cart.\nservice cart {{\n  owner = org.pay\n"
                     "  image = \"r.example/cart:1\"\n  port = {}\n}}\n",
                     port);
}

std::shared_ptr<const pipeline::Snapshot> first() {
  Diagnostics load;
  Workspace ws = Workspace::fromSources(
      "/ws", {{"workspace.plat", kRoot}, {"org/teams.plat", kTeams}, {"shop/cart.plat", shopText(80)}},
      load);
  return pipeline::snapshot(std::move(ws), std::move(load));
}

const LoadedFile &fileOf(const pipeline::Snapshot &s, const std::string &rel) {
  for (const LoadedFile &lf : s.workspace.files())
    if (lf.relativePath == rel)
      return lf;
  FAIL("no file " << rel);
  return s.workspace.files().front();
}

// What a request reads from a snapshot: the IR, and the syntax it points at.
std::string read(const sema::Program &p) {
  std::string out;
  for (const sema::Decl &d : p.decls) {
    if (d.fromStdlib)
      continue;
    out += d.qualifiedName;
    if (const ast::Block *b = p.block(d)) // the declaration's syntax, through the IR's reference
      out += fmt::format(" ast:{} {}", b->kindName.text.str(), b->name.text.str());
    out += "\n";
  }
  // Stdlib defaults: FieldDef::defaultValue names a node of the stdlib's AST.
  for (const auto &[name, kind] : p.schema.kinds)
    for (const sema::FieldDef &f : kind.fields)
      if (f.defaultValue)
        out += fmt::format("{}.{} default@{}\n", name, f.name, p.schema.defaultValue(f)->span.begin);
  return out;
}

} // namespace

TEST_CASE("an old snapshot stays readable, unchanged, after several edits", "[snapshot]") {
  std::shared_ptr<const pipeline::Snapshot> v1 = first();
  REQUIRE(v1->program);
  std::string ir1 = sema::dumpIr(*v1->program, v1->workspace.sources());
  std::string read1 = read(*v1->program);
  REQUIRE(read1.find("shop.cart ast:service cart") != std::string::npos);
  REQUIRE(ir1.find("port = 80") != std::string::npos);
  std::string text1 = fileOf(*v1, "shop/cart.plat").source->text().str();

  std::shared_ptr<const pipeline::Snapshot> latest = v1;
  for (int port = 81; port <= 85; ++port) {
    sema::RecheckStats stats;
    latest = pipeline::edit(*latest, {{"shop/cart.plat", shopText(port)}}, {}, &stats);
    CHECK(stats.incremental);
  }
  REQUIRE(sema::dumpIr(*latest->program, latest->workspace.sources()).find("port = 85") !=
          std::string::npos);
  // The newest snapshot equals a fresh check of its workspace.
  {
    Diagnostics fresh;
    std::unique_ptr<sema::Program> full = pipeline::check(latest->workspace, fresh);
    CHECK(sema::dumpIr(*full, latest->workspace.sources()) ==
          sema::dumpIr(*latest->program, latest->workspace.sources()));
  }
  // The first snapshot reads as it did before the edits.
  CHECK(sema::dumpIr(*v1->program, v1->workspace.sources()) == ir1);
  CHECK(read(*v1->program) == read1);
  CHECK(fileOf(*v1, "shop/cart.plat").source->text() == text1);
  CHECK(v1->workspace.sources().file(fileOf(*v1, "shop/cart.plat").id).text() == text1);
}

TEST_CASE("a program keeps its syntax alive without its workspace or snapshot", "[snapshot]") {
  std::shared_ptr<const pipeline::Snapshot> v1 = first();
  std::shared_ptr<const sema::Program> program = v1->program;
  std::string before = read(*program);
  std::weak_ptr<const SourceFile> text = fileOf(*v1, "shop/cart.plat").source;
  // Edits, then every snapshot and workspace is dropped: only the program is left.
  std::shared_ptr<const pipeline::Snapshot> latest = v1;
  for (int port = 90; port < 93; ++port)
    latest = pipeline::edit(*latest, {{"shop/cart.plat", shopText(port)}});
  v1.reset();
  latest.reset();
  CHECK_FALSE(text.expired()); // held by the program, whose references name it
  CHECK(read(*program) == before);
  program.reset();
  CHECK(text.expired());
}

TEST_CASE("old file texts are freed once no snapshot holds them: a 500-edit session stays flat",
          "[snapshot]") {
  // A workspace with some bulk, so that leaking a file version per edit, or
  // a program per edit, would show.
  std::vector<std::pair<std::string, std::string>> files = {{"workspace.plat", kRoot},
                                                            {"org/teams.plat", kTeams}};
  for (int f = 0; f < 8; ++f) {
    std::string text = "package gen\n\nimport org\n";
    for (int k = 0; k < 10; ++k)
      text += fmt::format("\nservice s{}x{} {{\n  owner = org.pay\n  image = \"r.example/s:1\"\n  port = {}\n}}\n",
                          f, k, 8000 + k);
    files.emplace_back(fmt::format("gen/part{}.plat", f), text);
  }
  files.emplace_back("shop/cart.plat", shopText(80));
  Diagnostics load;
  std::shared_ptr<const pipeline::Snapshot> latest =
      pipeline::snapshot(Workspace::fromSources("/ws", files, load), std::move(load));

  std::vector<std::weak_ptr<const SourceFile>> texts;
  std::vector<std::weak_ptr<ast::Arena>> arenas;
  std::shared_ptr<const pipeline::Snapshot> held; // an old snapshot a slow request still reads
  size_t peakEarly = 0, peakLate = 0;
  for (int i = 1; i <= 500; ++i) {
    const LoadedFile &cart = fileOf(*latest, "shop/cart.plat");
    texts.push_back(cart.source);
    arenas.push_back(cart.parsed.arena);
    if (i % 50 == 0)
      held = latest; // kept for 50 edits, then let go
    latest = pipeline::edit(*latest, {{"shop/cart.plat", shopText(1000 + i)}});
#if defined(PLAT_HEAP_STATS)
    // The heap in use, sampled: with a bounded value store it rises and
    // falls; a leak per edit would make it climb.
    if (i % 5 == 0) {
      size_t inUse = mallinfo2().uordblks;
      if (i > 50 && i <= 150)
        peakEarly = std::max(peakEarly, inUse);
      if (i > 400)
        peakLate = std::max(peakLate, inUse);
    }
#endif
  }
  // Every replaced version is gone, except the one the held snapshot keeps.
  const SourceFile *heldText = fileOf(*held, "shop/cart.plat").source.get();
  size_t alive = 0;
  for (size_t i = 0; i < texts.size(); ++i) {
    std::shared_ptr<const SourceFile> t = texts[i].lock();
    if (!t)
      continue;
    ++alive;
    CHECK(t.get() == heldText);
    CHECK_FALSE(arenas[i].expired());
  }
  CHECK(alive == 1);
  held.reset();
  for (size_t i = 0; i < texts.size(); ++i) {
    CHECK(texts[i].expired());
    CHECK(arenas[i].expired());
  }
  // The heap's peak over edits 400-500 is about its peak over edits 50-150
  // (the value store's garbage is bounded, and nothing is kept per edit:
  // leaking one version of the edited file per edit alone would add over
  // 350 KB, a program per edit several MB).
  if (peakEarly) {
    INFO("peak heap in use, edits 50-150: " << peakEarly << " bytes; edits 400-500: " << peakLate);
    CHECK(peakLate < peakEarly + peakEarly / 5);
  }
}
