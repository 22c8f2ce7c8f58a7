// sema::recheck reuses the values of declarations a change cannot affect.
// Its contract is that the result is the same as a fresh check: every test
// here compares the two after each edit (IR dump, references, columns and
// diagnostics), and checks how much was reused.

#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <optional>
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

// What loading a workspace version says before any checking: its package
// index (names, files, declared names) and its syntax and index
// diagnostics, with files by relative path so that versions compare.
std::string indexPrint(const Workspace &ws, Diagnostics &diags) {
  std::map<uint32_t, std::string> rel;
  for (const LoadedFile &lf : ws.files())
    rel[lf.id.index] = lf.relativePath;
  auto where = [&](Span s) {
    return s.valid() ? fmt::format("{}:{}-{}", rel[s.file.index], s.begin, s.end) : std::string("-");
  };
  std::string out;
  for (const auto &[name, pkg] : ws.packages()) {
    out += "package " + name + ":";
    for (size_t i : pkg->files)
      out += " " + ws.files()[i].relativePath;
    out += "\n ";
    for (const auto &[decl, ref] : pkg->decls)
      out += fmt::format(" {}@{}", decl, ws.files()[ref.fileIndex].relativePath);
    out += "\n";
  }
  std::vector<std::string> lines;
  for (const Diagnostic &d : diags.all()) {
    std::string line = fmt::format("diag {} {} {}", static_cast<int>(d.id), where(d.span), d.message);
    for (const Note &n : d.notes)
      line += fmt::format(" | note {} {}", n.span ? where(*n.span) : "-", n.message);
    lines.push_back(line);
  }
  std::sort(lines.begin(), lines.end());
  for (const std::string &l : lines)
    out += l + "\n";
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
    CHECK(dev.get(cartId, sema::fields::service::port)->integer == 81);

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
    CHECK(s.program->envs.front()
              .get(s.program->byQualifiedName.at("shop.api"), sema::fields::service::port)
              ->integer == 9090);
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

// ---------------------------------------------------------------- the oracle
//
// Thousands of seeded random edits: after each, `pipeline::recheck` must
// equal a fresh `pipeline::check` (IR dump, references, columns and
// diagnostics). The edits are the ones an editor produces: a value changes,
// a declaration is renamed, a line is deleted, junk is typed, a declaration
// is added or removed, a template is edited; every few edits a file goes
// back to its original text so the workspace does not drift into noise.

namespace {

// A small deterministic generator (std:: distributions differ between
// standard libraries; this does not).
struct Rng {
  uint64_t state;
  explicit Rng(uint64_t seed) : state(seed * 6364136223846793005ULL + 1442695040888963407ULL) {}
  uint64_t next() {
    state ^= state >> 12;
    state ^= state << 25;
    state ^= state >> 27;
    return state * 2685821657736338717ULL;
  }
  size_t below(size_t n) { return n ? static_cast<size_t>(next() % n) : 0; }
};

std::vector<size_t> lineStarts(const std::string &text) {
  std::vector<size_t> out{0};
  for (size_t i = 0; i < text.size(); ++i)
    if (text[i] == '\n' && i + 1 < text.size())
      out.push_back(i + 1);
  return out;
}

// Top-level declarations: (offset of `kind name {`, offset after its `}` line).
std::vector<std::pair<size_t, size_t>> declarations(const std::string &text) {
  std::vector<std::pair<size_t, size_t>> out;
  for (size_t start : lineStarts(text)) {
    if (start >= text.size() || !std::isalpha(static_cast<unsigned char>(text[start])))
      continue;
    size_t eol = text.find('\n', start);
    std::string line = text.substr(start, eol == std::string::npos ? std::string::npos : eol - start);
    if (line.empty() || line.back() != '{' || line.rfind("package", 0) == 0 ||
        line.rfind("import", 0) == 0)
      continue;
    size_t end = text.find("\n}\n", start);
    out.emplace_back(start, end == std::string::npos ? text.size() : end + 3);
  }
  return out;
}

std::string mutate(const std::string &text, const std::string &rel, Rng &rng, int serial,
                   std::string &what) {
  std::string out = text;
  switch (rng.below(7)) {
  case 0: { // change a value: a digit, a boolean, or a string's first letter
    std::vector<size_t> at;
    for (size_t i = 0; i < out.size(); ++i)
      if (std::isdigit(static_cast<unsigned char>(out[i])) || out.compare(i, 4, "true") == 0 ||
          (out[i] == '"' && i + 1 < out.size() && std::isalpha(static_cast<unsigned char>(out[i + 1]))))
        at.push_back(i);
    if (at.empty())
      break;
    size_t i = at[rng.below(at.size())];
    if (std::isdigit(static_cast<unsigned char>(out[i])))
      out[i] = static_cast<char>('0' + rng.below(10));
    else if (out.compare(i, 4, "true") == 0)
      out.replace(i, 4, "false");
    else
      out[i + 1] = static_cast<char>('a' + rng.below(26));
    what = "value";
    break;
  }
  case 1: { // rename a declaration
    auto decls = declarations(out);
    if (decls.empty())
      break;
    size_t start = decls[rng.below(decls.size())].first;
    size_t brace = out.find('{', start);
    size_t nameEnd = out.find_last_not_of(' ', brace - 1) + 1;
    out.insert(nameEnd, fmt::format("_r{}", serial));
    what = "rename";
    break;
  }
  case 2: { // delete a line
    auto starts = lineStarts(out);
    size_t start = starts[rng.below(starts.size())];
    size_t eol = out.find('\n', start);
    out.erase(start, eol == std::string::npos ? std::string::npos : eol - start + 1);
    what = "delete line";
    break;
  }
  case 3: { // insert junk
    static const char *kJunk[] = {"}{", "= =", "@@\n", "service", "\"open", "x.y.z = [\n",
                                  "  port = \"eighty\"\n", "import nowhere\n", "..", "#"};
    auto starts = lineStarts(out);
    out.insert(starts[rng.below(starts.size())], kJunk[rng.below(std::size(kJunk))]);
    what = "junk";
    break;
  }
  case 4: { // add a declaration (sometimes a duplicate name)
    auto decls = declarations(out);
    if (!decls.empty() && rng.below(2)) {
      auto [b, e] = decls[rng.below(decls.size())];
      std::string copy = out.substr(b, e - b);
      if (rng.below(2)) {
        size_t brace = copy.find('{');
        size_t nameEnd = copy.find_last_not_of(' ', brace - 1) + 1;
        copy.insert(nameEnd, fmt::format("_c{}", serial));
      }
      out += "\n" + copy;
    } else {
      out += fmt::format("\ndataset added_{} {{\n  location = s3(\"b\", \"p{}/\")\n}}\n", serial,
                         serial);
    }
    what = "add declaration";
    break;
  }
  case 5: { // remove a declaration
    auto decls = declarations(out);
    if (decls.empty())
      break;
    auto [b, e] = decls[rng.below(decls.size())];
    out.erase(b, e - b);
    what = "remove declaration";
    break;
  }
  case 6: { // edit a template (or, in a file without one, a field of the first declaration)
    size_t t = out.find("template ");
    size_t eq = out.find(" = ", t == std::string::npos ? 0 : t);
    if (eq == std::string::npos)
      break;
    size_t eol = out.find('\n', eq);
    static const char *kValues[] = {"3", "\"x\"", "true", "2..5", "512Mi", "[]", "none"};
    out.replace(eq + 3, eol - eq - 3, kValues[rng.below(std::size(kValues))]);
    what = "edit template";
    break;
  }
  }
  if (what.empty())
    what = "no-op";
  what += " in " + rel;
  return out;
}

void randomEdits(Session &s, uint64_t seed, int edits) {
  std::vector<std::string> files;
  std::map<std::string, std::string> original, current;
  for (const LoadedFile &lf : s.ws.files())
    if (!lf.fromStdlib) {
      files.push_back(lf.relativePath);
      original[lf.relativePath] = current[lf.relativePath] =
          s.ws.sources().file(lf.id).text().str();
    }
  REQUIRE_FALSE(files.empty());
  Rng rng(seed);
  int divergences = 0;
  for (int i = 0; i < edits && divergences < 3; ++i) {
    const std::string &rel = files[rng.below(files.size())];
    std::string what;
    std::string next = rng.below(5) == 0 ? (what = "restore " + rel, original[rel])
                                         : mutate(current[rel], rel, rng, i, what);
    current[rel] = next;
    // Every fourth edit, the version before it is kept, as a snapshot an
    // editor request may still be reading: the recheck must leave it exactly
    // as it was (it only reads the previous program; under ASan, a read of
    // anything the edit freed fails here).
    bool keepOld = i % 4 == 0;
    std::optional<Workspace> before;
    std::string oldPrint;
    if (keepOld) {
      Diagnostics none;
      before = s.ws;
      oldPrint = fingerprint(*before, *s.program, none);
    }
    Diagnostics syntax;
    s.ws.updateFile(rel, next, syntax);
    {
      // The updated workspace indexes (packages shared with the previous
      // version where the edit did not touch them) as a fresh load would.
      std::vector<std::pair<std::string, std::string>> texts(current.begin(), current.end());
      Diagnostics loaded;
      Workspace reloaded = Workspace::fromSources(s.ws.root(), texts, loaded);
      std::string got = indexPrint(s.ws, syntax), want = indexPrint(reloaded, loaded);
      if (got != want) {
        ++divergences;
        INFO("seed " << seed << ", edit " << i << ": " << what << ": the package index differs from a fresh load\nupdate:\n"
                     << got << "\nload:\n" << want);
        CHECK(false);
      }
    }
    Diagnostics incremental, fresh;
    std::unique_ptr<sema::Program> old = std::move(s.program);
    s.program = pipeline::recheck(s.ws, incremental, *old);
    std::unique_ptr<sema::Program> full = pipeline::check(s.ws, fresh);
    std::string got = fingerprint(s.ws, *s.program, incremental);
    std::string want = fingerprint(s.ws, *full, fresh);
    if (keepOld) {
      Diagnostics none;
      INFO("seed " << seed << ", edit " << i << ": " << what << ": the previous snapshot changed");
      CHECK(fingerprint(*before, *old, none) == oldPrint);
    }
    old.reset();
    if (got != want) {
      ++divergences;
      // The first line that differs, then the file as edited.
      std::istringstream a(got), b(want);
      std::string la, lb;
      while (std::getline(a, la) && std::getline(b, lb) && la == lb) {
      }
      INFO("seed " << seed << ", edit " << i << ": " << what << "\nrecheck: " << la
                   << "\ncheck:   " << lb << "\n--- file now:\n" << next);
      CHECK(false);
    }
  }
  CHECK(divergences == 0);
}

// A generated workspace: services in a chain over several files, datasets,
// a template with an `env` block, and a typed policy.
std::vector<std::pair<std::string, std::string>> generatedWorkspace() {
  std::vector<std::pair<std::string, std::string>> files = {
      {"workspace.plat", kRoot},
      {"org/teams.plat", kTeams},
      {"paths/web.plat", kTemplates},
      {"gov/policies.plat",
       "package gov\n\n/// Typed rules over the generated graph.\npolicy shape {\n"
       "  severity = warning\n"
       "  for service s where s.tier == production require s.replicas.min >= 1 and s.port > 80\n"
       "  for dataset d where d.retention != none require d.retention <= 400d\n"
       "  for service s where any c in s.calls: c.port == 8080 require len(s.calls) < 3\n}\n"}};
  for (int f = 0; f < 6; ++f) {
    std::string text = "package gen\n\nimport org\nimport paths.web\n";
    for (int k = 0; k < 5; ++k) {
      int n = f * 5 + k;
      text += fmt::format("\nservice s{} extends web {{\n  owner = org.pay\n  image = \"r.example/s{}:1\"\n"
                          "  port = {}\n{}  reads = [d{}]\n}}\n",
                          n, n, 8000 + n, n ? fmt::format("  calls = [s{}]\n", n - 1) : "", n);
      text += fmt::format("\ndataset d{} {{\n  owner = org.pay\n  location = s3(\"lake\", \"d{}/\")\n"
                          "  retention = {}d\n  schema {{\n    id : string\n  }}\n}}\n",
                          n, n, 100 + 50 * n);
    }
    files.emplace_back(fmt::format("gen/part{}.plat", f), text);
  }
  return files;
}

} // namespace

TEST_CASE("the recheck oracle: random edits of the example workspace", "[sema][recheck][oracle]") {
  Diagnostics load;
  std::optional<Workspace> ws = Workspace::load(PLAT_SOURCE_DIR "/examples/acme", load);
  REQUIRE(ws);
  Session s(std::move(*ws));
  randomEdits(s, 12, 1200);
}

TEST_CASE("the recheck oracle: random edits of a generated workspace", "[sema][recheck][oracle]") {
  Diagnostics load;
  Session s(Workspace::fromSources("/ws", generatedWorkspace(), load));
  randomEdits(s, 34, 1200);
}
