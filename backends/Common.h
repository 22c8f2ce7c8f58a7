// Helpers shared by backends: provenance, hashing and names derived from
// declarations. Deterministic by construction.
#pragma once

#include <string>

#include "backends/Backend.h"

namespace plat::backends {

// Hex SHA-256 of `bytes`, first 16 hex digits: a short, stable content hash
// for provenance annotations.
std::string contentHash(llvm::StringRef bytes);

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
WorkspaceInfo workspaceInfo(const BackendContext &ctx);

} // namespace plat::backends
