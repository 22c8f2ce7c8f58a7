// The interface every backend implements.
//
// A backend reads the checked IR of one environment and emits files into an
// in-memory Output (relative path → bytes). It never sees the AST or the
// parse tree, never runs when checking found errors, and never writes to
// disk itself: the driver writes the Output atomically (BuildWriter.h).
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "diag/Diagnostic.h"
#include "sema/Program.h"

namespace plat::backends {

struct BackendContext {
  const sema::Program &program;
  const sema::EnvModel &env;
  const SourceManager &sources;
};

// Files a backend produced. Paths are relative to the environment's folder,
// use `/`, and are unique; bytes are the exact file contents.
class Output {
public:
  // Adds a file; returns false if the path was already produced (the
  // driver reports that as a diagnostic at `origin`).
  bool add(std::string path, std::string bytes, Span origin = {});
  const std::map<std::string, std::string> &files() const { return files_; }
  const std::map<std::string, Span> &origins() const { return origins_; }
  const std::vector<std::pair<std::string, Span>> &conflicts() const { return conflicts_; }

private:
  std::map<std::string, std::string> files_;
  std::map<std::string, Span> origins_;
  std::vector<std::pair<std::string, Span>> conflicts_;
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
