#include "lsp/Server.h"

#include <condition_variable>
#include <csignal>
#include <cstdlib>
#include <deque>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>
#include <unistd.h>

#include "fmt/format.h"
#include "lsp/Features.h"
#include "lsp/Transport.h"
#include "pipeline/Pipeline.h"
#include "stdlib/Embedded.h"

namespace fs = std::filesystem;

namespace plat::lsp {

namespace {

std::optional<std::string> readDisk(const std::string &path) {
  std::ifstream in(path, std::ios::binary);
  if (!in)
    return std::nullopt;
  std::ostringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

// A copy of the embedded stdlib on disk, so that "go to definition" can
// open stdlib files in any editor. Files are rewritten only when their text
// differs, and left read-only.
std::string materializeStdlib(std::string dir) {
  if (dir.empty()) {
    const char *cache = std::getenv("XDG_CACHE_HOME");
    const char *home = std::getenv("HOME");
    if (cache && *cache)
      dir = cache;
    else if (home && *home)
      dir = std::string(home) + "/.cache";
    else
      dir = fmt::format("/tmp/platc-{}", getuid());
    dir += fmt::format("/platc/stdlib-{}", PLAT_VERSION);
  }
  std::error_code ec;
  for (const stdlib::EmbeddedFile &f : stdlib::embeddedFiles()) {
    fs::path path = fs::path(dir) / f.path;
    std::optional<std::string> old = readDisk(path.string());
    if (old && *old == f.text())
      continue;
    fs::create_directories(path.parent_path(), ec);
    fs::permissions(path, fs::perms::owner_write, fs::perm_options::add, ec);
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(f.data, static_cast<std::streamsize>(f.size));
    out.close();
    fs::permissions(path, fs::perms::owner_read | fs::perms::group_read | fs::perms::others_read,
                    fs::perm_options::replace, ec);
    if (!out)
      return {};
  }
  return fs::absolute(dir, ec).lexically_normal().string();
}

std::string idKey(const json &id) { return id.dump(); }

std::string normalPath(const std::string &path) {
  std::error_code ec;
  return fs::absolute(path, ec).lexically_normal().string();
}

// Where a path is in the workspace at `root` ("" when it is not a workspace file).
std::string relativeTo(const std::string &root, const std::string &path) {
  if (root.empty())
    return {};
  fs::path rel = fs::path(path).lexically_relative(root);
  if (rel.empty() || rel.extension() != ".plat")
    return {};
  for (const fs::path &part : rel) {
    std::string p = part.string();
    // The folders `platc check` skips (Workspace::load).
    if (p == ".." || p.empty() || p[0] == '.' || p == "build" || p == "out" || p == "node_modules")
      return {};
  }
  return rel.generic_string();
}

// What a check on the worker thread is given: everything it reads, by value
// (the previous snapshot is shared and only read).
struct CheckJob {
  bool reload = false;
  std::string root;                          // reload: where to look for the workspace
  std::map<std::string, std::string> overlay; // reload: open documents, by absolute path
  std::shared_ptr<const pipeline::Snapshot> previous;
  std::vector<pipeline::FileEdit> edits;
  unsigned threads = 0;
};

std::shared_ptr<const pipeline::Snapshot> runCheck(CheckJob job,
                                                   const pipeline::EarlyDiagnostics &early,
                                                   const std::function<bool()> &stop) {
  LoadOptions options;
  options.threads = job.threads;
  if (!job.reload)
    return pipeline::edit(*job.previous, std::move(job.edits), options, nullptr, early, stop);
  options.overlay = &job.overlay;
  Diagnostics diags;
  std::optional<Workspace> ws = Workspace::load(job.root.empty() ? "." : job.root, diags, options);
  if (!ws)
    return nullptr;
  // Open documents that are not on disk yet belong to the workspace too.
  for (const auto &[path, text] : job.overlay) {
    std::string rel = relativeTo(ws->root(), path);
    if (rel.empty())
      continue;
    bool known = false;
    for (const LoadedFile &f : ws->files())
      known |= f.relativePath == rel;
    if (!known) {
      diags = Diagnostics();
      ws->updateFile(rel, text, diags, options);
    }
  }
  return pipeline::snapshot(std::move(*ws), std::move(diags));
}

} // namespace

Server::Server(Send send, ServerOptions options)
    : send_(std::move(send)), options_(std::move(options)) {}

Server::~Server() {
  if (worker_)
    worker_->join();
}

void Server::reply(const json &id, json result) {
  send_({{"jsonrpc", "2.0"}, {"id", id}, {"result", std::move(result)}});
}

void Server::replyError(const json &id, int code, const std::string &message) {
  send_({{"jsonrpc", "2.0"}, {"id", id}, {"error", {{"code", code}, {"message", message}}}});
}

void Server::cancel(const json &id) {
  std::lock_guard<std::mutex> lock(cancelMutex_);
  // Cancellations of requests already answered are never looked up again;
  // keep the set from growing without bound over a long session.
  if (cancelled_.size() >= 4096)
    cancelled_.clear();
  cancelled_.insert(idKey(id));
}

void Server::badHeader(const std::string &problem) {
  replyError(nullptr, errc::ParseError, problem);
}

void Server::handleBody(const std::string &body) {
  json message = json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (message.is_discarded()) {
    replyError(nullptr, errc::ParseError, "the message is not JSON");
    return;
  }
  handle(message);
}

void Server::handle(const json &message) {
  if (!message.is_object() || message.value("jsonrpc", "") != "2.0") {
    json id = message.is_object() && message.contains("id") ? message["id"] : json();
    replyError(id, errc::InvalidRequest, "not a JSON-RPC 2.0 message");
    return;
  }
  bool hasId = message.contains("id");
  json id = hasId ? message["id"] : json();
  if (hasId && !id.is_number_integer() && !id.is_string()) {
    replyError(nullptr, errc::InvalidRequest, "the id must be a number or a string");
    return;
  }
  if (!message.contains("method")) {
    // A response to one of our requests (client/registerCapability).
    return;
  }
  if (!message["method"].is_string()) {
    if (hasId)
      replyError(id, errc::InvalidRequest, "the method must be a string");
    return;
  }
  std::string method = message["method"];
  json params = message.contains("params") ? message["params"] : json::object();
  poll(); // a check that completed meanwhile becomes the latest snapshot
  try {
    if (hasId)
      request(id, method, params);
    else
      notification(method, params);
  } catch (const std::exception &e) {
    // nlohmann's type errors: parameters of the wrong shape.
    if (hasId)
      replyError(id, errc::InvalidParams, fmt::format("invalid parameters for {}: {}", method, e.what()));
  }
}

std::optional<Server::Clock::time_point> Server::deadline() const {
  if (running_)
    return std::nullopt; // the running check ends with checkDone; then it is due again
  return due_;
}

// ---------------------------------------------------------------- requests

json Server::initialize(const json &params) {
  // Position encoding: UTF-8 when the client offers it (no conversion),
  // else UTF-16, LSP's default.
  encoding_ = Encoding::Utf16;
  if (params.contains("capabilities")) {
    const json &caps = params["capabilities"];
    if (caps.contains("general") && caps["general"].contains("positionEncodings"))
      for (const json &e : caps["general"]["positionEncodings"])
        if (e == "utf-8")
          encoding_ = Encoding::Utf8;
    if (caps.contains("workspace") && caps["workspace"].contains("didChangeWatchedFiles"))
      watchRegistration_ =
          caps["workspace"]["didChangeWatchedFiles"].value("dynamicRegistration", false);
  }
  if (params.contains("workspaceFolders") && params["workspaceFolders"].is_array() &&
      !params["workspaceFolders"].empty())
    rootHint_ = pathFromUri(params["workspaceFolders"][0].value("uri", ""));
  if (rootHint_.empty() && params.contains("rootUri") && params["rootUri"].is_string())
    rootHint_ = pathFromUri(params["rootUri"]);
  if (rootHint_.empty() && params.contains("rootPath") && params["rootPath"].is_string())
    rootHint_ = params["rootPath"];
  options_.stdlibDir = materializeStdlib(options_.stdlibDir);

  json caps = {
      {"positionEncoding", encoding_ == Encoding::Utf8 ? "utf-8" : "utf-16"},
      {"textDocumentSync",
       {{"openClose", true}, {"change", 2}, {"save", {{"includeText", false}}}}},
      {"hoverProvider", true},
      {"definitionProvider", true},
      {"referencesProvider", true},
      {"documentHighlightProvider", true},
      {"documentSymbolProvider", true},
      {"workspaceSymbolProvider", true},
      {"documentFormattingProvider", true},
      {"completionProvider", {{"triggerCharacters", {".", "="}}}},
      {"renameProvider", {{"prepareProvider", true}}},
      {"codeActionProvider", {{"codeActionKinds", {"quickfix"}}}},
      {"foldingRangeProvider", true},
      {"semanticTokensProvider", {{"legend", semanticTokensLegend()}, {"full", {{"delta", true}}}}},
      {"codeLensProvider", {{"resolveProvider", false}}},
      {"inlayHintProvider", true},
      {"callHierarchyProvider", true},
  };
  return {{"capabilities", caps}, {"serverInfo", {{"name", "platc"}, {"version", PLAT_VERSION}}}};
}

const LoadedFile *Server::fileFor(const json &params,
                                  std::shared_ptr<const pipeline::Snapshot> &snap) {
  std::string path = normalPath(pathFromUri(params.at("textDocument").at("uri").get<std::string>()));
  // The document's current text must be the checked one, or positions would
  // not agree: wait for the check that includes it. Requests about other
  // documents are answered from the latest complete snapshot at once.
  if (dirty_.count(path) || inFlight_.count(path) || reload_ || !checkedOnce_)
    flush();
  snap = latest_;
  if (!snap)
    return nullptr;
  std::string rel = relativePath(path);
  if (rel.empty())
    return nullptr;
  for (const LoadedFile &f : snap->workspace.files())
    if (f.relativePath == rel)
      return &f;
  return nullptr;
}

void Server::request(const json &id, const std::string &method, const json &params) {
  {
    std::lock_guard<std::mutex> lock(cancelMutex_);
    if (cancelled_.erase(idKey(id))) {
      replyError(id, errc::RequestCancelled, fmt::format("{} was cancelled", method));
      return;
    }
  }
  if (method == "initialize") {
    if (initialized_) {
      replyError(id, errc::InvalidRequest, "initialize was already received");
      return;
    }
    initialized_ = true;
    reply(id, initialize(params));
    return;
  }
  if (!initialized_) {
    replyError(id, errc::ServerNotInitialized, fmt::format("{} before initialize", method));
    return;
  }
  if (shutdown_) {
    replyError(id, errc::InvalidRequest, fmt::format("{} after shutdown", method));
    return;
  }
  if (method == "shutdown") {
    shutdown_ = true;
    reply(id, nullptr);
    return;
  }
  if (method == "textDocument/formatting") {
    std::string path = normalPath(pathFromUri(params.at("textDocument").at("uri")));
    auto doc = documents_.find(path);
    std::optional<std::string> text =
        doc != documents_.end() ? std::optional<std::string>(doc->second.text) : readDisk(path);
    if (!text) {
      replyError(id, errc::RequestFailed, "the document is not open");
      return;
    }
    std::optional<std::string> formatted = formatText(path, *text);
    if (!formatted) {
      replyError(id, errc::RequestFailed,
                 "the document has syntax errors; fix them before formatting");
      return;
    }
    json edits = json::array();
    if (*formatted != *text) {
      SourceFile src(path, *text);
      edits.push_back({{"range", range(src, 0, static_cast<uint32_t>(text->size()), encoding_)},
                       {"newText", *formatted}});
    }
    reply(id, edits);
    return;
  }
  if (method == "workspace/symbol") {
    if (!checkedOnce_)
      flush(); // nothing checked yet
    std::shared_ptr<const pipeline::Snapshot> snap = latest_;
    if (!snap) {
      reply(id, json::array());
      return;
    }
    Snapshot s{snap->workspace, *snap->program, snap->diagnostics, encoding_, options_.stdlibDir};
    reply(id, workspaceSymbols(s, params.value("query", "")));
    return;
  }
  if (method == "callHierarchy/incomingCalls" || method == "callHierarchy/outgoingCalls") {
    if (!checkedOnce_)
      flush(); // nothing checked yet
    std::shared_ptr<const pipeline::Snapshot> snap = latest_;
    if (!snap) {
      reply(id, nullptr);
      return;
    }
    Snapshot s{snap->workspace, *snap->program, snap->diagnostics, encoding_, options_.stdlibDir};
    const json &item = params.at("item");
    reply(id, method == "callHierarchy/incomingCalls" ? incomingCalls(s, item) : outgoingCalls(s, item));
    return;
  }
  static const std::set<std::string> documentRequests = {
      "textDocument/hover",          "textDocument/definition",
      "textDocument/references",     "textDocument/documentHighlight",
      "textDocument/documentSymbol", "textDocument/completion",
      "textDocument/rename",         "textDocument/codeAction",
      "textDocument/prepareRename",
      "textDocument/foldingRange",   "textDocument/semanticTokens/full",
      "textDocument/semanticTokens/full/delta",
      "textDocument/codeLens",       "textDocument/inlayHint",
      "textDocument/prepareCallHierarchy"};
  if (!documentRequests.count(method)) {
    replyError(id, errc::MethodNotFound, fmt::format("`{}` is not implemented", method));
    return;
  }
  // Held until the answer is sent: nothing it points into can go meanwhile.
  std::shared_ptr<const pipeline::Snapshot> snap;
  const LoadedFile *file = fileFor(params, snap);
  if (!file) {
    // Not a file of the workspace (or no workspace): nothing to say.
    if (method == "textDocument/documentSymbol" || method == "textDocument/foldingRange" ||
        method == "textDocument/codeAction" || method == "textDocument/codeLens" ||
        method == "textDocument/inlayHint")
      reply(id, json::array());
    else if (method == "textDocument/semanticTokens/full" ||
             method == "textDocument/semanticTokens/full/delta")
      reply(id, {{"data", json::array()}});
    else if (method == "textDocument/rename" || method == "textDocument/prepareRename")
      replyError(id, errc::RequestFailed, "the document is not part of a Plat workspace");
    else
      reply(id, nullptr);
    return;
  }
  Snapshot s{snap->workspace, *snap->program, snap->diagnostics, encoding_, options_.stdlibDir};
  const SourceFile &src = *file->source;
  auto offset = [&] { return offsetOf(src, params.at("position"), encoding_); };
  if (method == "textDocument/hover")
    reply(id, hover(s, *file, offset()));
  else if (method == "textDocument/definition")
    reply(id, definition(s, *file, offset()));
  else if (method == "textDocument/references") {
    bool decl = params.contains("context") && params["context"].value("includeDeclaration", false);
    reply(id, references(s, *file, offset(), decl));
  } else if (method == "textDocument/documentHighlight")
    reply(id, documentHighlight(s, *file, offset()));
  else if (method == "textDocument/documentSymbol")
    reply(id, documentSymbols(s, *file));
  else if (method == "textDocument/completion")
    reply(id, completion(s, *file, offset()));
  else if (method == "textDocument/rename") {
    RenameResult r = rename(s, *file, offset(), params.at("newName").get<std::string>());
    if (!r.error.empty())
      replyError(id, errc::RequestFailed, r.error);
    else
      reply(id, r.edit);
  } else if (method == "textDocument/prepareRename") {
    RenameResult r = prepareRename(s, *file, offset());
    if (!r.error.empty())
      replyError(id, errc::RequestFailed, r.error);
    else
      reply(id, r.edit);
  } else if (method == "textDocument/codeAction") {
    const json &r = params.at("range");
    reply(id, codeActions(s, *file, offsetOf(src, r.at("start"), encoding_),
                          offsetOf(src, r.at("end"), encoding_)));
  } else if (method == "textDocument/foldingRange")
    reply(id, foldingRanges(s, *file));
  else if (method == "textDocument/semanticTokens/full" ||
           method == "textDocument/semanticTokens/full/delta") {
    json tokens = semanticTokens(s, *file);
    Tokens &last = tokens_[params["textDocument"]["uri"].get<std::string>()];
    json result;
    if (method == "textDocument/semanticTokens/full/delta" && !last.resultId.empty() &&
        params.value("previousResultId", "") == last.resultId)
      result = {{"edits", semanticTokensEdits(last.data, tokens["data"])}};
    else
      result = tokens;
    last.resultId = std::to_string(nextResultId_++);
    last.data = std::move(tokens["data"]);
    result["resultId"] = last.resultId;
    reply(id, result);
  } else if (method == "textDocument/codeLens")
    reply(id, codeLenses(s, *file));
  else if (method == "textDocument/inlayHint") {
    const json &r = params.at("range");
    reply(id, inlayHints(s, *file, offsetOf(src, r.at("start"), encoding_),
                         offsetOf(src, r.at("end"), encoding_)));
  } else if (method == "textDocument/prepareCallHierarchy")
    reply(id, prepareCallHierarchy(s, *file, offset()));
}

// ---------------------------------------------------------------- notifications

void Server::notification(const std::string &method, const json &params) {
  if (method == "exit") {
    exited_ = true;
    return;
  }
  if (!initialized_ || shutdown_)
    return; // ignored, as LSP says for notifications before initialize
  if (method == "initialized") {
    if (watchRegistration_)
      send_({{"jsonrpc", "2.0"},
             {"id", fmt::format("plat-{}", nextRequestId_++)},
             {"method", "client/registerCapability"},
             {"params",
              {{"registrations",
                {{{"id", "plat-watch"},
                  {"method", "workspace/didChangeWatchedFiles"},
                  {"registerOptions", {{"watchers", {{{"globPattern", "**/*.plat"}}}}}}}}}}}});
    due_ = Clock::now(); // first check right away
    return;
  }
  if (method == "textDocument/didOpen")
    didOpen(params);
  else if (method == "textDocument/didChange")
    didChange(params);
  else if (method == "textDocument/didClose")
    didClose(params);
  else if (method == "textDocument/didSave")
    ; // the buffer's text is already what we check
  else if (method == "workspace/didChangeWatchedFiles")
    didChangeWatchedFiles(params);
  else if (method == "workspace/didChangeConfiguration") {
    // `plat.debounceMs`, the one setting.
    if (params.contains("settings") && params["settings"].is_object() &&
        params["settings"].contains("plat") && params["settings"]["plat"].is_object()) {
      const json &plat = params["settings"]["plat"];
      if (plat.contains("debounceMs") && plat["debounceMs"].is_number_integer())
        options_.debounce = std::chrono::milliseconds(
            std::clamp<int64_t>(plat["debounceMs"].get<int64_t>(), 0, 10000));
    }
  }
  // Other notifications ($/setTrace, unknown ones) need no answer.
}

void Server::markDirty(const std::string &path) {
  dirty_.insert(path);
  due_ = Clock::now() + options_.debounce;
  if (running_ && inFlight_.count(path))
    stale_ = true; // what the running check computes is already out of date
}

void Server::didOpen(const json &params) {
  const json &doc = params.at("textDocument");
  std::string uri = doc.at("uri");
  std::string path = normalPath(pathFromUri(uri));
  if (path.empty())
    return;
  if (rootHint_.empty())
    rootHint_ = fs::path(path).parent_path().string();
  Document &d = documents_[path];
  d.uri = uri;
  d.text = doc.at("text").get<std::string>();
  d.version = doc.value("version", int64_t{0});
  markDirty(path);
}

void Server::didChange(const json &params) {
  const json &doc = params.at("textDocument");
  std::string path = normalPath(pathFromUri(doc.at("uri").get<std::string>()));
  auto it = documents_.find(path);
  if (it == documents_.end())
    return;
  Document &d = it->second;
  for (const json &change : params.at("contentChanges")) {
    std::string text = change.at("text");
    if (!change.contains("range")) {
      d.text = std::move(text);
      continue;
    }
    SourceFile src("", d.text);
    uint32_t begin = offsetOf(src, change["range"].at("start"), encoding_);
    uint32_t end = offsetOf(src, change["range"].at("end"), encoding_);
    if (end < begin)
      std::swap(begin, end);
    d.text.replace(begin, end - begin, text);
  }
  d.version = doc.value("version", d.version);
  markDirty(path);
}

void Server::didClose(const json &params) {
  std::string path = normalPath(pathFromUri(params.at("textDocument").at("uri").get<std::string>()));
  tokens_.erase(params["textDocument"]["uri"].get<std::string>());
  if (documents_.erase(path))
    markDirty(path); // back to the text on disk
}

void Server::didChangeWatchedFiles(const json &params) {
  for (const json &change : params.at("changes")) {
    std::string path = normalPath(pathFromUri(change.at("uri").get<std::string>()));
    int type = change.value("type", 2);
    if (documents_.count(path))
      continue; // the editor's buffer wins over the disk
    if (type == 2)
      markDirty(path);
    else {
      // Created or deleted: the set of files changes, so load again.
      reload_ = true;
      due_ = Clock::now() + options_.debounce;
    }
  }
}

// ---------------------------------------------------------------- checking

std::string Server::relativePath(const std::string &path) const {
  return latest_ ? relativeTo(latest_->workspace.root(), path) : std::string();
}

void Server::startCheck() {
  poll();
  if (running_)
    return; // the pending edits are checked after the running check
  due_.reset();
  CheckJob job;
  job.threads = options_.threads;
  job.root = rootHint_;
  std::set<std::string> paths;
  if (latest_ && !reload_) {
    for (const std::string &path : dirty_) {
      std::string rel = relativePath(path);
      if (rel.empty())
        continue;
      auto doc = documents_.find(path);
      if (doc != documents_.end()) {
        job.edits.push_back({rel, doc->second.text});
        paths.insert(path);
        continue;
      }
      std::optional<std::string> disk = readDisk(path);
      if (!disk) {
        // Closed and gone from disk: the set of files changed.
        reload_ = true;
        break;
      }
      job.edits.push_back({rel, std::move(*disk)});
      paths.insert(path);
    }
  }
  if (!latest_ || reload_) {
    job.reload = true;
    job.edits.clear();
    paths.clear();
    for (const auto &[path, doc] : documents_) {
      job.overlay[path] = doc.text;
      paths.insert(path);
    }
  } else if (job.edits.empty()) {
    dirty_.clear();
    return; // nothing that belongs to the workspace changed
  }
  reload_ = false;
  dirty_.clear();
  job.previous = latest_;
  inFlight_ = std::move(paths);
  running_ = true;
  {
    std::lock_guard<std::mutex> lock(doneMutex_);
    done_ = false;
    result_.reset();
    early_.reset();
    stopped_ = false;
  }
  stale_ = false;
  // Checking recurses like parsing: the worker gets the parse workers' stack.
  constexpr unsigned kCheckStack = 64u << 20;
  worker_ = std::make_unique<llvm::thread>(
      llvm::Optional<unsigned>(kCheckStack), [this, job = std::move(job)]() mutable {
        if (options_.beforeCheck)
          options_.beforeCheck();
        // The edited files' diagnostics as soon as they are resolved, made
        // into LSP lists here, while the workspace they point into exists.
        std::shared_ptr<const pipeline::Snapshot> previous = job.previous;
        auto early = [this, previous](const Workspace &ws, const std::vector<FileId> &files,
                                      std::vector<Diagnostic> diags) {
          // The lists read only the workspace and the diagnostics.
          Snapshot s{ws, *previous->program, diags, encoding_, options_.stdlibDir};
          std::map<std::string, json> lists;
          for (FileId f : files)
            if (std::string uri = uriOf(s, f); !uri.empty())
              lists[uri] = json::array();
          for (const Diagnostic &d : diags)
            if (auto it = lists.find(uriOf(s, d.span.file)); it != lists.end())
              it->second.push_back(toLspDiagnostic(s, d));
          {
            std::lock_guard<std::mutex> lock(doneMutex_);
            early_ = std::move(lists);
          }
          if (options_.checkDone)
            options_.checkDone();
          if (options_.beforeGraph)
            options_.beforeGraph();
        };
        bool reload = job.reload;
        std::shared_ptr<const pipeline::Snapshot> snap =
            runCheck(std::move(job), early, [this] { return stale_.load(); });
        {
          std::lock_guard<std::mutex> lock(doneMutex_);
          stopped_ = !snap && !reload;
          result_ = std::move(snap);
          done_ = true;
        }
        if (options_.checkDone)
          options_.checkDone();
      });
}

void Server::poll() {
  if (!running_)
    return;
  std::optional<std::map<std::string, json>> early;
  bool done = false;
  {
    std::lock_guard<std::mutex> lock(doneMutex_);
    early = std::move(early_);
    early_.reset();
    done = done_;
  }
  if (early && !done)
    publishEarly(std::move(*early));
  if (done)
    waitForCheck();
}

void Server::waitForCheck() {
  if (!running_)
    return;
  worker_->join();
  worker_.reset();
  running_ = false;
  bool stopped = false;
  {
    std::lock_guard<std::mutex> lock(doneMutex_);
    stopped = stopped_;
    stopped_ = false;
    if (!stopped)
      // The old snapshot is let go here; requests that still hold it keep it.
      latest_ = std::move(result_);
    result_.reset();
    done_ = false;
    early_.reset();
  }
  if (stopped) {
    // Newer text came while checking: the latest snapshot stays as it was,
    // and the files of the abandoned check are checked again with it.
    for (const std::string &path : inFlight_)
      dirty_.insert(path);
    inFlight_.clear();
    if (!due_)
      due_ = Clock::now() + options_.debounce;
    return;
  }
  checkedOnce_ = true;
  inFlight_.clear();
  publish();
}

void Server::flush() {
  waitForCheck();
  if (reload_ || !dirty_.empty() || !latest_) {
    startCheck();
    waitForCheck();
  }
}

void Server::publishList(const std::string &uri, json list) {
  auto old = published_.find(uri);
  if (old != published_.end() ? old->second == list : list.empty())
    return; // nothing new (or nothing was said, and nothing is to clear)
  json params = {{"uri", uri}, {"diagnostics", list}};
  if (auto doc = documents_.find(pathFromUri(uri)); doc != documents_.end())
    params["version"] = doc->second.version;
  send_({{"jsonrpc", "2.0"}, {"method", "textDocument/publishDiagnostics"}, {"params", params}});
  published_[uri] = std::move(list);
}

void Server::publishEarly(std::map<std::string, json> lists) {
  for (auto &[uri, list] : lists)
    if (!dirty_.count(pathFromUri(uri))) // changed again since: its next check says more
      publishList(uri, std::move(list));
}

void Server::publish() {
  std::map<std::string, json> now;
  if (latest_) {
    Snapshot s{latest_->workspace, *latest_->program, latest_->diagnostics, encoding_, options_.stdlibDir};
    now = diagnosticsByUri(s);
  }
  // Files that disappeared: clear what was published for them.
  for (auto &[uri, list] : published_)
    if (!now.count(uri) && !list.empty())
      now[uri] = json::array();
  for (auto &[uri, list] : now)
    publishList(uri, std::move(list));
}

// ---------------------------------------------------------------- stdio

int runStdio(const std::vector<std::string> &args) {
  ServerOptions options;
  for (const std::string &a : args) {
    if (a == "--stdio")
      continue; // what most clients pass; stdio is the only transport
    if (a.rfind("--debounce-ms=", 0) == 0) {
      options.debounce = std::chrono::milliseconds(std::atoi(a.c_str() + 14));
      continue;
    }
    std::fprintf(stderr, "error: `platc lsp` does not take `%s`\n", a.c_str());
    return 2;
  }
  // A client that goes away closes the pipe: end on end of input, not on
  // SIGPIPE halfway through a write.
  std::signal(SIGPIPE, SIG_IGN);
  Writer writer(stdout);
  std::mutex mutex;
  std::condition_variable ready;
  bool checkDone = false; // set by the worker thread when a check completes
  options.checkDone = [&] {
    std::lock_guard<std::mutex> lock(mutex);
    checkDone = true;
    ready.notify_one();
  };
  Server server([&](const json &m) { writer.write(m.dump(-1, ' ', false, json::error_handler_t::replace)); },
                options);

  // The reader thread frames and parses messages, and marks cancelled
  // requests at once; the main thread handles messages in order, answering
  // from the latest complete snapshot, and starts a check on the worker
  // thread when the debounce interval has passed without a message; when
  // the worker is done, the main thread takes its snapshot and publishes.
  struct Incoming {
    std::string body;
    std::string problem;
    bool badHeader = false;
  };
  std::deque<Incoming> queue;
  bool eof = false;
  std::thread reader([&] {
    for (;;) {
      Incoming in;
      ReadStatus st = readMessage(stdin, in.body, in.problem);
      if (st == ReadStatus::Eof)
        break;
      in.badHeader = st == ReadStatus::BadHeader;
      if (st == ReadStatus::Message && in.body.find("$/cancelRequest") != std::string::npos) {
        json m = json::parse(in.body, nullptr, false);
        if (m.is_object() && m.value("method", "") == "$/cancelRequest" && m.contains("params") &&
            m["params"].is_object() && m["params"].contains("id"))
          server.cancel(m["params"]["id"]);
      }
      std::lock_guard<std::mutex> lock(mutex);
      queue.push_back(std::move(in));
      ready.notify_one();
    }
    std::lock_guard<std::mutex> lock(mutex);
    eof = true;
    ready.notify_one();
  });
  reader.detach(); // blocked in a read at exit; the process ends anyway

  for (;;) {
    Incoming in;
    {
      std::unique_lock<std::mutex> lock(mutex);
      auto has = [&] { return !queue.empty() || eof || checkDone; };
      if (auto due = server.deadline()) {
        if (!ready.wait_until(lock, *due, has)) {
          lock.unlock();
          server.startCheck();
          continue;
        }
      } else {
        ready.wait(lock, has);
      }
      if (checkDone) {
        checkDone = false;
        lock.unlock();
        server.poll();
        continue;
      }
      if (queue.empty())
        return server.exited() ? server.exitCode() : 1; // end of input without `exit`
      in = std::move(queue.front());
      queue.pop_front();
    }
    if (in.badHeader)
      server.badHeader(in.problem);
    else
      server.handleBody(in.body);
    if (server.exited())
      return server.exitCode();
  }
}

} // namespace plat::lsp
