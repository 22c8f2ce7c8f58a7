// Helpers shared by backends: provenance, hashing and names derived from
// declarations. Deterministic by construction.
#pragma once

#include <string>
#include <vector>

#include "backends/Backend.h"
#include "llvm/ADT/ArrayRef.h"

namespace plat::backends {

// Hex SHA-256 of `bytes`, first 16 hex digits: a short, stable content hash
// for provenance annotations.
std::string contentHash(llvm::StringRef bytes);
// The same with llvm::SHA256 alone (contentHash uses the CPU's SHA
// instructions where it has them); for tests.
std::string contentHashPortable(llvm::StringRef bytes);
// The whole hex SHA-256 of `bytes` (64 digits), for audit evidence.
std::string sha256Hex(llvm::StringRef bytes);

// The longest prefix of the UTF-8 text `s` of at most `maxBytes` bytes that
// does not end inside a character (AWS and Airflow length limits cut here).
std::string utf8Prefix(llvm::StringRef s, size_t maxBytes);

// `payments/checkout.plat:7` for the declaration's name.
std::string sourceLocation(const BackendContext &ctx, const sema::Decl &decl);

// Kubernetes/AWS-friendly name of a declaration: `checkout_api` → `checkout-api`.
std::string kebab(llvm::StringRef name);

// The workspace's settings that every backend needs.
struct WorkspaceInfo {
  std::string name;
  std::string account;
  std::string region;
  std::string partition = "aws";
  std::string cluster;
  std::string oidcProvider; // may be empty
  std::string airflowRole;  // may be empty
  std::string artifactBucket;
};
// Computed on first use and kept in the context: backends ask for it per
// declaration.
const WorkspaceInfo &workspaceInfo(const BackendContext &ctx);


// Edges into each declaration, for backends that look edges up backwards:
// built once per environment in one pass.
class EdgesInto {
public:
  explicit EdgesInto(const sema::EnvModel &env);
  // Edges into `to`, in (from, kind) order.
  llvm::ArrayRef<const sema::Edge *> of(sema::DeclId to) const;

private:
  std::vector<uint32_t> start_; // by DeclId, +1
  std::vector<const sema::Edge *> edges_;
};

// The context's EdgesInto, built on first use.
const EdgesInto &edgesInto(const BackendContext &ctx);

} // namespace plat::backends
