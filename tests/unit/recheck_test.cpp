// sema::recheck reuses the values of declarations a change cannot affect.
// Its contract is that the result is the same as a fresh check: every test
// here compares the two after each edit (IR dump, references, columns and
// diagnostics), and checks how much was reused.

#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "pipeline/Pipeline.h"
#include "fmt/format.h"
#include "sema/Program.h"
#include "workspace/Workspace.h"

using namespace plat;

namespace {

std::string fingerprint(const Workspace &ws, const sema::Program &p, Diagnostics &diags) {
  std::string out = sema::dumpIr(p, ws.sources());
  for (const sema::Reference &r : p.references)
    out += fmt::format("ref {}:{}-{} -> {} {}\n", ws.sources().file(r.span.file).path(), r.span.begin,
                       r.span.end, r.target == sema::kNoDecl ? "-" : p.decl(r.target).qualifiedName,
                       r.column);
  for (const sema::Decl &d : p.decls)
    for (const sema::Column &c : d.columns)
      out += fmt::format("column {}.{} {} {}\n", d.qualifiedName, c.name, c.type, c.pii);
  diags.sort(ws.sources());
  for (const Diagnostic &d : diags.all()) {
    std::string where = d.span.valid() ? fmt::format("{}:{}", ws.sources().file(d.span.file).path(),
                                                     d.span.begin)
                                       : "-";
    out += fmt::format("diag {} {} {}\n", static_cast<int>(d.id), where, d.message);
    for (const Note &n : d.notes)
      out += fmt::format("  note {} {}\n", n.span ? static_cast<int>(n.span->begin) : -1, n.message);
    if (d.help)
      out += "  help " + *d.help + "\n";
  }
  return out;
}

size_t declsIn(const sema::Program &p, const Workspace &ws, const std::string &rel) {
  size_t n = 0;
  for (const sema::Decl &d : p.decls)
    n += ws.sources().file(d.span.file).path().find(rel) != std::string::npos;
  return n;
}

// Rechecks after an edit and compares with a fresh check of the same state.
struct Session {
  Workspace ws;
  std::unique_ptr<sema::Program> program;

  explicit Session(Workspace w) : ws(std::move(w)) {
    Diagnostics d;
    program = pipeline::check(ws, d);
  }

  sema::RecheckStats edit(const std::string &rel, const std::string &text) {
    Diagnostics syntax;
    ws.updateFile(rel, text, syntax);
    Diagnostics incremental, fresh;
    sema::RecheckStats stats;
    program = pipeline::recheck(ws, incremental, std::move(program), nullptr, &stats);
    std::unique_ptr<sema::Program> full = pipeline::check(ws, fresh);
    INFO("after editing " << rel);
    CHECK(fingerprint(ws, *program, incremental) == fingerprint(ws, *full, fresh));
    return stats;
  }
};

const char *kRoot = "workspace w {\n  account = \"123456789012\"\n  region = \"eu-west-1\"\n}\n"
                    "environment dev { tier = development }\n"
                    "environment prod { tier = production }\n";
const char *kTeams = "package org\n\nteam pay {\n  lead = \"a@b.c\"\n  cost_center = \"cc\"\n"
                     "  oncall = \"pay-oncall\"\n}\n";
const char *kTemplates = "package paths\n\ntemplate service web {\n  port = 8080\n"
                         "  env prod { replicas = 2..4 }\n}\n";
const char *kApi = "package shop\n\nimport org\nimport paths.web\n\n"
                   "service api extends web {\n  owner = org.pay\n  image = \"r.example/api:1\"\n"
                   "  config = { ENV = \"${env}\" }\n}\n";
const char *kCart = "package shop\n\nimport org\n\nservice cart {\n  owner = org.pay\n"
                    "  image = \"r.example/cart:1\"\n  port = 80\n  calls = [api]\n}\n";

} // namespace

TEST_CASE("a recheck equals a fresh check and reuses unaffected declarations", "[sema][recheck]") {
  Diagnostics load;
  Session s(Workspace::fromSources("/ws",
                                   {{"workspace.plat", kRoot},
                                    {"org/teams.plat", kTeams},
                                    {"paths/web.plat", kTemplates},
                                    {"shop/api.plat", kApi},
                                    {"shop/cart.plat", kCart}},
                                   load));
  REQUIRE_FALSE(s.program->decls.empty());
  size_t total = s.program->decls.size();

  SECTION("a value changes: only that file's declarations are resolved again") {
    std::string cart = kCart;
    cart.replace(cart.find("port = 80"), 9, "port = 81");
    sema::RecheckStats st = s.edit("shop/cart.plat", cart);
    CHECK(st.incremental);
    CHECK(st.resolved == 1);
    CHECK(st.reused == total - 1);
    const sema::EnvModel &dev = s.program->envs.front();
    sema::DeclId cartId = s.program->byQualifiedName.at("shop.cart");
    CHECK(dev.get(cartId, "port")->integer == 81);

    // A type error appears, then goes away again.
    cart.replace(cart.find("port = 81"), 9, "port = \"eighty\"");
    st = s.edit("shop/cart.plat", cart);
    CHECK(st.incremental);
    cart.replace(cart.find("port = \"eighty\""), 15, "port = 82");
    st = s.edit("shop/cart.plat", cart);
    CHECK(st.incremental);
    // Editing another file keeps the reused declarations' diagnostics.
    std::string api = kApi;
    api.replace(api.find("r.example/api:1"), 15, "BAD IMAGE");
    st = s.edit("shop/api.plat", api);
    CHECK(st.incremental);
    st = s.edit("shop/cart.plat", std::string(kCart) + "// touched\n");
    CHECK(st.incremental);
    CHECK(st.resolved == 1);
  }

  SECTION("an import that loses its last use becomes unused") {
    std::string api = kApi;
    api.replace(api.find("owner = org.pay"), 15, "owner = pay");
    s.edit("shop/api.plat", api); // `org.pay` → unknown `pay` and unused `org`
    s.edit("shop/api.plat", kApi);
  }

  SECTION("a renamed declaration or an edited template makes a full check") {
    std::string cart = kCart;
    cart.replace(cart.find("service cart"), 12, "service basket");
    CHECK_FALSE(s.edit("shop/cart.plat", cart).incremental);
    std::string tpl = kTemplates;
    tpl.replace(tpl.find("8080"), 4, "9090");
    CHECK_FALSE(s.edit("paths/web.plat", tpl).incremental);
    CHECK(s.program->envs.front().get(s.program->byQualifiedName.at("shop.api"), "port")->integer ==
          9090);
  }

  SECTION("a reported note that points into the changed file is not replayed stale") {
    // `calls = [org.pay]` names a team: the error's note points at the team
    // in org/teams.plat. Editing that file must refresh the note.
    std::string cart = kCart;
    cart.replace(cart.find("calls = [api]"), 13, "calls = [org.pay]");
    s.edit("shop/cart.plat", cart);
    sema::RecheckStats st = s.edit("org/teams.plat", std::string("// moved down\n\n") + kTeams);
    CHECK(st.incremental);
    CHECK(st.resolved >= 2); // the team and the cart whose note points at it
  }
}

TEST_CASE("rechecks of the example workspace after touching each file", "[sema][recheck]") {
  Diagnostics load;
  std::optional<Workspace> ws = Workspace::load(PLAT_SOURCE_DIR "/examples/acme", load);
  REQUIRE(ws);
  Session s(std::move(*ws));
  std::vector<std::string> files;
  for (const LoadedFile &lf : s.ws.files())
    if (!lf.fromStdlib)
      files.push_back(lf.relativePath);
  REQUIRE(files.size() > 10);
  size_t total = s.program->decls.size();
  size_t incremental = 0;
  for (const std::string &rel : files) {
    std::string text;
    for (const LoadedFile &lf : s.ws.files())
      if (lf.relativePath == rel)
        text = s.ws.sources().file(lf.id).text().str();
    size_t inFile = declsIn(*s.program, s.ws, rel);
    // A comment: same declarations, new file.
    sema::RecheckStats st = s.edit(rel, text + "\n// edited\n");
    INFO(rel);
    incremental += st.incremental;
    if (st.incremental) {
      CHECK(st.resolved >= inFile);
      CHECK(st.reused + st.resolved == total);
      CHECK(st.reused > 0);
    }
    // A value changes: the first `2` becomes `3` (replicas, sizes, ports...).
    if (size_t at = text.find('2'); at != std::string::npos) {
      std::string changed = text;
      changed[at] = '3';
      s.edit(rel, changed);
    }
    s.edit(rel, text);
  }
  // Only files with templates or record types force full checks.
  CHECK(incremental >= files.size() / 2);
}
