// Differential tests of the two parsers behind `syntax::parse`: the
// hand-written fast parser must build exactly the AST that the ANTLR path
// builds (every field, spans, docs and comments included) or decline, and it
// must decline every file on which the ANTLR path reports anything.
//
// Corpus: every .plat file in the repository (stdlib/, examples/, tests/),
// the input files of the golden tests, the ```plat blocks of docs/, a
// generated bench workspace, hand-written corner cases, nesting at the depth
// limit, and a few thousand deterministic mutations of all of these.

#include <catch2/catch.hpp>

#include <chrono>
#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <random>
#include <sstream>

#include "ast/Ast.h"
#include "base/Source.h"
#include "base/Text.h"
#include "diag/Diagnostic.h"
#include "syntax/FastParser.h"
#include "syntax/Parser.h"

namespace {

namespace fs = std::filesystem;
using namespace plat;

// ---------------------------------------------------------------- AST dump

// Every field of every node, one per line, spans as `file:begin-end`. Two
// ASTs are the same exactly when their dumps are equal. The switches have no
// `default`, so a new node kind does not compile until it is dumped here.
class Dumper {
public:
  std::string file(const ast::File &f) {
    line("file id=" + std::to_string(f.id.index) +
         " hasSyntaxErrors=" + std::to_string(f.hasSyntaxErrors));
    ++depth_;
    if (f.package)
      line("package " + path(*f.package) + " span=" + span(f.packageSpan));
    else
      line("package none span=" + span(f.packageSpan));
    for (const ast::Import &i : f.imports)
      line("import " + path(i.path) + " alias=" + ident(i.alias) + " span=" + span(i.span));
    for (const ast::Item *d : f.decls)
      item(d);
    for (const ast::Comment &c : f.comments)
      line("comment " + span(c.span) + " doc=" + std::to_string(c.isDoc) +
           " block=" + std::to_string(c.isBlock));
    --depth_;
    return out_;
  }

private:
  void line(const std::string &text) { out_ += std::string(depth_ * 2, ' ') + text + "\n"; }

  static std::string span(Span s) {
    if (!s.valid())
      return "invalid(" + std::to_string(s.begin) + "-" + std::to_string(s.end) + ")";
    return std::to_string(s.file.index) + ":" + std::to_string(s.begin) + "-" +
           std::to_string(s.end);
  }
  static std::string quote(llvm::StringRef text) {
    std::string out = "\"";
    for (char c : text) {
      auto u = static_cast<unsigned char>(c);
      if (c == '"' || c == '\\') {
        out += '\\';
        out += c;
      } else if (u < 0x20 || u == 0x7F) {
        char buf[8];
        std::snprintf(buf, sizeof buf, "\\x%02x", u);
        out += buf;
      } else {
        out += c;
      }
    }
    return out + "\"";
  }
  static std::string ident(const ast::Ident &i) { return quote(i.text) + "@" + span(i.span); }
  static std::string path(const ast::Path &p) {
    std::string out = "[";
    for (const ast::Ident &part : p.parts)
      out += ident(part) + " ";
    return out + "]@" + span(p.span);
  }

  void annotations(llvm::ArrayRef<ast::Annotation> list) {
    for (const ast::Annotation &a : list) {
      line("annotation " + ident(a.name) + " span=" + span(a.span));
      ++depth_;
      args(a.args);
      --depth_;
    }
  }
  void args(llvm::ArrayRef<ast::Arg> list) {
    for (const ast::Arg &a : list) {
      line("arg name=" + ident(a.name));
      ++depth_;
      expr(a.value);
      --depth_;
    }
  }

  void item(const ast::Item *i) {
    std::string head = " span=" + span(i->span) + " doc=" + quote(i->doc);
    switch (i->kind) {
    case ast::ItemKind::Block: {
      const auto *b = llvm::cast<ast::Block>(i);
      line("block" + head + " kind=" + ident(b->kindName) + " name=" + ident(b->name) +
           " extends=" + (b->extends ? path(*b->extends) : "none") + " open=" + span(b->open) +
           " close=" + span(b->close) + " template=" + std::to_string(b->isTemplate) +
           " templateKeyword=" + span(b->templateKeyword));
      ++depth_;
      annotations(b->annotations);
      for (const ast::Item *child : b->items)
        item(child);
      --depth_;
      return;
    }
    case ast::ItemKind::Enum: {
      const auto *e = llvm::cast<ast::EnumDecl>(i);
      line("enum" + head + " name=" + ident(e->name) + " open=" + span(e->open) +
           " close=" + span(e->close));
      ++depth_;
      annotations(e->annotations);
      for (const ast::EnumMember &m : e->members) {
        line("member " + ident(m.name) + " doc=" + quote(m.doc));
        ++depth_;
        annotations(m.annotations);
        --depth_;
      }
      --depth_;
      return;
    }
    case ast::ItemKind::Assignment: {
      const auto *a = llvm::cast<ast::Assignment>(i);
      line("assignment" + head + " target=" + path(a->target));
      ++depth_;
      expr(a->value);
      --depth_;
      return;
    }
    case ast::ItemKind::Constraint: {
      const auto *c = llvm::cast<ast::Constraint>(i);
      line("constraint" + head + " target=" + path(c->target) + " op=" +
           ast::spelling(c->op).str());
      ++depth_;
      expr(c->value);
      --depth_;
      return;
    }
    case ast::ItemKind::FieldDecl: {
      const auto *f = llvm::cast<ast::FieldDecl>(i);
      line("field" + head + " name=" + ident(f->name));
      ++depth_;
      type(f->type);
      if (f->defaultValue) {
        line("default");
        expr(f->defaultValue);
      }
      annotations(f->annotations);
      --depth_;
      return;
    }
    case ast::ItemKind::Rule: {
      const auto *r = llvm::cast<ast::Rule>(i);
      line("rule" + head + " kind=" + ident(r->kindName) + " var=" + ident(r->var));
      ++depth_;
      line("where");
      expr(r->where);
      line("require");
      expr(r->require);
      line("message");
      expr(r->message);
      --depth_;
      return;
    }
    }
    line("?item");
  }

  void type(const ast::TypeExpr *t) {
    if (!t) {
      line("null-type");
      return;
    }
    switch (t->kind) {
    case ast::TypeKind::Named: {
      const auto *n = llvm::cast<ast::NamedType>(t);
      line("named " + path(n->name) + " span=" + span(n->span) +
           " constraintList=" + std::to_string(n->hasConstraintList));
      ++depth_;
      for (const ast::TypeExpr *a : n->typeArgs)
        type(a);
      args(n->constraints);
      --depth_;
      return;
    }
    case ast::TypeKind::Optional:
      line("optional span=" + span(t->span));
      ++depth_;
      type(llvm::cast<ast::OptionalType>(t)->inner);
      --depth_;
      return;
    case ast::TypeKind::Union:
      line("union span=" + span(t->span));
      ++depth_;
      for (const ast::TypeExpr *m : llvm::cast<ast::UnionType>(t)->members)
        type(m);
      --depth_;
      return;
    }
    line("?type");
  }

  void expr(const ast::Expr *e) {
    if (!e) {
      line("null");
      return;
    }
    std::string s = " span=" + span(e->span);
    switch (e->kind) {
    case ast::ExprKind::String: {
      const auto *str = llvm::cast<ast::StringExpr>(e);
      line("string" + s + " raw=" + quote(str->raw) + " triple=" + std::to_string(str->triple));
      ++depth_;
      for (const ast::StringPart &p : str->parts)
        line("part " + quote(p.text) + " span=" + span(p.span) +
             " interpolation=" + (p.interpolation ? path(*p.interpolation) : "none"));
      --depth_;
      return;
    }
    case ast::ExprKind::Number: {
      const auto *n = llvm::cast<ast::NumberExpr>(e);
      char value[64];
      std::snprintf(value, sizeof value, "%.17g", n->value);
      line("number" + s + " raw=" + quote(n->raw) + " digits=" + quote(n->digits) +
           " integer=" + std::to_string(n->isInteger) + " int=" + std::to_string(n->intValue) +
           " value=" + value + " suffix=" + quote(n->suffix) + " currency=" + quote(n->currency) +
           " per=" + ident(n->per));
      return;
    }
    case ast::ExprKind::Bool:
      line("bool" + s + " " + std::to_string(llvm::cast<ast::BoolExpr>(e)->value));
      return;
    case ast::ExprKind::Name:
      line("name" + s + " " + ident(llvm::cast<ast::NameExpr>(e)->name));
      return;
    case ast::ExprKind::Member: {
      const auto *m = llvm::cast<ast::MemberExpr>(e);
      line("member" + s + " " + ident(m->member));
      ++depth_;
      expr(m->base);
      --depth_;
      return;
    }
    case ast::ExprKind::Call: {
      const auto *c = llvm::cast<ast::CallExpr>(e);
      line("call" + s);
      ++depth_;
      expr(c->callee);
      args(c->args);
      --depth_;
      return;
    }
    case ast::ExprKind::Index: {
      const auto *i = llvm::cast<ast::IndexExpr>(e);
      line("index" + s);
      ++depth_;
      expr(i->base);
      expr(i->index);
      --depth_;
      return;
    }
    case ast::ExprKind::List:
      line("list" + s);
      ++depth_;
      for (const ast::Expr *el : llvm::cast<ast::ListExpr>(e)->elements)
        expr(el);
      --depth_;
      return;
    case ast::ExprKind::Record:
      line("record" + s);
      ++depth_;
      item(llvm::cast<ast::RecordExpr>(e)->body);
      --depth_;
      return;
    case ast::ExprKind::Range: {
      const auto *r = llvm::cast<ast::RangeExpr>(e);
      line("range" + s);
      ++depth_;
      expr(r->low);
      expr(r->high);
      --depth_;
      return;
    }
    case ast::ExprKind::Unary: {
      const auto *u = llvm::cast<ast::UnaryExpr>(e);
      line(std::string(u->op == ast::UnaryOp::Neg ? "neg" : "not") + s);
      ++depth_;
      expr(u->operand);
      --depth_;
      return;
    }
    case ast::ExprKind::Binary: {
      const auto *b = llvm::cast<ast::BinaryExpr>(e);
      line("binary " + ast::spelling(b->op).str() + s);
      ++depth_;
      expr(b->lhs);
      expr(b->rhs);
      --depth_;
      return;
    }
    case ast::ExprKind::Quantifier: {
      const auto *q = llvm::cast<ast::QuantifierExpr>(e);
      line(std::string(q->all ? "all" : "any") + s + " var=" + ident(q->var));
      ++depth_;
      expr(q->domain);
      expr(q->body);
      --depth_;
      return;
    }
    case ast::ExprKind::Error:
      line("error" + s);
      return;
    }
    line("?expr");
  }

  std::string out_;
  int depth_ = 0;
};

std::string dump(const ast::ParsedFile &f) { return Dumper().file(*f.ast); }

// ---------------------------------------------------------------- the two paths

struct Outcome {
  bool antlrClean = false;     // the ANTLR path reported nothing
  std::string antlrDump;       // when clean
  std::optional<std::string> fastDump; // nullopt: the fast parser declined
};

// What `parse` does before the fast parser, so that both sides see the same
// files.
std::optional<ast::ParsedFile> fastPath(const SourceFile &file, FileId id,
                                        const syntax::ParseOptions &options) {
  if (file.text().size() > options.maxFileBytes || findInvalidUtf8(file.text()))
    return std::nullopt;
  return syntax::fastParse(file, id, options);
}

Outcome runBoth(const std::string &text, const syntax::ParseOptions &options = {}) {
  SourceManager sources;
  FileId id = sources.add("test.plat", text);
  Outcome out;
  Diagnostics diags;
  ast::ParsedFile antlr = syntax::parseWithAntlr(sources.file(id), id, diags, options);
  out.antlrClean = diags.empty();
  if (out.antlrClean)
    out.antlrDump = dump(antlr);
  if (std::optional<ast::ParsedFile> fast = fastPath(sources.file(id), id, options))
    out.fastDump = dump(*fast);
  return out;
}

// ---------------------------------------------------------------- the corpus

struct Sample {
  std::string name;
  std::string text;
};

std::string readFile(const fs::path &p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// `-- name.plat --` sections of a golden test.
void goldenInputs(const fs::path &test, std::vector<Sample> &out) {
  std::istringstream in(readFile(test));
  std::string line, name, text;
  bool inPlat = false;
  auto flush = [&] {
    if (inPlat)
      out.push_back({test.string() + ":" + name, text});
    inPlat = false;
    text.clear();
  };
  while (std::getline(in, line)) {
    if (line.size() > 6 && line.rfind("-- ", 0) == 0 && line.substr(line.size() - 3) == " --") {
      flush();
      name = line.substr(3, line.size() - 6);
      inPlat = llvm::StringRef(name).endswith(".plat");
      continue;
    }
    if (inPlat)
      text += line + "\n";
  }
  flush();
}

// ```plat blocks of a Markdown file.
void docBlocks(const fs::path &md, std::vector<Sample> &out) {
  std::istringstream in(readFile(md));
  std::string line, text;
  bool inBlock = false;
  int n = 0;
  while (std::getline(in, line)) {
    if (!inBlock && line.rfind("```plat", 0) == 0) {
      inBlock = true;
      text.clear();
      continue;
    }
    if (inBlock && line.rfind("```", 0) == 0) {
      out.push_back({md.string() + "#" + std::to_string(++n), text});
      inBlock = false;
      continue;
    }
    if (inBlock)
      text += line + "\n";
  }
}

// Parsing corner cases: precedence and associativity, soft keywords, every
// literal form, docs and comments in every position.
const char *const kCornerCases[] = {
    R"(/// first line of the file is a doc
/// second
service s {
  a = -x..y
  b = not a == b
  c = a in b in c
  d = x < y < z
  e = -a.b[0](1, k = 2)
  f = not not a and b or c and not d
  g = any x in s.calls: x.y == 1 or all z in q: z
  h = a and any x in s: x or y
  i = (a or b) and c
  j = ((a)).b
  k = a == not b == c
  l = a..b..c
  m = - - a
  n = a != b >= c <= d > e
  o = not a in b
  p = (a).b(c)[d]
  q = a..-b
  r = any x in a in b: c
  s = [(1), ((2)), [3], {}]
  t = f()(g)[h].i
})",
    R"(service numbers {
  a = [1, 2.5, 3e4, 3E+4, 2.5e-3, 500m, 512Mi, 1.5Gi, 120 usd, 10_000/day,
       18_000 usd/month, 1.5e3Gi, 1e5x, 1_e5, 1_000.0_1, 0, 007, 2 gbp, 3 eur/year]
  b = 1..5
  c = 1.5..2.5
  d = 1.e5
  e = 9223372036854775807
  f = 1.7976931348623157e308
  g = 4h, h = 30s, i = 1e-400
})",
    R"(service strings {
  a = "plain"
  b = ""
  c = "esc \n \t \r \\ \" \$ and \u{41}\u{1F600}\u{e9}"
  d = "${a}"
  e = "x${ a . b }y${c}"
  f = "${a}${b}"
  g = """raw ${x} \n "quoted" """
  h = """"""
  i = "$ {x} $"
  j = "é ü 日本"
  k = "a\u{10FFFF}b"
  l = "tail\\"
})",
    R"(package acme.fraud
import acme.teams
import std.kinds as k
import a.b.c as d

// a plain comment
/* a block
   comment */
/// doc of the template
@deprecated @owner("x", y = 2,)
template service web extends acme.base.svc {
  /// doc of a field
  // not a doc: the doc above is separated by this comment
  port = 8080,
  /// doc
  /// on two lines
  env prod { replicas = 3 }
  task ingest extends base.task { }
  limits extends x { cpu = 1 }
  template.spec.in = 1
  in = 2
  enum = 3, extends = 4, as = 5, import = 6, package = 7
  where = 8 require = 9
  any.all = 10
  x = a
  in = 11
  y = a
  in.x < 12
  z = b
  else = 13
  fairness.parity >= 0.8
  w == 1
  v != 2
  u < 3
  t > 4
  s <= 5
  /// doc of a rule
  for service s where s.expose == public require s.tls else "needs tls"
  for service s require s.tls
  else = 14
  for dataset d require d.owner else "m${d.name}"
}

/** not a doc */
/// enum doc
enum tier {
  /// gold doc
  gold, silver
  @deprecated("x") bronze,
  /// last
  @a @b(1) tin
}

enum empty {}

kind service {
  /// the port
  port : int(1..65535)? = 8080 @doc("x") @pii
  tags : list<map<string, list<int>>>
  u : a | b? | c.d<e>(f = 1) | g??
  v : x() | y<z>
  w : string(pattern = "^[a-z]+$") = "x"
  x : ref<dataset>
})",
    R"(service records {
  a = { x = 1, y { z = 2 } }
  b = {
    /// doc inside a record
    c = [1, 2,]
    d : int = 3
    for k v require v
  }
  c = f(a = {x = 1}, [1], { })
  d = [{a = 1}, {b = 2}]
  e = x.y.z
}
// trailing comment)",
    "",
    "// only a comment\n",
    "/// only a doc\n",
    "package p\n",
    "@a\nservice x {}",
    "service x {}/// doc at the end",
};

std::vector<Sample> corpus() {
  std::vector<Sample> out;
  fs::path root = PLAT_SOURCE_DIR;
  for (const char *dir : {"stdlib", "examples", "tests"}) {
    std::vector<fs::path> files;
    for (const auto &entry : fs::recursive_directory_iterator(root / dir))
      if (entry.is_regular_file())
        files.push_back(entry.path());
    std::sort(files.begin(), files.end());
    for (const fs::path &p : files) {
      if (p.extension() == ".plat")
        out.push_back({p.string(), readFile(p)});
      else if (p.extension() == ".test")
        goldenInputs(p, out);
    }
  }
  std::vector<fs::path> docs;
  for (const auto &entry : fs::recursive_directory_iterator(root / "docs"))
    if (entry.is_regular_file() && entry.path().extension() == ".md")
      docs.push_back(entry.path());
  std::sort(docs.begin(), docs.end());
  for (const fs::path &p : docs)
    docBlocks(p, out);
  int n = 0;
  for (const char *text : kCornerCases)
    out.push_back({"corner case " + std::to_string(++n), text});
  return out;
}

// A generated bench workspace (bench/gen_workspace.py), made once per run.
std::vector<Sample> benchWorkspace() {
  fs::path dir = fs::temp_directory_path() /
                 ("plat-fast-parser-" + std::to_string(static_cast<long>(::getpid())));
  fs::remove_all(dir);
  std::string command = "python3 '" + std::string(PLAT_SOURCE_DIR) +
                        "/bench/gen_workspace.py' '" + dir.string() +
                        "' --decls 1000 --seed 1 > /dev/null 2>&1";
  REQUIRE(std::system(command.c_str()) == 0);
  std::vector<fs::path> files;
  for (const auto &entry : fs::recursive_directory_iterator(dir))
    if (entry.is_regular_file() && entry.path().extension() == ".plat")
      files.push_back(entry.path());
  std::sort(files.begin(), files.end());
  std::vector<Sample> out;
  for (const fs::path &p : files)
    out.push_back({p.string(), readFile(p)});
  fs::remove_all(dir);
  return out;
}

// The fast parser accepts every file ANTLR accepts (the corpus is all well
// formed Plat or meant to fail), with an identical AST, and declines every
// file ANTLR reports anything on.
void checkSample(const Sample &s, size_t &accepted, size_t &declined) {
  Outcome o = runBoth(s.text);
  INFO(s.name);
  if (!o.antlrClean) {
    CHECK_FALSE(o.fastDump.has_value());
    ++declined;
    return;
  }
  REQUIRE(o.fastDump.has_value());
  CHECK(*o.fastDump == o.antlrDump);
  ++accepted;
}

TEST_CASE("fast parser: same AST as ANTLR on every file of the repository", "[fast_parser]") {
  std::vector<Sample> samples = corpus();
  REQUIRE(samples.size() > 200);
  size_t accepted = 0, declined = 0;
  for (const Sample &s : samples)
    checkSample(s, accepted, declined);
  // Failing golden tests hold the files with syntax errors.
  CHECK(accepted > 200);
  CHECK(declined >= 10);
}

TEST_CASE("fast parser: same AST as ANTLR on a generated workspace", "[fast_parser]") {
  std::vector<Sample> samples = benchWorkspace();
  REQUIRE(samples.size() > 20);
  size_t accepted = 0, declined = 0;
  for (const Sample &s : samples)
    checkSample(s, accepted, declined);
  CHECK(declined == 0);
}

// Every pair of binary operators, and each prefix operator against each
// binary one, in both orders: precedence and associativity as ANTLR derives
// them from the order of the `expr` alternatives.
TEST_CASE("fast parser: same precedence and associativity as ANTLR", "[fast_parser]") {
  const char *const binary[] = {"..", "<", "<=", ">", ">=", "==", "!=", "in", "and", "or"};
  const char *const prefix[] = {"-", "not "};
  const char *const postfix[] = {".m", "(1)", "[0]"};
  std::string text = "service s {\n";
  int n = 0;
  auto add = [&](const std::string &e) { text += "  v" + std::to_string(++n) + " = " + e + "\n"; };
  for (const char *a : binary)
    for (const char *b : binary) {
      add(std::string("x ") + a + " y " + b + " z");
      for (const char *p : prefix) {
        add(std::string(p) + "x " + a + " y " + b + " z");
        add(std::string("x ") + a + " " + p + "y " + b + " z");
      }
      add(std::string("any q in x ") + a + " y: x " + b + " z");
      add(std::string("x ") + a + " any q in y: x " + b + " z");
    }
  for (const char *a : binary)
    for (const char *p : postfix) {
      add(std::string("x ") + a + " y" + p);
      add(std::string("-x") + p + " " + a + " y");
      add(std::string("not x") + p + " " + a + " y");
    }
  text += "}\n";
  Outcome o = runBoth(text);
  REQUIRE(o.antlrClean);
  REQUIRE(o.fastDump.has_value());
  CHECK(*o.fastDump == o.antlrDump);
}

// ---------------------------------------------------------------- limits

std::string repeat(const std::string &s, int n) {
  std::string out;
  for (int i = 0; i < n; ++i)
    out += s;
  return out;
}

TEST_CASE("fast parser: agrees with ANTLR at the nesting limit", "[fast_parser]") {
  std::vector<std::function<std::string(int)>> shapes = {
      [](int n) { return "s x { a = " + repeat("(", n) + "1" + repeat(")", n) + " }"; },
      [](int n) { return "s x { a = " + repeat("[", n) + "1" + repeat("]", n) + " }"; },
      [](int n) { return "s x { a = " + repeat("{ b = ", n) + "1" + repeat(" }", n) + " }"; },
      [](int n) { return "s x { a = x" + repeat(" and x", n) + " }"; },
      [](int n) { return "s x { a = x" + repeat(".y", n) + " }"; },
      [](int n) { return "s x { a = x" + repeat("(1)", n) + " }"; },
      [](int n) { return "s x { a = " + repeat("- ", n) + "1 }"; },
      [](int n) { return "s x { a = " + repeat("not ", n) + "b }"; },
      [](int n) { return "s x { a = " + repeat("any v in w: ", n) + "b }"; },
      [](int n) { return "s x { a : " + repeat("list<", n) + "int" + repeat(">", n) + " }"; },
      [](int n) { return "s x { a : int" + repeat(" | int", n) + " }"; },
      [](int n) { return "s x { a : int" + repeat("?", n) + " }"; },
      [](int n) { return "s x { a : int(" + repeat("f(", n) + "1" + repeat(")", n) + ") }"; },
      [](int n) { return "@a(" + repeat("(", n) + "1" + repeat(")", n) + ") s x { }"; },
      [](int n) { return repeat("b {", n) + repeat("}", n); },
      [](int n) { return "s x { " + repeat("b {", n) + repeat("}", n) + " }"; },
      [](int n) { return "s x { a = " + repeat("{ b : int(", n) + "1" + repeat(") }", n) + " }"; },
  };
  size_t accepted = 0, declined = 0;
  for (size_t shape = 0; shape < shapes.size(); ++shape) {
    for (int n : {1, 2, 20, 97, 98, 99, 100, 101, 190, 196, 197, 198, 199, 200, 201, 202, 250}) {
      Sample s{"shape " + std::to_string(shape) + " n=" + std::to_string(n), shapes[shape](n)};
      Outcome o = runBoth(s.text);
      INFO(s.name);
      if (!o.antlrClean) {
        CHECK_FALSE(o.fastDump.has_value());
        ++declined;
      } else {
        REQUIRE(o.fastDump.has_value());
        CHECK(*o.fastDump == o.antlrDump);
        ++accepted;
      }
    }
  }
  // Both sides of the limit are exercised.
  CHECK(accepted > 100);
  CHECK(declined > 20);

  // A smaller limit from the options is honoured the same way.
  syntax::ParseOptions small;
  small.maxDepth = 5;
  for (int n = 1; n < 9; ++n)
    for (const auto &shape : shapes) {
      std::string text = shape(n);
      Outcome o = runBoth(text, small);
      INFO(text);
      if (!o.antlrClean)
        CHECK_FALSE(o.fastDump.has_value());
      else
        CHECK((o.fastDump && *o.fastDump == o.antlrDump));
    }
}

// ---------------------------------------------------------------- mutations

const char *const kInsertions[] = {
    " in ", " and ", " or ", " not ", "-", "..", ".", "(", ")", "[", "]", "{", "}", "\"",
    "\"\"\"", "0", "7", "1_000", "1__0", "1_", "1.5e3", "2Gi", "1e", "1.5e+", " usd", "/day",
    "/", "///doc\n", "// c\n", "/* c */", "/*", "*/", " any x in ", " all ", ":", "?", "|",
    "@a", "@a(1)", "<", ">", ">=", "=", "==", "!=", "!", ",", "\\", "\\q", "\\u{41}",
    "\\u{D800}", "${a}", "${", "${1}", "$", " template ", " enum ", " extends ", " for ",
    " where ", " require ", " else ", " true ", " false ", " import ", " package ", " as ",
    " x ", " 9999999999999999999999 ", " 1e999 ", "_", ";", "\n", "\t", "é", "\r\n",
};

// Deterministic edits: delete, duplicate or swap byte ranges and words,
// insert tokens and fragments of Plat.
std::string mutate(std::string text, std::mt19937 &rng) {
  auto pick = [&](size_t n) { return n == 0 ? size_t{0} : static_cast<size_t>(rng() % n); };
  int edits = 1 + static_cast<int>(pick(3));
  for (int e = 0; e < edits; ++e) {
    size_t at = pick(text.size() + 1);
    switch (pick(6)) {
    case 0: // delete 1-4 bytes
      text.erase(at, 1 + pick(4));
      break;
    case 1: { // duplicate a range
      size_t len = 1 + pick(24);
      text.insert(at, text.substr(at, len));
      break;
    }
    case 2: // insert a token
    case 3:
      text.insert(at, kInsertions[pick(std::size(kInsertions))]);
      break;
    case 4: { // swap two words
      auto word = [&](size_t from) {
        size_t b = text.find_first_not_of(" \t\n", from);
        if (b == std::string::npos)
          return std::pair<size_t, size_t>{text.size(), text.size()};
        size_t e2 = text.find_first_of(" \t\n", b);
        return std::pair<size_t, size_t>{b, e2 == std::string::npos ? text.size() : e2};
      };
      auto [b1, e1] = word(at);
      auto [b2, e2] = word(e1);
      if (b2 < text.size()) {
        std::string w1 = text.substr(b1, e1 - b1), w2 = text.substr(b2, e2 - b2);
        text = text.substr(0, b1) + w2 + text.substr(e1, b2 - e1) + w1 + text.substr(e2);
      }
      break;
    }
    case 5: // replace a byte
      if (at < text.size())
        text[at] = "{}()[]<>\"=.:,-/0a_ \n"[pick(20)];
      break;
    }
  }
  return text;
}

TEST_CASE("fast parser: declines or agrees with ANTLR on mutated files", "[fast_parser]") {
  // Small files keep the run short: ANTLR's error recovery is the slow part.
  std::vector<Sample> seeds;
  for (Sample &s : corpus())
    if (s.text.size() <= 3000)
      seeds.push_back(std::move(s));
  REQUIRE(seeds.size() > 50);
  // PLAT_FAST_PARSER_MUTANTS and PLAT_FAST_PARSER_SEED allow longer soak runs.
  const char *count = std::getenv("PLAT_FAST_PARSER_MUTANTS");
  const char *seed = std::getenv("PLAT_FAST_PARSER_SEED");
  std::mt19937 rng(seed ? static_cast<unsigned>(std::atoi(seed)) : 20240601u);
  const int kMutants = count ? std::atoi(count) : 3000;
  int clean = 0, fastAccepted = 0, antlrErrors = 0;
  for (int i = 0; i < kMutants; ++i) {
    const Sample &seed = seeds[rng() % seeds.size()];
    std::string text = mutate(seed.text, rng);
    Outcome o = runBoth(text);
    if (!o.antlrClean) {
      ++antlrErrors;
      if (o.fastDump) {
        INFO("mutant " << i << " of " << seed.name << ":\n" << text);
        FAIL("the fast parser accepted a file on which ANTLR reports diagnostics");
      }
      continue;
    }
    ++clean;
    if (!o.fastDump)
      continue;
    ++fastAccepted;
    if (*o.fastDump != o.antlrDump) {
      INFO("mutant " << i << " of " << seed.name << ":\n" << text);
      CHECK(*o.fastDump == o.antlrDump);
      FAIL("different ASTs");
    }
  }
  // Not vacuous: both kinds of mutants occur, and the fast parser takes
  // nearly every clean one.
  CHECK(antlrErrors > kMutants / 4);
  CHECK(clean > kMutants / 10);
  CHECK(fastAccepted * 100 >= clean * 95);
}

// Robustness only (the differential tests above check correctness): every
// prefix of the corner cases and random bytes, straight into the fast parser,
// which must not crash, whatever the encoding.
TEST_CASE("fast parser: survives truncated files and random bytes", "[fast_parser]") {
  SourceManager sources;
  size_t accepted = 0;
  for (const char *text : kCornerCases) {
    std::string full = text;
    for (size_t n = 0; n <= full.size(); ++n) {
      FileId id = sources.add("prefix.plat", full.substr(0, n));
      accepted += syntax::fastParse(sources.file(id), id).has_value();
    }
  }
  CHECK(accepted > 10);
  std::mt19937 rng(7);
  const std::string alphabet = "{}()[]\"a=.:,-/0_ \n<>?|@\\$";
  for (int i = 0; i < 2000; ++i) {
    std::string bytes(rng() % 64, '\0');
    for (char &c : bytes)
      c = static_cast<char>(rng() % 4 == 0 ? rng() % 256 : alphabet[rng() % alphabet.size()]);
    FileId id = sources.add("random.plat", bytes);
    (void)syntax::fastParse(sources.file(id), id);
  }
}

TEST_CASE("fast parser: `parse` takes the fast path on well-formed files only", "[fast_parser]") {
  SourceManager sources;
  FileId good = sources.add("good.plat", "service s { a = 1 }\n");
  FileId bad = sources.add("bad.plat", "service s { a = \"\\q\" }\n");
  Diagnostics diags;
  ast::ParsedFile g = syntax::parse(sources.file(good), good, diags);
  CHECK(diags.empty());
  CHECK(syntax::fastParse(sources.file(good), good).has_value());
  CHECK_FALSE(syntax::fastParse(sources.file(bad), bad).has_value());
  ast::ParsedFile b = syntax::parse(sources.file(bad), bad, diags);
  // The fast parser declined silently; ANTLR reported the bad escape.
  REQUIRE(diags.all().size() == 1);
  CHECK(diags.all()[0].message == "unknown escape sequence `\\q`");
}

} // namespace

// Throughput of both parsers on the .plat files under $PLAT_BENCH_DIR (not
// run by default): plat_unit_tests "[.fast_parser_bench]"
TEST_CASE("fast parser: throughput", "[.fast_parser_bench]") {
  const char *dir = std::getenv("PLAT_BENCH_DIR");
  REQUIRE(dir);
  std::vector<fs::path> paths;
  for (const auto &entry : fs::recursive_directory_iterator(dir))
    if (entry.is_regular_file() && entry.path().extension() == ".plat")
      paths.push_back(entry.path());
  std::sort(paths.begin(), paths.end());
  SourceManager sources;
  std::vector<FileId> ids;
  size_t bytes = 0;
  for (const fs::path &p : paths) {
    ids.push_back(sources.add(p.string(), readFile(p)));
    bytes += sources.file(ids.back()).text().size();
  }
  auto time = [&](auto &&parseOne) {
    auto start = std::chrono::steady_clock::now();
    for (FileId id : ids)
      parseOne(sources.file(id), id);
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  };
  for (int run = 0; run < 3; ++run) {
    double fast = time([](const SourceFile &f, FileId id) { REQUIRE(syntax::fastParse(f, id)); });
    double full = time([](const SourceFile &f, FileId id) {
      Diagnostics diags;
      syntax::parse(f, id, diags);
    });
    double antlr = time([](const SourceFile &f, FileId id) {
      Diagnostics diags;
      syntax::parseWithAntlr(f, id, diags);
    });
    std::printf("%zu files, %.2f MB: fastParse %.3f s (%.1f MB/s), parse %.3f s (%.1f MB/s), "
                "ANTLR %.3f s (%.1f MB/s)\n",
                ids.size(), bytes / 1e6, fast, bytes / 1e6 / fast, full, bytes / 1e6 / full, antlr,
                bytes / 1e6 / antlr);
  }
}
