// The interface every backend implements.
//
// A backend reads the checked IR of one environment and emits files into an
// in-memory Output (relative path → bytes). It never sees the AST or the
// parse tree, never runs when checking found errors, and never writes to
// disk itself: the driver writes the Output atomically (BuildWriter.h).
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "diag/Diagnostic.h"
#include "sema/Program.h"

namespace plat::backends {

struct WorkspaceInfo;
class EdgesInto;

// Computed once per context on first use (from any thread), then only read.
// shared_ptr: the types are complete only in Common.h.
struct BackendCache {
  std::once_flag workspaceOnce, edgesIntoOnce;
  std::shared_ptr<const WorkspaceInfo> workspace;
  std::shared_ptr<const EdgesInto> edgesInto;
};

struct BackendContext {
  const sema::Program &program;
  const sema::EnvModel &env;
  const SourceManager &sources;
  // Filled by workspaceInfo() (Common.h); not part of the input.
  mutable BackendCache cache{};
  // The git commit the workspace is built from (review::workspaceCommit,
  // or PLAT_COMMIT), "" when unknown: then no output names a commit.
  std::string commit{};
};

// Something a backend would have produced twice: a file path, or an object
// inside a file that holds many (`what` then names it, such as "Deployment
// `web/api`"; empty for a whole file).
struct Conflict {
  std::string path;
  std::string what;
  Span origin;
};

// Something the target would reject that only the backend can see (the
// size of a generated policy, say): the driver reports it as an error at
// `origin` (P0320) and writes nothing.
struct Problem {
  Span origin;
  std::string message;
  std::string help;
};

// Files a backend produced. Paths are relative to the environment's folder,
// use `/`, and are unique; bytes are the exact file contents.
class Output {
public:
  // Adds a file; returns false if the path was already produced (the
  // driver reports that as a diagnostic at `origin`).
  bool add(std::string path, std::string bytes, Span origin = {});
  // Reports an object that `path` would hold twice.
  void conflict(std::string path, std::string what, Span origin) {
    conflicts_.push_back(Conflict{std::move(path), std::move(what), origin});
  }
  const std::map<std::string, std::string> &files() const { return files_; }
  std::map<std::string, std::string> &files() { return files_; }
  const std::vector<Conflict> &conflicts() const { return conflicts_; }
  void problem(Span origin, std::string message, std::string help) {
    problems_.push_back(Problem{origin, std::move(message), std::move(help)});
  }
  const std::vector<Problem> &problems() const { return problems_; }

private:
  std::map<std::string, std::string> files_;
  std::vector<Conflict> conflicts_;
  std::vector<Problem> problems_;
};

class Backend {
public:
  virtual ~Backend() = default;
  // The --target name: "k8s", "iam", "sagemaker", "airflow".
  virtual llvm::StringRef name() const = 0;
  // Emits this backend's files for one environment into `out`, under a
  // folder named after the backend.
  virtual void emit(const BackendContext &ctx, Output &out) const = 0;
};

// Every backend, in a fixed order.
std::vector<std::unique_ptr<Backend>> allBackends();

} // namespace plat::backends
