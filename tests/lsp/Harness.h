// An in-process harness for the language server: a workspace written to a
// temporary folder, a Server whose messages are collected, and documents
// with a cursor marker (`$0`) turned into LSP positions.
#pragma once

#include <filesystem>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "lsp/Server.h"

namespace plat::lsp::test {

// Text with one `$0` marker: the text without it and the marker's position
// (UTF-16 unless `utf8`).
struct Marked {
  std::string text;
  json position;
};
Marked marked(const std::string &withMarker, bool utf8 = false);

class Harness {
public:
  // Writes `files` (relative path -> text) into a fresh temporary folder.
  // `configure` may change the server's options (test hooks).
  explicit Harness(const std::map<std::string, std::string> &files,
                   const std::function<void(ServerOptions &)> &configure = {});
  ~Harness();

  // Sends `initialize` (with `capabilities`) and `initialized`; returns the
  // initialize result.
  json initialize(json capabilities = json::object());
  // A request; returns the whole response message (result or error).
  json request(const std::string &method, json params);
  void notify(const std::string &method, json params);
  // Applies pending edits now (what the stdio loop does after the debounce).
  void flush() { server.flush(); }

  std::string uri(const std::string &rel) const;
  std::string path(const std::string &rel) const;
  void open(const std::string &rel, const std::string &text, int version = 1);
  json doc(const std::string &rel) const { return {{"uri", uri(rel)}}; }
  // The last diagnostics published for a file; null when none were.
  json diagnostics(const std::string &rel) const;
  // Every notification with this method, in order.
  std::vector<json> notifications(const std::string &method) const;

  std::vector<json> sent;
  std::filesystem::path root;
  std::filesystem::path stdlibDir;
  Server server;

private:
  int nextId_ = 1;
};

} // namespace plat::lsp::test
