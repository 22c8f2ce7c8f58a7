// Source positions, UTF-8/UTF-16 helpers, "did you mean" and the ordering of
// diagnostics: the pieces every later stage relies on for exact locations.
#include <catch2/catch.hpp>

#include <random>
#include <string>
#include <vector>

#include "base/Source.h"
#include "base/Text.h"
#include "diag/Diagnostic.h"
#include "fmt/format.h"

using namespace plat;

TEST_CASE("line and column of ASCII text", "[base]") {
  SourceFile f("a.plat", "ab\ncd\n\nx");
  CHECK(f.lineCount() == 4);
  auto at = [&](uint32_t offset) {
    LineCol lc = f.lineCol(offset);
    return std::make_pair(lc.line, lc.column);
  };
  CHECK(at(0) == std::make_pair(1u, 1u));
  CHECK(at(2) == std::make_pair(1u, 3u)); // the newline itself ends line 1
  CHECK(at(3) == std::make_pair(2u, 1u));
  CHECK(at(6) == std::make_pair(3u, 1u)); // the empty line
  CHECK(at(7) == std::make_pair(4u, 1u));
  CHECK(at(8) == std::make_pair(4u, 2u)); // end of file, no final newline
  CHECK(at(1000) == std::make_pair(4u, 2u)); // clamped
  CHECK(f.lineText(1) == "ab");
  CHECK(f.lineText(3) == "");
  CHECK(f.lineText(4) == "x");
  CHECK(f.lineText(0) == "");
  CHECK(f.lineText(5) == "");
}

TEST_CASE("an empty file has one empty line", "[base]") {
  SourceFile f("e.plat", "");
  CHECK(f.lineCount() == 1);
  CHECK(f.lineCol(0).line == 1);
  CHECK(f.lineCol(0).column == 1);
  CHECK(f.utf16Position(0) == std::make_pair(0u, 0u));
  CHECK(f.offsetFromUtf16(0, 5) == 0);
  CHECK(f.offsetFromUtf16(3, 0) == 0);
}

TEST_CASE("CRLF line ends are not part of the line text", "[base]") {
  SourceFile f("w.plat", "a = 1\r\nb = 2\r\n");
  CHECK(f.lineText(1) == "a = 1");
  CHECK(f.lineText(2) == "b = 2");
  CHECK(f.lineCol(7).line == 2);
  CHECK(f.lineCol(7).column == 1);
}

TEST_CASE("columns count code points, UTF-16 positions count units", "[base]") {
  // "é" is 2 bytes / 1 UTF-16 unit, "€" 3 bytes / 1 unit, "😀" 4 bytes / 2 units.
  std::string text = "x\n\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80z";
  SourceFile f("u.plat", text);
  uint32_t line2 = 2;
  uint32_t e = line2, euro = line2 + 2, smile = line2 + 5, z = line2 + 9;
  CHECK(f.lineCol(e).column == 1);
  CHECK(f.lineCol(euro).column == 2);
  CHECK(f.lineCol(smile).column == 3);
  CHECK(f.lineCol(z).column == 4);
  CHECK(f.utf16Position(e) == std::make_pair(1u, 0u));
  CHECK(f.utf16Position(euro) == std::make_pair(1u, 1u));
  CHECK(f.utf16Position(smile) == std::make_pair(1u, 2u));
  CHECK(f.utf16Position(z) == std::make_pair(1u, 4u)); // the emoji took two units
  // And back.
  CHECK(f.offsetFromUtf16(1, 0) == e);
  CHECK(f.offsetFromUtf16(1, 1) == euro);
  CHECK(f.offsetFromUtf16(1, 2) == smile);
  CHECK(f.offsetFromUtf16(1, 4) == z);
  CHECK(f.offsetFromUtf16(1, 99) == text.size()); // clamped to the line
  CHECK(f.offsetFromUtf16(0, 1) == 1);
  CHECK(f.offsetFromUtf16(7, 0) == text.size()); // past the last line
}

TEST_CASE("round trip between offsets and UTF-16 positions", "[base]") {
  std::string text = "a\xF0\x9F\x98\x80" "b\n\xC3\xA9" "c\n";
  SourceFile f("r.plat", text);
  for (uint32_t offset = 0; offset <= text.size(); ++offset) {
    // Only offsets at code point starts are positions.
    if (offset < text.size() && (static_cast<unsigned char>(text[offset]) & 0xC0) == 0x80)
      continue;
    auto [line, character] = f.utf16Position(offset);
    INFO("offset " << offset);
    CHECK(f.offsetFromUtf16(line, character) == offset);
  }
}

TEST_CASE("UTF-8 counting helpers", "[base]") {
  CHECK(countCodePoints("") == 0);
  CHECK(countCodePoints("abc") == 3);
  CHECK(countCodePoints("\xC3\xA9\xF0\x9F\x98\x80") == 2);
  CHECK(countUtf16Units("\xC3\xA9\xF0\x9F\x98\x80") == 3);
  CHECK(utf16UnitsToBytes("\xC3\xA9\xF0\x9F\x98\x80x", 1) == 2);
  CHECK(utf16UnitsToBytes("\xC3\xA9\xF0\x9F\x98\x80x", 3) == 6);
  CHECK(utf16UnitsToBytes("\xC3\xA9\xF0\x9F\x98\x80x", 4) == 7);
  CHECK(utf16UnitsToBytes("ab", 10) == 2);
}

TEST_CASE("findInvalidUtf8 accepts well-formed text", "[base]") {
  CHECK_FALSE(findInvalidUtf8("").has_value());
  CHECK_FALSE(findInvalidUtf8("plain ascii\n").has_value());
  CHECK_FALSE(findInvalidUtf8("\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80").has_value());
  CHECK_FALSE(findInvalidUtf8("\xEF\xBB\xBF" "bom").has_value());
  CHECK_FALSE(findInvalidUtf8("\xF4\x8F\xBF\xBF").has_value()); // U+10FFFF
}

TEST_CASE("findInvalidUtf8 finds the first bad byte", "[base]") {
  struct Case {
    std::string text;
    size_t offset;
    bool nul;
  };
  std::vector<Case> cases = {
      {std::string("ab\0c", 4), 2, true},
      {"caf\xE9", 3, false},                 // Latin-1 é
      {"x\x80", 1, false},                   // lone continuation byte
      {"\xC0\xAF", 0, false},                // overlong '/'
      {"\xE0\x80\xAF", 0, false},            // overlong, 3 bytes
      {"ok\xED\xA0\x80", 2, false},          // UTF-16 surrogate D800
      {"\xF4\x90\x80\x80", 0, false},        // above U+10FFFF
      {"\xF8\x88\x80\x80\x80", 0, false},    // 5-byte form
      {"ab\xF0\x9F\x98", 2, false},          // truncated at the end
      {"\xC3(", 0, false},                   // bad continuation
      {"\xFF", 0, false},
  };
  for (const Case &c : cases) {
    INFO("case at " << c.offset);
    bool nul = !c.nul;
    auto bad = findInvalidUtf8(c.text, &nul);
    REQUIRE(bad.has_value());
    CHECK(*bad == c.offset);
    CHECK(nul == c.nul);
  }
}

TEST_CASE("closestMatch suggests plausible typos only", "[base]") {
  std::vector<std::string> names = {"payments", "billing", "shop", "scorer", "service"};
  CHECK(closestMatch("billng", names) == std::optional<std::string>("billing"));
  CHECK(closestMatch("paymnets", names) == std::optional<std::string>("payments"));
  CHECK(closestMatch("shp", names) == std::optional<std::string>("shop"));
  // A transposition costs two edits: too far for a four-letter word.
  CHECK_FALSE(closestMatch("shpo", names).has_value());
  CHECK_FALSE(closestMatch("warehouse", names).has_value());
  CHECK_FALSE(closestMatch("x", names).has_value());
  // The word itself is not a suggestion.
  CHECK_FALSE(closestMatch("shop", {std::string("shop")}).has_value());
  CHECK_FALSE(closestMatch("anything", {}).has_value());
  // Ties go to the alphabetically first candidate, whatever the order given.
  std::vector<std::string> tie1 = {"cat", "bat"}, tie2 = {"bat", "cat"};
  CHECK(closestMatch("hat", tie1) == std::optional<std::string>("bat"));
  CHECK(closestMatch("hat", tie2) == std::optional<std::string>("bat"));
}

TEST_CASE("NameIndex gives closestMatch's answers", "[base]") {
  std::vector<std::string> names = {"payments", "billing", "shop", "scorer", "service"};
  NameIndex index(names);
  CHECK(index.closest("billng") == std::optional<std::string>("billing"));
  CHECK(index.closest("paymnets") == std::optional<std::string>("payments"));
  CHECK(index.closest("shp") == std::optional<std::string>("shop"));
  CHECK_FALSE(index.closest("shpo").has_value());
  CHECK_FALSE(index.closest("warehouse").has_value());
  CHECK_FALSE(index.closest("x").has_value());
  CHECK_FALSE(index.closest("shop").has_value()); // the word itself is no suggestion
  CHECK_FALSE(NameIndex(std::vector<std::string>{}).closest("anything").has_value());
  CHECK(NameIndex({"cat", "bat"}).closest("hat") == std::optional<std::string>("bat"));
  // A name that is a prefix of another sorts first; the empty name is a name.
  CHECK(NameIndex({"ab", "abc", ""}).closest("abd") == std::optional<std::string>("ab"));
  CHECK(NameIndex({"", "zz"}).closest("q") == std::optional<std::string>(""));
  // Bytes above 0x7f order like std::string (unsigned).
  CHECK(NameIndex({"caf\xc3\xa9", "cafx"}).closest("caf") == closestMatch("caf", {"caf\xc3\xa9", "cafx"}));

  // Many similar names, as generated workspaces have them, and words near
  // and far: every answer and distance equals the scan's.
  std::mt19937 rng(7);
  const std::string alphabet = "ab_1\xc3";
  auto randomWord = [&](size_t maxLen) {
    std::string w(rng() % (maxLen + 1), ' ');
    for (char &c : w)
      c = alphabet[rng() % alphabet.size()];
    return w;
  };
  for (int round = 0; round < 50; ++round) {
    std::vector<std::string> pool;
    size_t count = rng() % 60;
    for (size_t i = 0; i < count; ++i)
      pool.push_back(randomWord(9));
    if (round % 5 == 0)
      for (int i = 0; i < 200; ++i)
        pool.push_back(fmt::format("svc_{:05}", rng() % 1000));
    NameIndex idx(pool);
    for (int q = 0; q < 100; ++q) {
      std::string word = q % 3 == 0 && !pool.empty() ? pool[rng() % pool.size()] : randomWord(12);
      if (q % 3 == 0 && !word.empty())
        word[rng() % word.size()] = alphabet[rng() % alphabet.size()];
      auto want = closestSuggestion(word, pool);
      auto got = idx.closestSuggestion(word);
      INFO("word `" << word << "`, " << pool.size() << " names");
      REQUIRE(got.has_value() == want.has_value());
      if (want) {
        CHECK(got->name == want->name);
        CHECK(got->distance == want->distance);
      }
    }
  }
}

TEST_CASE("diagnostics sort by path and position, whatever the file ids", "[base]") {
  SourceManager sources;
  // Added in an order unlike path order: ids must not decide the order.
  FileId b = sources.add("b.plat", "0123456789\n");
  FileId a = sources.add("a.plat", "0123456789\n");
  Diagnostics diags;
  diags.report(DiagId::SyntaxError, Span{b, 1, 2}, "b1");
  diags.report(DiagId::SyntaxError, Span{a, 5, 6}, "a5");
  diags.report(DiagId::UnclosedBlock, Span{a, 1, 2}, "a1 unclosed");
  diags.report(DiagId::SyntaxError, Span{a, 1, 2}, "a1 syntax");
  diags.report(DiagId::NoWorkspace, Span{}, "nowhere");
  diags.sort(sources);
  std::vector<std::string> order;
  for (const Diagnostic &d : diags.all())
    order.push_back(d.message);
  // Unlocated first; then a.plat by offset; same place: by code (P0101 < P0102).
  CHECK(order == std::vector<std::string>{"nowhere", "a1 syntax", "a1 unclosed", "a5", "b1"});
}

TEST_CASE("sorting removes exact duplicates only", "[base]") {
  SourceManager sources;
  FileId f = sources.add("f.plat", "abcdef");
  Diagnostics diags;
  diags.report(DiagId::SyntaxError, Span{f, 1, 2}, "same");
  diags.report(DiagId::SyntaxError, Span{f, 1, 2}, "same");
  diags.report(DiagId::SyntaxError, Span{f, 1, 2}, "different message");
  diags.report(DiagId::SyntaxError, Span{f, 1, 3}, "same");
  diags.report(DiagId::UnclosedBlock, Span{f, 1, 2}, "same");
  diags.sort(sources);
  CHECK(diags.all().size() == 4);
  CHECK(diags.errorCount() == 4);
}

TEST_CASE("merged diagnostics sort the same whatever the merge order", "[base]") {
  SourceManager sources;
  FileId x = sources.add("x.plat", "abc\ndef\n");
  FileId y = sources.add("y.plat", "abc\ndef\n");
  auto build = [&](bool reversed) {
    Diagnostics first, second;
    first.report(DiagId::UnterminatedString, Span{x, 4, 6}, "x");
    second.report(DiagId::EmptyFile, Span{y, 0, 0}, "y").withHelp("h");
    Diagnostics all;
    if (reversed) {
      all.append(std::move(second));
      all.append(std::move(first));
    } else {
      all.append(std::move(first));
      all.append(std::move(second));
    }
    all.sort(sources);
    std::vector<std::string> out;
    for (const Diagnostic &d : all.all())
      out.push_back(d.message);
    return out;
  };
  CHECK(build(false) == build(true));
  CHECK(build(false) == std::vector<std::string>{"x", "y"});
}

TEST_CASE("the registry has unique codes and names", "[base]") {
  auto infos = allDiagnostics();
  REQUIRE(infos.size() == static_cast<size_t>(DiagId::Count_));
  for (size_t i = 0; i < infos.size(); ++i) {
    CHECK(static_cast<size_t>(infos[i].id) == i);
    CHECK(infos[i].code.size() == 5);
    CHECK(infos[i].code.startswith("P"));
    for (size_t j = i + 1; j < infos.size(); ++j) {
      INFO(infos[i].code.str() << " / " << infos[j].code.str());
      CHECK(infos[i].code != infos[j].code);
      CHECK(infos[i].name != infos[j].name);
    }
  }
  REQUIRE(findDiagnostic("P0102") != nullptr);
  CHECK(findDiagnostic("p0102") == findDiagnostic("unclosed-block"));
  CHECK(findDiagnostic("P9999") == nullptr);
}
