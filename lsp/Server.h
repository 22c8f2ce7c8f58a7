// The language server: LSP's lifecycle and document sync, and dispatch to
// the features (Features.h).
//
// The server owns one Workspace and the Program of its latest check. Edits
// are recorded as they arrive and applied together once no message has come
// for the debounce interval (Workspace::updateFile per changed file, then
// pipeline::recheck), and the diagnostics of every file whose list changed are
// published. A request about a document with unapplied edits applies them
// first, so that its positions and the checked text agree; every other
// request is answered from the latest complete check. The Program is never
// kept across an updateFile: recheck consumes it.
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "lsp/Protocol.h"
#include "sema/Program.h"
#include "workspace/Workspace.h"

namespace plat::lsp {

struct ServerOptions {
  std::chrono::milliseconds debounce{200};
  // Where stdlib files are written for "go to definition" into them; empty:
  // a per-user cache folder.
  std::string stdlibDir;
  unsigned threads = 0; // parse threads; 0: one per core
};

class Server {
public:
  using Send = std::function<void(const json &)>;
  using Clock = std::chrono::steady_clock;

  Server(Send send, ServerOptions options = {});
  ~Server();

  // One message as received (a JSON-RPC request, response or notification).
  void handle(const json &message);
  // The body of one framed message: JSON text, answered with a parse error
  // when it is not JSON.
  void handleBody(const std::string &body);
  // A message whose header could not be read.
  void badHeader(const std::string &problem);
  // Marks a request as cancelled; thread-safe (the reader thread calls it as
  // soon as `$/cancelRequest` arrives, before the request is handled).
  void cancel(const json &id);

  // When the pending edits are due to be checked, if any are pending.
  std::optional<Clock::time_point> deadline() const;
  // Applies the pending edits now, checks and publishes diagnostics.
  void flush();

  bool exited() const { return exited_; }
  int exitCode() const { return shutdown_ ? 0 : 1; }

private:
  struct Document {
    std::string uri;
    std::string text;
    int64_t version = 0;
  };

  void request(const json &id, const std::string &method, const json &params);
  void notification(const std::string &method, const json &params);
  void reply(const json &id, json result);
  void replyError(const json &id, int code, const std::string &message);

  json initialize(const json &params);
  void didOpen(const json &params);
  void didChange(const json &params);
  void didClose(const json &params);
  void didChangeWatchedFiles(const json &params);
  void markDirty(const std::string &path);

  void loadWorkspace();
  void publish();
  // The workspace file for a URI, after applying its pending edits; null
  // when the URI is not a file of the workspace.
  const LoadedFile *fileFor(const json &params);
  // Where a path is in the workspace ("" when it is not a workspace file).
  std::string relativePath(const std::string &path) const;

  Send send_;
  ServerOptions options_;
  Encoding encoding_ = Encoding::Utf16;
  bool initialized_ = false;
  bool shutdown_ = false;
  bool exited_ = false;
  bool watchRegistration_ = false;
  int64_t nextRequestId_ = 1;
  std::string rootHint_;

  std::map<std::string, Document> documents_; // by absolute path
  std::set<std::string> dirty_;               // absolute paths with unapplied text
  bool reload_ = true;
  std::optional<Clock::time_point> due_;

  std::optional<Workspace> ws_;
  std::unique_ptr<sema::Program> program_;
  std::vector<Diagnostic> diagnostics_;
  std::map<std::string, json> published_; // uri -> last published list
  // The last semantic tokens sent per URI, for deltas; resultIds count up.
  struct Tokens {
    std::string resultId;
    json data;
  };
  std::map<std::string, Tokens> tokens_;
  uint64_t nextResultId_ = 1;

  mutable std::mutex cancelMutex_;
  std::set<std::string> cancelled_; // ids (as JSON text)
};

// `platc lsp`: serves LSP over stdin/stdout until `exit` or end of input.
int runStdio(const std::vector<std::string> &args);

} // namespace plat::lsp
