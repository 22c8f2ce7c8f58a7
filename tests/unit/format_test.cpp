// Tests of `platc fmt`: exact layouts, idempotence, comment preservation and
// a structural round trip (the formatted text parses to the same AST).

#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>

#include "ast/Ast.h"
#include "base/Source.h"
#include "diag/Diagnostic.h"
#include "driver/Driver.h"
#include "format/Formatter.h"
#include "syntax/Parser.h"

namespace {

namespace fs = std::filesystem;
using namespace plat;

struct Parsed {
  SourceManager sources;
  Diagnostics diags;
  FileId id;
  ast::ParsedFile file;
  const SourceFile &source() const { return sources.file(id); }
};

std::unique_ptr<Parsed> parseText(const std::string &text) {
  auto p = std::make_unique<Parsed>();
  p->id = p->sources.add("test.plat", text);
  p->file = syntax::parse(p->sources.file(p->id), p->id, p->diags);
  return p;
}

// ---------------------------------------------------------------- AST dump

// A canonical, span-free rendering of the AST: two files have the same AST
// exactly when their dumps are equal. Parentheses make the tree shape
// explicit, independent of how the formatter parenthesises.
class Dumper {
public:
  std::string file(const ast::File &f) {
    if (f.package)
      out_ += "package " + f.package->str() + "\n";
    for (const ast::Import &i : f.imports)
      out_ += "import " + i.path.str() + " as " + i.alias.text.str() + "\n";
    for (const ast::Item *d : f.decls)
      item(d, 0);
    return out_;
  }

private:
  void line(int depth, const std::string &text) { out_ += std::string(depth * 2, ' ') + text + "\n"; }

  std::string args(llvm::ArrayRef<ast::Arg> list) {
    std::string s = "(";
    for (const ast::Arg &a : list)
      s += a.name.text.str() + "=" + expr(a.value) + ";";
    return s + ")";
  }
  std::string annotations(llvm::ArrayRef<ast::Annotation> list) {
    std::string s;
    for (const ast::Annotation &a : list)
      s += "@" + a.name.text.str() + args(a.args) + " ";
    return s;
  }
  std::string type(const ast::TypeExpr *t) {
    if (auto *n = llvm::dyn_cast<ast::NamedType>(t)) {
      std::string s = n->name.str() + "<";
      for (const ast::TypeExpr *a : n->typeArgs)
        s += type(a) + ",";
      s += ">";
      if (n->hasConstraintList)
        s += args(n->constraints);
      return s;
    }
    if (auto *o = llvm::dyn_cast<ast::OptionalType>(t))
      return "opt(" + type(o->inner) + ")";
    auto *u = llvm::cast<ast::UnionType>(t);
    std::string s = "union(";
    for (const ast::TypeExpr *m : u->members)
      s += type(m) + ",";
    return s + ")";
  }
  std::string expr(const ast::Expr *e) {
    if (!e)
      return "null";
    switch (e->kind) {
    case ast::ExprKind::String:
      return "str" + llvm::cast<ast::StringExpr>(e)->raw.str();
    case ast::ExprKind::Number: {
      auto *n = llvm::cast<ast::NumberExpr>(e);
      return "num(" + n->raw.str() + "," + n->currency.str() + "," + n->per.text.str() + ")";
    }
    case ast::ExprKind::Bool:
      return llvm::cast<ast::BoolExpr>(e)->value ? "true" : "false";
    case ast::ExprKind::Name:
      return "name(" + llvm::cast<ast::NameExpr>(e)->name.text.str() + ")";
    case ast::ExprKind::Member: {
      auto *m = llvm::cast<ast::MemberExpr>(e);
      return "member(" + expr(m->base) + "," + m->member.text.str() + ")";
    }
    case ast::ExprKind::Call: {
      auto *c = llvm::cast<ast::CallExpr>(e);
      return "call(" + expr(c->callee) + args(c->args) + ")";
    }
    case ast::ExprKind::Index: {
      auto *i = llvm::cast<ast::IndexExpr>(e);
      return "index(" + expr(i->base) + "," + expr(i->index) + ")";
    }
    case ast::ExprKind::List: {
      std::string s = "list(";
      for (const ast::Expr *x : llvm::cast<ast::ListExpr>(e)->elements)
        s += expr(x) + ",";
      return s + ")";
    }
    case ast::ExprKind::Record: {
      Dumper inner;
      inner.item(llvm::cast<ast::RecordExpr>(e)->body, 0);
      return "record{" + inner.out_ + "}";
    }
    case ast::ExprKind::Range: {
      auto *r = llvm::cast<ast::RangeExpr>(e);
      return "range(" + expr(r->low) + "," + expr(r->high) + ")";
    }
    case ast::ExprKind::Unary: {
      auto *u = llvm::cast<ast::UnaryExpr>(e);
      return std::string(u->op == ast::UnaryOp::Neg ? "neg(" : "not(") + expr(u->operand) + ")";
    }
    case ast::ExprKind::Binary: {
      auto *b = llvm::cast<ast::BinaryExpr>(e);
      return "(" + expr(b->lhs) + " " + ast::spelling(b->op).str() + " " + expr(b->rhs) + ")";
    }
    case ast::ExprKind::Quantifier: {
      auto *q = llvm::cast<ast::QuantifierExpr>(e);
      return std::string(q->all ? "all(" : "any(") + q->var.text.str() + "," + expr(q->domain) +
             "," + expr(q->body) + ")";
    }
    case ast::ExprKind::Error:
      return "error";
    }
    return "?";
  }
  void item(const ast::Item *it, int depth) {
    std::string doc = it->doc.empty() ? "" : "doc[" + it->doc.str() + "] ";
    switch (it->kind) {
    case ast::ItemKind::Block: {
      auto *b = llvm::cast<ast::Block>(it);
      line(depth, doc + annotations(b->annotations) + (b->isTemplate ? "template " : "") +
                      "block " + b->kindName.text.str() + " " + b->name.text.str() + " extends " +
                      (b->extends ? b->extends->str() : "-"));
      for (const ast::Item *i : b->items)
        item(i, depth + 1);
      line(depth, "end");
      return;
    }
    case ast::ItemKind::Enum: {
      auto *e = llvm::cast<ast::EnumDecl>(it);
      std::string s = doc + annotations(e->annotations) + "enum " + e->name.text.str() + ":";
      for (const ast::EnumMember &m : e->members)
        s += " " + (m.doc.empty() ? "" : "doc[" + m.doc.str() + "]") + annotations(m.annotations) +
             m.name.text.str();
      line(depth, s);
      return;
    }
    case ast::ItemKind::Assignment: {
      auto *a = llvm::cast<ast::Assignment>(it);
      line(depth, doc + a->target.str() + " = " + expr(a->value));
      return;
    }
    case ast::ItemKind::Constraint: {
      auto *c = llvm::cast<ast::Constraint>(it);
      line(depth, doc + c->target.str() + " " + ast::spelling(c->op).str() + " " + expr(c->value));
      return;
    }
    case ast::ItemKind::FieldDecl: {
      auto *f = llvm::cast<ast::FieldDecl>(it);
      line(depth, doc + f->name.text.str() + " : " + type(f->type) + " = " +
                      expr(f->defaultValue) + " " + annotations(f->annotations));
      return;
    }
    case ast::ItemKind::Rule: {
      auto *r = llvm::cast<ast::Rule>(it);
      line(depth, doc + "for " + r->kindName.text.str() + " " + r->var.text.str() + " where " +
                      expr(r->where) + " require " + expr(r->require) + " else " +
                      expr(r->message));
      return;
    }
    }
  }

  std::string out_;
};

std::string dump(const ast::File &f) { return Dumper().file(f); }

std::vector<std::string> commentTexts(const Parsed &p) {
  std::vector<std::string> out;
  for (const ast::Comment &c : p.file.ast->comments) {
    llvm::StringRef text = p.sources.text(c.span);
    out.push_back((c.isBlock ? text : text.rtrim()).str());
  }
  return out;
}

// Formats `text` and checks every property the formatter promises: the
// output parses, to the same AST, with the same comments in the same order,
// and formatting it again changes nothing. Returns the formatted text.
std::string checkFormat(const std::string &text, const format::FormatOptions &options = {}) {
  auto before = parseText(text);
  INFO("input:\n" << text);
  REQUIRE_FALSE(before->file.ast->hasSyntaxErrors);
  std::string once = format::formatFile(*before->file.ast, before->source(), options);
  INFO("formatted:\n" << once);
  auto after = parseText(once);
  REQUIRE_FALSE(after->file.ast->hasSyntaxErrors);
  REQUIRE(after->diags.errorCount() == 0);
  CHECK(dump(*after->file.ast) == dump(*before->file.ast));
  CHECK(commentTexts(*after) == commentTexts(*before));
  std::string twice = format::formatFile(*after->file.ast, after->source(), options);
  CHECK(twice == once);
  if (!once.empty()) {
    CHECK(once.back() == '\n');
    CHECK(llvm::StringRef(once).endswith("\n\n") == false);
  }
  return once;
}

// ---------------------------------------------------------------- inputs

// The sample of the product brief, in this grammar.
const char *kBriefSample = R"(package acme.fraud

dataset transactions {
  owner          = data_eng
  location       = s3("acme-lake", "raw/transactions/")
  format         = parquet
  classification = pii
  schema {
    txn_id    : string
    amount    : decimal
    merchant  : string
    card_hash : string @pii
    ts        : timestamp
  }
  retention = 400d
}

model scorer {
  owner      = fraud_ml
  trained_on = [transactions]
  features   = [transactions.amount, transactions.merchant]
  framework  = xgboost("1.7-1")
  train { instance = "ml.m5.xlarge"  count = 2  max_runtime = 4h  retrain_on = transactions }
  serve { instance = "ml.c5.large"   replicas = 2..10 }
  approval { by = model_risk  fairness.demographic_parity >= 0.8 }
}

service checkout_api {
  owner      = payments
  image      = "registry.acme.example/checkout:1.4.2"
  port       = 8080
  replicas   = 3..20
  resources  = { cpu = 500m  memory = 512Mi }
  calls      = [scorer]
  compliance = pci
  expose     = public
  budget     = 18_000 usd/month
  rate       = 10_000/day
  env prod { replicas = 6..40 }
}
)";

const char *kVaried[] = {
    kBriefSample,
    "",
    "// only a comment\n",
    "/* a block */\n\n\n// and a line\n",
    "package a.b\nimport c.d\nimport e as f\nservice x {}\n",
    R"(package acme.policy
import acme.fraud as fraud

/// Public services must use TLS.
policy public_tls {
  severity = error
  for service s where s.expose == public and not s.tls require s.tls == true else "public services need TLS"
  for service s require any c in s.calls: c.expose == public or c.owner == s.owner
  for model m where m.classification in [pii, confidential] require all d in m.trained_on: d.owner != m.owner else "x"
  for service s require (any c in s.calls: c.pii) or s.compliance != none
}
)",
    R"(kind service {
  port : int(1..65535)? = 8080
  deps : list<ref<dataset>> = []
  name : string(format = dns_label, max = 63) @doc("the name")
  mode : a | b? | c
  card_hash : string @pii @deprecated("use hash")
}
)",
    R"(@deprecated("use v2")
@owner(team = platform)
template service web_service extends base.service {
  replicas = 2..10
  x = -1
  y = -(1..2)
  z = (-a).b
  w = not (a and b)
  v = (not a) == b
  u = a and (b and c)
  t = (a or b) and c
  s = a.b(c)[0].d
  r = (a..b)..c
  q = a..(b..c)
  p = f(any c in x: c)
  o = (any c in x: c) and y
  n = not a in b
  m = (a == b) == c
  l = a == (b == c)
  k = """raw
  text"""
  j = "esc\"aped ${name}"
  i = 120 usd
  h = 1.5e3
}
)",
    R"(enum color { red, green, @deprecated("x") blue }
enum empty {}
enum big { alpha_alpha_alpha, beta_beta_beta, gamma_gamma_gamma, delta_delta_delta, epsilon_epsilon }
)",
    R"(service a {
  // leading
  x = 1 // trailing
  /* block before */ y = [1, 2, // in list
    3]


  z = { a = 1, /* inside */ b = 2 }
  w = f(a, // arg
        b)
  v = a and /* mid */ b
  u = a or // broken
    b
  t = {
    // only a comment
  }
  s = [
  ]
  for service s // head
    where s.a // after where
    require s.b
}
// between

/// doc for b
service b { } // after b
/* end */
)",
    R"(service nested {
  train {
    env prod {
      task ingest extends base {
        reads = [a, b]
        writes = { primary = c, secondary = [d, e, f], options = { compress = true, level = 9 } }
        items = [{ a = 1 }, { b = 2 }, { c = [1, 2, 3] }, { d = "a long string value to force" }]
      }
    }
  }
  record = { nested { x = 1 } }
  decl = { x : int }
}
)",
    R"(enum e {
  /// first
  a,
  // about b
  @x b, // trailing b

  c
}
)",
    R"(@a // why a
/* before b */ @b
// before head
service x { // after brace
  y = 1 /* one */ /* two */ // three
}
)",
};

} // namespace

// ---------------------------------------------------------------- exact layouts

TEST_CASE("fmt lays out the brief's sample canonically", "[format]") {
  std::string out = checkFormat(kBriefSample);
  std::string head = R"(package acme.fraud

dataset transactions {
  owner = data_eng
  location = s3("acme-lake", "raw/transactions/")
  format = parquet
  classification = pii
  schema {
    txn_id : string
    amount : decimal
    merchant : string
)";
  CHECK(out.substr(0, head.size()) == head);
  CHECK(llvm::StringRef(out).contains("\n  train {\n    instance = \"ml.m5.xlarge\"\n    count = 2\n"));
  CHECK(llvm::StringRef(out).contains("\n  approval {\n    by = model_risk\n"
                                      "    fairness.demographic_parity >= 0.8\n  }\n"));
  CHECK(llvm::StringRef(out).contains("  resources = { cpu = 500m, memory = 512Mi }\n"));
  CHECK(llvm::StringRef(out).contains("  budget = 18_000 usd/month\n  rate = 10_000/day\n"));
  CHECK(llvm::StringRef(out).contains("    card_hash : string @pii\n"));
  CHECK(llvm::StringRef(out).contains("  env prod {\n    replicas = 6..40\n  }\n}\n"));
}

TEST_CASE("fmt puts package, imports and declarations in blocks separated by one blank line",
          "[format]") {
  CHECK(checkFormat("package   a.b import c import d as e\n\n\n\nservice x {} service y {}") ==
        "package a.b\n\nimport c\nimport d as e\n\nservice x {}\n\nservice y {}\n");
  CHECK(checkFormat("") == "");
  CHECK(checkFormat("\n\n// just this\n\n\n/* and this */\n\n") ==
        "// just this\n\n/* and this */\n");
}

TEST_CASE("fmt keeps one blank line where the source had some, never after { or before }",
          "[format]") {
  CHECK(checkFormat("service x {\n\n\n  a = 1\n  b = 2\n\n\n\n  c = 3\n\n}\n") ==
        "service x {\n  a = 1\n  b = 2\n\n  c = 3\n}\n");
}

TEST_CASE("fmt places comments on their own line or at the end of the line", "[format]") {
  CHECK(checkFormat("// header\n\npackage p // pkg\n// before x\nservice x { // open\n"
                    "  // own line\n  a = 1 // trailing\n  /* before b */ b = 2\n  // last\n}"
                    "\n/// doc of y\nservice y {}\n// end\n") ==
        R"(// header

package p  // pkg

// before x
service x {  // open
  // own line
  a = 1  // trailing
  /* before b */
  b = 2
  // last
}

/// doc of y
service y {}
// end
)");
}

TEST_CASE("fmt breaks lists and records that hold comments", "[format]") {
  CHECK(checkFormat("service x {\n  a = [1, // one\n  2, /* two */ 3]\n"
                    "  r = { cpu = 1 /* c */, memory = 2 }\n}\n") ==
        R"(service x {
  a = [
    1,  // one
    2,  /* two */
    3,
  ]
  r = {
    cpu = 1  /* c */
    memory = 2
  }
}
)");
}

TEST_CASE("fmt keeps comments inside expressions and rules", "[format]") {
  CHECK(checkFormat("service x {\n  a = b and /* why */ c\n  d = e or // why\n  f\n}\n") ==
        "service x {\n  a = b and /* why */ c\n  d = e or  // why\n    f\n}\n");
  CHECK(checkFormat("policy p {\n  for service s // all services\n  require s.tls else \"tls\"\n}\n") ==
        "policy p {\n  for service s  // all services\n    require s.tls\n    else \"tls\"\n}\n");
}

TEST_CASE("fmt writes lists and records inline when they fit, else one element per line",
          "[format]") {
  CHECK(checkFormat("service x { a = [ ]  b = { }  c = [1,2,3]  d = {x=1 y=[a]} e {} }") ==
        "service x {\n  a = []\n  b = {}\n  c = [1, 2, 3]\n  d = { x = 1, y = [a] }\n  e {}\n}\n");
  format::FormatOptions narrow;
  narrow.maxWidth = 30;
  CHECK(checkFormat("service x {\n  calls = [alpha, beta, gamma, delta]\n"
                    "  resources = { cpu = 500m, memory = 512Mi }\n  short = [a, b]\n}\n",
                    narrow) == R"(service x {
  calls = [
    alpha,
    beta,
    gamma,
    delta,
  ]
  resources = {
    cpu = 500m
    memory = 512Mi
  }
  short = [a, b]
}
)");
  // A record with anything but assignments is always a block.
  CHECK(checkFormat("service x { r = { train { a = 1 } } }") ==
        "service x {\n  r = {\n    train {\n      a = 1\n    }\n  }\n}\n");
  // The width counts the indentation: the same list breaks deeper down.
  narrow.maxWidth = 19;
  CHECK(checkFormat("a x { l = [1, 2, 3, 4] b { l = [1, 2, 3, 4] } }", narrow) ==
        "a x {\n  l = [1, 2, 3, 4]\n  b {\n    l = [\n      1,\n      2,\n      3,\n      4,\n"
        "    ]\n  }\n}\n");
}

TEST_CASE("fmt breaks long calls one argument per line", "[format]") {
  format::FormatOptions narrow;
  narrow.maxWidth = 30;
  CHECK(checkFormat("d x { location = s3(\"acme-lake\", prefix = \"raw/transactions/\") }",
                    narrow) ==
        "d x {\n  location = s3(\n    \"acme-lake\",\n    prefix = \"raw/transactions/\",\n  )\n}\n");
}

TEST_CASE("fmt lays out rules on one line or with a line per clause", "[format]") {
  CHECK(checkFormat("policy p { for service s where s.public require s.tls else \"tls\" }") ==
        "policy p {\n  for service s where s.public require s.tls else \"tls\"\n}\n");
  std::string longRule =
      "policy p { for service s where s.expose == public and s.compliance in [pci, sox] "
      "require any c in s.calls: c.tls else \"public compliance-scoped services need TLS\" }";
  CHECK(checkFormat(longRule) == R"(policy p {
  for service s
    where s.expose == public and s.compliance in [pci, sox]
    require any c in s.calls: c.tls
    else "public compliance-scoped services need TLS"
}
)");
}

TEST_CASE("fmt lays out enums inline when they fit", "[format]") {
  CHECK(checkFormat("enum tier {development,staging,\nproduction}") ==
        "enum tier { development, staging, production }\n");
  CHECK(checkFormat("enum none {  }") == "enum none {}\n");
  format::FormatOptions narrow;
  narrow.maxWidth = 20;
  CHECK(checkFormat("enum tier { development, @deprecated staging }", narrow) ==
        "enum tier {\n  development,\n  @deprecated staging,\n}\n");
  CHECK(checkFormat("enum e {\n  /// the a\n  a, b // bee\n}") ==
        "enum e {\n  /// the a\n  a,\n  b,  // bee\n}\n");
}

TEST_CASE("fmt prints templates, annotations and field types", "[format]") {
  CHECK(checkFormat("@deprecated(\"use v2\") @internal template service web extends std.base "
                    "{ port : int(1..65535)? = 8080 card : string @pii  deps : "
                    "list<ref<dataset>> = [] kind_of : a|b? @doc(text = \"x\") }") ==
        R"(@deprecated("use v2")
@internal
template service web extends std.base {
  port : int(1..65535)? = 8080
  card : string @pii
  deps : list<ref<dataset>> = []
  kind_of : a | b? @doc(text = "x")
}
)");
}

TEST_CASE("fmt prints literals as written and parenthesises only where needed", "[format]") {
  CHECK(checkFormat("s x { a = 18_000   usd / month  b = 10_000/day c = 120 usd d = 4h e = "
                    "\"q\\\"uote\" f = -1 g = 1.5e3 h = ((a)) i = (a.b)(c)[(0)] }") ==
        "s x {\n  a = 18_000 usd/month\n  b = 10_000/day\n  c = 120 usd\n  d = 4h\n"
        "  e = \"q\\\"uote\"\n  f = -1\n  g = 1.5e3\n  h = a\n  i = a.b(c)[0]\n}\n");
  CHECK(checkFormat("s x { a = (a and b) or c  b = a and (b or c)  c = not (a == b)  d = (not a) "
                    "== b  e = -(a..b)  f = (-a)..b  g = (any c in d: c) and e }") ==
        "s x {\n  a = a and b or c\n  b = a and (b or c)\n  c = not a == b\n  d = (not a) == b\n"
        "  e = -(a..b)\n  f = -a..b\n  g = (any c in d: c) and e\n}\n");
}

// ---------------------------------------------------------------- properties

TEST_CASE("fmt is idempotent, keeps comments and the AST over varied inputs", "[format]") {
  for (const char *input : kVaried)
    checkFormat(input);
  format::FormatOptions narrow;
  narrow.maxWidth = 24;
  for (const char *input : kVaried)
    checkFormat(input, narrow);
}

TEST_CASE("fmt is idempotent on the stdlib", "[format]") {
  size_t checked = 0;
  for (const auto &entry : fs::recursive_directory_iterator(fs::path(PLAT_SOURCE_DIR) / "stdlib")) {
    if (entry.path().extension() != ".plat")
      continue;
    std::ifstream in(entry.path(), std::ios::binary);
    std::stringstream text;
    text << in.rdbuf();
    // Files other people are editing may not parse at this moment.
    if (parseText(text.str())->file.ast->hasSyntaxErrors)
      continue;
    INFO(entry.path().string());
    checkFormat(text.str());
    ++checked;
  }
  CHECK(checked > 0);
}

TEST_CASE("fmt keeps every comment wherever it is in a construct", "[format]") {
  const std::string bases[] = {
      "@a(1) service x extends y { l = [f(1, n = 2), { r = 3 }] t : list<int>? = - 1 @b\n"
      "  for s v where not v.a..2 require any c in v: c[0] else \"m\"  e { k >= 1 } }\n"
      "enum e { p, @q r }\n",
      "package a.b import c.d as e\n@x template k t { n = 120 usd/month, m = a.b  i = a[0] "
      "u : map<a, b>(x = 1) | c? }\n",
  };
  // Put a comment at every offset of a file, one at a time; where it splits
  // a token the text is a different (or invalid) program, which is fine.
  for (const std::string &base : bases) {
    REQUIRE_FALSE(parseText(base)->file.ast->hasSyntaxErrors);
    for (const char *comment : {"/* c */", " /* c\n */ ", "// c\n", " /// c\n"}) {
      for (size_t cut = 0; cut <= base.size(); ++cut) {
        // A `///` before a separator comma is the doc of nothing; printed
        // after the comma it documents the next element.
        if (llvm::StringRef(comment).contains("///") &&
            llvm::StringRef(base).substr(cut).ltrim().startswith(","))
          continue;
        std::string text = base.substr(0, cut) + comment + base.substr(cut);
        if (parseText(text)->file.ast->hasSyntaxErrors)
          continue;
        checkFormat(text);
      }
    }
  }
}

// ---------------------------------------------------------------- platc fmt

namespace {

struct TempDir {
  fs::path path;
  TempDir() {
    std::random_device rd;
    path = fs::temp_directory_path() / ("platc-fmt-test-" + std::to_string(rd()));
    fs::create_directories(path);
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
  std::string write(const std::string &name, const std::string &text) const {
    std::ofstream(path / name, std::ios::binary) << text;
    return (path / name).string();
  }
};

std::string readFile(const std::string &path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

int runPlatc(const std::vector<std::string> &args) {
  std::string out, err;
  llvm::raw_string_ostream outStream(out), errStream(err);
  return runDriver(args, outStream, errStream, false);
}

} // namespace

TEST_CASE("platc fmt refuses files with syntax errors and leaves them untouched", "[format]") {
  TempDir dir;
  std::string broken = "service x {\n  replicas = \n";
  std::string path = dir.write("broken.plat", broken);
  CHECK(runPlatc({"fmt", path}) == kExitErrors);
  CHECK(readFile(path) == broken);
}

TEST_CASE("platc fmt --check reports unformatted files and changes nothing", "[format]") {
  TempDir dir;
  std::string messy = "service   x {replicas=3}";
  std::string path = dir.write("x.plat", messy);
  CHECK(runPlatc({"fmt", "--check", path}) == kExitErrors);
  CHECK(readFile(path) == messy);
  CHECK(runPlatc({"fmt", path}) == kExitOk);
  CHECK(readFile(path) == "service x {\n  replicas = 3\n}\n");
  CHECK(runPlatc({"fmt", "--check", path}) == kExitOk);
}
