#include "Harness.h"

#include <fstream>
#include <random>

namespace fs = std::filesystem;

namespace plat::lsp::test {

Marked marked(const std::string &withMarker, bool utf8) {
  size_t at = withMarker.find("$0");
  Marked m;
  m.text = withMarker;
  if (at == std::string::npos)
    return m;
  m.text.erase(at, 2);
  SourceFile src("", m.text);
  m.position = position(src, static_cast<uint32_t>(at), utf8 ? Encoding::Utf8 : Encoding::Utf16);
  return m;
}

namespace {
fs::path freshFolder(const char *prefix) {
  std::random_device rd;
  fs::path dir = fs::temp_directory_path() / (prefix + std::to_string(rd()) + std::to_string(rd()));
  fs::create_directories(dir);
  return dir;
}
} // namespace

Harness::Harness(const std::map<std::string, std::string> &files,
                 const std::function<void(ServerOptions &)> &configure)
    : root(freshFolder("plat-lsp-ws-")), stdlibDir(freshFolder("plat-lsp-std-")),
      server([this](const json &m) { sent.push_back(m); },
             [this, &configure] {
               ServerOptions o;
               o.debounce = std::chrono::milliseconds(0);
               o.threads = 1;
               o.stdlibDir = stdlibDir.string();
               if (configure)
                 configure(o);
               return o;
             }()) {
  for (const auto &[rel, text] : files) {
    fs::create_directories((root / rel).parent_path());
    std::ofstream(root / rel, std::ios::binary) << text;
  }
}

Harness::~Harness() {
  std::error_code ec;
  fs::remove_all(root, ec);
  // The stdlib copy is read-only: make it writable to remove it.
  for (auto it = fs::recursive_directory_iterator(stdlibDir, ec); !ec && it != fs::recursive_directory_iterator(); it.increment(ec))
    fs::permissions(it->path(), fs::perms::owner_all, fs::perm_options::add, ec);
  fs::remove_all(stdlibDir, ec);
}

json Harness::initialize(json capabilities) {
  json r = request("initialize", {{"processId", nullptr},
                                  {"rootUri", uriFromPath(root.string())},
                                  {"capabilities", capabilities}});
  notify("initialized", json::object());
  return r;
}

json Harness::request(const std::string &method, json params) {
  int id = nextId_++;
  server.handle({{"jsonrpc", "2.0"}, {"id", id}, {"method", method}, {"params", std::move(params)}});
  for (auto it = sent.rbegin(); it != sent.rend(); ++it)
    if (!it->contains("method") && it->contains("id") && (*it)["id"] == id)
      return *it;
  return nullptr;
}

void Harness::notify(const std::string &method, json params) {
  server.handle({{"jsonrpc", "2.0"}, {"method", method}, {"params", std::move(params)}});
}

std::string Harness::path(const std::string &rel) const { return (root / rel).string(); }
std::string Harness::uri(const std::string &rel) const { return uriFromPath(path(rel)); }

void Harness::open(const std::string &rel, const std::string &text, int version) {
  notify("textDocument/didOpen",
         {{"textDocument", {{"uri", uri(rel)}, {"languageId", "plat"}, {"version", version}, {"text", text}}}});
}

json Harness::diagnostics(const std::string &rel) const {
  std::string u = uri(rel);
  for (auto it = sent.rbegin(); it != sent.rend(); ++it)
    if (it->value("method", "") == "textDocument/publishDiagnostics" && (*it)["params"]["uri"] == u)
      return (*it)["params"]["diagnostics"];
  return nullptr;
}

std::vector<json> Harness::notifications(const std::string &method) const {
  std::vector<json> out;
  for (const json &m : sent)
    if (m.value("method", "") == method && !m.contains("id"))
      out.push_back(m);
  return out;
}

} // namespace plat::lsp::test
