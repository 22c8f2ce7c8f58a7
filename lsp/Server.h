// The language server: LSP's lifecycle and document sync, and dispatch to
// the features (Features.h).
//
// The server holds the latest complete checked snapshot (pipeline::Snapshot:
// a workspace version, its Program and diagnostics). Edits are recorded as
// they arrive; once no message has come for the debounce interval, a new
// snapshot is computed from them on a worker thread (pipeline::edit: the
// changed files re-parsed, then an incremental recheck that only reads the
// previous snapshot), and when it is complete it becomes the latest and the
// diagnostics of every file whose list changed are published.
//
// Meanwhile every request is answered from the latest complete snapshot,
// which nothing changes or frees while it is read. The one exception: a
// request about a document whose current text is not in that snapshot yet
// (edits pending or being checked) waits for the check that includes it, so
// that its positions and the checked text agree.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "llvm/Support/thread.h"
#include "lsp/Protocol.h"
#include "pipeline/Pipeline.h"
#include "sema/Program.h"
#include "workspace/Workspace.h"

namespace plat::lsp {

struct ServerOptions {
  std::chrono::milliseconds debounce{200};
  // Where stdlib files are written for "go to definition" into them; empty:
  // a per-user cache folder.
  std::string stdlibDir;
  unsigned threads = 0; // parse threads; 0: one per core
  // Called on the worker thread when a check is complete, and when the
  // edited files' early diagnostics are ready (pipeline::EarlyDiagnostics);
  // the stdio loop wakes up and calls poll(). May be empty.
  std::function<void()> checkDone;
  // Tests only: run on the worker thread after the early diagnostics of an
  // edit are handed over, before the whole-graph stages.
  std::function<void()> beforeGraph;
  // Tests only: run on the worker thread before each check (a test holds a
  // check "running" with it, to send requests meanwhile).
  std::function<void()> beforeCheck;
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

  // When the pending edits are due to be checked, if any are pending and no
  // check is running (a running check ends with checkDone).
  std::optional<Clock::time_point> deadline() const;
  // Starts checking the pending edits on the worker thread, unless a check
  // is already running (they are checked after it).
  void startCheck();
  // Publishes the early diagnostics of the edited files, if the worker has
  // them; takes a complete check, if the worker has one: it becomes the
  // latest snapshot, and diagnostics are published. Main thread.
  void poll();
  // Checks the pending edits now and waits: when it returns, the latest
  // snapshot includes every edit received (what the tests and requests on
  // an edited document use).
  void flush();
  // The latest complete snapshot (null before the first check, or when
  // there is no workspace). Holding it keeps it readable.
  std::shared_ptr<const pipeline::Snapshot> latest() const { return latest_; }
  bool checking() const { return running_; }

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

  // Waits for the running check, if any, and takes its result.
  void waitForCheck();
  void publish();
  // Publishes the edited files' diagnostics from before the graph stages.
  void publishEarly(std::map<std::string, json> lists);
  // Sends one file's list unless it is what was last sent.
  void publishList(const std::string &uri, json list);
  // The workspace file for a URI in `snap`, after checking its pending
  // edits; null when the URI is not a file of the workspace.
  const LoadedFile *fileFor(const json &params, std::shared_ptr<const pipeline::Snapshot> &snap);
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

  // The latest complete check; replaced (never changed) by poll().
  std::shared_ptr<const pipeline::Snapshot> latest_;
  // The check running on the worker thread, and the documents whose texts
  // it includes (their requests wait for it).
  std::unique_ptr<llvm::thread> worker_;
  bool running_ = false;
  bool checkedOnce_ = false;
  std::set<std::string> inFlight_;
  std::mutex doneMutex_;
  bool done_ = false;                             // guarded by doneMutex_
  std::shared_ptr<const pipeline::Snapshot> result_; // guarded by doneMutex_
  std::optional<std::map<std::string, json>> early_; // guarded by doneMutex_: uri -> list
  bool stopped_ = false; // guarded by doneMutex_: the running check gave up for newer text
  // Set (main thread) when text changes while a check runs: the running
  // check stops after its early diagnostics, and the newer text is checked.
  std::atomic<bool> stale_{false};
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
