// The checked IR names syntax by (file id, node id) (sema::SyntaxRef), never
// by pointer: a declaration's block, a policy rule and its typed expressions,
// a stdlib field's default. Each reference must resolve to the node it was
// made for, through the program that holds it, in a first check and after
// rechecks that replace another file or the node's own file.

#include <catch2/catch.hpp>

#include <memory>
#include <string>

#include "fmt/format.h"
#include "pipeline/Pipeline.h"
#include "sema/Program.h"
#include "workspace/Workspace.h"

using namespace plat;

namespace {

const char *kRoot = "workspace w {\n  account = \"123456789012\"\n  region = \"eu-west-1\"\n}\n"
                    "environment dev { tier = development }\n"
                    "environment prod { tier = production }\n";

std::string teamsText(const std::string &lead) {
  return fmt::format("package org\n\nteam pay {{\n  lead = \"{}\"\n  cost_center = \"cc\"\n"
                     "  oncall = \"pay-oncall\"\n}}\n",
                     lead);
}

// `padding` blank lines before the service move its block within the file.
std::string shopText(int port, int padding = 0) {
  return fmt::format("package shop\n\nimport org\n{}\n/// The cart.\nservice cart {{\n  owner = org.pay\n"
                     "  image = \"r.example/cart:1\"\n  port = {}\n}}\n",
                     std::string(padding, '\n'), port);
}

// Two rules: one typed (a comparison with a literal in the base unit), one
// with a type error (a string compared with a number).
std::string policyText(int minPort) {
  return fmt::format("package gov\n\npolicy ports {{\n  for service s require s.port >= {}\n"
                     "  for service s require s.image == 3\n}}\n",
                     minPort);
}

std::shared_ptr<const pipeline::Snapshot> first() {
  Diagnostics load;
  Workspace ws = Workspace::fromSources("/ws",
                                        {{"workspace.plat", kRoot},
                                         {"org/teams.plat", teamsText("a@b.c")},
                                         {"shop/cart.plat", shopText(80)},
                                         {"gov/policies.plat", policyText(10)}},
                                        load);
  return pipeline::snapshot(std::move(ws), std::move(load));
}

std::string text(const pipeline::Snapshot &s, Span span) {
  return s.workspace.sources().text(span).str();
}

const sema::Decl &declNamed(const sema::Program &p, const std::string &qualified) {
  auto it = p.byQualifiedName.find(qualified);
  REQUIRE(it != p.byQualifiedName.end());
  return p.decl(it->second);
}

// The declaration's block, resolved through the program's reference; it
// must be the block the declaration was made from.
const ast::Block &blockOf(const sema::Program &p, const std::string &qualified) {
  const sema::Decl &d = declNamed(p, qualified);
  REQUIRE(d.syntax.valid());
  CHECK(d.syntax.file == d.span.file);
  const ast::Block *b = p.block(d);
  REQUIRE(b);
  CHECK(b->span == d.span);
  CHECK(b->name.span == d.nameSpan);
  CHECK(b->name.text == d.name);
  CHECK(b->kindName.text == d.kind);
  return *b;
}

// Whether a reference is into the workspace's own files (stdlib has policies
// of its own, typed with the workspace's).
template <typename T> bool inWorkspace(const sema::Program &p, sema::SyntaxRef<T> ref) {
  const SourceFile *src = p.syntax.source(ref.file);
  REQUIRE(src);
  return !llvm::StringRef(src->path()).startswith(kStdlibPrefix);
}

// What the policy typing names in the workspace's files, as source text: the
// ill-typed rules and the typed comparisons and literals.
std::string typingText(const pipeline::Snapshot &s) {
  const sema::Program &p = *s.program;
  std::string out;
  size_t stdlib = 0;
  for (sema::SyntaxRef<ast::Rule> ref : p.policyTyping.illTyped) {
    const ast::Rule *rule = p.node(ref);
    REQUIRE(rule);
    if (!inWorkspace(p, ref) && ++stdlib)
      continue;
    out += "ill-typed: " + text(s, rule->span) + "\n";
  }
  for (const auto &[ref, how] : p.policyTyping.comparisons) {
    const ast::BinaryExpr *b = p.node(ref);
    REQUIRE(b);
    if (!inWorkspace(p, ref) && ++stdlib)
      continue;
    out += fmt::format("compare: {} ({})\n", text(s, b->span), static_cast<int>(how));
  }
  for (const auto &[ref, value] : p.policyTyping.literals) {
    const ast::NumberExpr *n = p.node(ref);
    REQUIRE(n);
    if (!inWorkspace(p, ref) && ++stdlib)
      continue;
    out += fmt::format("literal: {} = {}\n", text(s, n->span), value);
  }
  // The stdlib's policies are typed too, and resolve through the program.
  CHECK(stdlib > 0);
  return out;
}

} // namespace

TEST_CASE("a declaration's and a policy rule's SyntaxRef resolve to their nodes", "[syntaxref]") {
  std::shared_ptr<const pipeline::Snapshot> v1 = first();
  REQUIRE(v1->program);
  const ast::Block &cart = blockOf(*v1->program, "shop.cart");
  CHECK(text(*v1, cart.span).rfind("service cart {", 0) == 0);
  blockOf(*v1->program, "org.pay");
  blockOf(*v1->program, "gov.ports");
  // A pair that names a node of another class, or no node, resolves to
  // nothing rather than to a node misread.
  sema::SyntaxRef<ast::Block> ref = declNamed(*v1->program, "shop.cart").syntax;
  CHECK(v1->program->node(sema::SyntaxRef<ast::Rule>{ref.file, ref.node}) == nullptr);
  CHECK(v1->program->node(sema::SyntaxRef<ast::Block>{ref.file, ast::NodeId{1u << 30}}) == nullptr);
  CHECK(v1->program->node(sema::SyntaxRef<ast::Block>{}) == nullptr);
  CHECK(typingText(*v1) == "ill-typed: for service s require s.image == 3\n"
                           "compare: s.port >= 10 (0)\n"
                           "literal: 10 = 10\n");
}

TEST_CASE("SyntaxRefs resolve after a recheck that replaces another file", "[syntaxref]") {
  std::shared_ptr<const pipeline::Snapshot> v1 = first();
  std::string typing1 = typingText(*v1);
  const ast::Block &cart1 = blockOf(*v1->program, "shop.cart");
  sema::SyntaxRef<ast::Block> ref1 = declNamed(*v1->program, "shop.cart").syntax;

  sema::RecheckStats stats;
  std::shared_ptr<const pipeline::Snapshot> v2 =
      pipeline::edit(*v1, {{"org/teams.plat", teamsText("c@d.e")}}, {}, &stats);
  CHECK(stats.incremental);
  // The cart's file is unchanged: the same reference, the same node.
  const sema::Decl &cart2 = declNamed(*v2->program, "shop.cart");
  CHECK(cart2.syntax == ref1);
  CHECK(&blockOf(*v2->program, "shop.cart") == &cart1);
  CHECK(typingText(*v2) == typing1);
  // The replaced file's declaration names the new file's block.
  const ast::Block &pay2 = blockOf(*v2->program, "org.pay");
  CHECK(text(*v2, pay2.span).find("c@d.e") != std::string::npos);
  // The old program still resolves its own references to the old text.
  const ast::Block &pay1 = blockOf(*v1->program, "org.pay");
  CHECK(text(*v1, pay1.span).find("a@b.c") != std::string::npos);
}

TEST_CASE("SyntaxRefs resolve after a recheck that replaces the node's own file", "[syntaxref]") {
  std::shared_ptr<const pipeline::Snapshot> v1 = first();
  sema::SyntaxRef<ast::Block> old = declNamed(*v1->program, "shop.cart").syntax;
  std::shared_ptr<const pipeline::Snapshot> v2 =
      pipeline::edit(*v1, {{"shop/cart.plat", shopText(81, 3)}});
  const sema::Decl &cart = declNamed(*v2->program, "shop.cart");
  CHECK(cart.syntax != old);
  const ast::Block &block = blockOf(*v2->program, "shop.cart");
  CHECK(text(*v2, block.span).find("port = 81") != std::string::npos);
  // The old reference names a file the new program does not hold: it
  // resolves to nothing there, never to another node; the old program
  // still resolves it to the old block.
  CHECK(v2->program->node(old) == nullptr);
  const ast::Block *oldBlock = v1->program->node(old);
  REQUIRE(oldBlock);
  CHECK(text(*v1, oldBlock->span).find("port = 80") != std::string::npos);

  // The same for the policy's own file: the typing names the new rules.
  std::shared_ptr<const pipeline::Snapshot> v3 =
      pipeline::edit(*v2, {{"gov/policies.plat", "\n\n" + policyText(443)}});
  blockOf(*v3->program, "gov.ports");
  CHECK(typingText(*v3) == "ill-typed: for service s require s.image == 3\n"
                           "compare: s.port >= 443 (0)\n"
                           "literal: 443 = 443\n");
  // Each program resolves its own typing, whatever came after it.
  CHECK(typingText(*v1) == "ill-typed: for service s require s.image == 3\n"
                           "compare: s.port >= 10 (0)\n"
                           "literal: 10 = 10\n");
}

TEST_CASE("a stdlib field's default resolves through the schema's own files", "[syntaxref]") {
  std::shared_ptr<const pipeline::Snapshot> v1 = first();
  std::shared_ptr<const sema::Program> program = v1->program;
  // Every default resolves to an expression in a stdlib file.
  size_t defaults = 0;
  std::string expected;
  for (const auto &[name, kind] : program->schema.kinds)
    for (const sema::FieldDef &f : kind.fields) {
      if (!f.defaultValue)
        continue;
      ++defaults;
      const ast::Expr *e = program->schema.defaultValue(f);
      REQUIRE(e);
      CHECK(e->span.file == f.defaultValue.file);
      const SourceFile &src = v1->workspace.sources().file(e->span.file);
      CHECK(llvm::StringRef(src.path()).startswith(kStdlibPrefix));
      // The default follows the field's declaration (`name : type = default`).
      CHECK(e->span.file == f.span.file);
      CHECK(e->span.begin > f.span.end);
      expected += fmt::format("{}.{} = {}\n", name, f.name, src.text().substr(e->span.begin, e->span.size()).str());
    }
  CHECK(defaults > 10);
  CHECK(expected.find("service.port = ") == std::string::npos); // port has no default
  // After edits, with every snapshot and workspace gone, the shared schema
  // resolves the same defaults to the same text.
  std::shared_ptr<const pipeline::Snapshot> latest = pipeline::edit(*v1, {{"shop/cart.plat", shopText(82)}});
  CHECK(&latest->program->schema == &program->schema);
  std::shared_ptr<const sema::Program> later = latest->program;
  v1.reset();
  latest.reset();
  std::string after;
  for (const auto &[name, kind] : later->schema.kinds)
    for (const sema::FieldDef &f : kind.fields)
      if (const ast::Expr *e = later->schema.defaultValue(f))
        after += fmt::format("{}.{} = {}\n", name, f.name,
                             later->schema.syntax.source(e->span.file)->text().substr(e->span.begin, e->span.size()).str());
  CHECK(after == expected);
}

TEST_CASE("an arena numbers expressions and items densely and resolves every id", "[syntaxref]") {
  // Across many of the table's doubling chunks (16, 32, 64, ... slots).
  ast::Arena arena;
  std::vector<const ast::Expr *> exprs;
  std::vector<const ast::Item *> items;
  for (uint32_t i = 0; i < 20000; ++i) {
    Span at{FileId{7}, i, i + 1};
    if (i % 3 == 0)
      items.push_back(arena.make<ast::Block>(at));
    else if (i % 3 == 1)
      exprs.push_back(arena.make<ast::NameExpr>(at, ast::Ident{"x", at}));
    else
      exprs.push_back(arena.make<ast::NumberExpr>(at));
    arena.make<ast::Path>(); // not numbered: neither an expression nor an item
  }
  for (uint32_t i = 0; i < exprs.size(); ++i) {
    CHECK(exprs[i]->id == ast::NodeId{i});
    CHECK(arena.expr(ast::NodeId{i}) == exprs[i]);
  }
  for (uint32_t i = 0; i < items.size(); ++i) {
    CHECK(items[i]->id == ast::NodeId{i});
    CHECK(arena.item(ast::NodeId{i}) == items[i]);
  }
  CHECK(arena.expr(ast::NodeId{static_cast<uint32_t>(exprs.size())}) == nullptr);
  CHECK(arena.item(ast::NodeId{static_cast<uint32_t>(items.size())}) == nullptr);
  CHECK(arena.expr(ast::NodeId{}) == nullptr);
}
