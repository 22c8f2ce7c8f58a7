// The language server in-process: lifecycle, sync, diagnostics and every
// feature it advertises, on a small workspace written to a temporary folder.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <random>

#include "Harness.h"
#include "lsp/Features.h"
#include "diag/Render.h"
#include "pipeline/Pipeline.h"
#include "sema/Program.h"

using namespace plat;
using namespace plat::lsp;
using namespace plat::lsp::test;

namespace {

const char *kWorkspace = R"(workspace minimal {
  cloud = aws
  account = "123456789012"
  region = "eu-west-1"
}

environment dev {}

environment prod {
  tier = production
}
)";

const char *kTeams = R"(/// The storefront team.
team storefront {
  lead = "ana@example.com"
  on_call = "pagerduty:storefront"
  cost_center = "cc-1042"
}

team search {
  lead = "bo@example.com"
  on_call = "pagerduty:search"
  cost_center = "cc-1043"
}
)";

const char *kWeb = R"(/// The public web shop.
service web {
  owner = storefront
  image = "registry.example.com/storefront/web:1.0.0"
  port = 8080
  replicas = 2..6
  expose = public
  tls = true
  env prod {
    replicas = 4..8
  }
}
)";

std::map<std::string, std::string> shop() {
  return {{"workspace.plat", kWorkspace}, {"shop/teams.plat", kTeams}, {"shop/web.plat", kWeb}};
}

// `text` with `from` (first occurrence) replaced by `to`.
std::string replaced(std::string text, const std::string &from, const std::string &to) {
  size_t at = text.find(from);
  REQUIRE(at != std::string::npos);
  return text.replace(at, from.size(), to);
}

json at(const Harness &h, const std::string &rel, const json &position) {
  return {{"textDocument", h.doc(rel)}, {"position", position}};
}

} // namespace

TEST_CASE("initialize advertises what is implemented and negotiates the encoding", "[lsp][lifecycle]") {
  Harness h(shop());
  json caps = h.initialize()["result"]["capabilities"];
  CHECK(caps["positionEncoding"] == "utf-16");
  CHECK(caps["textDocumentSync"]["change"] == 2);
  for (const char *p : {"hoverProvider", "definitionProvider", "referencesProvider",
                        "documentHighlightProvider", "documentSymbolProvider",
                        "workspaceSymbolProvider", "documentFormattingProvider"})
    CHECK(caps[p] == true);
  CHECK(caps["renameProvider"]["prepareProvider"] == true);
  CHECK(caps["inlayHintProvider"] == true);
  CHECK(caps["callHierarchyProvider"] == true);
  CHECK(caps["codeLensProvider"]["resolveProvider"] == false);
  for (const char *p : {"documentRangeFormattingProvider", "typeHierarchyProvider", "signatureHelpProvider"})
    CHECK_FALSE(caps.contains(p));

  Harness h8(shop());
  json caps8 = h8.initialize({{"general", {{"positionEncodings", {"utf-8", "utf-16"}}}}});
  CHECK(caps8["result"]["capabilities"]["positionEncoding"] == "utf-8");
}

TEST_CASE("malformed messages get JSON-RPC errors and the server carries on", "[lsp][lifecycle]") {
  Harness h(shop());
  // Before initialize.
  json early = h.request("textDocument/hover", at(h, "shop/web.plat", {{"line", 0}, {"character", 0}}));
  CHECK(early["error"]["code"] == errc::ServerNotInitialized);
  h.initialize();

  h.sent.clear();
  h.server.handleBody("{\"jsonrpc\": \"2.0\", \"id\": 1, \"method\": ");
  REQUIRE(h.sent.size() == 1);
  CHECK(h.sent[0]["error"]["code"] == errc::ParseError);
  CHECK(h.sent[0]["id"].is_null());

  h.server.handle(json::array({1, 2}));
  CHECK(h.sent.back()["error"]["code"] == errc::InvalidRequest);
  h.server.handle({{"jsonrpc", "2.0"}, {"id", 7}, {"method", 12}});
  CHECK(h.sent.back()["error"]["code"] == errc::InvalidRequest);
  CHECK(h.sent.back()["id"] == 7);

  json unknown = h.request("textDocument/prepareTypeHierarchy", json::object());
  CHECK(unknown["error"]["code"] == errc::MethodNotFound);
  json badParams = h.request("textDocument/hover", {{"textDocument", 3}});
  CHECK(badParams["error"]["code"] == errc::InvalidParams);
  json badPosition = h.request("textDocument/hover", {{"textDocument", h.doc("shop/web.plat")},
                                                      {"position", "top"}});
  CHECK(badPosition["error"]["code"] == errc::InvalidParams);

  // A request cancelled before it is handled.
  h.server.cancel(100);
  h.server.handle({{"jsonrpc", "2.0"}, {"id", 100}, {"method", "workspace/symbol"}, {"params", {{"query", ""}}}});
  CHECK(h.sent.back()["error"]["code"] == errc::RequestCancelled);

  // Still serving.
  json symbols = h.request("workspace/symbol", {{"query", "web"}});
  REQUIRE(symbols["result"].size() == 1);
  CHECK(symbols["result"][0]["name"] == "web");
}

TEST_CASE("shutdown then exit ends with 0; exit alone with 1", "[lsp][lifecycle]") {
  Harness h(shop());
  h.initialize();
  CHECK(h.request("shutdown", nullptr)["result"].is_null());
  CHECK(h.request("workspace/symbol", {{"query", ""}})["error"]["code"] == errc::InvalidRequest);
  h.notify("exit", nullptr);
  CHECK(h.server.exited());
  CHECK(h.server.exitCode() == 0);

  Harness h2(shop());
  h2.initialize();
  h2.notify("exit", nullptr);
  CHECK(h2.server.exited());
  CHECK(h2.server.exitCode() == 1);
}

TEST_CASE("diagnostics are those of platc check, with related information, and clear when fixed",
          "[lsp][diagnostics]") {
  auto files = shop();
  files["shop/teams.plat"] = replaced(kTeams, "  on_call = \"pagerduty:storefront\"\n", "");
  Harness h(files);
  h.initialize();
  h.flush();

  // What `platc check` reports on the same files.
  Diagnostics expected;
  std::optional<Workspace> ws = Workspace::load(h.root.string(), expected);
  REQUIRE(ws);
  pipeline::check(*ws, expected);
  expected.sort(ws->sources());
  REQUIRE(expected.all().size() == 1);
  const Diagnostic &d = expected.all()[0];

  json got = h.diagnostics("shop/web.plat");
  REQUIRE(got.size() == 1);
  CHECK(got[0]["code"] == d.info().code.str());
  CHECK(got[0]["message"] == d.message);
  CHECK(got[0]["severity"] == 1);
  CHECK(got[0]["source"] == "platc");
  CHECK(got[0]["codeDescription"]["href"].get<std::string>().find(d.info().code.str()) != std::string::npos);
  auto [line, col] = ws->sources().file(d.span.file).utf16Position(d.span.begin);
  CHECK(got[0]["range"]["start"] == json({{"line", line}, {"character", col}}));
  // The note "`storefront` is declared here" points into the teams file.
  bool relatedToTeams = false;
  for (const json &r : got[0]["relatedInformation"])
    relatedToTeams |= r["location"]["uri"] == h.uri("shop/teams.plat") &&
                      r["message"].get<std::string>().find("declared here") != std::string::npos;
  CHECK(relatedToTeams);
  // Files without problems publish nothing.
  CHECK(h.diagnostics("shop/teams.plat").is_null());

  // Fixing the team clears the service's diagnostic.
  h.open("shop/teams.plat", files["shop/teams.plat"]);
  h.notify("textDocument/didChange",
           {{"textDocument", {{"uri", h.uri("shop/teams.plat")}, {"version", 2}}},
            {"contentChanges", {{{"range", {{"start", {{"line", 3}, {"character", 0}}},
                                            {"end", {{"line", 3}, {"character", 0}}}}},
                                 {"text", "  on_call = \"pagerduty:storefront\"\n"}}}}});
  h.flush();
  CHECK(h.diagnostics("shop/web.plat") == json::array());
}

TEST_CASE("positions count UTF-16 code units, or bytes when UTF-8 was negotiated", "[lsp][diagnostics]") {
  // `nobody` follows a comment with a two-byte, a three-byte and a
  // four-byte character (1, 1 and 2 UTF-16 units).
  auto files = shop();
  files["shop/web.plat"] = replaced(kWeb, "owner = storefront", "owner = /* é€𝄞 */ nobody");
  size_t lineStart = files["shop/web.plat"].rfind('\n', files["shop/web.plat"].find("nobody")) + 1;
  size_t bytes = files["shop/web.plat"].find("nobody") - lineStart;
  for (bool utf8 : {false, true}) {
    Harness h(files);
    h.initialize(utf8 ? json{{"general", {{"positionEncodings", {"utf-8"}}}}} : json::object());
    h.flush();
    json got = h.diagnostics("shop/web.plat");
    REQUIRE(got.size() == 1);
    CHECK(got[0]["code"] == "P0205");
    CHECK(got[0]["range"]["start"]["line"] == 2);
    CHECK(got[0]["range"]["start"]["character"] == (utf8 ? bytes : bytes - 1 - 2 - 2));
    // Hover at the same place, in the same encoding, finds the reference's
    // neighbour: the field `owner` before it.
    json hov = h.request("textDocument/hover", at(h, "shop/web.plat", {{"line", 2}, {"character", 3}}));
    CHECK(hov["result"]["contents"]["value"].get<std::string>().find("owner : ref<team>") != std::string::npos);
  }
}

TEST_CASE("incremental and full changes apply in order", "[lsp][sync]") {
  Harness h(shop());
  h.initialize();
  h.open("shop/web.plat", kWeb);
  // Two edits in one notification: the second's range is in the text after
  // the first. Then a full replacement, then an edit on top of it.
  h.notify("textDocument/didChange",
           {{"textDocument", {{"uri", h.uri("shop/web.plat")}, {"version", 2}}},
            {"contentChanges",
             {{{"range", {{"start", {{"line", 2}, {"character", 10}}}, {"end", {{"line", 2}, {"character", 20}}}}},
               {"text", "search"}},
              {{"range", {{"start", {{"line", 1}, {"character", 8}}}, {"end", {{"line", 1}, {"character", 11}}}}},
               {"text", "shopfront"}}}}});
  json sym = h.request("textDocument/documentSymbol", {{"textDocument", h.doc("shop/web.plat")}});
  REQUIRE(sym["result"].size() == 1);
  CHECK(sym["result"][0]["name"] == "shopfront");
  json def = h.request("textDocument/definition", at(h, "shop/web.plat", {{"line", 2}, {"character", 12}}));
  CHECK(def["result"]["uri"] == h.uri("shop/teams.plat"));
  CHECK(def["result"]["range"]["start"]["line"] == 7); // team search

  h.notify("textDocument/didChange",
           {{"textDocument", {{"uri", h.uri("shop/web.plat")}, {"version", 3}}},
            {"contentChanges", {{{"text", kWeb}}}}});
  sym = h.request("textDocument/documentSymbol", {{"textDocument", h.doc("shop/web.plat")}});
  CHECK(sym["result"][0]["name"] == "web");
}

TEST_CASE("hover shows types, docs and per-environment values", "[lsp][hover]") {
  Harness h(shop());
  h.initialize();
  Marked field = marked(replaced(kWeb, "  replicas = 2..6", "  repl$0icas = 2..6"));
  h.open("shop/web.plat", field.text);
  std::string text = h.request("textDocument/hover", at(h, "shop/web.plat", field.position))["result"]["contents"]["value"];
  INFO(text);
  CHECK(text.find("replicas : range<int>") != std::string::npos);
  CHECK(text.find("How many pods run") != std::string::npos); // stdlib doc
  CHECK(text.find("| dev | `2..6` | declared |") != std::string::npos);
  CHECK(text.find("| prod | `4..8` | env override |") != std::string::npos);

  Marked ref = marked(replaced(kWeb, "owner = storefront", "owner = store$0front"));
  h.notify("textDocument/didChange", {{"textDocument", {{"uri", h.uri("shop/web.plat")}, {"version", 2}}},
                                      {"contentChanges", {{{"text", ref.text}}}}});
  text = h.request("textDocument/hover", at(h, "shop/web.plat", ref.position))["result"]["contents"]["value"];
  INFO(text);
  CHECK(text.find("team shop.storefront") != std::string::npos);
  CHECK(text.find("The storefront team.") != std::string::npos); // its `///` doc

  json nothing = h.request("textDocument/hover", at(h, "shop/web.plat", {{"line", 0}, {"character", 2}}));
  CHECK(nothing["result"].is_null());

  // An enum member in a value: its doc from the prelude.
  Marked member = marked(replaced(kWeb, "expose = public", "expose = pub$0lic"));
  h.notify("textDocument/didChange", {{"textDocument", {{"uri", h.uri("shop/web.plat")}, {"version", 3}}},
                                      {"contentChanges", {{{"text", member.text}}}}});
  text = h.request("textDocument/hover", at(h, "shop/web.plat", member.position))["result"]["contents"]["value"];
  INFO(text);
  CHECK(text.find("exposure.public") != std::string::npos);
  CHECK(text.find("The internet, through the ingress controller.") != std::string::npos);
}

TEST_CASE("definition, references and highlights follow the checker's references", "[lsp][navigation]") {
  Harness h(shop());
  h.initialize();
  Marked m = marked(replaced(kTeams, "team storefront", "team store$0front"));
  h.open("shop/teams.plat", m.text);
  json refs = h.request("textDocument/references",
                        {{"textDocument", h.doc("shop/teams.plat")}, {"position", m.position},
                         {"context", {{"includeDeclaration", true}}}});
  REQUIRE(refs["result"].size() == 2);
  CHECK(refs["result"][0]["uri"] == h.uri("shop/teams.plat"));
  CHECK(refs["result"][1]["uri"] == h.uri("shop/web.plat"));
  CHECK(refs["result"][1]["range"] == json({{"start", {{"line", 2}, {"character", 10}}},
                                            {"end", {{"line", 2}, {"character", 20}}}}));
  json without = h.request("textDocument/references",
                           {{"textDocument", h.doc("shop/teams.plat")}, {"position", m.position},
                            {"context", {{"includeDeclaration", false}}}});
  CHECK(without["result"].size() == 1);

  json hl = h.request("textDocument/documentHighlight", at(h, "shop/teams.plat", m.position));
  REQUIRE(hl["result"].size() == 1); // the only use is in another file
  CHECK(hl["result"][0]["kind"] == 3);

  // A field's definition is its line in the kind's schema, in the stdlib
  // copy on disk, which is read-only.
  Marked f = marked(replaced(kWeb, "  port = 8080", "  po$0rt = 8080"));
  h.open("shop/web.plat", f.text);
  json def = h.request("textDocument/definition", at(h, "shop/web.plat", f.position));
  std::string uri = def["result"]["uri"];
  CHECK(uri == uriFromPath((h.stdlibDir / "kinds/service.plat").string()));
  std::ifstream in(pathFromUri(uri));
  std::string stdText((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  SourceFile src("", stdText);
  uint32_t offset = offsetOf(src, def["result"]["range"]["start"], Encoding::Utf16);
  CHECK(llvm::StringRef(stdText).substr(offset).startswith("port : int(1..65535)?"));
  auto perms = std::filesystem::status(pathFromUri(uri)).permissions();
  CHECK((perms & std::filesystem::perms::owner_write) == std::filesystem::perms::none);
}

TEST_CASE("completion offers unset fields, enum members and references of the expected kind",
          "[lsp][completion]") {
  Harness h(shop());
  h.initialize();
  auto labels = [&](const Marked &m) {
    h.open("shop/web.plat", m.text);
    json r = h.request("textDocument/completion", at(h, "shop/web.plat", m.position));
    std::set<std::string> out;
    for (const json &i : r["result"]["items"])
      out.insert(i["label"].get<std::string>());
    return out;
  };
  // A new line in the service block: fields it does not set yet.
  std::set<std::string> fields = labels(marked(replaced(kWeb, "  tls = true\n", "  tls = true\n  $0\n")));
  CHECK(fields.count("health"));
  CHECK(fields.count("calls"));
  CHECK(fields.count("env"));
  CHECK_FALSE(fields.count("port")); // already set
  CHECK_FALSE(fields.count("owner"));

  // Half-typed: `expose = ` with nothing after it yet.
  std::set<std::string> exposures = labels(marked(replaced(kWeb, "expose = public", "expose = $0")));
  CHECK(exposures == std::set<std::string>{"internal", "private", "public"});

  // `owner` takes a team: both teams, and no service.
  std::set<std::string> owners = labels(marked(replaced(kWeb, "owner = storefront", "owner = s$0")));
  CHECK(owners.count("storefront"));
  CHECK(owners.count("search"));
  CHECK_FALSE(owners.count("web"));

  // A quantity after its digits: the number with each unit suffix.
  std::set<std::string> memory = labels(marked(replaced(kWeb, "  tls = true\n", "  tls = true\n  resources = { memory = 512$0 }\n")));
  CHECK(memory.count("512Mi"));
  CHECK(memory.count("512Gi"));
  CHECK_FALSE(memory.count("512m")); // a cpu suffix


  // At the top level: kinds and keywords.
  std::set<std::string> top = labels(marked(std::string(kWeb) + "\n$0"));
  CHECK(top.count("service"));
  CHECK(top.count("dataset"));
  CHECK(top.count("import"));
}

TEST_CASE("rename edits every use, and refuses stdlib names and bad identifiers", "[lsp][rename]") {
  auto files = shop();
  files["shop/model.plat"] = R"(model ranker {
  owner = search
  framework = xgboost("1.7-1")
}
)";
  Harness h(files);
  h.initialize();
  json r = h.request("textDocument/rename",
                     {{"textDocument", h.doc("shop/web.plat")},
                      {"position", {{"line", 2}, {"character", 12}}},
                      {"newName", "shop_team"}});
  json changes = r["result"]["changes"];
  REQUIRE(changes.size() == 2);
  CHECK(changes[h.uri("shop/teams.plat")][0]["newText"] == "shop_team");
  CHECK(changes[h.uri("shop/teams.plat")][0]["range"]["start"] == json({{"line", 1}, {"character", 5}}));
  CHECK(changes[h.uri("shop/web.plat")][0]["range"]["start"] == json({{"line", 2}, {"character", 10}}));

  json bad = h.request("textDocument/rename", {{"textDocument", h.doc("shop/web.plat")},
                                               {"position", {{"line", 2}, {"character", 12}}},
                                               {"newName", "9lives"}});
  CHECK(bad["error"]["code"] == errc::RequestFailed);
  CHECK(bad["error"]["message"].get<std::string>().find("`9lives` is not a valid name") != std::string::npos);
  json keyword = h.request("textDocument/rename", {{"textDocument", h.doc("shop/web.plat")},
                                                   {"position", {{"line", 2}, {"character", 12}}},
                                                   {"newName", "import"}});
  CHECK(keyword["error"]["code"] == errc::RequestFailed);

  // prepareRename: the name's own range (the last segment of a reference),
  // or the reason it cannot be renamed, before the user types a new name.
  json prep = h.request("textDocument/prepareRename", at(h, "shop/web.plat", {{"line", 2}, {"character", 12}}));
  CHECK(prep["result"]["range"] == json({{"start", {{"line", 2}, {"character", 10}}}, {"end", {{"line", 2}, {"character", 20}}}}));
  CHECK(prep["result"]["placeholder"] == "storefront");
  json prepStd = h.request("textDocument/prepareRename", at(h, "shop/model.plat", {{"line", 2}, {"character", 15}}));
  CHECK(prepStd["error"]["message"] == "`xgboost` is declared in the standard library and cannot be renamed");
  json prepNothing = h.request("textDocument/prepareRename", at(h, "shop/web.plat", {{"line", 4}, {"character", 3}}));
  CHECK(prepNothing["error"]["code"] == errc::RequestFailed);

  json stdName = h.request("textDocument/rename", {{"textDocument", h.doc("shop/model.plat")},
                                                   {"position", {{"line", 2}, {"character", 15}}},
                                                   {"newName", "xgb"}});
  CHECK(stdName["error"]["code"] == errc::RequestFailed);
  CHECK(stdName["error"]["message"] ==
        "`xgboost` is declared in the standard library and cannot be renamed");
}

TEST_CASE("code actions apply the fixes diagnostics carry", "[lsp][codeAction]") {
  auto files = shop();
  files["shop/web.plat"] = replaced(kWeb, "  port = 8080", "  portt = 8080");
  Harness h(files);
  h.initialize();
  h.flush();
  json diags = h.diagnostics("shop/web.plat");
  REQUIRE(diags.size() == 1);
  json actions = h.request("textDocument/codeAction",
                           {{"textDocument", h.doc("shop/web.plat")},
                            {"range", diags[0]["range"]},
                            {"context", {{"diagnostics", diags}}}});
  REQUIRE(actions["result"].size() == 1);
  json a = actions["result"][0];
  CHECK(a["title"] == "rename to `port`");
  CHECK(a["kind"] == "quickfix");
  json edit = a["edit"]["changes"][h.uri("shop/web.plat")][0];
  CHECK(edit["newText"] == "port");
  CHECK(edit["range"] == diags[0]["range"]);
  // Elsewhere in the file: nothing to fix.
  json none = h.request("textDocument/codeAction",
                        {{"textDocument", h.doc("shop/web.plat")},
                         {"range", {{"start", {{"line", 0}, {"character", 0}}}, {"end", {{"line", 0}, {"character", 3}}}}},
                         {"context", {{"diagnostics", json::array()}}}});
  CHECK(none["result"].empty());
}

TEST_CASE("formatting is platc fmt's, and refuses files with syntax errors", "[lsp][formatting]") {
  Harness h(shop());
  h.initialize();
  std::string messy = replaced(kWeb, "  port = 8080", "port=8080   ");
  h.open("shop/web.plat", messy);
  json r = h.request("textDocument/formatting", {{"textDocument", h.doc("shop/web.plat")},
                                                 {"options", {{"tabSize", 2}, {"insertSpaces", true}}}});
  REQUIRE(r["result"].size() == 1);
  CHECK(r["result"][0]["newText"] == kWeb);
  CHECK(r["result"][0]["range"]["start"] == json({{"line", 0}, {"character", 0}}));

  h.open("shop/web.plat", kWeb);
  CHECK(h.request("textDocument/formatting", {{"textDocument", h.doc("shop/web.plat")},
                                              {"options", json::object()}})["result"] == json::array());
  h.open("shop/web.plat", "service web {\n  port = \n");
  json broken = h.request("textDocument/formatting", {{"textDocument", h.doc("shop/web.plat")},
                                                      {"options", json::object()}});
  CHECK(broken["error"]["code"] == errc::RequestFailed);
}

TEST_CASE("half-typed input keeps other files' outline and diagnostics", "[lsp][robustness]") {
  auto files = shop();
  files["shop/teams.plat"] = replaced(kTeams, "  on_call = \"pagerduty:storefront\"\n", "");
  Harness h(files);
  h.initialize();
  h.flush();
  json before = h.diagnostics("shop/web.plat");
  REQUIRE(before.size() == 1);
  // Every prefix of a new declaration typed at the end of the teams file.
  std::string extra = "\nservice api {\n  owner = search\n  expose = pub";
  h.open("shop/teams.plat", files["shop/teams.plat"]);
  for (size_t n = 1; n <= extra.size(); ++n) {
    h.notify("textDocument/didChange",
             {{"textDocument", {{"uri", h.uri("shop/teams.plat")}, {"version", 1 + n}}},
              {"contentChanges", {{{"text", files["shop/teams.plat"] + extra.substr(0, n)}}}}});
    json sym = h.request("textDocument/documentSymbol", {{"textDocument", h.doc("shop/web.plat")}});
    REQUIRE(sym["result"].size() == 1);
    json c = h.request("textDocument/completion",
                       {{"textDocument", h.doc("shop/teams.plat")},
                        {"position", {{"line", 12 + std::count(extra.begin(), extra.begin() + n, '\n')},
                                      {"character", n - extra.substr(0, n).rfind('\n') - 1}}}});
    REQUIRE(c.contains("result"));
  }
  // The unrelated service still reports its problem, and the teams file
  // its syntax error.
  CHECK(h.diagnostics("shop/web.plat") == before);
  json teams = h.diagnostics("shop/teams.plat");
  REQUIRE_FALSE(teams.empty());
}

TEST_CASE("closing a document falls back to the disk; new files on disk are picked up", "[lsp][sync]") {
  Harness h(shop());
  h.initialize();
  h.open("shop/web.plat", replaced(kWeb, "owner = storefront", "owner = nobody"));
  h.flush();
  CHECK(h.diagnostics("shop/web.plat").size() == 1);
  h.notify("textDocument/didClose", {{"textDocument", h.doc("shop/web.plat")}});
  h.flush();
  CHECK(h.diagnostics("shop/web.plat") == json::array());

  std::ofstream(h.path("shop/api.plat")) << "service api {\n  owner = nobody\n}\n";
  h.notify("workspace/didChangeWatchedFiles", {{"changes", {{{"uri", h.uri("shop/api.plat")}, {"type", 1}}}}});
  h.flush();
  json api = h.diagnostics("shop/api.plat");
  REQUIRE_FALSE(api.is_null());
  CHECK_FALSE(api.empty());
  std::filesystem::remove(h.path("shop/api.plat"));
  h.notify("workspace/didChangeWatchedFiles", {{"changes", {{{"uri", h.uri("shop/api.plat")}, {"type", 3}}}}});
  h.flush();
  CHECK(h.diagnostics("shop/api.plat") == json::array());
}

TEST_CASE("outline, folding, workspace symbols and semantic tokens", "[lsp][symbols]") {
  Harness h(shop());
  h.initialize();
  json sym = h.request("textDocument/documentSymbol", {{"textDocument", h.doc("shop/web.plat")}});
  REQUIRE(sym["result"].size() == 1);
  json web = sym["result"][0];
  CHECK(web["name"] == "web");
  CHECK(web["detail"] == "service");
  std::vector<std::string> children;
  for (const json &c : web["children"])
    children.push_back(c["name"]);
  CHECK(children == std::vector<std::string>{"owner", "image", "port", "replicas", "expose", "tls", "env prod"});

  json folds = h.request("textDocument/foldingRange", {{"textDocument", h.doc("shop/web.plat")}});
  CHECK(folds["result"] == json::parse(R"([{"startLine":1,"endLine":11},{"startLine":8,"endLine":10}])"));

  json ws = h.request("workspace/symbol", {{"query", "sf"}});
  REQUIRE(ws["result"].size() == 1);
  CHECK(ws["result"][0]["name"] == "storefront");

  json tokens = h.request("textDocument/semanticTokens/full", {{"textDocument", h.doc("shop/web.plat")}});
  json data = tokens["result"]["data"];
  REQUIRE(data.size() % 5 == 0);
  // The first token is the doc comment, the second `service` (a keyword).
  CHECK(data[3] == 6);
  CHECK(data[5] == 1); // next line
  CHECK(data[8] == 0); // keyword
}

TEST_CASE("edits are checked once per burst, when the debounce interval is due", "[lsp][sync]") {
  Harness h(shop());
  h.initialize();
  h.flush();
  h.open("shop/web.plat", kWeb);
  size_t before = h.sent.size();
  // Twenty edits, each leaving a different broken owner: nothing is checked
  // or published while they arrive...
  for (int i = 0; i < 20; ++i)
    h.notify("textDocument/didChange",
             {{"textDocument", {{"uri", h.uri("shop/web.plat")}, {"version", 2 + i}}},
              {"contentChanges", {{{"text", replaced(kWeb, "owner = storefront", "owner = x" + std::to_string(i))}}}}});
  CHECK(h.sent.size() == before);
  REQUIRE(h.server.deadline().has_value());
  // ...and once due, one check publishes the last version's diagnostics.
  h.flush();
  CHECK_FALSE(h.server.deadline().has_value());
  REQUIRE(h.sent.size() == before + 1);
  json last = h.sent.back()["params"];
  CHECK(last["version"] == 21);
  REQUIRE(last["diagnostics"].size() == 1);
  CHECK(last["diagnostics"][0]["message"] == "no declaration named `x19`");
}

TEST_CASE("templates: definition and hover on an extends path", "[lsp][navigation]") {
  auto files = shop();
  files["platform/paths.plat"] = R"(/// A public web service behind TLS.
template service public_web {
  expose = public
  tls = true
}
)";
  files["shop/web.plat"] = "import platform\n\n" + replaced(kWeb, "service web {", "service web extends platform.public_web {");
  Harness h(files);
  h.initialize();
  h.flush();
  CHECK(h.diagnostics("shop/web.plat").is_null()); // it checks clean
  Marked m = marked(replaced(files["shop/web.plat"], "platform.public_web", "platform.public$0_web"));
  h.open("shop/web.plat", m.text);
  json def = h.request("textDocument/definition", at(h, "shop/web.plat", m.position));
  CHECK(def["result"]["uri"] == h.uri("platform/paths.plat"));
  CHECK(def["result"]["range"]["start"] == json({{"line", 1}, {"character", 17}}));
  std::string text = h.request("textDocument/hover", at(h, "shop/web.plat", m.position))["result"]["contents"]["value"];
  CHECK(text.find("template service public_web") != std::string::npos);
  CHECK(text.find("A public web service behind TLS.") != std::string::npos);

  // An inlay hint after `extends`: what the template gives that the service
  // does not write itself (it writes both here: nothing; then without them).
  auto hintsOf = [&] {
    return h.request("textDocument/inlayHint",
                     {{"textDocument", h.doc("shop/web.plat")},
                      {"range", {{"start", {{"line", 0}, {"character", 0}}}, {"end", {{"line", 30}, {"character", 0}}}}}})["result"];
  };
  for (const json &hint : hintsOf())
    CHECK(hint["label"] != "expose = public, tls = true");
  std::string bare = replaced(replaced(files["shop/web.plat"], "  expose = public\n", ""), "  tls = true\n", "");
  h.open("shop/web.plat", bare);
  json hints = hintsOf();
  REQUIRE(hints.size() == 2);
  CHECK(hints[0]["label"] == "expose = public, tls = true");
  CHECK(hints[0]["position"] == json({{"line", 3}, {"character", 39}}));
  CHECK(hints[1]["label"] == "prod: 4..8");
}

TEST_CASE("code lenses, inlay hints and the call hierarchy come from the checked model", "[lsp][model]") {
  auto files = shop();
  files["shop/api.plat"] = R"(service api {
  owner = search
  image = "registry.example.com/search/api:1.0.0"
  port = 8080
  calls = [web]
}
)";
  Harness h(files);
  h.initialize();

  // Cost per environment, and the classification (none for services that
  // touch no data: only the cost lens).
  json lenses = h.request("textDocument/codeLens", {{"textDocument", h.doc("shop/web.plat")}})["result"];
  REQUIRE(lenses.size() >= 1);
  std::string title = lenses[0]["command"]["title"];
  CHECK(title.rfind("monthly cost: dev ", 0) == 0);
  CHECK(title.find(", prod ") != std::string::npos);
  CHECK(lenses[0]["range"]["start"] == json({{"line", 1}, {"character", 8}}));

  // `replicas = 2..6` is 4..8 in prod.
  json hints = h.request("textDocument/inlayHint",
                         {{"textDocument", h.doc("shop/web.plat")},
                          {"range", {{"start", {{"line", 0}, {"character", 0}}}, {"end", {{"line", 20}, {"character", 0}}}}}});
  REQUIRE(hints["result"].size() == 1);
  CHECK(hints["result"][0]["label"] == "prod: 4..8");
  CHECK(hints["result"][0]["position"] == json({{"line", 5}, {"character", 17}}));

  // Call hierarchy: `api` calls `web`; `storefront` owns it.
  json items = h.request("textDocument/prepareCallHierarchy", at(h, "shop/web.plat", {{"line", 1}, {"character", 9}}))["result"];
  REQUIRE(items.size() == 1);
  CHECK(items[0]["name"] == "web");
  json incoming = h.request("callHierarchy/incomingCalls", {{"item", items[0]}})["result"];
  std::set<std::string> callers;
  for (const json &c : incoming)
    callers.insert(c["from"]["name"].get<std::string>());
  CHECK(callers == std::set<std::string>{"api", "storefront"});
  for (const json &c : incoming)
    if (c["from"]["name"] == "api") {
      REQUIRE(c["fromRanges"].size() == 1);
      CHECK(c["fromRanges"][0]["start"] == json({{"line", 4}, {"character", 11}}));
    }
  json apiItem = h.request("textDocument/prepareCallHierarchy", at(h, "shop/api.plat", {{"line", 0}, {"character", 9}}))["result"][0];
  json outgoing = h.request("callHierarchy/outgoingCalls", {{"item", apiItem}})["result"];
  REQUIRE(outgoing.size() == 1);
  CHECK(outgoing[0]["to"]["name"] == "web");
  CHECK(outgoing[0]["to"]["uri"] == h.uri("shop/web.plat"));
}

TEST_CASE("semantic token deltas turn the last result into the new one", "[lsp][symbols]") {
  Harness h(shop());
  h.initialize();
  h.open("shop/web.plat", kWeb);
  json first = h.request("textDocument/semanticTokens/full", {{"textDocument", h.doc("shop/web.plat")}})["result"];
  REQUIRE(first.contains("resultId"));
  // Insert a field in the middle.
  h.notify("textDocument/didChange",
           {{"textDocument", {{"uri", h.uri("shop/web.plat")}, {"version", 2}}},
            {"contentChanges", {{{"range", {{"start", {{"line", 4}, {"character", 0}}}, {"end", {{"line", 4}, {"character", 0}}}}},
                                 {"text", "  health = \"/up\"\n"}}}}});
  json delta = h.request("textDocument/semanticTokens/full/delta",
                         {{"textDocument", h.doc("shop/web.plat")}, {"previousResultId", first["resultId"]}})["result"];
  REQUIRE(delta.contains("edits"));
  CHECK(delta["resultId"] != first["resultId"]);
  json full = h.request("textDocument/semanticTokens/full", {{"textDocument", h.doc("shop/web.plat")}})["result"];
  // Applying the edits to the first result gives the full new one.
  std::vector<json> data(first["data"].begin(), first["data"].end());
  for (const json &e : delta["edits"]) {
    size_t start = e["start"], count = e["deleteCount"];
    data.erase(data.begin() + start, data.begin() + start + count);
    data.insert(data.begin() + start, e["data"].begin(), e["data"].end());
  }
  CHECK(json(data) == full["data"]);
  CHECK(delta["edits"].size() == 1);
  CHECK(delta["edits"][0]["data"].size() < full["data"].size()); // not a full resend
  // An unknown previous result: the full tokens.
  json fallback = h.request("textDocument/semanticTokens/full/delta",
                            {{"textDocument", h.doc("shop/web.plat")}, {"previousResultId", "nope"}})["result"];
  CHECK(fallback["data"] == full["data"]);
}

TEST_CASE("didChangeConfiguration sets the debounce interval", "[lsp][sync]") {
  Harness h(shop());
  h.initialize();
  h.notify("workspace/didChangeConfiguration", {{"settings", {{"plat", {{"debounceMs", 5000}}}}}});
  h.open("shop/web.plat", kWeb);
  REQUIRE(h.server.deadline());
  CHECK(*h.server.deadline() - Server::Clock::now() > std::chrono::milliseconds(4000));
  // Settings of other shapes are ignored.
  h.notify("workspace/didChangeConfiguration", {{"settings", {{"plat", "fast"}}}});
  h.notify("workspace/didChangeConfiguration", {{"settings", nullptr}});
  CHECK(h.request("workspace/symbol", {{"query", "web"}})["result"].size() == 1);
}

TEST_CASE("incremental edits after non-ASCII text land on the right bytes", "[lsp][sync]") {
  // `storefrunt` follows a four-byte character (two UTF-16 units); fixing
  // its `u` through a UTF-16 range must clear the diagnostic.
  for (bool utf8 : {false, true}) {
    Harness h(shop());
    h.initialize(utf8 ? json{{"general", {{"positionEncodings", {"utf-8"}}}}} : json::object());
    std::string text = replaced(kWeb, "owner = storefront", "owner = /* 𝄞é */ storefrunt");
    h.open("shop/web.plat", text);
    h.flush();
    REQUIRE(h.diagnostics("shop/web.plat").size() == 1);
    size_t lineStart = text.rfind('\n', text.find("frunt")) + 1;
    size_t bytes = text.find("frunt") + 2 - lineStart;             // the `u`
    size_t units = bytes - 2 /* 𝄞: 4 bytes, 2 units */ - 1 /* é: 2 bytes, 1 unit */;
    size_t col = utf8 ? bytes : units;
    h.notify("textDocument/didChange",
             {{"textDocument", {{"uri", h.uri("shop/web.plat")}, {"version", 2}}},
              {"contentChanges", {{{"range", {{"start", {{"line", 2}, {"character", col}}},
                                             {"end", {{"line", 2}, {"character", col + 1}}}}},
                                   {"text", "o"}}}}});
    h.flush();
    CHECK(h.diagnostics("shop/web.plat") == json::array());
  }
}

TEST_CASE("completion after import offers the other packages", "[lsp][completion]") {
  auto files = shop();
  files["ops/teams.plat"] = "team ops {\n  lead = \"o@example.com\"\n  on_call = \"pagerduty:ops\"\n  cost_center = \"cc-9\"\n}\n";
  Harness h(files);
  h.initialize();
  Marked m = marked("import $0\n\n" + std::string(kWeb));
  h.open("shop/web.plat", m.text);
  json r = h.request("textDocument/completion", at(h, "shop/web.plat", m.position));
  std::set<std::string> packages;
  for (const json &i : r["result"]["items"])
    packages.insert(i["label"].get<std::string>());
  CHECK(packages == std::set<std::string>{"ops"}); // not its own, not std
}

TEST_CASE("mutated requests always get one answer and never stop the server", "[lsp][robustness]") {
  Harness h(shop());
  h.initialize();
  h.open("shop/web.plat", kWeb);
  json pos = {{"line", 2}, {"character", 12}};
  std::vector<json> valid = {
      {{"method", "textDocument/hover"}, {"params", at(h, "shop/web.plat", pos)}},
      {{"method", "textDocument/definition"}, {"params", at(h, "shop/web.plat", pos)}},
      {{"method", "textDocument/completion"}, {"params", at(h, "shop/web.plat", pos)}},
      {{"method", "textDocument/references"},
       {"params", {{"textDocument", h.doc("shop/web.plat")}, {"position", pos}, {"context", {{"includeDeclaration", true}}}}}},
      {{"method", "textDocument/rename"}, {"params", {{"textDocument", h.doc("shop/web.plat")}, {"position", pos}, {"newName", "x"}}}},
      {{"method", "textDocument/codeAction"},
       {"params", {{"textDocument", h.doc("shop/web.plat")}, {"range", {{"start", pos}, {"end", pos}}}, {"context", json::object()}}}},
      {{"method", "textDocument/inlayHint"}, {"params", {{"textDocument", h.doc("shop/web.plat")}, {"range", {{"start", pos}, {"end", pos}}}}}},
      {{"method", "textDocument/semanticTokens/full/delta"}, {"params", {{"textDocument", h.doc("shop/web.plat")}, {"previousResultId", "1"}}}},
      {{"method", "callHierarchy/incomingCalls"}, {"params", {{"item", {{"data", {{"qualifiedName", "shop.web"}}}}}}}},
      {{"method", "textDocument/formatting"}, {"params", {{"textDocument", h.doc("shop/web.plat")}, {"options", json::object()}}}},
  };
  // Replace one value somewhere in the params by something of another type
  // or out of range, or drop it.
  std::mt19937 rng(13);
  const json replacements[] = {nullptr, -1, 4294967296LL, "x", json::array(), json::object(), 1.5, true,
                               {{"line", -5}, {"character", 99999}}};
  std::function<void(json &)> mutate = [&](json &j) {
    if (j.is_object() && !j.empty()) {
      auto it = std::next(j.begin(), static_cast<long>(rng() % j.size()));
      if (rng() % 3 == 0)
        j.erase(it.key());
      else if (rng() % 2 == 0 && (it->is_object() || it->is_array()))
        mutate(*it);
      else
        *it = replacements[rng() % std::size(replacements)];
    } else if (j.is_array() && !j.empty()) {
      mutate(j[rng() % j.size()]);
    }
  };
  int id = 1000;
  for (int round = 0; round < 3000; ++round) {
    json m = valid[rng() % valid.size()];
    mutate(m["params"]);
    m["jsonrpc"] = "2.0";
    m["id"] = ++id;
    size_t before = h.sent.size();
    REQUIRE_NOTHROW(h.server.handle(m));
    size_t answers = 0;
    for (size_t i = before; i < h.sent.size(); ++i)
      answers += h.sent[i].contains("id") && h.sent[i]["id"] == id;
    INFO(m.dump());
    REQUIRE(answers == 1);
  }
  // Still serving.
  json hov = h.request("textDocument/hover", at(h, "shop/web.plat", pos));
  CHECK(hov["result"]["contents"]["value"].get<std::string>().find("team shop.storefront") != std::string::npos);
}

// A gate the worker thread waits at, in a ServerOptions hook, while a test
// holds it closed: the check "runs" for as long as the test likes.
class Gate {
public:
  // The hook. The wait is bounded, so that a server that waited for the
  // check to answer a request fails the test instead of hanging.
  void pass() {
    std::unique_lock<std::mutex> lock(m_);
    if (!hold_)
      return;
    waiting_ = true;
    cv_.notify_all();
    cv_.wait_for(lock, std::chrono::seconds(20), [&] { return release_; });
  }
  // The next check to reach the gate waits there.
  void close() {
    std::lock_guard<std::mutex> lock(m_);
    hold_ = true;
    waiting_ = release_ = false;
  }
  // Whether a check reached the closed gate (within 20 s).
  bool reached() {
    std::unique_lock<std::mutex> lock(m_);
    return cv_.wait_for(lock, std::chrono::seconds(20), [&] { return waiting_; });
  }
  void open() {
    {
      std::lock_guard<std::mutex> lock(m_);
      release_ = true;
      hold_ = false;
    }
    cv_.notify_all();
  }
  // Opens the gate when it goes out of scope. Declared after the harness,
  // so that whatever happens (a failed REQUIRE) the gate opens before the
  // server is destroyed; its destructor would wait for a held check forever.
  struct OpenOnExit {
    Gate &gate;
    ~OpenOnExit() { gate.open(); }
  };

private:
  std::mutex m_;
  std::condition_variable cv_;
  bool hold_ = false, waiting_ = false, release_ = false;
};

TEST_CASE("requests are answered from the latest complete snapshot while a check runs", "[lsp][snapshot]") {
  Gate gate;
  Harness h(shop(), [&](ServerOptions &o) { o.beforeCheck = [&] { gate.pass(); }; });
  Gate::OpenOnExit opener{gate};
  h.initialize();
  h.flush();
  Marked web = marked(replaced(kWeb, "owner = storefront", "owner = store$0front"));
  h.open("shop/web.plat", web.text);
  h.flush();
  CHECK(h.diagnostics("shop/web.plat").empty());
  std::shared_ptr<const pipeline::Snapshot> first = h.server.latest();
  REQUIRE(first);
  std::string firstIr = sema::dumpIr(*first->program, first->workspace.sources());

  // The team is renamed: once checked, `web`'s owner is unknown.
  h.open("shop/teams.plat", replaced(kTeams, "team storefront", "team shopfront"));
  gate.close();
  REQUIRE(h.server.deadline().has_value());
  h.server.startCheck();
  REQUIRE(gate.reached());
  // The check is running: requests about documents it does not change are
  // answered now, from the latest complete snapshot (where the team exists).
  REQUIRE(h.server.checking());
  CHECK_FALSE(h.server.deadline().has_value());
  json hover = h.request("textDocument/hover", at(h, "shop/web.plat", web.position));
  REQUIRE(hover["result"].is_object());
  CHECK(hover["result"]["contents"]["value"].get<std::string>().find("team shop.storefront") != std::string::npos);
  json def = h.request("textDocument/definition", at(h, "shop/web.plat", web.position));
  CHECK(def["result"]["uri"] == h.uri("shop/teams.plat"));
  CHECK(def["result"]["range"]["start"]["line"] == 1); // team storefront, still there
  json symbols = h.request("workspace/symbol", {{"query", "storefront"}});
  CHECK_FALSE(symbols["result"].empty());
  CHECK(h.server.checking()); // all of that without waiting for the check
  CHECK(h.server.latest() == first);
  CHECK(h.diagnostics("shop/web.plat").empty()); // nothing published meanwhile

  // The check completes: the new snapshot becomes the latest and is published.
  gate.open();
  h.flush();
  CHECK_FALSE(h.server.checking());
  CHECK(h.server.latest() != first);
  json now = h.diagnostics("shop/web.plat");
  REQUIRE(now.size() == 1);
  CHECK(now[0]["message"] == "no declaration named `storefront`");

  // Several more edits later, the first snapshot (held here as a slow
  // request would) reads exactly as it did: its texts, ASTs and values are
  // kept alive by the snapshot itself. Under ASan a dangling read fails here.
  for (int i = 0; i < 5; ++i) {
    h.notify("textDocument/didChange",
             {{"textDocument", {{"uri", h.uri("shop/web.plat")}, {"version", 10 + i}}},
              {"contentChanges", {{{"text", replaced(web.text, "port = 8080", "port = " + std::to_string(9000 + i))}}}}});
    h.flush();
  }
  CHECK(sema::dumpIr(*first->program, first->workspace.sources()) == firstIr);
  const LoadedFile *oldWeb = nullptr;
  for (const LoadedFile &f : first->workspace.files())
    if (f.relativePath == "shop/web.plat")
      oldWeb = &f;
  REQUIRE(oldWeb);
  CHECK(oldWeb->source->text() == web.text);
  Snapshot view{first->workspace, *first->program, first->diagnostics, Encoding::Utf16, ""};
  uint32_t offset = offsetOf(*oldWeb->source, web.position, Encoding::Utf16);
  std::string oldHover = plat::lsp::hover(view, *oldWeb, offset)["contents"]["value"];
  CHECK(oldHover.find("team shop.storefront") != std::string::npos);
  CHECK(oldHover.find("The storefront team.") != std::string::npos);
}

TEST_CASE("an edit publishes the edited file's own diagnostics before the whole-graph stages finish",
          "[lsp][snapshot][early]") {
  // `web` calls `api`, which has no port: a cross-persona error (graph
  // stage) in `web`, with a note in `api`. The edit breaks `worker`'s owner
  // (a name error, found while resolving) and adds a line above `web`.
  const char *kFile = R"(service worker {
  owner = storefront
  image = "registry.example.com/storefront/worker:1.0.0"
}

service web {
  owner = storefront
  image = "registry.example.com/storefront/web:1.0.0"
  port = 8080
  calls = [api]
}

service api {
  owner = storefront
  image = "registry.example.com/storefront/api:1.0.0"
}
)";
  Gate gate;
  Harness h({{"workspace.plat", kWorkspace}, {"shop/teams.plat", kTeams}, {"shop/web.plat", kFile}},
            [&](ServerOptions &o) { o.beforeGraph = [&] { gate.pass(); }; });
  Gate::OpenOnExit opener{gate};
  h.initialize();
  h.open("shop/web.plat", kFile);
  h.flush();
  json before = h.diagnostics("shop/web.plat");
  REQUIRE(before.size() == 1);
  CHECK(before[0]["code"] == "P0401");
  CHECK(before[0]["range"]["start"]["line"] == 9);
  std::shared_ptr<const pipeline::Snapshot> first = h.server.latest();

  gate.close();
  std::string edited = replaced(kFile, "  owner = storefront\n", "  owner = storefrnt\n  replicas = 2\n");
  h.notify("textDocument/didChange", {{"textDocument", {{"uri", h.uri("shop/web.plat")}, {"version", 2}}},
                                      {"contentChanges", {{{"text", edited}}}}});
  REQUIRE(h.server.deadline().has_value());
  h.server.startCheck();
  REQUIRE(gate.reached());
  // The graph stages have not run: the latest snapshot is still the old
  // one, but the edited file already shows the new name error, and the
  // unchanged `web`'s error where `web` now is (one line down).
  h.server.poll();
  REQUIRE(h.server.checking());
  CHECK(h.server.latest() == first);
  json early = h.diagnostics("shop/web.plat");
  REQUIRE(early.size() == 2);
  CHECK(early[0]["message"] == "no declaration named `storefrnt`");
  CHECK(early[0]["range"]["start"]["line"] == 1);
  CHECK(early[1]["code"] == "P0401");
  CHECK(early[1]["range"]["start"]["line"] == 10);
  REQUIRE(early[1]["relatedInformation"].is_array());

  // The complete check agrees, and says the same.
  gate.open();
  h.flush();
  CHECK_FALSE(h.server.checking());
  CHECK(h.server.latest() != first);
  CHECK(h.diagnostics("shop/web.plat") == early);

  // An edit inside `web` itself: its graph error is not carried (its text
  // changed) until the complete check finds it again.
  gate.close();
  std::string inWeb = replaced(edited, "port = 8080", "port = 8081");
  h.notify("textDocument/didChange", {{"textDocument", {{"uri", h.uri("shop/web.plat")}, {"version", 3}}},
                                      {"contentChanges", {{{"text", inWeb}}}}});
  h.server.startCheck();
  REQUIRE(gate.reached());
  h.server.poll();
  json partial = h.diagnostics("shop/web.plat");
  REQUIRE(partial.size() == 1);
  CHECK(partial[0]["message"] == "no declaration named `storefrnt`");
  gate.open();
  h.flush();
  json complete = h.diagnostics("shop/web.plat");
  REQUIRE(complete.size() == 2);
  CHECK(complete[1]["code"] == "P0401");
}
