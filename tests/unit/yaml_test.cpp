// The YAML writer: hostile strings survive a round trip through yaml-cpp's
// parser byte for byte, and every document the backends emit for the
// corner-case workspace parses back to the same tree.
#include <catch2/catch.hpp>
#include <yaml-cpp/yaml.h>

#include <random>
#include <regex>

#include "pipeline/Pipeline.h"
#include "backends/Backend.h"
#include "backends/yaml/YamlWriter.h"
#include "sema/Program.h"
#include "workspace/Workspace.h"

using namespace plat;
using plat::backends::yaml::Json;
namespace yw = plat::backends::yaml;

namespace {

// What a plain scalar means to a YAML 1.1 or 1.2 reader, as JSON. Quoted
// scalars (tag "!") are strings; plain ones resolve like the YAML 1.2 core
// schema, except that 1.1 spellings of booleans and null count too.
Json resolvePlain(const std::string &s) {
  static const std::regex kNull("^(null|Null|NULL|~|)$");
  static const std::regex kBool11("^(y|Y|yes|Yes|YES|n|N|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF)$");
  static const std::regex kInt("^[-+]?[0-9]+$");
  static const std::regex kFloat("^[-+]?(\\.[0-9]+|[0-9]+(\\.[0-9]*)?)([eE][-+]?[0-9]+)?$");
  if (std::regex_match(s, kNull))
    return nullptr;
  if (std::regex_match(s, kBool11))
    return s == "true" ? Json(true) : s == "false" ? Json(false) : Json("<ambiguous boolean " + s + ">");
  if (std::regex_match(s, kInt))
    return std::stoll(s);
  if (std::regex_match(s, kFloat))
    return std::stod(s);
  return s;
}

Json toJson(const YAML::Node &node) {
  switch (node.Type()) {
  case YAML::NodeType::Map: {
    Json out = Json::object();
    for (const auto &kv : node)
      out[kv.first.as<std::string>()] = toJson(kv.second);
    return out;
  }
  case YAML::NodeType::Sequence: {
    Json out = Json::array();
    for (const auto &item : node)
      out.push_back(toJson(item));
    return out;
  }
  case YAML::NodeType::Scalar:
    if (node.Tag() == "!")
      return node.as<std::string>();
    return resolvePlain(node.as<std::string>());
  case YAML::NodeType::Null:
  case YAML::NodeType::Undefined:
    break;
  }
  return nullptr;
}

const char *const kHostile[] = {
    "1", "0", "-1", "+1", "1.0", ".5", "1e3", "1E3", "0x1F", "0o17", "0b101", "1_000", "1:20",
    "yes", "Yes", "YES", "no", "NO", "y", "n", "Y", "N", "on", "Off", "true", "False", "TRUE",
    "null", "Null", "NULL", "~", "", " ", "  leading", "trailing  ", "a: b", "a:", ":a", "a #b",
    "#comment", "---", "...", "- item", "-", "{{ .Values.x }}", "{a: 1}", "[1, 2]", "*anchor",
    "&anchor", "!tag", "%directive", "@at", "`tick", "'single'", "\"double\"", "say \"hi\"",
    "back\\slash", "line\nbreak", "tab\there", "cr\rhere", "trailing newline\n", "\n",
    "café ✓ 日本", "nel\xC2\x85here", "ls\xE2\x80\xA8here", "bom\xEF\xBB\xBFhere", "bell\x07",
    "del\x7F", "=", "<<", "?", "? x", "|", ">", ".inf", "-.inf", ".nan", "2026-11-26",
    "12:30:00", "0755", "+.5", "1.", "a,b", "a]b", "key: value # c", "%", "a\\nb"};

} // namespace

TEST_CASE("hostile strings come back from yaml-cpp byte-identical", "[yaml]") {
  for (const char *s : kHostile) {
    INFO("string: " << s);
    Json doc = Json::object();
    doc["value"] = s;
    doc[s[0] ? s : "empty-key"] = "as key";
    std::string text = yw::document(doc);
    YAML::Node node = YAML::Load(text);
    CHECK(node["value"].as<std::string>() == s);
    // A reader must not take it for anything but a string.
    CHECK(toJson(node) == doc);
    CHECK(node["value"].Tag() == "!");
  }
}

TEST_CASE("generated strings round-trip whether written plain or quoted", "[yaml]") {
  // Pieces that make YAML readers see numbers, booleans, nulls, comments,
  // mappings, anchors, tags or block scalars, joined at random: wherever
  // isPlainSafe lets a string through unquoted, a reader must still see
  // that string.
  const std::vector<std::string> pieces = {
      "a", "Z", "y", "n", "e", "E", "x", "o", "0", "1", "9", ".", "-", "+", "_", ":", " ", "  ",
      "#", "?", "&", "*", "!", "|", ">", "'", "\"", "%", "@", "`", ",", "[", "]", "{", "}",
      "\n", "\t", "\\", "~", "/", "=", "<<", "true", "null", "yes", "Off", ".inf", ".nan",
      "0x", "0o", "1e3", "1_0", "12:30", "---", "...", "\xC3\xA9", "\xE2\x80\xA8", "\xC2\x85"};
  std::mt19937 rng(11);
  size_t plain = 0;
  for (int i = 0; i < 20000; ++i) {
    std::string v;
    for (int n = 1 + static_cast<int>(rng() % 5); n > 0; --n)
      v += pieces[rng() % pieces.size()];
    INFO("string: `" << v << "`");
    plain += yw::isPlainSafe(v);
    Json doc = Json::object();
    doc["value"] = v;
    doc["k" + v] = "as key";
    YAML::Node node = YAML::Load(yw::document(doc));
    REQUIRE(node["value"].as<std::string>() == v);
    REQUIRE(toJson(node) == doc);
  }
  // Both paths are exercised.
  CHECK(plain > 1000);
  CHECK(plain < 19000);
}

TEST_CASE("plainly safe strings stay plain and readable", "[yaml]") {
  for (const char *s : {"checkout-api", "512Mi", "500m", "app.kubernetes.io/name", "registry.acme.example/checkout:1.4.2",
                        "RuntimeDefault", "/healthz", "plat_dev", "a b c"}) {
    INFO("string: " << s);
    CHECK(yw::isPlainSafe(s));
    YAML::Node node = YAML::Load(yw::document(Json{{"v", s}}));
    CHECK(node["v"].as<std::string>() == s);
    CHECK(toJson(node) == Json{{"v", s}});
  }
  for (const char *s : {"1Ei", "2e", "0x1", "yes", "No", "a: b", " a", "a ", "-a", ".a", "1.4.2"})
    CHECK_FALSE(yw::isPlainSafe(s));
}

TEST_CASE("nested documents keep their shape, types and key order", "[yaml]") {
  Json doc = Json::parse(R"({
    "z": 1, "a": {"list": [1, "1", true, "true", null, 1.5, 2.0, [], {}, [[1, 2], {"x": "y"}]],
                  "empty": "", "map": {"k": {"deep": ["a", {"b": "c", "d": ["e"]}]}}},
    "m": [{"name": "x", "value": "yes"}, {"name": "y"}]
  })",
                         nullptr, true, false);
  Json ordered = Json::parse(doc.dump());
  std::string text = yw::document(ordered, "a comment\nover two lines");
  CHECK(text.rfind("# a comment\n# over two lines\nz: 1\na:\n", 0) == 0);
  YAML::Node node = YAML::Load(text);
  CHECK(toJson(node) == ordered);
  // Fixed order: keys come out in insertion order, not sorted.
  CHECK(text.find("z: 1") < text.find("a:"));
  CHECK(text.find("a:") < text.find("m:"));
}

namespace {

std::map<std::string, std::string> buildCorner(const char *target) {
  Diagnostics diags;
  auto ws = Workspace::load(PLAT_SOURCE_DIR "/tests/golden/backends/k8s_iam/workspace", diags);
  REQUIRE(ws);
  auto program = pipeline::check(*ws, diags);
  REQUIRE_FALSE(diags.hasErrors());
  std::map<std::string, std::string> files;
  for (const auto &backend : backends::allBackends()) {
    if (backend->name() != target)
      continue;
    for (const sema::EnvModel &env : program->envs) {
      backends::BackendContext ctx{*program, env, ws->sources()};
      backends::Output out;
      backend->emit(ctx, out);
      for (const auto &[path, bytes] : out.files())
        files[env.name + "/" + path] = bytes;
    }
  }
  return files;
}

std::string withoutComments(const std::string &text) {
  std::string out;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t end = text.find('\n', pos);
    std::string line = text.substr(pos, end - pos + 1);
    if (line.rfind("#", 0) != 0)
      out += line;
    pos = end == std::string::npos ? text.size() : end + 1;
  }
  return out;
}

} // namespace

TEST_CASE("every emitted Kubernetes document round-trips through yaml-cpp", "[yaml][k8s]") {
  auto files = buildCorner("k8s");
  REQUIRE(files.size() >= 6);
  size_t documents = 0;
  for (const auto &[path, bytes] : files) {
    INFO(path);
    std::vector<YAML::Node> nodes;
    REQUIRE_NOTHROW(nodes = YAML::LoadAll(bytes));
    // Parse, rebuild and write again: the same bytes. So the reader saw
    // exactly the trees the backend built, every string as a string, and
    // the `---` separators split the stream where the backend meant to.
    std::string again;
    for (const YAML::Node &node : nodes) {
      if (nodes.size() > 1 || bytes.find("\n---\n") != std::string::npos)
        again += "---\n";
      again += yw::document(toJson(node));
      ++documents;
    }
    CHECK(again == withoutComments(bytes));
  }
  CHECK(documents > 20);
}
