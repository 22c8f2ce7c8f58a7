#include <catch2/catch.hpp>

#include "pipeline/Pipeline.h"
#include "sema/Program.h"
#include "workspace/Workspace.h"

using namespace plat;

namespace {

const char *kWorkspace = "workspace w {\n  account = \"123456789012\"\n  region = \"eu-west-1\"\n}\n";
const char *kTeam = "package p\n\nteam t {\n  lead = \"a@b.c\"\n  cost_center = \"cc\"\n}\n";
const char *kService = "package p\n\nservice s {\n  owner = t\n  image = \"r.example/s:1\"\n  port = 80\n}\n";

const ast::File *astOf(const Workspace &ws, const std::string &rel) {
  for (const LoadedFile &lf : ws.files())
    if (lf.relativePath == rel)
      return lf.parsed.ast;
  return nullptr;
}

FileId idOf(const Workspace &ws, const std::string &rel) {
  for (const LoadedFile &lf : ws.files())
    if (lf.relativePath == rel)
      return lf.id;
  return FileId{};
}

} // namespace

TEST_CASE("updating one file re-parses only that file", "[workspace][incremental]") {
  Diagnostics diags;
  Workspace ws = Workspace::fromSources(
      "/ws", {{"workspace.plat", kWorkspace}, {"p/team.plat", kTeam}, {"p/svc.plat", kService}},
      diags);
  REQUIRE_FALSE(diags.hasErrors());
  const ast::File *team = astOf(ws, "p/team.plat");
  FileId svcId = idOf(ws, "p/svc.plat");
  FileId teamId = idOf(ws, "p/team.plat");
  REQUIRE(team);

  // Break the service: its owner now names nothing.
  Diagnostics after;
  std::string broken = kService;
  broken.replace(broken.find("owner = t"), 9, "owner = x");
  ws.updateFile("p/svc.plat", broken, after);
  // The untouched file keeps its AST object and source; the changed one is
  // new source (its old AST is freed, so pointers cannot be compared).
  CHECK(astOf(ws, "p/team.plat") == team);
  CHECK(idOf(ws, "p/team.plat") == teamId);
  CHECK(idOf(ws, "p/svc.plat") != svcId);
  std::unique_ptr<sema::Program> program = pipeline::check(ws, after);
  bool unknownName = false;
  for (const Diagnostic &d : after.all())
    unknownName |= d.id == DiagId::UnknownName && d.message.find("`x`") != std::string::npos;
  CHECK(unknownName);

  // A syntax error in an untouched file is still reported after an update.
  Diagnostics withSyntax;
  ws.updateFile("p/team.plat", "package p\nteam t {\n", withSyntax);
  Diagnostics again;
  ws.updateFile("p/svc.plat", kService, again);
  bool unclosed = false;
  for (const Diagnostic &d : again.all())
    unclosed |= d.id == DiagId::UnclosedBlock;
  CHECK(unclosed);
}
