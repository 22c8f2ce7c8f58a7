// The hand-written JSON text of backends/json: the same bytes as nlohmann's
// dump for any tree, and every string escaped so a parser reads back exactly
// what was written, whatever it holds.
#include <catch2/catch.hpp>

#include "backends/json/JsonText.h"

using plat::backends::json::Json;
namespace jt = plat::backends::json;

namespace {

const char *const kHostile[] = {
    "",
    "plain",
    "\"quoted\" and 'single'",
    "back\\slash \\\" \\\\",
    "line\nbreak\r\nand\ttab",
    "\x01\x02\x1f\x7f control",
    "</script><script>alert(1)</script>",
    "${jndi:ldap://x} %{x} {{ x }}",
    "caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80 \xE2\x80\xA8 \xE2\x80\xA9 \xEF\xBB\xBF",
    "\\u0000 \\ud800",
};

std::string text(const Json &v, int indent = -1, int level = 0) {
  std::string out;
  jt::appendValue(out, v, indent, level);
  return out;
}

} // namespace

TEST_CASE("json strings: hostile text reads back unchanged", "[json]") {
  std::vector<std::string> inputs(std::begin(kHostile), std::end(kHostile));
  inputs.push_back(std::string("nul\0byte", 8)); // a NUL inside
  for (const std::string &s : inputs) {
    INFO(s);
    std::string out;
    jt::appendString(out, s);
    CHECK(Json::parse(out).get<std::string>() == s);
    // Exactly nlohmann's escaping.
    CHECK(out == Json(s).dump());
    // No raw control character or unescaped quote survives.
    for (size_t i = 1; i + 1 < out.size(); ++i)
      CHECK(static_cast<unsigned char>(out[i]) >= 0x20);
  }
}

TEST_CASE("json strings: a byte needing care at every offset of the 8-byte scan", "[json]") {
  // appendString skips clean text eight bytes at a time; each special byte
  // (and its clean neighbours in value) at each offset, inside clean
  // strings of lengths around the word size, must come out as nlohmann
  // writes it.
  // "" stands for a NUL byte.
  const char *const specials[] = {"\"", "\\", "\n", "\t", "", "\x01", "\x1f", " ", "!", "#", "[", "]", "\x7f",
                                  "\xC3\xA9", "\xE2\x82\xAC", "\xF0\x9F\x98\x80", "\xE2\x80\xA8"};
  for (const char *special : specials) {
    std::string sp = *special ? std::string(special) : std::string(1, '\0');
    for (size_t len = 0; len <= 24; ++len)
      for (size_t at = 0; at <= 16 && at <= len; ++at) {
        std::string s(len, 'a');
        s.insert(at, sp);
        INFO("special " << Json(sp).dump() << " at " << at << " of " << s.size());
        std::string out;
        jt::appendString(out, s);
        CHECK(out == Json(s).dump());
        // Two in one word: the first must not hide the second.
        std::string twice = s;
        twice.insert(std::min(twice.size(), at + sp.size() + 3), sp);
        out.clear();
        jt::appendString(out, twice);
        CHECK(out == Json(twice).dump());
      }
  }
  // An invalid byte at every offset still becomes U+FFFD.
  for (size_t at = 0; at <= 16; ++at) {
    std::string s(20, 'b');
    s[at] = '\xFF';
    std::string want = "\"" + std::string(at, 'b') + "\xEF\xBF\xBD" + std::string(19 - at, 'b') + "\"";
    std::string out;
    jt::appendString(out, s);
    CHECK(out == want);
  }
}

TEST_CASE("json strings: long clean text and text next to a special byte", "[json]") {
  std::string clean;
  for (int i = 0; clean.size() < 5000; ++i)
    clean += "arn:aws:s3:::bucket-" + std::to_string(i) + "/prefix/*~{}()<>|^`_ ";
  for (size_t len : {size_t(0), size_t(1), size_t(7), size_t(8), size_t(9), size_t(63), size_t(64), size_t(65),
                     clean.size()}) {
    std::string s = clean.substr(0, len);
    std::string out = "prefix:";
    jt::appendString(out, s);
    CHECK(out == "prefix:" + Json(s).dump());
    std::string quoted = s + "\"" + s + "\\";
    out.clear();
    jt::appendString(out, quoted);
    CHECK(out == Json(quoted).dump());
  }
}

TEST_CASE("json strings: invalid UTF-8 becomes U+FFFD", "[json]") {
  std::string out;
  jt::appendString(out, "a\xFF" "b\xC3" "c\xED\xA0\x80" "d\xF4\x90\x80\x80" "e\xC0\xAF");
  Json back = Json::parse(out);
  CHECK(back.get<std::string>() == "a\xEF\xBF\xBD" "b\xEF\xBF\xBD" "c\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD"
                                   "d\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD"
                                   "e\xEF\xBF\xBD\xEF\xBF\xBD");
}

TEST_CASE("json values: the same text as nlohmann's dump, compact and pretty", "[json]") {
  Json doc = Json::parse(R"({
    "z": 1, "a": {"list": [1, -2, 3000000000, true, false, null, 1.5, 2.0, 1e300, -0.25, [], {}, [[1, 2], {"x": "y"}]],
                  "empty": "", "map": {"k": {"deep": ["a", {"b": "c", "d": ["e"]}]}}},
    "m": [{"name": "x", "value": "yes"}, {"name": "y"}]
  })");
  for (const char *s : kHostile)
    doc["hostile"].push_back(Json{{s, s}});
  doc["unsigned"] = uint64_t(18446744073709551615ull);
  CHECK(text(doc) == doc.dump());
  CHECK(text(doc, 2) == doc.dump(2));
  CHECK(text(doc, 4) == doc.dump(4));
  CHECK(text(Json::object(), 2) == "{}");
  CHECK(text(Json::array(), 2) == "[]");
  // Nested at a depth: lines indented as if inside two objects.
  CHECK(text(Json{{"a", 1}}, 2, 2) == "{\n      \"a\": 1\n    }");
}
