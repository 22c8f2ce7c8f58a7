// compiler/review/: what `platc diff` compares and how it prints a file diff.
#include <catch2/catch.hpp>

#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "pipeline/Pipeline.h"
#include "review/Diff.h"

using namespace plat;

namespace {

std::vector<std::string> lines(const std::string &text) {
  std::vector<std::string> out;
  std::stringstream ss(text);
  for (std::string l; std::getline(ss, l);)
    out.push_back(l);
  return out;
}

// Applies a unified diff made by review::unifiedDiff to `before`.
std::string applyDiff(const std::string &before, const std::string &diff) {
  std::vector<std::string> a = lines(before), d = lines(diff), out;
  size_t ai = 0;
  for (size_t i = 2; i < d.size();) {
    REQUIRE(d[i].rfind("@@ -", 0) == 0);
    size_t start = std::stoul(d[i].substr(4));
    size_t len = std::stoul(d[i].substr(d[i].find(',') + 1));
    size_t to = len == 0 ? start : start - 1;
    while (ai < to)
      out.push_back(a[ai++]);
    for (++i; i < d.size() && d[i].rfind("@@", 0) != 0; ++i) {
      char op = d[i][0];
      std::string text = d[i].substr(1);
      if (op == ' ') {
        REQUIRE(a[ai] == text);
        out.push_back(a[ai++]);
      } else if (op == '-') {
        REQUIRE(a[ai] == text);
        ++ai;
      } else {
        REQUIRE(op == '+');
        out.push_back(text);
      }
    }
  }
  while (ai < a.size())
    out.push_back(a[ai++]);
  std::string text;
  for (const std::string &l : out)
    text += l + "\n";
  return text;
}

void load(review::Side &side, const std::vector<std::pair<std::string, std::string>> &files) {
  side.workspace = Workspace::fromSources("/ws", files, side.diags);
  side.program = pipeline::check(*side.workspace, side.diags);
  REQUIRE_FALSE(side.diags.hasErrors());
}

const char *kWorkspace = R"(workspace shop {
  account = "123456789012"
  region = "eu-west-1"
}

environment prod {
  tier = production
}

team web {
  lead = "ana@example.com"
  on_call = "pagerduty:web"
  cost_center = "cc-1"
}
)";

} // namespace

TEST_CASE("provenance is left out of generated files, nothing else", "[review]") {
  std::string yaml = "metadata:\n  annotations:\n    plat.dev/source: services.plat:12\n"
                     "    plat.dev/content-hash: \"2168b776c62e712d\"\n"
                     "    plat.dev/config-hash: c36547fd487648f4\n"
                     "# Deployment web/api from teams/web.plat:8 (service api).\n"
                     "image: r.example.com/api@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\n";
  CHECK(review::withoutProvenance(yaml) ==
        "metadata:\n  annotations:\n    plat.dev/source: <source>\n"
        "    plat.dev/config-hash: c36547fd487648f4\n"
        "# Deployment web/api from <source> (service api).\n"
        "image: r.example.com/api@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\n");
  std::string json = "[\n  {\n    \"Key\": \"plat:content-hash\",\n    \"Value\": \"f3d57b390ecef13c\"\n  },\n"
                     "  {\n    \"Key\": \"team\",\n    \"Value\": \"web\"\n  }\n]";
  CHECK(review::withoutProvenance(json) ==
        "[\n  {\n  },\n  {\n    \"Key\": \"team\",\n    \"Value\": \"web\"\n  }\n]");
  // A `.plat:` not followed by a line number is text, not a position.
  CHECK(review::withoutProvenance("see a.plat: it\n") == "see a.plat: it\n");
  CHECK(review::withoutProvenance("\"source\": \"x/y.plat:3:7\",\n") == "\"source\": \"<source>\",\n");
}

TEST_CASE("unified diffs apply back to the new text", "[review]") {
  CHECK(review::unifiedDiff("a\nb\n", "a\nb\n", "x", "y").empty());
  CHECK(review::unifiedDiff("a\nb\nc\n", "a\nB\nc\n", "a/f", "b/f") ==
        "--- a/f\n+++ b/f\n@@ -1,3 +1,3 @@\n a\n-b\n+B\n c\n");
  CHECK(review::unifiedDiff("", "x\n", "/dev/null", "b/f") == "--- /dev/null\n+++ b/f\n@@ -0,0 +1,1 @@\n+x\n");
  std::mt19937 rng(15);
  for (int round = 0; round < 300; ++round) {
    std::vector<std::string> a;
    size_t n = rng() % 60;
    for (size_t i = 0; i < n; ++i)
      a.push_back("line " + std::to_string(rng() % 12));
    std::vector<std::string> b = a;
    for (int e = rng() % 6; e-- > 0;) {
      size_t at = b.empty() ? 0 : rng() % (b.size() + 1);
      switch (rng() % 3) {
      case 0:
        b.insert(b.begin() + at, "new " + std::to_string(rng() % 5));
        break;
      case 1:
        if (at < b.size())
          b.erase(b.begin() + at);
        break;
      default:
        if (at < b.size())
          b[at] = "changed";
      }
    }
    std::string before, after;
    for (const std::string &l : a)
      before += l + "\n";
    for (const std::string &l : b)
      after += l + "\n";
    std::string d = review::unifiedDiff(before, after, "a", "b");
    CHECK(d.empty() == (before == after));
    if (!d.empty())
      CHECK(applyDiff(before, d) == after);
  }
}

TEST_CASE("declarations are matched by name, not by file", "[review]") {
  review::Side base, head;
  std::string svc = "service api {\n  owner = web\n  image = \"r.example.com/api:1\"\n  port = 8080\n}\n";
  load(base, {{"workspace.plat", kWorkspace}, {"a.plat", svc}});
  load(head, {{"workspace.plat", kWorkspace}, {"b.plat", "// moved\n\n" + svc}});
  review::Report r = review::compare(base, head, {});
  CHECK(r.flags.empty());
  REQUIRE(r.envs.size() == 1);
  CHECK(r.envs[0].decls.empty());
  CHECK(r.envs[0].files.empty());
}

TEST_CASE("a changed field is reported old and new, and a new public service is flagged", "[review]") {
  review::Side base, head;
  load(base, {{"workspace.plat", kWorkspace},
              {"a.plat", "service api {\n  owner = web\n  image = \"r.example.com/api:1\"\n  port = 8080\n}\n"}});
  load(head, {{"workspace.plat", kWorkspace},
              {"a.plat", "service api {\n  owner = web\n  image = \"r.example.com/api:2\"\n  port = 8080\n"
                         "  expose = public\n  tls = true\n}\n"}});
  review::Report r = review::compare(base, head, {});
  REQUIRE(r.envs.size() == 1);
  REQUIRE(r.envs[0].decls.size() == 1);
  const review::DeclChange &c = r.envs[0].decls[0];
  CHECK(c.name == "api");
  CHECK(c.kind == review::DeclChange::Changed);
  bool image = false;
  for (const review::FieldChange &f : c.fields)
    image |= f.field == "image" && f.before == "\"r.example.com/api:1\"" && f.after == "\"r.example.com/api:2\"";
  CHECK(image);
  REQUIRE(r.flags.size() == 1);
  CHECK(r.flags[0].flag == "newly-public");
  CHECK(r.flags[0].location.path == "a.plat");
  CHECK(r.flags[0].location.line == 5);
}

TEST_CASE("unified diffs of large files show only the changed places", "[review]") {
  std::string before, after;
  for (int i = 0; i < 20000; ++i) {
    std::string line = "line " + std::to_string(i) + "\n";
    before += line;
    after += i == 10 ? "changed near the top\n" : i == 19990 ? "changed near the end\n" : line;
  }
  std::string d = review::unifiedDiff(before, after, "a", "b");
  size_t hunks = 0;
  for (size_t at = 0; (at = d.find("\n@@ ", at)) != std::string::npos; ++at)
    ++hunks;
  CHECK(hunks == 2);
  CHECK(d.find("@@ -8,7 +8,7 @@\n line 7\n line 8\n line 9\n-line 10\n+changed near the top\n") != std::string::npos);
  CHECK(applyDiff(before, d) == after);
  // Beyond the edit bound the middle is replaced whole, and still applies.
  std::string other;
  for (int i = 0; i < 5000; ++i)
    other += "other " + std::to_string(i) + "\n";
  std::string all = review::unifiedDiff(before.substr(0, 60000), other, "a", "b");
  CHECK(applyDiff(before.substr(0, 60000), all) == other);
}
